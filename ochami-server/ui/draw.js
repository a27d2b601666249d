// Drawing the machine on a canvas: one glyph per node whose shape and colour both say its
// State (readable without colour), marks for Flag and Enabled, and only the rows in view.

import { GEOM, STATES } from "./machine.js";

/** Colour and shape per State; the legend is drawn from this too. */
export const STYLE = {
  Ready: { color: "#2e7d32", shape: "square" },
  On: { color: "#1565c0", shape: "circle" },
  Standby: { color: "#ef6c00", shape: "half" },
  Off: { color: "#616161", shape: "outline" },
  Halt: { color: "#6a1b9a", shape: "cross" },
  Populated: { color: "#00838f", shape: "triangle" },
  Empty: { color: "#9e9e9e", shape: "dot" },
  Unknown: { color: "#3e2723", shape: "diamond" },
};

export const FLAGS = {
  OK: null,
  Warning: { color: "#f9a825", mark: "corner" },
  Alert: { color: "#c62828", mark: "frame" },
  Locked: { color: "#000000", mark: "bar" },
  Unknown: { color: "#757575", mark: "corner" },
};

const C = GEOM.cell;

/** Add node `n`'s glyph at (x, y) to the current path; returns whether it is stroked. */
function glyph(ctx, shape, x, y) {
  switch (shape) {
    case "square": ctx.rect(x, y, C, C); return false;
    case "circle": ctx.moveTo(x + C, y + C / 2); ctx.arc(x + C / 2, y + C / 2, C / 2, 0, 2 * Math.PI); return false;
    case "half": ctx.rect(x, y + C / 2, C, C / 2); return false;
    case "outline": ctx.rect(x + 1, y + 1, C - 2, C - 2); return true;
    case "cross": ctx.moveTo(x + 1, y + 1); ctx.lineTo(x + C - 1, y + C - 1); ctx.moveTo(x + C - 1, y + 1); ctx.lineTo(x + 1, y + C - 1); return true;
    case "triangle": ctx.moveTo(x + C / 2, y); ctx.lineTo(x + C, y + C); ctx.lineTo(x, y + C); ctx.closePath(); return false;
    case "dot": ctx.rect(x + C / 2 - 2, y + C / 2 - 2, 4, 4); return false;
    default: ctx.moveTo(x + C / 2, y + 1); ctx.lineTo(x + C - 1, y + C / 2); ctx.lineTo(x + C / 2, y + C - 1); ctx.lineTo(x + 1, y + C / 2); ctx.closePath(); return true;
  }
}

function paintGlyphs(ctx, style, nodes, dim) {
  if (!nodes.length) return;
  ctx.globalAlpha = dim ? 0.15 : 1;
  ctx.fillStyle = style.color;
  ctx.strokeStyle = style.color;
  ctx.lineWidth = 2;
  ctx.beginPath();
  let stroked = false;
  for (const n of nodes) stroked = glyph(ctx, style.shape, n.x, n.y);
  if (stroked) ctx.stroke(); else ctx.fill();
  if (style.shape === "half") {
    // Standby: the top half outlined, so it differs from a full square without colour.
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (const n of nodes) ctx.rect(n.x + 0.5, n.y + 0.5, C - 1, C - 1);
    ctx.stroke();
  }
}

