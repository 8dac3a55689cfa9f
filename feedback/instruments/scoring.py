"""Scale scores from typed answers: pure functions, no app needed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from feedback.instruments.model import Instrument, Scale


def score_scale(instrument: Instrument, scale: Scale, answers: Mapping[str, Any]) -> float | None:
    """Mean (or prorated sum) of the scale's answered items; None when too few are answered.

    Reverse-keyed items are mirrored on their own range (min + max - value). A sum with
    missing items is prorated to the full item count so that scores stay comparable
    between sessions; an unscored scale is None, never zero.
    """
    values: list[float] = []
    for item_id in scale.items:
        value = answers.get(item_id)
        if value is None:
            continue
        item = instrument.item(item_id)
        values.append(item.min + item.max - value if item_id in scale.reverse else value)
    if len(values) < scale.min_answered:
        return None
    mean = sum(values) / len(values)
    return round(mean if scale.scoring == "mean" else mean * len(scale.items), 4)


def score(instrument: Instrument, answers: Mapping[str, Any]) -> dict[str, float | None]:
    return {sid: score_scale(instrument, scale, answers) for sid, scale in instrument.scales.items()}
