"""`pip install -e .` without setuptools warnings: what the packaging metadata must say for that."""

from __future__ import annotations

import re
import tomllib

from .conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_a_licence_string_asks_for_a_setuptools_that_reads_it():
    """Bug: `license = "MIT"` (PEP 639) with setuptools>=68 fails or warns below setuptools 77."""
    assert isinstance(PYPROJECT["project"]["license"], str)
    floor = next(r for r in PYPROJECT["build-system"]["requires"] if r.startswith("setuptools"))
    assert int(re.search(r">=(\d+)", floor).group(1)) >= 77
    assert "license-files" in PYPROJECT["project"]


def test_every_folder_of_the_packages_is_declared():
    """Bug: web/templates and web/static were importable folders setuptools was not told about (a warning each)."""
    declared = set(PYPROJECT["tool"]["setuptools"]["packages"])
    for top in ("kg", "web"):
        for folder in [ROOT / top, *[p for p in (ROOT / top).rglob("*") if p.is_dir()]]:
            if folder.name == "__pycache__" or not any(f.is_file() for f in folder.iterdir()):
                continue
            assert ".".join(folder.relative_to(ROOT).parts) in declared, folder
    data = PYPROJECT["tool"]["setuptools"]["package-data"]
    assert data["web.templates"] == ["*.html"] and data["web.static"] == ["*"]
