"""docs/import.md shows the example file that the import tests load, so the two cannot drift apart."""

from __future__ import annotations

import re

from tests.importer.helpers import EXAMPLE


def test_the_guide_shows_the_example_file_verbatim():
    guide = (EXAMPLE.parents[1] / "import.md").read_text(encoding="utf-8")
    (shown,) = re.findall(r"```csv\n(.*?)```", guide, re.DOTALL)
    assert shown == EXAMPLE.read_text(encoding="utf-8")
