"""Outcome series for tests, read by the real PHQ-9 and GAD-7 instrument files' rules."""

from __future__ import annotations

import datetime
from functools import cache

from dashboards.outcomes import Measure, Score
from feedback.instruments.loader import BUILTIN_DIR, load_file
from feedback.instruments.model import Instrument

START = datetime.date(2024, 1, 1)  # as tests/flags/builders.py: session n is held weekly from here


@cache
def instrument(name: str) -> Instrument:
    return load_file(BUILTIN_DIR / f"{name}.yaml")


def series(name: str, scale: str, totals: dict[int, float] | list[float]) -> Measure:
    """A measure with these totals by session number (a list: sessions 1, 2, 3, ...)."""
    by_session = totals if isinstance(totals, dict) else {i + 1: t for i, t in enumerate(totals)}
    rules = instrument(name).scales[scale].outcome
    assert rules is not None
    top = {"phq9": 27.0, "gad7": 21.0}[scale]
    scores = tuple(Score(n, START + datetime.timedelta(weeks=n - 1), float(t)) for n, t in sorted(by_session.items()))
    return Measure(scale, name.upper(), rules, scores, top)


def phq9(totals: dict[int, float] | list[float]) -> Measure:
    return series("phq-9", "phq9", totals)


def gad7(totals: dict[int, float] | list[float]) -> Measure:
    return series("gad-7", "gad7", totals)


def both(phq: dict[int, float] | list[float], gad: dict[int, float] | list[float]) -> dict[str, Measure]:
    return {"phq9": phq9(phq), "gad7": gad7(gad)}
