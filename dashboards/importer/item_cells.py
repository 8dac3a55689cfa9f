"""One row's item columns as typed answers, with the survey form's own parsers.

The form silently drops a follow-up whose condition no longer holds (the respondent changed an
earlier answer). A file that answers such a follow-up contradicts itself, so here it is a problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dashboards.importer.problems import quoted
from feedback.instruments.answers import NO, PARSERS, YES, AnswerError, to_form_values
from feedback.instruments.model import Condition, Instrument, Item

MULTIPLE_SEPARATOR = ";"
PARTIAL = "is empty, but the row answers other items: a questionnaire is answered in full or not at all"


def parse_item_cells(instrument: Instrument, cells: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """(answers, problems) from a row's item cells (item id -> text); problems: item id -> message.

    Called for a row with at least one answer, so an empty required item makes it a partial
    questionnaire, which the survey form can never produce.
    """
    answers: dict[str, Any] = {}
    problems: dict[str, str] = {}
    undecided: set[str] = set()  # faulty answers: whether their follow-ups were asked cannot be told
    for item in instrument.items:
        raw = cells.get(item.id, "").strip()
        condition = item.show_if
        if condition is not None and condition.item in undecided:
            undecided.add(item.id)
            continue
        if condition is not None and not condition.holds(answers):
            if raw:
                problems[item.id] = f"is answered, but this question is only asked when {condition_text(condition)}"
                undecided.add(item.id)
            continue
        try:
            value = _parse(item, raw) if raw else None
        except AnswerError:
            problems[item.id] = f"{quoted(raw)} is not {expected(item)}"
            undecided.add(item.id)
            continue
        if value is None or value == []:  # a multiple choice of only separators is no answer either
            if item.required:
                problems[item.id] = PARTIAL
            continue
        answers[item.id] = value
    return answers, problems


def _parse(item: Item, raw: str) -> Any:
    values = [v.strip() for v in raw.split(MULTIPLE_SEPARATOR)] if item.type == "multiple_choice" else [raw]
    return PARSERS[item.type](item, values)


def expected(item: Item) -> str:
    """What a cell of this item must hold, in the file's terms."""
    if item.type == "likert":
        return f"a whole number from {item.min} to {item.max}"
    if item.type == "yes_no":
        return f"{YES} or {NO}"
    if item.type == "single_choice":
        return "one of " + ", ".join(item.option_ids)
    if item.type == "multiple_choice":
        return f"option ids joined by '{MULTIPLE_SEPARATOR}', from " + ", ".join(item.option_ids)
    return f"text of at most {item.max_length} characters"


def condition_text(condition: Condition) -> str:
    return f"{condition.item} is " + " or ".join(cell_text(value) for value in condition.values)


def cell_text(value: Any) -> str:
    """A typed answer written the way the file writes it (for messages)."""
    if value is None:
        return "(empty)"
    return MULTIPLE_SEPARATOR.join(to_form_values({"value": value})["value"])
