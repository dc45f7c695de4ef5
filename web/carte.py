"""/carte: France's départements (shapes shipped by pygal_maps_fr), grouped and colored by région according to the
number of fiches that involve the région or a place inside it; each région a link to its page."""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, current_app, render_template
from markupsafe import Markup, escape

from kg.queries import load_queries, run
from kg.referential import TABLE_DIR, load_referential
from kg.source import fold_key

bp = Blueprint("carte", __name__)
ROOT = Path(__file__).resolve().parent.parent
#: Light to dark: 0 fiche, then up to the largest number of fiches.
SHADES = ("#dde1e4", "#b9e0bb", "#6fbf73", "#388e3c", "#1b5e20")
SHAPE = re.compile(r'<g class="z(\w+) departement[^"]*">\s*(.*?)\s*</g>', re.S)
PATH_D = re.compile(r'<path[^>]*\sd="([^"]+)"')


@lru_cache(maxsize=1)
def departement_shapes() -> tuple[str, str, list[tuple[str, list[str]]]]:
    """(viewBox, transform, [(département code, path data…)]) of the package's SVG, read as data, never run."""
    spec = importlib.util.find_spec("pygal_maps_fr")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pygal_maps_fr absent : lancez « make install »")
    text = (Path(spec.submodule_search_locations[0]) / "fr.departments.svg").read_text(encoding="utf-8")
    view_box = re.search(r'viewBox="([^"]+)"', text).group(1)
    transform = re.search(r'<g id="departements" transform="([^"]+)"', text).group(1)
    shapes = [(code, PATH_D.findall(body)) for code, body in SHAPE.findall(text)]
    return view_box, transform, shapes


def shade(fiches: int, top: int) -> str:
    """The fill of an area with ``fiches`` fiches when the busiest has ``top``."""
    if not fiches or not top:
        return SHADES[0]
    return SHADES[1 + min(len(SHADES) - 2, (fiches - 1) * (len(SHADES) - 1) // top)]


def regions(store) -> list[dict]:
    """The régions of the referential the map draws (or a fiche involves), with their fiches, places and population (territories query), and its page."""
    ref = load_referential(ROOT / TABLE_DIR)
    found = {str(r["code"]): r for r in run(load_queries()["territories"], {"level": "region"}, store).rows}
    base = current_app.config["IRI_BASE"]
    drawn = {ref.departements[code]["region"] for code, _ in departement_shapes()[2] if code in ref.departements}
    out = []
    for code, row in sorted(ref.regions.items(), key=lambda item: fold_key(item[1]["nom"])):
        r = found.get(code, {})
        territory = str(r["territory"]) if r.get("territory") is not None else ""
        fiches = int(r.get("fiches") or 0)
        if not fiches and code not in drawn:
            continue  # an overseas collectivité the map does not draw and no fiche names
        out.append({"code": code, "name": row["nom"], "fiches": fiches,
                    "places": int(r.get("places") or 0),
                    "population": int(r["population"]) if r.get("population") is not None else None,
                    "href": "/" + territory[len(base):] if territory.startswith(base) else f"#region-{code}"})
    return out


def draw(rows: list[dict]) -> Markup:
    """The map: one link per région around the shapes of its départements."""
    ref = load_referential(ROOT / TABLE_DIR)
    view_box, transform, shapes = departement_shapes()
    by_region: dict[str, list[str]] = {}
    for code, paths in shapes:
        departement = ref.departements.get(code)
        if departement:
            by_region.setdefault(departement["region"], []).extend(paths)
    top = max((r["fiches"] for r in rows), default=0)
    out = [f'<svg class="chart carte" viewBox="{view_box}" role="img" xmlns="http://www.w3.org/2000/svg" '
           f'aria-label="Carte des régions de France colorées par nombre de fiches"><g transform="{transform}">']
    for r in rows:
        paths = by_region.get(r["code"])
        if not paths:
            continue
        title = f'{r["name"]} : {r["fiches"]} fiche{"s" if r["fiches"] > 1 else ""}'
        out.append(f'<a href="{escape(r["href"])}" class="region" data-code="{escape(r["code"])}"><title>{escape(title)}</title>')
        out.extend(f'<path d="{escape(d)}" fill="{shade(r["fiches"], top)}" stroke="#fff" stroke-width="1.5"/>' for d in paths)
        out.append("</a>")
    out.append("</g></svg>")
    return Markup("".join(out))


@bp.route("/carte")
def carte():
    from web.pages import store

    rows = regions(store())
    return render_template("carte.html", svg=draw(rows), rows=rows, legend=legend(rows))


def legend(rows: list[dict]) -> list[tuple[str, str]]:
    """(colour, "3 à 4 fiches") for each shade the map uses."""
    top = max((r["fiches"] for r in rows), default=0)
    counts: dict[str, list[int]] = {}
    for n in sorted({r["fiches"] for r in rows} | {0}):
        counts.setdefault(shade(n, top), []).append(n)
    out = []
    for colour, values in counts.items():
        low, high = values[0], values[-1]
        if high == 0:
            out.append((colour, "aucune fiche"))
        else:
            out.append((colour, f"{low} fiche{'s' if low > 1 else ''}" if low == high else f"{low} à {high} fiches"))
    return out
