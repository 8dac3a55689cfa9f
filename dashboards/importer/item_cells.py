"""One row's item columns as typed answers, with the survey form's own parsers.

The form silently drops a follow-up whose condition no longer holds (the respondent changed an
earlier answer). A file that answers such a follow-up contradicts itself, so here it is a problem.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dashboards.importer.problems import quoted
from feedback.instruments.answers import NO, PARSERS, YES, AnswerError, to_form_values
from feedback.instruments.model import Condition, Instrument, Item
from feedback.phrases import Listed, Phrase, phrase
from feedback.translatable import N_

MULTIPLE_SEPARATOR = ";"
PARTIAL = N_("is empty, but the row answers other items: a questionnaire is answered in full or not at all")


def parse_item_cells(instrument: Instrument, cells: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, Phrase]]:
    """(answers, problems) from a row's item cells (item id -> text); problems: item id -> message.

    Called for a row with at least one answer, so an empty required item makes it a partial
    questionnaire, which the survey form can never produce.
    """
    answers: dict[str, Any] = {}
    problems: dict[str, Phrase] = {}
    undecided: set[str] = set()  # faulty answers: whether their follow-ups were asked cannot be told
    for item in instrument.items:
        raw = cells.get(item.id, "").strip()
        condition = item.show_if
        if condition is not None and condition.item in undecided:
            undecided.add(item.id)
            continue
        if condition is not None and not condition.holds(answers):
            if raw:
                problems[item.id] = phrase(N_("is answered, but this question is only asked when %(condition)s"),
                                           condition=condition_text(condition))
                undecided.add(item.id)
            continue
        try:
            value = _parse(item, raw) if raw else None
        except AnswerError:
            problems[item.id] = phrase(N_("%(value)s is not %(expected)s"), value=quoted(raw), expected=expected(item))
            undecided.add(item.id)
            continue
        if value is None or value == []:  # a multiple choice of only separators is no answer either
            if item.required:
                problems[item.id] = phrase(PARTIAL)
            continue
        answers[item.id] = value
    return answers, problems


def _parse(item: Item, raw: str) -> Any:
    values = [v.strip() for v in raw.split(MULTIPLE_SEPARATOR)] if item.type == "multiple_choice" else [raw]
    return PARSERS[item.type](item, values)


def expected(item: Item) -> Phrase:
    """What a cell of this item must hold, in the file's terms."""
    options = Listed(tuple(item.option_ids), ", ")
    if item.type == "likert":
        return phrase(N_("a whole number from %(min)s to %(max)s"), min=item.min, max=item.max)
    if item.type == "yes_no":
        return either((YES, NO))
    if item.type == "single_choice":
        return phrase(N_("one of %(options)s"), options=options)
    if item.type == "multiple_choice":
        return phrase(N_("option ids joined by '%(separator)s', from %(options)s"), separator=MULTIPLE_SEPARATOR,
                      options=options)
    return phrase(N_("text of at most %(n)s characters"), n=item.max_length)


def condition_text(condition: Condition) -> Phrase:
    return phrase(N_("%(item)s is %(values)s"), item=condition.item,
                  values=either([cell_text(value) for value in condition.values]))


def either(choices: Sequence[Any]) -> Any:
    """"a", "a or b", "a or b or c"."""
    said = choices[0]
    for choice in choices[1:]:
        said = phrase(N_("%(first)s or %(second)s"), first=said, second=choice)
    return said


def cell_text(value: Any) -> Phrase | str:
    """A typed answer written the way the file writes it (for messages)."""
    if value is None:
        return phrase(N_("(empty)"))
    return MULTIPLE_SEPARATOR.join(to_form_values({"value": value})["value"])
