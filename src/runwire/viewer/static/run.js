// One trace: the run tree (keyboard: arrows, `/` to search), the failing path highlighted, and
// the selected run's detail (conversation for chat models, error with its traceback, raw JSON).
"use strict";

const trace = { data: null, id: null, expanded: new Set(), selected: null, search: "", errorPath: new Set() };

function buildTree(runs, rootId) {
  const nodes = new Map(runs.map((r) => [r.id, { ...r, children: [] }]));
  for (const r of runs) if (r.id !== rootId && nodes.has(r.parent_id)) nodes.get(r.parent_id).children.push(nodes.get(r.id));
  for (const node of nodes.values()) numberAttempts(node.children);
  return nodes;
}

// A retried step runs once per attempt under one parent, under one name (later attempts are
// tagged retry:attempt:N): number them, so a failed first attempt in a trace that went on to
// succeed reads as "attempt 1", not as an unexplained error.
function numberAttempts(children) {
  const retried = new Set(children.filter((c) => (c.tags || []).some((t) => t.startsWith("retry:attempt:"))).map((c) => c.name));
  const seen = new Map();
  for (const child of children) {
    if (!retried.has(child.name)) continue;
    seen.set(child.name, (seen.get(child.name) || 0) + 1);
    child.attempt = seen.get(child.name);
  }
}

function firstToken(run) {
  const token = (run.events || []).find((e) => e.name === "new_token");
  return token ? token.time - run.start_time : null;
}

// The deepest failing run and the ids from the root down to it.
function failingPath(nodes, root) {
  const path = [];
  let node = root;
  while (node && node.status === "error") {
    path.push(node.id);
    node = node.children.find((c) => c.status === "error");
  }
  return path;
}

function matches(node) {
  return !trace.search || node.name.toLowerCase().includes(trace.search.toLowerCase());
}

function subtreeMatches(node) {
  return matches(node) || node.children.some(subtreeMatches);
}

function treeRows(node, depth, span, out) {
  if (!subtreeMatches(node)) return;
  const open = trace.expanded.has(node.id) || (trace.search && node.children.some(subtreeMatches));
  const toggle = el("button", { class: "toggle", tabindex: "-1", "aria-label": open ? "collapse" : "expand",
    text: node.children.length ? (open ? "▾" : "▸") : "·" });
  toggle.addEventListener("click", (event) => {
    event.stopPropagation();
    setOpen(node.id, !open);
  });
  const end = node.end_time == null ? Date.now() / 1000 : node.end_time;
  const bar = el("div", { class: `bar ${node.status}` });
  bar.style.left = `${(100 * (node.start_time - span.start)) / span.length}%`;
  bar.style.width = `${(100 * (end - node.start_time)) / span.length}%`;
  const label = el("span", { class: "label" }, el("span", { class: "name", text: node.name }),
    el("span", { class: "kind", text: node.run_type }),
    node.attempt ? el("span", { class: "kind attempt", text: `attempt ${node.attempt}` }) : null);
  label.style.paddingLeft = `${depth * 1.1}rem`;
  const classes = ["node", trace.selected === node.id && "selected", trace.errorPath.has(node.id) && "error-path",
    trace.search && matches(node) && "match"].filter(Boolean).join(" ");
  const row = el("div", { class: classes, "data-id": node.id, "data-depth": String(depth), role: "treeitem",
    "aria-selected": String(trace.selected === node.id),
    onclick: () => select(node.id) },
  el("span", {}, toggle, label), el("span", { class: "dur", text: seconds(node.end_time == null ? null : node.end_time - node.start_time) }),
  el("div", { class: "lane" }, bar));
  out.push(row);
  if (open) for (const child of node.children) treeRows(child, depth + 1, span, out);
}

function setOpen(id, open) {
  if (open) trace.expanded.add(id); else trace.expanded.delete(id);
  renderRun();
}

function select(id) {
  trace.selected = id;
  remember(`#/run/${trace.id}${id === trace.id ? "" : `/${id}`}`);
  renderRun();
}

