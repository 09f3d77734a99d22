// runwire trace viewer. Trace payloads are untrusted text: every value reaches the page through
// textContent or an attribute set by the DOM API, never through an HTML parser.
"use strict";

const view = document.getElementById("view");
let timer = null;
const state = { filters: {}, cursors: [], before: null, expanded: new Set(), selected: null, runId: null };

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

function seconds(value) {
  if (value == null) return "…";
  const ms = value * 1000;
  if (ms < 10) return `${ms.toFixed(2)} ms`; // fake models answer in microseconds
  return ms < 1000 ? `${Math.round(ms)} ms` : `${value.toFixed(2)} s`;
}

function when(ts) {
  return ts == null ? "-" : new Date(ts * 1000).toLocaleString();
}

function pretty(value) {
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

async function getJSON(url) {
  const response = await fetch(url, { cache: "no-store" });
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function poll(fn, ms) {
  clearTimeout(timer);
  timer = setTimeout(fn, ms);
}

// -- the runs list ---------------------------------------------------------------------------

function listQuery() {
  const params = new URLSearchParams();
  const f = state.filters;
  for (const key of ["name", "tag", "status"]) if (f[key]) params.set(key, f[key]);
  for (const key of ["since", "until"]) if (f[key]) params.set(key, String(Date.parse(f[key]) / 1000));
  if (state.before) params.set("before", state.before);
  return params;
}

function filterForm() {
  const f = state.filters;
  const input = (name, type, placeholder) =>
    el("input", { name, type, placeholder, value: f[name] || "", "aria-label": placeholder });
  const status = el("select", { name: "status", "aria-label": "status" },
    ...["", "ok", "error", "running"].map((s) => el("option", { value: s, text: s || "any status" })));
  status.value = f.status || "";
  return el("form", {
    class: "filters",
    onsubmit: (event) => {
      event.preventDefault();
      state.filters = Object.fromEntries(new FormData(event.target).entries());
      state.cursors = [];
      state.before = null;
      showList();
    },
  }, input("name", "search", "name contains"), input("tag", "text", "tag"), status,
  input("since", "datetime-local", "since"), input("until", "datetime-local", "until"),
  el("button", { type: "submit", text: "Search" }));
}

function listRow(run) {
  const duration = run.end_time == null ? null : run.end_time - run.start_time;
  return el("tr", { "data-id": run.id },
    el("td", { class: "dim", text: when(run.start_time) }),
    el("td", { class: `status-${run.status}`, text: run.status }),
    el("td", { text: seconds(duration) }),
    el("td", { text: run.trace_tokens == null ? "-" : String(run.trace_tokens) }),
    el("td", { class: "name" }, el("a", { href: `#/run/${run.id}`, text: run.name })),
    el("td", { class: "dim", text: (run.tags || []).join(", ") }));
}

async function showList() {
  clearTimeout(timer);
  const page = await getJSON(`/api/runs?${listQuery()}`);
  if (location.hash.startsWith("#/run/")) return;
  const head = el("tr", {}, ...["started", "status", "duration", "tokens", "name", "tags"].map((t) => el("th", { text: t })));
  const table = el("table", { id: "runs" }, el("thead", {}, head), el("tbody", {}, ...page.runs.map(listRow)));
  const newer = el("button", { text: "← Newer", onclick: () => { state.before = state.cursors.pop() || null; showList(); } });
  newer.disabled = state.cursors.length === 0 && !state.before;
  const older = el("button", { text: "Older →", onclick: () => { state.cursors.push(state.before); state.before = page.next; showList(); } });
  older.disabled = !page.next;
  const empty = page.runs.length ? null : el("p", { class: "dim", text: "No runs match." });
  view.replaceChildren(filterForm(), table, empty, el("div", { class: "pager" }, newer, older));
  if (!state.before) poll(refreshList, 2000); // live: new runs appear on the first page
}

async function refreshList() {
  if (location.hash.startsWith("#/run/") || state.before) return;
  const active = document.activeElement;
  if (active && active.form) return poll(refreshList, 2000); // never redraw under the user's typing
  const page = await getJSON(`/api/runs?${listQuery()}`);
  const body = document.querySelector("#runs tbody");
  if (body) body.replaceChildren(...page.runs.map(listRow));
  poll(refreshList, 2000);
}

// -- one run ---------------------------------------------------------------------------------

function buildTree(runs, rootId) {
  const nodes = new Map(runs.map((r) => [r.id, { ...r, children: [] }]));
  for (const r of runs) if (r.id !== rootId && nodes.has(r.parent_id)) nodes.get(r.parent_id).children.push(nodes.get(r.id));
  return nodes.get(rootId);
}

function firstToken(run) {
  const token = (run.events || []).find((e) => e.name === "new_token");
  return token ? token.time - run.start_time : null;
}

function treeRows(node, depth, span, out) {
  const open = state.expanded.has(node.id);
  const toggle = el("button", { class: "toggle", "aria-label": open ? "collapse" : "expand",
    text: node.children.length ? (open ? "▾" : "▸") : "·" });
  toggle.addEventListener("click", (event) => {
    event.stopPropagation();
    if (open) state.expanded.delete(node.id); else state.expanded.add(node.id);
    renderRun();
  });
  const end = node.end_time == null ? Date.now() / 1000 : node.end_time;
  const bar = el("div", { class: `bar ${node.status}` });
  bar.style.left = `${(100 * (node.start_time - span.start)) / span.length}%`;
  bar.style.width = `${(100 * (end - node.start_time)) / span.length}%`;
  const label = el("span", { class: "label" }, el("span", { class: "name", text: node.name }),
    el("span", { class: "kind", text: node.run_type }));
  label.style.paddingLeft = `${depth * 1.1}rem`;
  const row = el("div", {
    class: `node${state.selected === node.id ? " selected" : ""}`, "data-id": node.id, "data-depth": String(depth),
    onclick: () => { state.selected = node.id; renderRun(); },
  }, el("span", {}, toggle, label), el("span", { class: "dur", text: seconds(node.end_time == null ? null : node.end_time - node.start_time) }),
  el("div", { class: "lane" }, bar));
  out.push(row);
  if (open) for (const child of node.children) treeRows(child, depth + 1, span, out);
}

function section(title, value, cls) {
  if (value == null || (Array.isArray(value) && !value.length)) return [];
  return [el("h3", { text: title }), el("pre", { class: cls || "", text: pretty(value) })];
}

function detail(run) {
  const usage = run.usage || {};
  const facts = [
    ["id", run.id], ["type", run.run_type], ["status", run.status], ["model", run.model],
    ["started", when(run.start_time)],
    ["latency", run.end_time == null ? "running" : seconds(run.end_time - run.start_time)],
    ["tokens", usage.total_tokens == null ? null : `${usage.input_tokens ?? "?"} in, ${usage.output_tokens ?? "?"} out, ${usage.total_tokens} total`],
    ["time to first token", firstToken(run) == null ? null : seconds(firstToken(run))],
    ["streamed tokens", (run.events || []).filter((e) => e.name === "new_token").length || null],
    ["tags", (run.tags || []).join(", ") || null],
  ].filter(([, v]) => v != null);
  const events = run.events || [];
  const retries = events.filter((e) => e.name === "retry").map((e) => e.kwargs);
  const custom = events.filter((e) => e.name === "custom").map((e) => e.kwargs);
  return el("aside", { class: "detail", id: "detail" }, el("h2", { text: run.name }),
    el("dl", {}, ...facts.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { "data-fact": k, text: String(v) })])),
    ...section("Error", run.error, "error-text"), ...section("Inputs", run.inputs), ...section("Outputs", run.outputs),
    ...section("Retries", retries), ...section("Custom events", custom),
    ...section("Metadata", Object.keys(run.metadata || {}).length ? run.metadata : null));
}

