"""The `import-csv` command registered on the test app, run on files written to disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from flask.testing import FlaskCliRunner

from dashboards.importer.cli import register


@pytest.fixture
def import_csv(app, runner: FlaskCliRunner, tmp_path: Path) -> Callable[..., Result]:
    """import_csv(text_or_bytes, *options) writes the file and runs `import-csv` on it."""
    register(app)
    counter = iter(range(1, 1000))

    def run(content: str | bytes, *options: str, clinic: str = "Eastside") -> Result:
        path = tmp_path / f"history-{next(counter)}.csv"
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        return runner.invoke(args=["import-csv", str(path), "--clinic", clinic, *options])

    return run
