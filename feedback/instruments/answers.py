"""Turn submitted form fields into typed answers, or a list of problems to show.

Only items that are shown (their condition holds) are kept, so a follow-up answered and then
made irrelevant ("yes" changed to "no") is dropped rather than stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from feedback.instruments.model import Instrument, Item
from feedback.phrases import Phrase, phrase
from feedback.text_hygiene import HostileText, clean, whole_number
from feedback.translatable import N_

YES, NO = "yes", "no"


class AnswerError(ValueError):
    """The sentence the respondent reads (marked for translation) with its values."""

    def __init__(self, msgid: str, **params: object):
        super().__init__(msgid)
        self.message = phrase(msgid, **params)


PLEASE_ANSWER = N_("Please answer this question.")


def _likert(item: Item, raw: Sequence[str]) -> int:
    try:
        value = whole_number(raw[0].strip())
    except ValueError:
        raise AnswerError(N_("Please choose a value from %(low)s to %(high)s."), low=item.min, high=item.max) from None
    if not item.min <= value <= item.max:
        raise AnswerError(N_("Please choose a value from %(low)s to %(high)s."), low=item.min, high=item.max)
    return value


def _yes_no(item: Item, raw: Sequence[str]) -> bool:
    if raw[0] not in (YES, NO):
        raise AnswerError(N_("Please answer yes or no."))
    return raw[0] == YES


def _single(item: Item, raw: Sequence[str]) -> str:
    if raw[0] not in item.option_ids:
        raise AnswerError(N_("Please choose one of the options."))
    return raw[0]


def _multiple(item: Item, raw: Sequence[str]) -> list[str]:
    chosen = [value for value in raw if value]
    unknown = [value for value in chosen if value not in item.option_ids]
    if unknown:
        raise AnswerError(N_("Please choose among the options shown."))
    # Keep the instrument's order and drop repeats so equal answers compare equal.
    return [option for option in item.option_ids if option in chosen]


def _text(item: Item, raw: Sequence[str]) -> str:
    try:
        text = clean(raw[0], multiline=True).strip()
    except HostileText as exc:
        raise AnswerError(
            N_("Please remove the invisible control character (%(code)s) from your answer."), code=exc.code
        ) from None
    if len(text) > item.max_length:
        raise AnswerError(N_("Please keep it to %(limit)s characters at most."), limit=item.max_length)
    return text


PARSERS: dict[str, Callable[[Item, Sequence[str]], Any]] = {
    "likert": _likert,
    "yes_no": _yes_no,
    "single_choice": _single,
    "multiple_choice": _multiple,
    "text": _text,
}


def parse_answers(
    instrument: Instrument, form: Mapping[str, Sequence[str]]
) -> tuple[dict[str, Any], dict[str, Phrase]]:
    """Return (answers, errors): errors maps item id -> the message as a phrase (`str()` is the
    English; the edge translates it), empty when all is well."""
    answers: dict[str, Any] = {}
    errors: dict[str, Phrase] = {}
    for item in instrument.items:
        if not item.shown(answers):
            continue
        raw = [value for value in form.get(item.id, ()) if value.strip()]
        if not raw:
            if item.required:
                errors[item.id] = phrase(PLEASE_ANSWER)
            continue
        try:
            value = PARSERS[item.type](item, raw)
        except AnswerError as exc:
            errors[item.id] = exc.message
            continue
        if value in ("", []):
            if item.required:
                errors[item.id] = phrase(PLEASE_ANSWER)
            continue
        answers[item.id] = value
    return answers, errors


def to_form_values(answers: Mapping[str, Any]) -> dict[str, list[str]]:
    """Typed answers back to form values, so a re-shown form keeps what was entered."""
    out: dict[str, list[str]] = {}
    for item_id, value in answers.items():
        if isinstance(value, bool):
            out[item_id] = [YES if value else NO]
        elif isinstance(value, list):
            out[item_id] = [str(v) for v in value]
        else:
            out[item_id] = [str(value)]
    return out
