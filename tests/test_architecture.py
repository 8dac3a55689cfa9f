"""The structure of docs/architecture.md, enforced: one import direction, no import circles, the
layering contracts of `[tool.importlinter]` in pyproject.toml, small modules, and tests that
mirror the code. Each checker is also shown to fail on a copy with one bad line added."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("feedback", "dashboards")
MAX_LINES = 300
# Modules allowed past MAX_LINES, each with the reason (the "unless it is a table of data").
LONG_MODULES: dict[str, str] = {}


def import_cycles(root: Path) -> list[list[str]]:
    """Every import circle among the project's modules under `root` (strongly connected
    components of grimp's module graph, the graph behind import-linter), largest first."""
    code = (
        "import json, sys, grimp\n"
        "sys.path.insert(0, sys.argv[1])\n"
        f"g = grimp.build_graph(*{PACKAGES!r})\n"
        "print(json.dumps({m: sorted(g.find_modules_directly_imported_by(m)) for m in g.modules}))\n"
    )
    # A fresh interpreter with the copy first on sys.path, so the copy (not the installed
    # package) is what grimp reads.
    out = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True,
                         cwd=root, env={**os.environ, "PYTHONPATH": str(root)}).stdout
    return _strongly_connected(__import__("json").loads(out))


def _strongly_connected(edges: dict[str, list[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:  # Tarjan's algorithm, iterative (no recursion limit)
        work = [(start, iter(edges.get(start, ())))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges.get(child, ()))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return sorted(found, key=len, reverse=True)


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    lint = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(lint), "--no-cache"], capture_output=True, text=True, check=False, cwd=root,
                          env={**os.environ, "PYTHONPATH": str(root)})


@pytest.fixture
def copy_of_code(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_line(path: Path, line: str) -> None:
    text = path.read_text()
    anchor = "from __future__ import annotations\n"
    path.write_text(text.replace(anchor, anchor + line + "\n", 1) if anchor in text else line + "\n" + text)


def test_nothing_below_the_factory_imports_app():
    offenders = [
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if re.search(r"^\s*(from app import|import app\b)", path.read_text(), re.M)
    ]
    assert offenders == []


def test_no_import_cycles():
    assert import_cycles(ROOT) == []


def test_the_cycle_check_finds_a_cycle_added_on_purpose(copy_of_code):
    # dashboards.flags.engine imports dashboards.flags.stats; the reverse closes a circle.
    add_line(copy_of_code / "dashboards" / "flags" / "stats.py", "import dashboards.flags.engine  # noqa")
    cycles = import_cycles(copy_of_code)
    assert any({"dashboards.flags.engine", "dashboards.flags.stats"} <= set(cycle) for cycle in cycles), cycles


def test_the_import_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(("module", "bad_line", "contract"), [
    ("feedback/tokens.py", "import dashboards.flags  # noqa", "The patient side never imports the clinician side"),
    ("dashboards/flags/stats.py", "import flask  # noqa", "Pure cores"),
    ("dashboards/charts/style.py", "from feedback.extensions import db  # noqa", "Pure cores"),
    ("dashboards/outcomes/tally.py", "import sqlalchemy  # noqa", "Pure cores"),
    ("feedback/instruments/scoring.py", "import sqlalchemy  # noqa", "Pure cores"),
    ("dashboards/risk/store.py", "import dashboards.therapist.blueprint  # noqa", "Views import operations"),
    ("dashboards/caseload.py", "import app  # noqa", "Nothing below the factory imports app.py"),
])
def test_a_forbidden_import_breaks_its_contract(copy_of_code, module, bad_line, contract):
    add_line(copy_of_code / module, bad_line)
    result = lint_imports(copy_of_code)
    assert result.returncode != 0
    report = " ".join(result.stdout.split())  # long contract names wrap in the report
    verdict = re.search(re.escape(contract) + r".*? (KEPT|BROKEN)\b", report)
    assert verdict and verdict.group(1) == "BROKEN", result.stdout


def test_modules_stay_small():
    sources = [ROOT / "app.py", *(p for d in (*PACKAGES, "bench", "docs") for p in (ROOT / d).rglob("*.py"))]
    too_long = {
        str(p.relative_to(ROOT)): n
        for p in sources
        if (n := len(p.read_text().splitlines())) > MAX_LINES and str(p.relative_to(ROOT)) not in LONG_MODULES
    }
    assert too_long == {}, f"split these by what they do (at most ~{MAX_LINES} lines): {too_long}"


def test_a_test_module_never_imports_another_test_module():
    offenders = []
    for path in (ROOT / "tests").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            if any(n.startswith("tests.") and n.rsplit(".", 1)[-1].startswith("test_") for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == [], "shared test helpers belong in tests/factories.py, a conftest.py or a helpers module"


def test_no_test_skips_itself_because_the_code_is_missing():
    # A skip that depends on whether the code exists: importorskip, or a skip next to hasattr/ImportError.
    pattern = re.compile(r"importorskip|skip.*(hasattr|ImportError|not (yet )?(wired|implemented|written))", re.I)
    offenders = [
        str(p.relative_to(ROOT)) for p in (ROOT / "tests").rglob("*.py")
        if p != Path(__file__) and pattern.search(p.read_text())
    ]
    assert offenders == []


def test_the_architecture_page_names_every_package_and_only_packages_that_exist():
    page = (ROOT / "docs" / "architecture.md").read_text()
    named = set(re.findall(r"`((?:feedback|dashboards)(?:/[a-z_]+)*)/`", page))
    packages = {
        f"{top}/{p.name}" for top in PACKAGES for p in (ROOT / top).iterdir() if (p / "__init__.py").is_file()
    }
    assert sorted(p for p in named if not (ROOT / p).is_dir()) == [], "named but missing"
    assert sorted(packages - named) == [], "packages the architecture page does not mention"
