// The overview page: traces over time (SVG drawn here, no chart library), latency, error rate,
// tokens by model and by root name, over a window chosen in the URL.
"use strict";

const WINDOWS = ["1h", "24h", "7d", "30d"];

function tile(label, value, id) {
  return el("div", { class: "tile", id }, el("div", { class: "tile-value", text: value }), el("div", { class: "dim", text: label }));
}

function timeChart(data) {
  const width = 900, height = 180, pad = 28;
  const max = Math.max(1, ...data.buckets.map((b) => b.runs));
  const step = (width - pad) / data.buckets.length;
  const bars = data.buckets.flatMap((b, i) => {
    const x = pad + i * step + 1;
    const h = ((height - pad) * b.runs) / max;
    const e = ((height - pad) * b.errors) / max;
    const title = svg("title", { text: `${when(b.start)}: ${b.runs} traces, ${b.errors} errors` });
    return [
      svg("rect", { class: "chart-bar", x, y: height - pad - h, width: Math.max(1, step - 2), height: h }, title),
      b.errors ? svg("rect", { class: "chart-bar error", x, y: height - pad - e, width: Math.max(1, step - 2), height: e }) : null,
    ];
  });
  const axis = [
    svg("line", { class: "axis", x1: pad, y1: height - pad, x2: width, y2: height - pad }),
    svg("text", { class: "axis-label", x: 0, y: 12, text: String(max) }),
    svg("text", { class: "axis-label", x: pad, y: height - 8, text: when(data.since) }),
    svg("text", { class: "axis-label", x: width, y: height - 8, "text-anchor": "end", text: when(data.until) }),
  ];
  return svg("svg", { id: "runs-chart", class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": `traces over time: ${data.traces} traces, ${data.errors} errors` }, ...axis, ...bars);
}

// A table whose last column carries a bar proportional to its value.
function barTable(id, headers, rows, value) {
  const max = Math.max(1, ...rows.map(value));
  return el("table", { id, class: "bars" }, el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { text: h })), el("th", {}))),
    el("tbody", {}, ...rows.map((row) => {
      const cells = headers.map((h, i) => el("td", { text: String(row.cells[i]) }));
      const bar = svg("svg", { class: "hbar", viewBox: "0 0 100 10", preserveAspectRatio: "none" },
        svg("rect", { x: 0, y: 0, height: 10, width: (100 * value(row)) / max }));
      return el("tr", {}, ...cells, el("td", { class: "bar-cell" }, bar));
    })));
}

async function showOverview(query) {
  clearTimeout(rw.timer);
  const window = WINDOWS.includes(query.get("window")) ? query.get("window") : "24h";
  const data = await getJSON(`/api/overview?window=${window}`);
  const picker = el("div", { class: "windows", role: "group", "aria-label": "window" }, ...WINDOWS.map((w) =>
    el("a", { href: `#/overview?window=${w}`, class: w === window ? "window active" : "window", text: w })));
  const rate = data.error_rate == null ? "-" : `${(100 * data.error_rate).toFixed(1)}%`;
  const latency = (value) => (value == null ? "-" : seconds(value));
  const count = (value) => (value == null ? "-" : String(value)); // "-": the model reported no usage
  const models = data.models.map((m) => ({ cells: [m.model, m.calls, latency(m.p50), latency(m.p95), count(m.input_tokens), count(m.output_tokens), count(m.total_tokens)], total: m.total_tokens }));
  const names = data.names.map((n) => ({ cells: [n.name, n.traces, n.errors, latency(n.p50), latency(n.p95), count(n.total_tokens)], total: n.total_tokens }));
  view.replaceChildren(
    el("div", { class: "run-head" }, el("h1", { text: "Overview" }), picker,
      el("span", { class: "dim", text: `${when(data.since)} – ${when(data.until)}` })),
    el("div", { class: "tiles" }, tile("traces", String(data.traces), "tile-traces"), tile("error rate", rate, "tile-errors"),
      tile("p50 latency", latency(data.p50), "tile-p50"), tile("p95 latency", latency(data.p95), "tile-p95")),
    el("h3", { text: "Traces over time (errors in red)" }), timeChart(data),
    el("div", { class: "two" },
      el("div", {}, el("h3", { text: "By model (latency per call)" }),
        barTable("by-model", ["model", "calls", "p50", "p95", "tokens in", "out", "total"], models, (r) => r.total)),
      el("div", {}, el("h3", { text: "By root name (latency per trace)" }),
        barTable("by-name", ["name", "traces", "errors", "p50", "p95", "tokens"], names, (r) => r.total))));
}
