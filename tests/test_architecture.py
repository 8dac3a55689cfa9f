"""The layering rules from the design, checked on the source so a stray import fails CI."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _offenders(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        bad = [name for name in _imports(path) if name.split(".")[0] in forbidden or name in forbidden]
        if bad:
            found.append(f"{path.relative_to(ROOT)}: {', '.join(sorted(bad))}")
    return found


def test_patient_side_never_imports_the_clinician_side():
    assert _offenders("feedback", ("dashboards",)) == []


def test_flag_engine_is_plain_python():
    assert _offenders("dashboards/flags", ("flask", "flask_sqlalchemy", "sqlalchemy", "app", "feedback")) == []
