"""Drawings written as SVG: a standalone image that follows light and dark, or inline markup.

Every item carries presentation attributes for a light page (so a PDF or a viewer without CSS
draws it right) and classes; the standalone image adds a style sheet that recolours the
classes under ``prefers-color-scheme: dark``. The body is drawn in ``currentColor``, so an
inline figure takes the colour of the text around it. Inline markup has no ``style``
attribute or element, as the pages' Content-Security-Policy wants.

Depth: limbs on the far side are thinner and fainter, and each near limb is drawn over a
``casing`` in the background colour, so where it crosses the trunk or a far limb there is a
gap and it reads as in front.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

from midback.figures.drawing import Drawing, Item

SVG_NS = "http://www.w3.org/2000/svg"
INK = "#1c1f1e"

LIGHT: dict[str, dict[str, str]] = {
    "body": {
        "fill": "none",
        "stroke": "currentColor",
        "stroke-linecap": "round",
        "stroke-linejoin": "round",
    },
    "trunk": {"stroke-width": "10"},
    "limb": {"stroke-width": "8"},
    "far": {"stroke-opacity": "0.42", "stroke-width": "6"},
    "bold": {"stroke-width": "13"},
    "bold-trunk": {"stroke-width": "15"},
    "bold-far": {"stroke-width": "10"},
    "casing": {
        "fill": "none",
        "stroke": "#ffffff",
        "stroke-linecap": "round",
        "stroke-linejoin": "round",
    },
    "head": {"fill": "currentColor"},
    "nose": {
        "fill": "currentColor",
        "stroke": "currentColor",
        "stroke-width": "2",
        "stroke-linejoin": "round",
    },
    "ghost": {"opacity": "0.28"},
    "belly": {
        "fill": "none",
        "stroke": "currentColor",
        "stroke-width": "4",
        "stroke-linecap": "round",
    },
    "prop": {
        "fill": "#e3e8e6",
        "stroke": "#8b9794",
        "stroke-width": "2.5",
        "stroke-linejoin": "round",
    },
    "prop-top": {
        "fill": "#f1f4f3",
        "stroke": "#8b9794",
        "stroke-width": "2",
        "stroke-linejoin": "round",
    },
    "mat": {
        "fill": "#c8e0dc",
        "stroke": "#8db3ac",
        "stroke-width": "2",
        "stroke-linejoin": "round",
    },
    "mat-top": {
        "fill": "#c8e0dc",
        "stroke": "#8db3ac",
        "stroke-width": "2",
        "stroke-linejoin": "round",
    },
    "plate": {
        "fill": "#8d9a97",
        "stroke": "#5f6c69",
        "stroke-width": "2",
        "stroke-linejoin": "round",
    },
    "bar": {"fill": "none", "stroke": "#5f6c69", "stroke-width": "5", "stroke-linecap": "round"},
    "band": {
        "fill": "none",
        "stroke": "#0f766e",
        "stroke-width": "4",
        "stroke-linecap": "round",
        "stroke-linejoin": "round",
    },
    "cable": {"fill": "none", "stroke": "#7b8885", "stroke-width": "2", "stroke-linecap": "round"},
    "floor": {"fill": "none", "stroke": "#c3cbc8", "stroke-width": "3", "stroke-linecap": "round"},
    "shadow": {"fill": "#e8edeb", "stroke": "none"},
    "arrow": {
        "fill": "none",
        "stroke": "#c2410c",
        "stroke-width": "4",
        "stroke-linecap": "round",
        "stroke-linejoin": "round",
    },
    "arrow-head": {"fill": "#c2410c", "stroke": "#c2410c", "stroke-width": "1.5"},
    "inset-arrow": {
        "fill": "none",
        "stroke": "#c2410c",
        "stroke-width": "4",
        "stroke-linecap": "round",
        "stroke-linejoin": "round",
    },
    "inset-arrow-head": {"fill": "#c2410c", "stroke": "none"},
    "inset-frame": {"fill": "#ffffff", "stroke": "none"},
    "inset-outline": {"fill": "none", "stroke": "#8db3ac", "stroke-width": "2"},
}
"""Presentation attributes by class, for a light background (merged in class order)."""

STYLE = """
svg{color:#1c1f1e}
.bg{fill:#ffffff}
@media (prefers-color-scheme: dark){
svg{color:#e8eceb}
.bg{fill:#1b2120}
.casing{stroke:#1b2120}
.prop{fill:#2c3634;stroke:#81908c}
.prop-top{fill:#36423f;stroke:#81908c}
.mat,.mat-top{fill:#1e3935;stroke:#3f6d66}
.plate{fill:#9aa7a4;stroke:#c0cbc8}
.bar{stroke:#a7b3b0}
.band{stroke:#2dd4bf}
.cable{stroke:#8f9c99}
.floor{stroke:#3e4b48}
.shadow{fill:#252f2d}
.arrow,.inset-arrow{stroke:#fb923c}
.arrow-head,.inset-arrow-head{fill:#fb923c;stroke:#fb923c}
.inset-frame{fill:#1b2120}
.inset-outline{stroke:#3f6d66}
}
"""
"""The standalone image's style sheet: the dark colours of the classes."""


def to_svg(
    drawing: Drawing,
    *,
    title: str,
    description: str | None = None,
    standalone: bool = True,
    size: tuple[int, int] | None = None,
) -> str:
    """``drawing`` as SVG markup with ``title`` (its accessible name) and ``description``.

    ``standalone``: an image file with a background and its own light/dark style sheet; else
    markup to put inside a page (no style, no background, colour from the page). ``size``:
    the width and height it is shown at (the drawing's own by default).
    """
    ET.register_namespace("", SVG_NS)
    attrs = {
        "viewBox": f"0 0 {drawing.width} {drawing.height}",
        "role": "img",
        "class": "figure-svg",
    }
    shown = size or (drawing.width, drawing.height)
    attrs |= {"width": str(shown[0]), "height": str(shown[1])}
    if standalone:
        attrs["color"] = INK
    root = ET.Element(f"{{{SVG_NS}}}svg", attrs)
    ET.SubElement(root, f"{{{SVG_NS}}}title").text = title
    if description:
        ET.SubElement(root, f"{{{SVG_NS}}}desc").text = description
    if standalone:
        ET.SubElement(root, f"{{{SVG_NS}}}style").text = STYLE
        ET.SubElement(
            root,
            f"{{{SVG_NS}}}rect",
            {
                "class": "bg",
                "width": str(drawing.width),
                "height": str(drawing.height),
                "rx": "12",
                "fill": "#ffffff",
            },
        )
    _items(root, drawing.items)
    if drawing.inset is not None:
        _inset(root, drawing)
    return ET.tostring(root, encoding="unicode")


def _items(parent: ET.Element, items: tuple[Item, ...], over: dict[str, str] | None = None) -> None:
    for item in items:
        casing = _casing(item)
        if casing is not None:
            _element(parent, casing[0], casing[1] | (over or {}))
        _element(parent, item, over)


def _inset(parent: ET.Element, drawing: Drawing) -> None:
    """The close-up: a framed corner showing part of the picture enlarged (a nested SVG,
    which clips to its view box), with its own arrow. Lines keep their width: the close-up
    enlarges the movement, not the strokes."""
    assert drawing.inset is not None
    x, y, width, height = (_num(v) for v in drawing.inset.target)
    group = ET.SubElement(parent, f"{{{SVG_NS}}}g", {"class": "inset"})
    frame = {"class": "inset-frame", "x": x, "y": y, "width": width, "height": height, "rx": "10"}
    ET.SubElement(group, f"{{{SVG_NS}}}rect", frame | attributes_for("inset-frame"))
    box = " ".join(_num(v) for v in drawing.inset.source)
    zoomed = ET.SubElement(
        group,
        f"{{{SVG_NS}}}svg",
        {"x": x, "y": y, "width": width, "height": height, "viewBox": box},
    )
    ground = {"floor", "shadow", "mat", "mat-top"}
    near = tuple(i for i in drawing.items if not set(i.cls.split()) & ground)
    _items(zoomed, near + drawing.inset.items, {"vector-effect": "non-scaling-stroke"})
    outline = frame | attributes_for("inset-outline") | {"class": "inset-outline"}
    ET.SubElement(group, f"{{{SVG_NS}}}rect", outline)


def attributes_for(cls: str) -> dict[str, str]:
    """The presentation attributes of an item with these classes."""
    out: dict[str, str] = {}
    for name in cls.split():
        out |= LIGHT.get(name, {})
    return out


CASING = 5.0
"""How much wider than a near limb its casing is: the gap where it crosses what is behind."""


def _casing(item: Item) -> tuple[Item, dict[str, str]] | None:
    """A background-coloured line under a near limb (and its width), so that where it
    crosses the trunk or a far limb it reads as in front.

    It starts a quarter of the way along the limb's first segment, so the limb stays joined
    to the trunk at the shoulder or hip.
    """
    classes = set(item.cls.split())
    if "limb" not in classes or classes & {"far", "ghost"} or len(item.points) < 3:
        return None
    (x0, y0), (x1, y1) = item.points[0], item.points[1]
    start = (round(x0 + (x1 - x0) * 0.25, 1), round(y0 + (y1 - y0) * 0.25, 1))
    width = float(attributes_for(item.cls).get("stroke-width", "8")) + CASING
    casing = replace(
        item, name=f"{item.name}.casing", points=(start, *item.points[1:]), cls="casing"
    )
    return casing, {"stroke-width": _num(width)}


def _element(parent: ET.Element, item: Item, over: dict[str, str] | None = None) -> None:
    attrs = {"class": item.cls} | attributes_for(item.cls) | (over or {})
    if item.shape == "circle":
        x, y = item.points[0]
        attrs |= {"cx": _num(x), "cy": _num(y), "r": _num(item.radius)}
        ET.SubElement(parent, f"{{{SVG_NS}}}circle", attrs)
        return
    attrs["points"] = " ".join(f"{_num(x)},{_num(y)}" for x, y in item.points)
    tag = "polyline" if item.shape == "line" else "polygon"
    ET.SubElement(parent, f"{{{SVG_NS}}}{tag}", attrs)


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text
