// runwire trace viewer: shared helpers. Trace payloads are untrusted text: every value reaches
// the page through textContent or an attribute set by the DOM API, never through an HTML parser.
"use strict";

const view = document.getElementById("view");
const rw = { timer: null };
const SVG_NS = "http://www.w3.org/2000/svg";

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value == null || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) if (child != null && child !== false) node.append(child);
  return node;
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) if (child != null) node.append(child);
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

function shortId(id) {
  return String(id).slice(-8);
}

async function getJSON(url) {
  const response = await fetch(url, { cache: "no-store" });
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function poll(fn, ms) {
  clearTimeout(rw.timer);
  rw.timer = setTimeout(fn, ms);
}

function errorPage(message) {
  view.replaceChildren(el("div", { class: "notice", id: "notice" },
    el("p", { class: "error-text", text: message }),
    el("a", { href: "#/", text: "← Back to the traces" })));
}

// The error record a run's "error" event holds (type, message, traceback), else its repr.
function errorOf(run) {
  const event = (run.events || []).find((e) => e.name === "error");
  if (event && event.kwargs) return event.kwargs;
  return run.error ? { type: "error", message: run.error } : null;
}

// Hash routes: "#/run/ID/SELECTED?x=1" -> { parts: ["run", "ID", "SELECTED"], query }
function parseHash() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, search] = raw.split("?");
  return { parts: path.split("/").filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(search || "") };
}

// Record where the user is, so a reload comes back to it (no new history entry, no re-render).
function remember(hash) {
  if (location.hash !== hash) history.replaceState(null, "", hash);
}