// Up/down move through the visible rows; right opens (or enters), left closes (or goes up).
function treeKey(event) {
  const rows = [...document.querySelectorAll("#tree .node")];
  const at = rows.findIndex((r) => r.dataset.id === trace.selected);
  const nodes = trace.nodes;
  const node = nodes.get(trace.selected);
  if (!node) return;
  let handled = true;
  if (event.key === "ArrowDown" && at < rows.length - 1) select(rows[at + 1].dataset.id);
  else if (event.key === "ArrowUp" && at > 0) select(rows[at - 1].dataset.id);
  else if (event.key === "ArrowRight") {
    if (node.children.length && !trace.expanded.has(node.id)) setOpen(node.id, true);
    else if (node.children.length) select(node.children[0].id);
  } else if (event.key === "ArrowLeft") {
    if (trace.expanded.has(node.id) && node.children.length) setOpen(node.id, false);
    else if (nodes.has(node.parent_id) && node.id !== trace.id) select(node.parent_id);
  } else handled = false;
  if (handled) {
    event.preventDefault();
    document.getElementById("tree").focus();
  }
}

function section(title, value, cls) {
  if (value == null || (Array.isArray(value) && !value.length)) return [];
  return [el("h3", { text: title }), el("pre", { class: cls || "", text: pretty(value) })];
}

// A step's input or output that is one message (a chain ending in a model, a tool's ToolMessage)
// reads as a conversation turn, not as the message's JSON (which stays under Raw JSON).
function asMessage(value) {
  const inner = value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 1 ? Object.values(value)[0] : value;
  const message = inner && typeof inner === "object" && !Array.isArray(inner) ? inner : null;
  return message && typeof message.type === "string" && ROLES[roleOf(message)] && "content" in message ? message : null;
}

function payload(title, value) {
  const message = asMessage(value);
  if (!message) return section(title, value);
  return [el("h3", { text: title }), el("div", { class: "conversation", "data-payload": title.toLowerCase() },
    turn(message, toolResults(trace.data.runs)))];
}

function errorSection(run) {
  const error = errorOf(run);
  if (!error) return [];
  return [el("h3", { text: "Error" }),
    el("div", { class: "error-box", id: "error-box" },
      el("div", { class: "error-text" }, el("strong", { text: error.type }), error.message ? `: ${error.message}` : ""),
      error.traceback ? el("pre", { class: "traceback", text: error.traceback }) : null)];
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
  const chat = run.run_type === "llm" ? conversation(run, trace.data.runs) : null;
  const raw = el("details", { class: "raw", id: "raw-json" }, el("summary", { text: "Raw JSON" }),
    el("pre", { text: JSON.stringify({ inputs: run.inputs, outputs: run.outputs, error: run.error, events: run.events }, null, 2) }));
  return el("aside", { class: "detail", id: "detail" }, el("h2", { text: run.name }),
    el("dl", {}, ...facts.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { "data-fact": k, text: String(v) })])),
    ...errorSection(run),
    chat ? [el("h3", { text: "Conversation" }), chat] : [...payload("Inputs", run.inputs), ...payload("Outputs", run.outputs)],
    ...section("Retries", retries), ...section("Custom events", custom),
    ...section("Metadata", Object.keys(run.metadata || {}).length ? run.metadata : null), raw);
}

