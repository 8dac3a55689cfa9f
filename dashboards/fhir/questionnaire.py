"""An instrument version as a FHIR R4 Questionnaire (SDC conventions). Plain functions: no database, no request.

Likert items are `integer` items with minValue/maxValue, not `choice` items with ordinalValue: the
stored and scored answer is the number itself, so an integer answer is what the scorer, a research
export and an EHR's analytics all read without a lookup; our anchors label only some points (1, 3
and 5 of 1..5), so a coding per point would leave codes without text; and a range check reads
directly as "7 is above the maximum 5". Renderers get the SDC slider control with the end labels as
`lower`/`upper` display items; every anchor is also in the project's `anchor` extension.
Scales are described by the project's `scale` extension (items, reverse-keyed items, mean or sum,
how many answers it needs), not by item groups: an item belongs to several scales.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from dashboards.fhir import systems
from feedback.instruments.model import Condition, Instrument, Item

ITEM_TYPES = {"likert": "integer", "yes_no": "boolean", "single_choice": "choice",
              "multiple_choice": "choice", "text": "text"}
#: The answer value each item type takes, in a QuestionnaireResponse and in enableWhen.
ANSWER_KEYS = {"likert": "valueInteger", "yes_no": "valueBoolean", "single_choice": "valueCoding",
               "multiple_choice": "valueCoding", "text": "valueString"}


def questionnaire_id(instrument: Instrument) -> str:
    """The resource id: a FHIR id allows letters, digits, '-' and '.', at most 64."""
    return re.sub(r"[^A-Za-z0-9.-]", "-", f"{instrument.id}-{instrument.version}")[:64]


def canonical(instrument: Instrument) -> str:
    """How a QuestionnaireResponse names the questionnaire it answers: url|version."""
    return f"{systems.questionnaire_url(instrument.id)}|{instrument.version}"


def questionnaire(instrument: Instrument) -> dict[str, Any]:
    text = _Texts(instrument)
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": questionnaire_id(instrument),
        "language": instrument.languages[0],
        "extension": [_scale(instrument, scale_id) for scale_id in instrument.scales],
        "url": systems.questionnaire_url(instrument.id),
        "version": instrument.version,
        "name": _name(instrument.id),
        **text.element("title", instrument.title),
        "status": "active",
        "subjectType": ["Patient"],
        **text.element("description", instrument.intro),
        **text.element("purpose", instrument.privacy_notice),
        **({"copyright": instrument.licence} if instrument.licence else {}),
        "item": [_item(instrument, item, text) for item in instrument.items],
    }
    return {key: value for key, value in resource.items() if value not in ([], "")}


def _name(instrument_id: str) -> str:
    """Computer-friendly name: PostSessionPatient."""
    return "".join(part.capitalize() for part in re.split(r"[^a-z0-9]+", instrument_id) if part)


class _Texts:
    """A text element in the instrument's first language, the others as translation extensions."""

    def __init__(self, instrument: Instrument):
        self.first, self.others = instrument.languages[0], instrument.languages[1:]
        self.instrument = instrument

    def element(self, name: str, texts: Mapping[str, str]) -> dict[str, Any]:
        if not texts:
            return {}
        out: dict[str, Any] = {name: self.instrument.text(texts, self.first)}
        translations = self.translations(texts)
        if translations:
            out["_" + name] = {"extension": translations}
        return out

    def translations(self, texts: Mapping[str, str]) -> list[dict[str, Any]]:
        return [
            {"url": systems.TRANSLATION,
             "extension": [{"url": "lang", "valueCode": lang}, {"url": "content", "valueString": texts[lang]}]}
            for lang in self.others
            if texts.get(lang)
        ]


def _item(instrument: Instrument, item: Item, text: _Texts) -> dict[str, Any]:
    out: dict[str, Any] = {"linkId": item.id, **text.element("text", item.text), "type": ITEM_TYPES[item.type]}
    if item.show_if is not None:
        out["enableWhen"] = enable_when(instrument, item.show_if)
        if len(out["enableWhen"]) > 1:
            out["enableBehavior"] = "any"
    out["required"] = item.required
    if item.type == "multiple_choice":
        out["repeats"] = True
    if item.type == "text":
        out["maxLength"] = item.max_length
    if item.options:
        out["answerOption"] = [
            {"valueCoding": coding(instrument, item, option.id)} for option in item.options
        ]
    children = []
    if item.type == "likert":
        out["extension"] = _likert_extensions(item, text)
        children = _end_labels(item, text)
    if item.help:
        children.append(_display(f"{item.id}.help", "help", item.help, text))
    if children:
        out["item"] = children
    return out


def coding(instrument: Instrument, item: Item, option_id: str) -> dict[str, str]:
    label = next((o.label for o in item.options if o.id == option_id), {})
    return {"system": systems.option_system(instrument.id, item.id), "code": option_id,
            "display": instrument.text(label, instrument.languages[0])}


def enable_when(instrument: Instrument, condition: Condition) -> list[dict[str, Any]]:
    target = instrument.item(condition.item)
    key = "answer" + ANSWER_KEYS[target.type].removeprefix("value")
    return [
        {"question": target.id, "operator": "=",
         key: coding(instrument, target, value) if target.type == "single_choice" else value}
        for value in condition.values
    ]


def _likert_extensions(item: Item, text: _Texts) -> list[dict[str, Any]]:
    # Other languages as translation extensions inside the anchor: R4 tools read `_valueString` unevenly.
    anchors = [
        {"url": systems.ANCHOR,
         "extension": [{"url": "value", "valueInteger": point},
                       {"url": "label", "valueString": label.get(text.first) or next(iter(label.values()), "")},
                       *text.translations(label)]}
        for point, label in sorted(item.anchors.items())
    ]
    return [
        {"url": systems.MIN_VALUE, "valueInteger": item.min},
        {"url": systems.MAX_VALUE, "valueInteger": item.max},
        {"url": systems.ITEM_CONTROL, "valueCodeableConcept": _control("slider")},
        {"url": systems.SLIDER_STEP, "valueInteger": 1},
        *anchors,
    ]


def _end_labels(item: Item, text: _Texts) -> list[dict[str, Any]]:
    ends = [("lower", item.min), ("upper", item.max)]
    return [_display(f"{item.id}.{control}", control, item.anchors[point], text)
            for control, point in ends if point in item.anchors]


def _display(link_id: str, control: str, texts: Mapping[str, str], text: _Texts) -> dict[str, Any]:
    return {
        "extension": [{"url": systems.ITEM_CONTROL, "valueCodeableConcept": _control(control)}],
        "linkId": link_id,
        **text.element("text", texts),
        "type": "display",
    }


def _control(code: str) -> dict[str, Any]:
    return {"coding": [{"system": systems.ITEM_CONTROL_CODES, "code": code}]}


def _scale(instrument: Instrument, scale_id: str) -> dict[str, Any]:
    scale = instrument.scales[scale_id]
    parts: list[dict[str, Any]] = [
        {"url": "code", "valueCoding": {"system": systems.CODE_SYSTEM, "code": scale_id,
                                        "display": instrument.text(scale.label, instrument.languages[0])}},
        *({"url": "item", "valueString": item_id} for item_id in scale.items),
        *({"url": "reverse", "valueString": item_id} for item_id in scale.items if item_id in scale.reverse),
        {"url": "scoring", "valueCode": scale.scoring},
        {"url": "minAnswered", "valueInteger": scale.min_answered},
    ]
    return {"url": systems.SCALE, "extension": parts}
