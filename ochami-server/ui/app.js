// The page: loads the machine from the API, draws it, keeps it live by polling with entity
// tags, and wires the search box, filters, token entry and node panel.
//
// The location hash holds the view (`#q=<search>&node=<xname>`), so a link shows the same
// thing and a test can drive the page without clicks.

import { ApiError, Watched, getOptional, setToken, token } from "./api.js";
import { Machine, STATES, nidSpec } from "./machine.js";
import { FLAGS, STYLE, drawMachine, legendSwatch } from "./draw.js";
import { Panel } from "./panel.js";

const $ = (id) => document.getElementById(id);
const POLL_MS = 1000;
const SLOW_POLL_EVERY = 5; // interfaces, groups and partitions every 5 polls
const MAX_RESULTS = 200;

const machine = new Machine();
const watched = {
  components: new Watched("/hsm/v2/State/Components"),
  interfaces: new Watched("/hsm/v2/Inventory/EthernetInterfaces"),
  groups: new Watched("/hsm/v2/groups"),
  partitions: new Watched("/hsm/v2/partitions"),
};
let selected = "";
let polls = 0;
let drawn = false;
let haveComponents = false;
let frame = 0;
const panel = new Panel($("panel"), (id) => select(id));
// For the browser console and tests: the page's model of the machine.
window.ochami = { machine };

function status(text, error) {
  const s = $("status");
  s.textContent = text;
  s.classList.toggle("error", Boolean(error));
}

function width() {
  return $("scroller").clientWidth;
}

/** Redraw on the next animation frame (many changes, one drawing). */
function redraw() {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    const sc = $("scroller");
    const t0 = performance.now();
    drawMachine($("machine"), machine, sc.scrollTop, sc.clientWidth, sc.clientHeight, selected);
    performance.measure("draw", { start: t0, end: performance.now() });
    if (!drawn && haveComponents) {
      // The first drawing with the components in it: what the bench measures.
      drawn = true;
      performance.mark("machine-drawn");
      const t = performance.getEntriesByName("machine-drawn")[0].startTime;
      document.documentElement.dataset.drawnMs = t.toFixed(0);
    }
  });
}

function relayout() {
  machine.layout(width());
  $("spacer").style.height = machine.height + "px";
  fillChoices();
  applyFilters();
}

function readFilters() {
  let nids = null;
  try {
    nids = nidSpec($("f-nid").value);
    $("f-nid").setCustomValidity("");
  } catch (e) {
    $("f-nid").setCustomValidity(e.message);
    $("f-nid").reportValidity();
  }
  return {
    state: $("f-state").value, role: $("f-role").value, group: $("f-group").value,
    partition: $("f-partition").value, nids,
  };
}

/** Apply filters and search, list the matches, redraw. */
function applyFilters() {
  const shown = machine.filter(readFilters(), $("search").value);
  renderSummary();
  renderResults(shown);
  redraw();
}

function renderSummary() {
  const counts = machine.counts();
  const rows = STATES.filter((s) => counts.get(s)).map((s) => {
    const tr = document.createElement("tr");
    tr.dataset.state = s;
    const th = document.createElement("th");
    th.append(legendSwatch(s), " ", s);
    const td = document.createElement("td");
    td.textContent = String(counts.get(s));
    tr.append(th, td);
    return tr;
  });
  const table = document.createElement("table");
  table.append(...rows);
  const h = document.createElement("h2");
  h.textContent = `${machine.nodes.length} nodes`;
  h.id = "node-count";
  h.dataset.count = String(machine.nodes.length);
  $("summary").replaceChildren(h, table);
}

function renderResults(shown) {
  const box = $("results");
  if (!shown) { box.replaceChildren(); return; }
  const h = document.createElement("h2");
  h.textContent = `${shown.length} match${shown.length === 1 ? "" : "es"}` + (shown.length > MAX_RESULTS ? ` (first ${MAX_RESULTS} listed)` : "");
  const ol = document.createElement("ol");
  for (const n of shown.slice(0, MAX_RESULTS)) {
    const li = document.createElement("li");
    li.dataset.xname = n.id;
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = n.id;
    b.addEventListener("click", () => select(n.id));
    li.append(b, ` ${n.state}${n.flag !== "OK" ? " (" + n.flag + ")" : ""}${n.nid !== null ? " · NID " + n.nid : ""}${n.role ? " · " + n.role : ""}`);
    ol.append(li);
  }
  box.replaceChildren(h, ol);
}

function fillChoices() {
  const fill = (id, values) => {
    const sel = $(id);
    const keep = sel.value;
    const opts = [new Option("any", "")].concat(values.map((v) => new Option(v, v)));
    sel.replaceChildren(...opts);
    sel.value = values.includes(keep) ? keep : "";
  };
  fill("f-state", STATES);
  fill("f-role", machine.distinct((n) => n.role));
  fill("f-group", machine.groups.map((g) => g.label).sort());
  fill("f-partition", machine.partitions.map((p) => p.name).sort());
}