let current = null;

function renderRun() {
  if (!current) return;
  const runs = current.runs;
  const root = buildTree(runs, current.id);
  const ends = runs.map((r) => (r.end_time == null ? Date.now() / 1000 : r.end_time));
  const span = { start: root.start_time, length: Math.max(1e-6, Math.max(...ends) - root.start_time) };
  const rows = [];
  treeRows(root, 0, span, rows);
  const tokens = runs.reduce((sum, r) => sum + ((r.usage && r.usage.total_tokens) || 0), 0);
  const copy = el("button", { id: "copy-json", text: "Copy as JSON" });
  copy.addEventListener("click", async () => {
    try {
      const text = await (await fetch(`/api/runs/${current.id}/export`, { cache: "no-store" })).text();
      await navigator.clipboard.writeText(text);
      copy.textContent = "Copied";
    } catch (error) {
      copy.textContent = "Copy failed: use the JSON link";
    }
  });
  const expandAll = el("button", { id: "expand-all", text: "Expand all",
    onclick: () => { runs.forEach((r) => state.expanded.add(r.id)); renderRun(); } });
  const collapse = el("button", { text: "Collapse", onclick: () => { state.expanded = new Set([current.id]); renderRun(); } });
  const selected = runs.find((r) => r.id === state.selected) || runs.find((r) => r.id === current.id);
  view.replaceChildren(
    el("div", { class: "run-head" }, el("h1", { text: root.name }),
      el("span", { class: `status-${root.status}`, text: root.status }),
      el("span", { class: "dim", text: `${when(root.start_time)} · ${seconds(root.end_time == null ? null : root.end_time - root.start_time)} · ${runs.length} runs · ${tokens} tokens` }),
      expandAll, collapse, copy, el("a", { href: `/api/runs/${current.id}/export`, target: "_blank", text: "JSON" })),
    el("div", { class: "layout" }, el("div", { class: "tree", id: "tree" }, ...rows), detail(selected)));
}

async function showRun(id) {
  clearTimeout(timer);
  const data = await getJSON(`/api/runs/${encodeURIComponent(id)}`);
  if (state.runId !== data.id) {
    state.runId = data.id;
    state.expanded = new Set([data.id]);
    state.selected = data.id;
  }
  current = data;
  renderRun();
  if (data.runs.some((r) => r.status === "running")) poll(() => showRun(id), 1000); // live while it runs
}

// -- routing ---------------------------------------------------------------------------------

function route() {
  const match = location.hash.match(/^#\/run\/([0-9a-f-]+)$/);
  const shown = match ? showRun(match[1]) : showList();
  shown.catch((error) => view.replaceChildren(el("p", { class: "error-text", text: String(error.message || error) })));
}

window.addEventListener("hashchange", route);
route();
