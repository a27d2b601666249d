// The machine as the page knows it: nodes parsed from their xnames, joined with interfaces,
// groups and partitions, laid out cabinet -> chassis -> slot -> BMC -> node, and filtered.

const NODE_RE = /^x(\d+)c(\d+)s(\d+)b(\d+)n(\d+)$/;
const BMC_RE = /^x(\d+)c(\d+)s(\d+)b(\d+)$/;

/** Layout sizes in CSS pixels. */
export const GEOM = {
  cell: 12, pitch: 14, bmcGap: 6, slotLabel: 30, pad: 6,
  cabHeader: 20, chassisHeader: 15, chassisGap: 4, cabGap: 14,
};

/** The states SMD knows, in the order the legend lists them. */
export const STATES = ["Ready", "On", "Standby", "Off", "Halt", "Populated", "Empty", "Unknown"];

function normMac(s) {
  return s.toLowerCase().replace(/[^0-9a-f]/g, "");
}

/** One node. */
class Node {
  constructor(c) {
    this.id = c.ID;
    const m = NODE_RE.exec(c.ID);
    this.loc = m ? m.slice(1).map(Number) : null; // [cab, chassis, slot, bmc, node]
    this.bmcId = m ? `x${m[1]}c${m[2]}s${m[3]}b${m[4]}` : "";
    this.macs = [];
    this.ips = [];
    this.groups = [];
    this.partition = "";
    this.hostname = "";
    this.x = 0; this.y = 0;
    this.shown = true;
    this.update(c);
  }

  /** Take the component's fields; true when anything drawn changed. */
  update(c) {
    const before = this.state + "|" + this.flag + "|" + this.enabled;
    this.component = c;
    this.state = c.State || "Unknown";
    this.flag = c.Flag || "OK";
    this.enabled = c.Enabled !== false;
    this.role = c.Role || "";
    this.subRole = c.SubRole || "";
    this.nid = typeof c.NID === "number" ? c.NID : null;
    return before !== this.state + "|" + this.flag + "|" + this.enabled;
  }
}

export class Machine {
  constructor() {
    this.nodes = [];
    this.byId = new Map();
    this.bmcs = new Map(); // BMC xname -> component
    this.labels = []; // {text, x, y, kind}
    this.boxes = []; // {x, y, w, h, kind}
    this.bmcBars = []; // {id, x, y, w}
    this.height = 0;
    this.interfaces = [];
    this.groups = [];
    this.partitions = [];
    this.cluster = {};
  }

  /**
   * Take the component list; returns "layout" when the set of nodes changed (a new layout
   * is needed), "draw" when only states changed, or "" when nothing did.
   */
  setComponents(list) {
    const seen = new Set();
    let added = false;
    let changed = false;
    this.bmcs = new Map();
    for (const c of list) {
      if (c.Type === "NodeBMC" || (BMC_RE.test(c.ID) && c.Type !== "Node")) {
        this.bmcs.set(c.ID, c);
        continue;
      }
      if (c.Type !== "Node") continue;
      seen.add(c.ID);
      const n = this.byId.get(c.ID);
      if (n) {
        if (n.update(c)) changed = true;
      } else {
        this.byId.set(c.ID, new Node(c));
        added = true;
      }
    }
    let removed = false;
    for (const id of this.byId.keys()) {
      if (!seen.has(id)) { this.byId.delete(id); removed = true; }
    }
    if (added || removed) {
      this.nodes = [...this.byId.values()].sort(compareNodes);
      this.joinAll();
      return "layout";
    }
    return changed ? "draw" : "";
  }

  setInterfaces(list) { this.interfaces = list; this.joinInterfaces(); }
  setGroups(list) { this.groups = list; this.joinGroups(); }
  setPartitions(list) { this.partitions = list; this.joinGroups(); }
  setCluster(defaults) { this.cluster = defaults || {}; this.joinHostnames(); }

  joinAll() { this.joinInterfaces(); this.joinGroups(); this.joinHostnames(); }

