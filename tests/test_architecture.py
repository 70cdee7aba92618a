"""Package boundaries, read from the source with the AST (a docstring mentioning a package
does not count as importing it)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _top_level_imports(package: str) -> dict[Path, set[str]]:
    return {
        path: {name.split(".")[0] for name in _imports(path)}
        for path in sorted((ROOT / package).rglob("*.py"))
    }


FORBIDDEN = {
    "solver": {"app", "geo", "fastapi", "starlette", "pydantic", "osmnx", "networkx", "sqlalchemy"},
    "geo": {"app", "solver", "ortools", "fastapi", "starlette", "pydantic", "sqlalchemy"},
    "app": {"ortools", "osmnx", "networkx", "osmium"},
}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_nothing_forbidden(package: str) -> None:
    """solver and geo know neither the app nor each other; the app reaches OR-Tools and the
    OSM stack only through them."""
    offenders = {
        str(path.relative_to(ROOT)): sorted(names & FORBIDDEN[package])
        for path, names in _top_level_imports(package).items()
        if names & FORBIDDEN[package]
    }
    assert offenders == {}


def test_ortools_is_imported_by_its_adapter_only() -> None:
    """OR-Tools' Python API moves between releases: only solver/_ortools*.py touch it."""
    users = [p.name for p, names in _top_level_imports("solver").items() if "ortools" in names]
    assert users
    assert all(name.startswith("_ortools") for name in users)


def test_app_uses_only_the_public_names_of_the_cores() -> None:
    """The app imports geo and solver by their package, never their private modules."""
    private = {
        str(path.relative_to(ROOT)): sorted(
            name for name in _imports(path) if name.startswith(("geo.", "solver."))
        )
        for path in sorted((ROOT / "app").rglob("*.py"))
    }
    assert {path: names for path, names in private.items() if names} == {}


def test_the_checks_see_real_imports() -> None:
    """Guard against a vacuous pass: the scanner does see the imports that exist."""
    assert "ortools" in _top_level_imports("solver")[ROOT / "solver" / "_ortools.py"]
    assert {"geo", "solver"} <= _top_level_imports("app")[ROOT / "app" / "planning.py"]
