"""README is the front door: its test command is the one CI runs."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
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


def test_every_command_of_the_set_up_section_runs_as_written(tmp_path):
    """The README's command block, line by line, against a scratch database: each must succeed."""
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"## Setting up a clinic from the command line\n.*?```sh\n(.+?)\n```", readme, re.S)
    assert match, "README lost its set-up commands"
    commands = [re.sub(r"\s+#.*$", "", line) for line in match.group(1).replace("\\\n", " ").splitlines()]
    flask = Path(sys.executable).with_name("flask")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'readme.db'}", "APP_ENV": "development",
           "NEW_USER_PASSWORD": "otter-harbour-lantern-47"}  # noqa: S105  (a test password)
    for command in commands:
        args = shlex.split(command)
        assert args[0] == ".venv/bin/flask", f"README command not run with the project's flask: {command}"
        result = subprocess.run([str(flask), *args[1:]], cwd=ROOT, env=env, capture_output=True, text=True,  # noqa: S603
                                timeout=120, check=False)
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"


def test_every_command_of_the_languages_section_exists():
    """The README's catalog commands change files, so each is run with --help: it must exist as written."""
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"## Languages\n.*?```sh\n(.+?)\n```", readme, re.S)
    assert match, "README lost its languages commands"
    flask = Path(sys.executable).with_name("flask")
    for command in [re.sub(r"\s+#.*$", "", line) for line in match.group(1).splitlines()]:
        args = shlex.split(command)
        assert args[0] == ".venv/bin/flask", f"README command not run with the project's flask: {command}"
        result = subprocess.run([str(flask), *args[1:], "--help"], cwd=ROOT, capture_output=True, text=True,  # noqa: S603
                                timeout=120, check=False)
        assert result.returncode == 0 and "Usage:" in result.stdout, f"{command}\n{result.stdout}\n{result.stderr}"