  joinInterfaces() {
    for (const n of this.nodes) { n.macs = []; n.ips = []; n.interfaces = []; }
    for (const e of this.interfaces) {
      const n = this.byId.get(e.ComponentID);
      if (!n) continue;
      n.interfaces.push(e);
      n.macs.push(normMac(e.MACAddress || ""));
      for (const ip of e.IPAddresses || []) if (ip.IPAddress) n.ips.push(ip.IPAddress);
    }
  }

  joinGroups() {
    for (const n of this.nodes) { n.groups = []; n.partition = ""; }
    for (const g of this.groups) {
      for (const id of (g.members && g.members.ids) || []) {
        const n = this.byId.get(id);
        if (n) n.groups.push(g.label);
      }
    }
    for (const p of this.partitions) {
      for (const id of (p.members && p.members.ids) || []) {
        const n = this.byId.get(id);
        if (n) n.partition = p.name;
      }
    }
  }

  /** cloud-init's generated host names: short name + zero-padded NID, else the xname. */
  joinHostnames() {
    const d = this.cluster;
    const short = d["short-name"] || (d["cluster-name"] || "").slice(0, 2);
    const width = Math.min(d["nid-length"] || 4, 20);
    for (const n of this.nodes) {
      n.hostname = short && n.nid !== null ? short + String(n.nid).padStart(width, "0") : n.id;
    }
  }

  /** Place every node for a drawing `width` pixels wide; sets `height`. */
  layout(width) {
    const G = GEOM;
    this.labels = []; this.boxes = []; this.bmcBars = [];
    // cabinet -> chassis -> slot -> bmc -> [nodes]; nodes with other xnames go last.
    const cabs = new Map();
    const odd = [];
    for (const n of this.nodes) {
      if (!n.loc) { odd.push(n); continue; }
      const [x, c, s, b] = n.loc;
      const cab = getOr(cabs, x, () => new Map());
      const ch = getOr(cab, c, () => new Map());
      const sl = getOr(ch, s, () => new Map());
      getOr(sl, b, () => []).push(n);
    }
    const slotWidth = (sl) => {
      let w = 0;
      for (const ns of sl.values()) w += ns.length * G.pitch + G.bmcGap;
      return w - G.bmcGap;
    };
    let cx = G.cabGap, cy = G.cabGap, rowH = 0;
    for (const [x, cab] of cabs) {
      let inner = 0, h = G.cabHeader;
      for (const ch of cab.values()) {
        for (const sl of ch.values()) inner = Math.max(inner, slotWidth(sl));
        h += G.chassisHeader + ch.size * G.pitch + G.chassisGap;
      }
      const w = Math.max(inner + G.slotLabel + 2 * G.pad, 90);
      h += G.pad;
      if (cx > G.cabGap && cx + w > width) { cx = G.cabGap; cy += rowH + G.cabGap; rowH = 0; }
      this.boxes.push({ x: cx, y: cy, w, h, kind: "cabinet" });
      this.labels.push({ text: `x${x}`, x: cx + G.pad, y: cy + 14, kind: "cabinet" });
      let y = cy + G.cabHeader;
      for (const [c, ch] of cab) {
        const chH = G.chassisHeader + ch.size * G.pitch;
        this.boxes.push({ x: cx + 3, y, w: w - 6, h: chH, kind: "chassis" });
        this.labels.push({ text: `c${c}`, x: cx + G.pad, y: y + 11, kind: "chassis" });
        let sy = y + G.chassisHeader;
        for (const [s, sl] of ch) {
          this.labels.push({ text: `s${s}`, x: cx + G.pad, y: sy + 10, kind: "slot" });
          let nx = cx + G.pad + G.slotLabel;
          for (const [b, ns] of sl) {
            this.bmcBars.push({ id: `x${x}c${c}s${s}b${b}`, x: nx, y: sy + G.cell, w: ns.length * G.pitch - 2 });
            for (const n of ns) { n.x = nx; n.y = sy; nx += G.pitch; }
            nx += G.bmcGap;
          }
          sy += G.pitch;
        }
        y += chH + G.chassisGap;
      }
      cx += w + G.cabGap;
      rowH = Math.max(rowH, h);
    }
    if (odd.length) {
      cx = G.cabGap; cy += rowH + G.cabGap;
      const perRow = Math.max(1, Math.floor((width - 2 * G.cabGap - 2 * G.pad) / G.pitch));
      const rows = Math.ceil(odd.length / perRow);
      this.boxes.push({ x: cx, y: cy, w: width - 2 * G.cabGap, h: G.cabHeader + rows * G.pitch + G.pad, kind: "cabinet" });
      this.labels.push({ text: "other xnames", x: cx + G.pad, y: cy + 14, kind: "cabinet" });
      odd.forEach((n, i) => {
        n.x = cx + G.pad + (i % perRow) * G.pitch;
        n.y = cy + G.cabHeader + Math.floor(i / perRow) * G.pitch;
      });
      rowH = G.cabHeader + rows * G.pitch + G.pad;
    }
    this.height = cy + rowH + G.cabGap;
  }

