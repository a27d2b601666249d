// The node panel: everything the API says about one node, each part fetched on its own so a
// missing route (no power control, no hardware inventory) only blanks its own section.

import { ApiError, getJSON, getOptional, getText, send } from "./api.js";

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

function section(id, title) {
  const body = el("div", { class: "body" }, el("span", { class: "absent" }, "loading…"));
  return { node: el("section", { id }, el("h3", {}, title), body), body };
}

function absent(text) {
  return el("span", { class: "absent" }, text);
}

function failed(e) {
  if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return absent(`needs a token with the read scope (${e.status})`);
  return absent(e.message);
}

function fill(body, ...content) {
  body.replaceChildren(...content);
}

/** A definition list from [label, value] pairs. */
function dl(pairs) {
  const d = el("dl");
  for (const [k, v] of pairs) d.append(el("dt", {}, k), el("dd", {}, v === "" || v === null || v === undefined ? "—" : v));
  return d;
}

export class Panel {
  constructor(root, onSelect) {
    this.root = root;
    this.onSelect = onSelect;
    this.id = "";
    this.generation = 0;
  }

  close() {
    this.id = "";
    this.root.hidden = true;
    this.root.replaceChildren();
  }

  /** Show node `n` (a Node of the machine) and fetch its details. */
  open(n) {
    this.id = n.id;
    const gen = ++this.generation;
    const live = (f) => (...a) => { if (gen === this.generation) f(...a); };
    this.root.hidden = false;
    const comp = section("node-component", "Component");
    const ifs = section("node-interfaces", "Interfaces and IPs");
    const hw = section("node-hardware", "Hardware");
    const power = section("node-power", "Power");
    const boot = section("node-bootscript", "Bootscript it would get");
    const last = section("node-last-boot", "Last bootscript request");
    const meta = section("node-meta-data", "cloud-init meta-data");
    this.comp = comp.body;
    this.root.replaceChildren(
      el("h2", {}, n.id, " ", el("button", { type: "button", class: "link", onclick: () => this.onSelect(null) }, "close")),
      comp.node, ifs.node, power.node, hw.node, boot.node, last.node, meta.node,
    );
    this.refresh(n);
    fill(ifs.body, interfaces(n));
    const q = encodeURIComponent(n.id);
    getText(`/boot/v1/bootscript?name=${q}`).then(live((t) => fill(boot.body, el("pre", {}, t))), live((e) => fill(boot.body, failed(e))));
    getText(`/cloud-init/admin/impersonation/${q}/meta-data`).then(live((t) => fill(meta.body, el("pre", {}, t))), live((e) => fill(meta.body, failed(e))));
    getJSON(`/boot/v1/endpoint-history?name=${q}&endpoint=bootscript`).then(live((rows) => {
      const t = rows.reduce((m, r) => Math.max(m, r.last_epoch || 0), 0);
      fill(last.body, t ? el("time", { datetime: new Date(t * 1000).toISOString() }, new Date(t * 1000).toISOString()) : absent("never asked"));
    }), live((e) => fill(last.body, failed(e))));
    getOptional(`/hsm/v2/Inventory/Hardware/${q}`).then(live((h) => fill(hw.body, h ? hardware(h) : absent("no hardware inventory for this node"))), live((e) => fill(hw.body, failed(e))));
    this.loadPower(n.id, power.body, live);
  }

  /** Update the component section from the node's current fields. */
  refresh(n) {
    if (!this.comp || n.id !== this.id) return;
    const c = n.component;
    fill(this.comp, dl([
      ["State", c.State], ["Flag", c.Flag], ["Enabled", String(c.Enabled !== false)],
      ["NID", c.NID], ["Role", c.Role], ["SubRole", c.SubRole], ["Type", c.Type],
      ["Arch", c.Arch], ["Class", c.Class], ["NetType", c.NetType],
      ["Host name", n.hostname], ["Groups", n.groups.join(", ")], ["Partition", n.partition],
      ["BMC", n.bmcId],
    ]));
  }

  /** Power state and actions when the server answers PCS's routes; absent otherwise. */
  loadPower(id, body, live) {
    const q = encodeURIComponent(id);
    getOptional(`/power-control/v1/power-status?xname=${q}`).then(live((s) => {
      if (!s) { fill(body, absent("this server does not control power")); return; }
      const row = ((s.status || [])[0]) || {};
      const state = el("span", { id: "node-power-state" }, row.powerState || "unknown");
      const act = (operation) => el("button", { type: "button", onclick: async () => {
        if (!window.confirm(`${operation} ${id}?`)) return;
        try {
          await send("POST", "/power-control/v1/transitions", { operation, location: [{ xname: id }] });
          state.textContent = `${operation} requested`;
        } catch (e) { state.textContent = e.message; }
      } }, operation);
      fill(body, dl([["Power", state], ["Error", row.error || ""]]), el("p", {}, act("On"), " ", act("Soft-Off"), " ", act("Force-Off"), " ", act("Soft-Restart")));
    }), live((e) => fill(body, failed(e))));
  }
}

function interfaces(n) {
  if (!n.interfaces || !n.interfaces.length) return absent("no ethernet interfaces");
  const t = el("table", {}, el("tr", {}, el("th", {}, "MAC"), el("th", {}, "IPs"), el("th", {}, "Description")));
  for (const e of n.interfaces) {
    const ips = (e.IPAddresses || []).map((i) => i.IPAddress + (i.Network ? ` (${i.Network})` : "")).join(", ");
    t.append(el("tr", {}, el("td", {}, e.MACAddress), el("td", {}, ips || "—"), el("td", {}, e.Description || "")));
  }
  return t;
}

/** A short hardware summary (processors, memory) found anywhere in the record, and the record. */
function hardware(h) {
  const found = {};
  (function walk(v) {
    if (!v || typeof v !== "object") return;
    for (const [k, x] of Object.entries(v)) {
      if (k === "ProcessorSummary" || k === "MemorySummary") found[k] = x;
      walk(x);
    }
  })(h);
  const p = found.ProcessorSummary || {};
  const m = found.MemorySummary || {};
  const pairs = [["Type", h.Type || ""], ["Status", h.Status || ""]];
  if (p.Count !== undefined) pairs.push(["Processors", `${p.Count} × ${p.Model || "?"}`]);
  if (m.TotalSystemMemoryGiB !== undefined) pairs.push(["Memory", `${m.TotalSystemMemoryGiB} GiB`]);
  const raw = el("details", {}, el("summary", {}, "record"), el("pre", {}, JSON.stringify(h, null, 2)));
  return el("div", {}, dl(pairs), raw);
}
