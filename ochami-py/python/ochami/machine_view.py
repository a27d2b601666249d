"""A picture of the machine for notebooks: the nodes drawn by their xname hierarchy.

``store.machine_view(**filters)`` (or ``client.machine_view``) returns a :class:`MachineView`:
cabinets side by side, their chassis stacked inside, one row per slot, one shape per node
grouped by BMC. Each node is coloured by its State *and* drawn with a shape of its own
(readable without colour); a node with a Flag other than OK gets a thick red outline and an
``!``. Jupyter shows it through ``_repr_svg_``/``_repr_html_``; ``.svg`` is the text.

:func:`plot_hardware` draws a small summary of hardware rows when matplotlib is installed.
"""

from __future__ import annotations

from collections import Counter
from functools import cached_property
from html import escape
from typing import Any, Iterable, Mapping

from ochami._ochami import Xname

# State -> (fill colour, shape, one-letter label). Shapes tell states apart without colour.
STYLES: dict[str, tuple[str, str, str]] = {
    "Ready": ("#1a9850", "circle", "R"),
    "On": ("#91cf60", "square", "O"),
    "Standby": ("#fee08b", "diamond", "S"),
    "Halt": ("#fc8d59", "triangle", "H"),
    "Off": ("#bdbdbd", "cross", "X"),
    "Populated": ("#9ecae1", "hexagon", "P"),
    "Empty": ("#ffffff", "hollow", "E"),
    "Unknown": ("#b2abd2", "question", "?"),
}
_OTHER = ("#ffffff", "question", "?")

CELL = 16  # one node's box
GAP = 4  # between BMC groups in a slot row
PAD = 6  # inside cabinet and chassis boxes
HEAD = 16  # label height
WRAP = 1400  # cabinets wrap to a new row past this width


def _shape(kind: str, x: float, y: float, fill: str, attrs: str) -> str:
    s = CELL - 4
    cx, cy = x + CELL / 2, y + CELL / 2
    if kind == "circle":
        return f'<circle cx="{cx}" cy="{cy}" r="{s / 2}" fill="{fill}" {attrs}>'
    if kind == "square" or kind == "hollow" or kind == "question":
        dash = ' stroke-dasharray="2,2"' if kind == "hollow" else ""
        return f'<rect x="{x + 2}" y="{y + 2}" width="{s}" height="{s}" fill="{fill}"{dash} {attrs}>'
    if kind == "diamond":
        pts = f"{cx},{y + 1} {x + CELL - 1},{cy} {cx},{y + CELL - 1} {x + 1},{cy}"
    elif kind == "triangle":
        pts = f"{cx},{y + 2} {x + CELL - 2},{y + CELL - 2} {x + 2},{y + CELL - 2}"
    elif kind == "hexagon":
        q = s / 4
        pts = (
            f"{x + 2 + q},{y + 2} {x + 2 + 3 * q},{y + 2} {x + CELL - 2},{cy} "
            f"{x + 2 + 3 * q},{y + CELL - 2} {x + 2 + q},{y + CELL - 2} {x + 2},{cy}"
        )
    else:  # cross: an X-shaped polygon
        a, b = 2, 5
        l, t, r, bt = x + a, y + a, x + CELL - a, y + CELL - a
        pts = (
            f"{l},{t + 2} {l + 2},{t} {cx},{cy - b + 2} {r - 2},{t} {r},{t + 2} {cx + b - 2},{cy} "
            f"{r},{bt - 2} {r - 2},{bt} {cx},{cy + b - 2} {l + 2},{bt} {l},{bt - 2} {cx - b + 2},{cy}"
        )
    return f'<polygon points="{pts}" fill="{fill}" {attrs}>'


def _place(xname: str) -> tuple[str, str, str, str]:
    """(cabinet, chassis, slot, BMC) of a node; parts it lacks are ''."""
    parts = {a.type: str(a) for a in Xname(xname).ancestors()}
    return (
        parts.get("Cabinet", ""),
        parts.get("Chassis", ""),
        parts.get("ComputeModule", parts.get("RouterModule", "")),
        parts.get("NodeBMC", ""),
    )


