// Two runs side by side (a run and its replay, say): inputs, outputs, tree shape and timings.
"use strict";

// Each run of a trace keyed by its position: the names down from the root, with the index among
// same-named siblings, so the same step lines up in both runs.
function positions(data) {
  const nodes = buildTree(data.runs, data.id);
  const out = [];
  const visit = (node, key, depth) => {
    out.push({ key, depth, node });
    const seen = {};
    for (const child of node.children) {
      seen[child.name] = (seen[child.name] || 0) + 1;
      visit(child, `${key}/${child.name}#${seen[child.name]}`, depth + 1);
    }
  };
  const root = nodes.get(data.id);
  visit(root, "", 0);
  return out;
}

function duration(run) {
  return run.end_time == null ? null : run.end_time - run.start_time;
}

function side(label, data) {
  const root = data.runs.find((r) => r.id === data.id);
  const tokens = data.runs.reduce((sum, r) => sum + ((r.usage && r.usage.total_tokens) || 0), 0);
  return el("div", { class: "side" },
    el("h2", {}, el("span", { class: "dim", text: `${label} ` }), el("a", { href: `#/run/${data.id}`, text: root.name })),
    el("div", { class: "dim" }, el("span", { class: `status-${root.status}`, text: root.status }),
      ` · ${shortId(root.id)} · ${when(root.start_time)} · ${seconds(duration(root))} · ${data.runs.length} runs · ${tokens} tokens`));
}

function payloads(title, a, b) {
  const same = JSON.stringify(a) === JSON.stringify(b);
  return el("div", { class: `pair${same ? "" : " differs"}`, "data-pair": title.toLowerCase() },
    el("h3", { text: `${title}${same ? " (same)" : " (differ)"}` }),
    el("div", { class: "two" }, el("pre", { text: pretty(a) }), el("pre", { text: pretty(b) })));
}

async function showCompare(a, b) {
  clearTimeout(rw.timer);
  const [left, right] = await Promise.all([getJSON(`/api/runs/${encodeURIComponent(a)}`), getJSON(`/api/runs/${encodeURIComponent(b)}`)]);
  remember(`#/compare/${left.id}/${right.id}`);
  const rootOf = (d) => d.runs.find((r) => r.id === d.id);
  const lp = positions(left), rp = positions(right);
  const byKey = new Map(rp.map((p) => [p.key, p]));
  const rows = lp.map((p) => {
    const other = byKey.get(p.key);
    byKey.delete(p.key);
    return [p, other];
  });
  for (const p of byKey.values()) rows.push([null, p]);
  const cell = (p) => (p ? seconds(duration(p.node)) : "—");
  const table = el("table", { id: "compare-tree" },
    el("thead", {}, el("tr", {}, ...["step", "A", "B", "B − A"].map((t) => el("th", { text: t })))),
    el("tbody", {}, ...rows.map(([x, y]) => {
      const node = (x || y).node;
      const name = el("td", { class: "label" }, el("span", { class: "name", text: node.name }), el("span", { class: "kind", text: node.run_type }));
      name.style.paddingLeft = `${(x || y).depth * 1.1 + 0.6}rem`;
      const delta = x && y && duration(x.node) != null && duration(y.node) != null ? duration(y.node) - duration(x.node) : null;
      const status = !x ? "only-b" : !y ? "only-a" : x.node.status !== y.node.status ? "status-differs" : "";
      return el("tr", { class: status, "data-key": (x || y).key }, name,
        el("td", { class: x ? `status-${x.node.status}` : "dim", text: cell(x) }),
        el("td", { class: y ? `status-${y.node.status}` : "dim", text: cell(y) }),
        el("td", { class: "dim", text: delta == null ? (status.startsWith("only") ? `only in ${status.slice(-1).toUpperCase()}` : "") : `${delta >= 0 ? "+" : "−"}${seconds(Math.abs(delta))}` }));
    })));
  view.replaceChildren(
    el("div", { class: "run-head" }, el("h1", { text: "Compare" })),
    el("div", { class: "two" }, side("A", left), side("B", right)),
    payloads("Inputs", rootOf(left).inputs, rootOf(right).inputs),
    payloads("Outputs", rootOf(left).outputs, rootOf(right).outputs),
    el("h3", { text: "Tree and timings" }), table);
}