  /** The node drawn at (x, y), if any. */
  nodeAt(x, y) {
    const c = GEOM.cell;
    for (const n of this.nodes) {
      if (x >= n.x && x < n.x + c && y >= n.y && y < n.y + c) return n;
    }
    return null;
  }

  /**
   * Mark nodes `shown` when they pass `filters` ({state, role, group, partition, nids}) and
   * match the search `query`; returns the shown nodes when anything narrows the view.
   */
  filter(filters, query) {
    const q = query.trim().toLowerCase();
    const mac = normMac(q);
    const qNid = /^\d+$/.test(q) ? Number(q) : null;
    const nids = filters.nids;
    const narrowed = Boolean(q || filters.state || filters.role || filters.group || filters.partition || nids);
    const shown = [];
    for (const n of this.nodes) {
      let ok = (!filters.state || n.state === filters.state)
        && (!filters.role || n.role === filters.role)
        && (!filters.group || n.groups.includes(filters.group))
        && (!filters.partition || n.partition === filters.partition)
        && (!nids || (n.nid !== null && nids(n.nid)));
      if (ok && q) ok = matches(n, q, mac, qNid);
      n.shown = ok;
      if (ok && narrowed) shown.push(n);
    }
    return narrowed ? shown : null;
  }

  /** Counts of nodes per state. */
  counts() {
    const m = new Map();
    for (const n of this.nodes) m.set(n.state, (m.get(n.state) || 0) + 1);
    return m;
  }

  /** Distinct values of a node field, sorted. */
  distinct(f) {
    const s = new Set();
    for (const n of this.nodes) { const v = f(n); if (v) s.add(v); }
    return [...s].sort();
  }
}

function matches(n, q, mac, qNid) {
  if (qNid !== null && n.nid === qNid) return true;
  if (n.id.toLowerCase().includes(q)) return true;
  if (n.hostname.toLowerCase() === q || (q.length > 2 && n.hostname.toLowerCase().includes(q))) return true;
  if (mac.length >= 4 && /[:.-]|^[0-9a-f]{12}$/.test(q) && n.macs.some((m) => m.includes(mac))) return true;
  if (/^[0-9a-f:.]+$/.test(q) && (q.includes(".") || q.includes(":")) && n.ips.some((ip) => ip === q || ip.startsWith(q))) return true;
  return false;
}

/** A NID filter like "1-64,100" as a predicate; null when empty; throws on bad input. */
export function nidSpec(text) {
  const t = text.trim();
  if (!t) return null;
  const ranges = t.split(",").map((part) => {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new Error(`bad NID range ${JSON.stringify(part.trim())}: use 7, 1-64 or 1-4,9`);
    return [Number(m[1]), Number(m[2] ?? m[1])];
  });
  return (nid) => ranges.some(([a, b]) => nid >= a && nid <= b);
}

function getOr(map, key, make) {
  let v = map.get(key);
  if (v === undefined) { v = make(); map.set(key, v); }
  return v;
}

function compareNodes(a, b) {
  if (a.loc && b.loc) {
    for (let i = 0; i < 5; i++) if (a.loc[i] !== b.loc[i]) return a.loc[i] - b.loc[i];
    return 0;
  }
  if (a.loc) return -1;
  if (b.loc) return 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