class MachineView:
    """The nodes of a machine drawn by xname hierarchy; see the module docs."""

    def __init__(self, nodes: Iterable[Mapping[str, Any]], title: str | None = None):
        self.nodes = sorted((dict(n) for n in nodes), key=lambda n: Xname(n["ID"]))
        self.title = title

    @property
    def counts(self) -> dict[str, int]:
        """Nodes per State."""
        return dict(Counter(n.get("State", "Unknown") for n in self.nodes))

    def _tree(self) -> dict[str, dict[str, dict[str, dict[str, list[dict[str, Any]]]]]]:
        tree: dict[str, dict[str, dict[str, dict[str, list[dict[str, Any]]]]]] = {}
        for n in self.nodes:
            cab, chas, slot, bmc = _place(n["ID"])
            tree.setdefault(cab, {}).setdefault(chas, {}).setdefault(slot, {}).setdefault(bmc, []).append(n)
        return tree

    def _node(self, n: Mapping[str, Any], x: float, y: float) -> str:
        state = n.get("State", "Unknown")
        fill, kind, letter = STYLES.get(state, _OTHER)
        flag = n.get("Flag", "OK")
        alert = flag not in ("OK", "", None)
        stroke = 'stroke="#d7191c" stroke-width="2.5"' if alert else 'stroke="#333" stroke-width="0.8"'
        tip = f'{n["ID"]} State={state} Flag={flag}'
        for key in ("Role", "SubRole", "NID", "Enabled"):
            if n.get(key) not in (None, ""):
                tip += f" {key}={n[key]}"
        attrs = (
            f'class="node state-{escape(state)}" data-xname="{escape(n["ID"])}" '
            f'data-state="{escape(state)}" data-shape="{kind}" {stroke}'
        )
        tag = _shape(kind, x, y, fill, attrs).split(" ", 1)[0][1:]
        out = _shape(kind, x, y, fill, attrs) + f"<title>{escape(tip)}</title></{tag}>"
        if kind == "question":
            out += f'<text x="{x + CELL / 2}" y="{y + CELL - 4}" class="glyph">{letter}</text>'
        if alert:
            out += f'<text x="{x + CELL - 3}" y="{y + 7}" class="alert">!</text>'
        return out

    @cached_property
    def svg(self) -> str:
        """The picture as SVG text (drawn once)."""
        parts: list[str] = []
        cx, cy, row_h, total_w = 0.0, float(HEAD + 4 if self.title else 0), 0.0, 0.0
        for cab, chassis in self._tree().items():
            inner: list[str] = []
            y = HEAD + PAD
            cab_w = 0.0
            for chas, slots in chassis.items():
                chas_items: list[str] = []
                sy = y + HEAD
                chas_w = 0.0
                for slot, bmcs in slots.items():
                    sx = PAD + 28
                    chas_items.append(
                        f'<text x="{PAD}" y="{sy + CELL - 4}" class="slot">{escape(slot.removeprefix(chas))}</text>'
                    )
                    for nodes in bmcs.values():
                        for n in nodes:
                            chas_items.append(self._node(n, sx, sy))
                            sx += CELL
                        sx += GAP
                    chas_w = max(chas_w, sx)
                    sy += CELL + 2
                chas_h = sy - y + PAD
                chas_w += PAD
                label = escape(chas.removeprefix(cab) or "(no chassis)")
                inner.append(
                    f'<g class="chassis" data-xname="{escape(chas)}"><rect x="{PAD}" y="{y}" width="{chas_w}" '
                    f'height="{chas_h}" class="box"/><text x="{PAD + 4}" y="{y + 12}" class="label">{label}</text>'
                    f'<g transform="translate({PAD},0)">{"".join(chas_items)}</g></g>'
                )
                cab_w = max(cab_w, chas_w + 2 * PAD)
                y += chas_h + PAD
            cab_h = y
            if cx > 0 and cx + cab_w > WRAP:
                cx, cy, row_h = 0.0, cy + row_h + 10, 0.0
            parts.append(
                f'<g class="cabinet" data-xname="{escape(cab)}" transform="translate({cx},{cy})">'
                f'<rect width="{cab_w}" height="{cab_h}" class="cab"/>'
                f'<text x="4" y="12" class="label">{escape(cab or "(no cabinet)")}</text>{"".join(inner)}</g>'
            )
            cx += cab_w + 10
            row_h = max(row_h, cab_h)
            total_w = max(total_w, cx)
        legend_y = cy + row_h + 10
        legend = []
        lx = 0.0
        counts = self.counts
        for state, (fill, kind, _) in STYLES.items():
            count = counts.get(state, 0)
            shape = _shape(kind, lx, legend_y, fill, 'class="legend" stroke="#333" stroke-width="0.8"')
            tag = shape.split(" ", 1)[0][1:]
            legend.append(f'{shape}</{tag}><text x="{lx + CELL + 2}" y="{legend_y + CELL - 4}">{state} ({count})</text>')
            lx += 110
        height = legend_y + CELL + 6
        width = max(total_w, lx)
        title = f'<text x="0" y="{HEAD - 2}" class="title">{escape(self.title)}</text>' if self.title else ""
        style = (
            "<style>text{font:10px sans-serif}.title{font-size:13px;font-weight:bold}.label{font-weight:bold}"
            ".box{fill:#f7f7f7;stroke:#999}.cab{fill:#fff;stroke:#555}.slot{fill:#666}"
            ".glyph{font-size:9px;text-anchor:middle}.alert{fill:#d7191c;font-weight:bold}</style>"
        )
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="machine view: {len(self.nodes)} nodes">'
            f"{style}{title}{''.join(parts)}{''.join(legend)}</svg>"
        )

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_html_(self) -> str:
        counts = ", ".join(f"{k}: {v}" for k, v in sorted(self.counts.items()))
        return f'<div class="ochami-machine">{self.svg}<p>{len(self.nodes)} nodes ({escape(counts)})</p></div>'

    def __repr__(self) -> str:
        return f"MachineView({len(self.nodes)} nodes, {self.counts})"


def plot_hardware(rows: Any, *, by: str = "type", ax: Any = None) -> Any:
    """A bar chart of hardware rows (``store.hardware()``) counted ``by`` a column (``type``,
    ``manufacturer``, ``model``, ``node``); needs matplotlib. Returns the Axes."""
    try:
        import matplotlib.pyplot as plt  # type: ignore[import-not-found, unused-ignore]
    except ImportError as e:
        raise ImportError("plot_hardware needs matplotlib (pip install matplotlib)") from e
    counts = Counter(str(r.get(by) or "(unknown)") for r in rows)
    labels = sorted(counts)
    if ax is None:
        _, ax = plt.subplots(figsize=(max(4, len(labels) * 0.6), 3))
    ax.bar(labels, [counts[k] for k in labels])
    ax.set_ylabel("count")
    ax.set_title(f"hardware by {by}")
    ax.tick_params(axis="x", labelrotation=45)
    return ax
