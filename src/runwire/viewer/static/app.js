// runwire trace viewer: routing (every page is a URL that survives a reload) and global keys.
// Trace payloads are untrusted text: pages build the DOM with `el`/`svg` (core.js), never HTML.
"use strict";

function route() {
  const { parts, query } = parseHash();
  let shown;
  if (parts[0] === "run" && parts[1]) shown = showRun(parts[1], parts[2]);
  else if (parts[0] === "compare" && parts[1] && parts[2]) shown = showCompare(parts[1], parts[2]);
  else if (parts[0] === "overview") shown = showOverview(query);
  else if (parts.length === 0) shown = showList(query);
  else shown = Promise.reject(new Error(`There is no page at ${location.hash}.`));
  document.querySelectorAll("header nav a").forEach((a) => a.classList.toggle("active", a.dataset.page === (parts[0] || "list")));
  shown.catch((error) => errorPage(String(error.message || error)));
}

// `/` searches (the list's name filter, or the tree's step finder); Escape leaves the box.
document.addEventListener("keydown", (event) => {
  const typing = event.target.closest && event.target.closest("input, select, textarea");
  if (event.key === "/" && !typing) {
    const box = document.getElementById("tree-search") || document.getElementById("filter-name");
    if (box) {
      event.preventDefault();
      box.focus();
    }
  } else if (event.key === "Escape" && typing) {
    event.target.blur();
    const tree = document.getElementById("tree");
    if (tree) tree.focus();
  } else if (event.key === "Enter" && event.target.id === "tree-search") {
    const first = document.querySelector("#tree .node.match");
    if (first) select(first.dataset.id);
    document.getElementById("tree").focus();
  }
});

window.addEventListener("hashchange", route);
route();