/** Draw the part of `machine` between `top` and `top + height` (CSS pixels). */
export function drawMachine(canvas, machine, top, width, height, selectedId) {
  const dpr = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    canvas.style.width = width + "px";
    canvas.style.height = height + "px";
  }
  canvas.style.top = top + "px";
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, -top * dpr);
  ctx.clearRect(0, top, width, height);
  const bottom = top + height;
  const inView = (y, h) => y + h >= top && y <= bottom;

  ctx.globalAlpha = 1;
  for (const b of machine.boxes) {
    if (!inView(b.y, b.h)) continue;
    ctx.fillStyle = b.kind === "cabinet" ? "#eef0f3" : "#ffffff";
    ctx.strokeStyle = "#c4c9cf";
    ctx.lineWidth = 1;
    ctx.fillRect(b.x, b.y, b.w, b.h);
    ctx.strokeRect(b.x + 0.5, b.y + 0.5, b.w - 1, b.h - 1);
  }
  ctx.fillStyle = "#3c4043";
  for (const l of machine.labels) {
    if (!inView(l.y - 12, 14)) continue;
    ctx.font = l.kind === "cabinet" ? "bold 12px system-ui, sans-serif" : "10px system-ui, sans-serif";
    ctx.fillText(l.text, l.x, l.y);
  }
  // A BMC: a thin bar under its nodes, solid when the BMC is Ready/On, dashed otherwise.
  for (const b of machine.bmcBars) {
    if (!inView(b.y, 2)) continue;
    const c = machine.bmcs.get(b.id);
    const up = c && (c.State === "Ready" || c.State === "On");
    ctx.fillStyle = up ? "#5f6368" : "#d0d4d9";
    ctx.fillRect(b.x, b.y + 0.5, b.w, 1.5);
  }

  // Nodes, bucketed by state and dimness so each bucket is one path.
  const buckets = new Map();
  const flagged = [];
  const disabled = [];
  for (const n of machine.nodes) {
    if (!inView(n.y, C)) continue;
    const key = (STYLE[n.state] ? n.state : "Unknown") + (n.shown ? "" : "~");
    let list = buckets.get(key);
    if (!list) { list = []; buckets.set(key, list); }
    list.push(n);
    if (n.flag !== "OK" && n.shown) flagged.push(n);
    if (!n.enabled && n.shown) disabled.push(n);
  }
  for (const s of STATES) {
    paintGlyphs(ctx, STYLE[s], buckets.get(s + "~") || [], true);
    paintGlyphs(ctx, STYLE[s], buckets.get(s) || [], false);
  }
  ctx.globalAlpha = 1;
  for (const n of flagged) drawFlag(ctx, n.flag, n.x, n.y);
  ctx.strokeStyle = "#000";
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const n of disabled) { ctx.moveTo(n.x - 1, n.y + C + 1); ctx.lineTo(n.x + C + 1, n.y - 1); }
  ctx.stroke();
  const sel = selectedId && machine.byId.get(selectedId);
  if (sel && inView(sel.y, C)) {
    ctx.strokeStyle = "#0b57d0";
    ctx.lineWidth = 2;
    ctx.strokeRect(sel.x - 2, sel.y - 2, C + 4, C + 4);
  }
}

/** A Flag mark: Warning a corner triangle, Alert a frame, Locked a bar underneath. */
export function drawFlag(ctx, flag, x, y) {
  const f = FLAGS[flag] || FLAGS.Unknown;
  ctx.fillStyle = f.color;
  ctx.strokeStyle = f.color;
  if (f.mark === "corner") {
    ctx.beginPath();
    ctx.moveTo(x + C - 6, y - 1); ctx.lineTo(x + C + 1, y - 1); ctx.lineTo(x + C + 1, y + 6); ctx.closePath();
    ctx.fill();
    ctx.strokeStyle = "#000"; ctx.lineWidth = 0.5; ctx.stroke();
  } else if (f.mark === "frame") {
    ctx.lineWidth = 2;
    ctx.strokeRect(x - 1, y - 1, C + 2, C + 2);
  } else {
    ctx.fillRect(x, y + C - 2, C, 3);
  }
}

/** A small canvas showing one state's glyph (or a flag's mark) for the legend. */
export function legendSwatch(state, flag) {
  const c = document.createElement("canvas");
  const dpr = window.devicePixelRatio || 1;
  c.width = 16 * dpr; c.height = 16 * dpr;
  c.style.width = "16px"; c.style.height = "16px";
  c.setAttribute("aria-hidden", "true");
  const ctx = c.getContext("2d");
  ctx.scale(dpr, dpr);
  if (flag) {
    ctx.strokeStyle = "#9e9e9e"; ctx.strokeRect(2.5, 2.5, C - 1, C - 1);
    drawFlag(ctx, flag, 2, 2);
  } else {
    paintGlyphs(ctx, STYLE[state], [{ x: 2, y: 2 }], false);
  }
  return c;
}
