"""The review page of a draft written by `kg extract`: /relecture/<id> reads DATA/programmes/<id>/relecture.json."""

from __future__ import annotations

import json
import re
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template

bp = Blueprint("review", __name__)

KIND_FR = {"person": "personne", "organisation": "organisation", "law": "loi"}


def _draft_folder(ident: str) -> Path:
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", ident):
        abort(404)
    return Path(current_app.config.get("DATA", "data")) / "programmes" / ident


@bp.get("/relecture/<ident>")
def review(ident: str):
    """New entities to confirm, unsure dates, lines printed apart or unused, each fiche's counts."""
    path = _draft_folder(ident) / "relecture.json"
    if not path.is_file():
        abort(404)
    report = json.loads(path.read_text(encoding="utf-8"))
    return render_template("review.html", ident=ident, report=report, kinds=KIND_FR)
