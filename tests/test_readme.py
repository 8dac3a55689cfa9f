"""README is the front door: its test command is the one CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    match = re.search(r"## Run the tests: one command\n\n```sh\n(.+)\n```", readme)
    assert match, "README lost its test command section"
    assert match.group(1) in ci.splitlines()


def test_readme_images_exist():
    readme = (ROOT / "README.md").read_text()
    for path in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme):
        assert (ROOT / path).is_file(), f"README shows a missing picture: {path}"