function renderLegend() {
  const items = STATES.map((s) => {
    const sp = document.createElement("span");
    sp.append(legendSwatch(s), `${s} (${STYLE[s].shape})`);
    return sp;
  });
  for (const f of Object.keys(FLAGS)) {
    if (!FLAGS[f]) continue;
    const sp = document.createElement("span");
    sp.append(legendSwatch(null, f), `Flag ${f} (${FLAGS[f].mark})`);
    items.push(sp);
  }
  const sp = document.createElement("span");
  sp.textContent = "╱ disabled · bar under nodes: their BMC (grey when not Ready/On)";
  items.push(sp);
  $("legend").replaceChildren(...items);
}

/** Select node `id` (or none), show its panel, keep it in the hash. */
function select(id) {
  selected = id || "";
  const n = selected && machine.byId.get(selected);
  if (n) panel.open(n); else panel.close();
  writeHash();
  redraw();
}

function writeHash() {
  const p = new URLSearchParams();
  if ($("search").value) p.set("q", $("search").value);
  if (selected) p.set("node", selected);
  const h = p.toString();
  if (location.hash.slice(1) !== h) history.replaceState(null, "", h ? "#" + h : location.pathname);
}

function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  $("search").value = p.get("q") || "";
  return p.get("node") || "";
}

/** Take what one poll brought: "layout", "draw" or "" (see Machine.setComponents). */
function apply(what, body) {
  if (body === undefined) return;
  const t0 = performance.now();
  let change = "draw";
  if (what === "components") {
    change = machine.setComponents(body.Components || []) || (haveComponents ? "" : "draw");
    haveComponents = true;
  }
  else if (what === "interfaces") machine.setInterfaces(body);
  else if (what === "groups") { machine.setGroups(body); change = "layout"; }
  else machine.setPartitions(body);
  if (what === "partitions") change = "layout";
  if (change === "layout") relayout();
  else if (change) applyFilters();
  const sel = selected && machine.byId.get(selected);
  if (sel && change) panel.refresh(sel);
  performance.measure(`apply ${what}`, { start: t0, end: performance.now() });
}

/**
 * One round of polling: the components every time, the rest every few rounds; each answer
 * is drawn as soon as it arrives (the machine does not wait for the interfaces).
 */
async function poll() {
  const slow = polls % SLOW_POLL_EVERY === 0;
  polls++;
  const names = slow ? Object.keys(watched) : ["components"];
  await Promise.all(names.map((w) => watched[w].poll().then((body) => apply(w, body))));
  status(`${machine.nodes.length} nodes · live, checked ${new Date().toLocaleTimeString()}`);
}

async function loop() {
  try {
    await poll();
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) status(`the API wants a token (${e.status}): enter one above`, true);
    else status(`cannot reach the API: ${e.message}`, true);
  }
  setTimeout(loop, POLL_MS);
}

async function start() {
  renderLegend();
  $("token").value = token() ? "••••••" : "";
  $("token-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const v = $("token").value.trim();
    if (v && v !== "••••••") setToken(v);
    for (const w of Object.values(watched)) w.reset();
    polls = 0;
  });
  $("token-clear").addEventListener("click", () => {
    setToken("");
    $("token").value = "";
  });
  $("search-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    applyFilters();
    const matched = machine.nodes.filter((n) => n.shown);
    if (matched.length === 1) select(matched[0].id); else writeHash();
  });
  $("search").addEventListener("input", () => { applyFilters(); writeHash(); });
  for (const id of ["f-state", "f-role", "f-group", "f-partition", "f-nid"]) $(id).addEventListener("change", applyFilters);
  const sc = $("scroller");
  sc.addEventListener("scroll", redraw);
  new ResizeObserver(() => { if (machine.nodes.length) relayout(); }).observe(sc);
  const canvasPoint = (ev) => {
    const r = sc.getBoundingClientRect();
    return [ev.clientX - r.left + sc.scrollLeft, ev.clientY - r.top + sc.scrollTop];
  };
  sc.addEventListener("click", (ev) => {
    const n = machine.nodeAt(...canvasPoint(ev));
    if (n) select(n.id);
  });
  const tip = $("tooltip");
  sc.addEventListener("mousemove", (ev) => {
    const n = machine.nodeAt(...canvasPoint(ev));
    if (!n) { tip.hidden = true; return; }
    tip.textContent = `${n.id}  ${n.state}${n.flag !== "OK" ? " / " + n.flag : ""}${n.nid !== null ? "\nNID " + n.nid + " · " + n.hostname : ""}${n.role ? "\n" + n.role : ""}${n.ips.length ? "\n" + n.ips.join(", ") : ""}`;
    const r = $("machine-pane").getBoundingClientRect();
    tip.style.left = ev.clientX - r.left + 14 + "px";
    tip.style.top = ev.clientY - r.top + 14 + "px";
    tip.hidden = false;
  });
  sc.addEventListener("mouseleave", () => { tip.hidden = true; });
  window.addEventListener("hashchange", () => { const id = readHash(); applyFilters(); if (id !== selected) select(id); });

  const wanted = readHash();
  status("loading…");
  getOptional("/cloud-init/admin/cluster-defaults").then((d) => {
    if (!d) return;
    machine.setCluster(d);
    $("cluster").textContent = d["cluster-name"] || "";
    if (drawn) applyFilters();
  }, () => { /* no cluster defaults readable: host names stay the xnames */ });
  await loop();
  if (wanted) select(wanted);
  document.documentElement.dataset.loaded = "true";
}

start();