function renderRun() {
  if (!trace.data) return;
  const runs = trace.data.runs;
  const nodes = trace.nodes;
  const root = nodes.get(trace.id);
  const ends = runs.map((r) => (r.end_time == null ? Date.now() / 1000 : r.end_time));
  const span = { start: root.start_time, length: Math.max(1e-6, Math.max(...ends) - root.start_time) };
  const rows = [];
  treeRows(root, 0, span, rows);
  const counted = runs.filter((r) => r.usage && r.usage.total_tokens != null); // fakes report none: no "0 tokens"
  const tokens = counted.length ? ` · ${counted.reduce((sum, r) => sum + r.usage.total_tokens, 0)} tokens` : "";
  const copy = el("button", { id: "copy-json", text: "Copy as JSON" });
  copy.addEventListener("click", async () => {
    try {
      const text = await (await fetch(`/api/runs/${trace.id}/export`, { cache: "no-store" })).text();
      await navigator.clipboard.writeText(text);
      copy.textContent = "Copied";
    } catch (error) {
      copy.textContent = "Copy failed: use the JSON link";
    }
  });
  const expandAll = el("button", { id: "expand-all", text: "Expand all",
    onclick: () => { runs.forEach((r) => trace.expanded.add(r.id)); renderRun(); } });
  const collapse = el("button", { text: "Collapse", onclick: () => { trace.expanded = new Set([trace.id]); renderRun(); } });
  const other = el("input", { id: "compare-with", placeholder: "compare with id", "aria-label": "compare with run id", size: "14" });
  const compare = el("form", { class: "inline", onsubmit: (event) => {
    event.preventDefault();
    if (other.value.trim()) location.hash = `#/compare/${trace.id}/${encodeURIComponent(other.value.trim())}`;
  } }, other, el("button", { type: "submit", text: "Compare" }));
  const search = el("input", { id: "tree-search", type: "search", placeholder: "find a step  (press /)", "aria-label": "find a step",
    value: trace.search, oninput: (event) => { trace.search = event.target.value; renderTree(); } });
  const tree = el("div", { class: "tree", id: "tree", tabindex: "0", role: "tree", onkeydown: treeKey }, ...rows);
  const selected = nodes.get(trace.selected) || root;
  const hadFocus = document.activeElement && document.activeElement.id;
  view.replaceChildren(
    el("div", { class: "run-head" }, el("h1", { text: root.name }),
      el("span", { class: `status-${root.status}`, text: root.status }),
      el("span", { class: "mono dim", title: root.id, text: shortId(root.id) }),
      el("span", { class: "dim", text: `${when(root.start_time)} · ${seconds(root.end_time == null ? null : root.end_time - root.start_time)} · ${runs.length} ${runs.length === 1 ? "run" : "runs"}${tokens}`, id: "run-facts" }),
      expandAll, collapse, copy, el("a", { href: `/api/runs/${trace.id}/export`, target: "_blank", text: "JSON" }), compare),
    el("div", { class: "layout" }, el("div", { class: "tree-pane" }, search, tree), detail(selected)));
  const traceback = view.querySelector("#error-box .traceback");
  if (traceback) traceback.scrollTop = traceback.scrollHeight; // where it failed: the last frame, read first
  if (hadFocus === "tree" || hadFocus === "tree-search") {
    const again = document.getElementById(hadFocus);
    again.focus();
    if (hadFocus === "tree-search") again.setSelectionRange(again.value.length, again.value.length);
  }
}

function renderTree() {
  renderRun();
}

async function showRun(id, selected) {
  clearTimeout(rw.timer);
  const data = await getJSON(`/api/runs/${encodeURIComponent(id)}`);
  const fresh = trace.id !== data.id;
  trace.data = data;
  trace.nodes = buildTree(data.runs, data.id);
  if (fresh) {
    trace.id = data.id;
    trace.search = "";
    trace.expanded = new Set([data.id]);
    const path = failingPath(trace.nodes, trace.nodes.get(data.id));
    trace.errorPath = new Set(path);
    path.slice(0, -1).forEach((p) => trace.expanded.add(p)); // open the way to where it failed
    trace.selected = path.length ? path[path.length - 1] : data.id;
  }
  if (selected && trace.nodes.has(selected)) {
    trace.selected = selected;
    for (let n = trace.nodes.get(selected); n && trace.nodes.has(n.parent_id); n = trace.nodes.get(n.parent_id)) trace.expanded.add(n.parent_id);
  }
  renderRun();
  if (data.runs.some((r) => r.status === "running")) poll(() => showRun(trace.id), 1000); // live while it runs
}
