// The traces list: filters (kept in the URL), keyset paging, live refresh, pick two to compare.
"use strict";

const list = { filters: {}, cursors: [], before: null, picked: [], drawn: 0 }; // drawn: which request drew the table

function listQuery() {
  const params = new URLSearchParams();
  const f = list.filters;
  for (const key of ["name", "tag", "status"]) if (f[key]) params.set(key, f[key]);
  for (const key of ["since", "until"]) if (f[key]) params.set(key, String(Date.parse(f[key]) / 1000));
  if (list.before) params.set("before", list.before);
  return params;
}

function filterForm() {
  const f = list.filters;
  const input = (name, type, placeholder) =>
    el("input", { name, type, placeholder, value: f[name] || "", "aria-label": placeholder, id: `filter-${name}` });
  const status = el("select", { name: "status", "aria-label": "status" },
    ...["", "ok", "error", "running"].map((s) => el("option", { value: s, text: s || "any status" })));
  status.value = f.status || "";
  return el("form", {
    class: "filters",
    onsubmit: (event) => {
      event.preventDefault();
      const entries = [...new FormData(event.target).entries()].filter(([, v]) => v);
      list.cursors = [];
      list.before = null;
      location.hash = `#/?${new URLSearchParams(entries)}`; // the route shows the list
    },
  }, input("name", "search", "name contains  (press /)"), input("tag", "text", "tag"), status,
  el("label", { class: "when" }, "started after", input("since", "datetime-local", "started after")),
  el("label", { class: "when" }, "before", input("until", "datetime-local", "started before")),
  el("button", { type: "submit", text: "Search" }));
}

function listRow(run) {
  const duration = run.end_time == null ? null : run.end_time - run.start_time;
  const pick = el("input", { type: "checkbox", class: "pick", "aria-label": `pick ${run.name} to compare`,
    checked: list.picked.includes(run.id),
    onchange: (event) => {
      list.picked = list.picked.filter((id) => id !== run.id);
      if (event.target.checked) list.picked = [...list.picked, run.id].slice(-2);
      document.querySelectorAll("#runs .pick").forEach((box) => { box.checked = list.picked.includes(box.closest("tr").dataset.id); });
      const button = document.getElementById("compare-picked");
      if (button) button.disabled = list.picked.length !== 2;
    } });
  return el("tr", { "data-id": run.id },
    el("td", {}, pick),
    el("td", { class: "mono dim", text: shortId(run.id) }),
    el("td", { class: "dim", text: when(run.start_time) }),
    el("td", { class: `status-${run.status}`, text: run.status }),
    el("td", { text: seconds(duration) }),
    el("td", { text: run.trace_tokens == null ? "-" : String(run.trace_tokens) }),
    el("td", { class: "name" }, el("a", { href: `#/run/${run.id}`, text: run.name })),
    el("td", { class: "dim", text: (run.tags || []).join(", ") }));
}

async function showList(query) {
  clearTimeout(rw.timer);
  list.filters = Object.fromEntries(query || []);
  const request = ++list.drawn;
  const page = await getJSON(`/api/runs?${listQuery()}`);
  if (request !== list.drawn) return; // a newer search (or page) was asked for meanwhile: its answer wins
  const head = el("tr", {}, ...["", "id", "started", "status", "duration", "tokens", "name", "tags"].map((t) => el("th", { text: t })));
  const table = el("table", { id: "runs" }, el("thead", {}, head), el("tbody", {}, ...page.runs.map(listRow)));
  const newer = el("button", { text: "← Newer", onclick: () => { list.before = list.cursors.pop() || null; showList(query); } });
  newer.disabled = list.cursors.length === 0 && !list.before;
  const older = el("button", { text: "Older →", onclick: () => { list.cursors.push(list.before); list.before = page.next; showList(query); } });
  older.disabled = !page.next;
  const compare = el("button", { id: "compare-picked", text: "Compare the two picked",
    onclick: () => { location.hash = `#/compare/${list.picked[0]}/${list.picked[1]}`; } });
  compare.disabled = list.picked.length !== 2;
  const empty = page.runs.length ? null : el("p", { class: "dim", text: "No runs match." });
  view.replaceChildren(...[filterForm(), table, empty, el("div", { class: "pager" }, newer, older, compare)].filter(Boolean));
  if (!list.before) poll(() => refreshList(query), 2000); // live: new runs appear on the first page
}

async function refreshList(query) {
  if (!document.getElementById("runs") || list.before) return;
  const active = document.activeElement;
  if (active && (active.form || active.classList.contains("pick"))) return poll(() => refreshList(query), 2000); // never redraw under the user
  const request = list.drawn;
  const page = await getJSON(`/api/runs?${listQuery()}`);
  if (request !== list.drawn) return; // the filters changed while this refresh was on its way: stale
  const body = document.querySelector("#runs tbody");
  if (body) body.replaceChildren(...page.runs.map(listRow));
  poll(() => refreshList(query), 2000);
}
