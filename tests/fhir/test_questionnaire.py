"""An instrument version as a Questionnaire: types, ranges, conditions, required, lengths, languages,
scales. Plain functions, no app."""

from __future__ import annotations

from dashboards.fhir import systems
from dashboards.fhir.questionnaire import canonical, questionnaire
from feedback.instruments.loader import BUILTIN_DIR, load_file, parse_instrument
from tests.fhir.invariants import questions, validate

PATIENT_FORM = load_file(BUILTIN_DIR / "post-session-patient.yaml")
THERAPIST_FORM = load_file(BUILTIN_DIR / "post-session-therapist-v2.yaml")

TWO_LANGUAGES = parse_instrument({
    "id": "two-languages", "version": "3", "title": {"en": "Check", "de": "Check-in"}, "respondent": "patient",
    "languages": ["en", "de"], "translations": {"de": {"validated": False, "source": "test"}},
    "items": [
        {"id": "mood", "type": "likert", "text": {"en": "Mood?", "de": "Stimmung?"}, "min": 0, "max": 10,
         "anchors": {0: {"en": "Low", "de": "Tief"}, 10: {"en": "High", "de": "Hoch"}}},
        {"id": "topic", "type": "single_choice", "text": {"en": "Topic", "de": "Thema"},
         "options": [{"id": "work", "label": {"en": "Work", "de": "Arbeit"}},
                     {"id": "home", "label": {"en": "Home", "de": "Zuhause"}}]},
        {"id": "why", "type": "text", "text": {"en": "Why?", "de": "Warum?"}, "required": False, "max_length": 80,
         "show_if": {"item": "topic", "in": ["work", "home"]}},
    ],
    "scales": {"mood": {"items": ["mood"], "scoring": "sum"}},
}, "test")


def test_questionnaires_are_valid_with_canonical_url_and_version():
    for instrument in (PATIENT_FORM, THERAPIST_FORM, TWO_LANGUAGES):
        resource = questionnaire(instrument)
        validate(resource)
        assert resource["url"] == f"{systems.CANONICAL}/Questionnaire/{instrument.id}"
        assert resource["version"] == instrument.version and resource["status"] == "active"
        assert [i["linkId"] for i in questions(resource).values()] == [item.id for item in instrument.items]
    assert canonical(THERAPIST_FORM) == f"{systems.CANONICAL}/Questionnaire/post-session-therapist|2"


def test_item_types_ranges_conditions_and_lengths():
    items = questions(questionnaire(PATIENT_FORM))
    likert = items["bond_trust"]
    assert likert["type"] == "integer" and likert["required"] is True
    values = {e["url"]: e.get("valueInteger") for e in likert["extension"]}
    assert values[systems.MIN_VALUE] == 1 and values[systems.MAX_VALUE] == 5
    anchors = [e for e in likert["extension"] if e["url"] == systems.ANCHOR]
    assert [(a["extension"][0]["valueInteger"], a["extension"][1]["valueString"]) for a in anchors] == [
        (1, "Not at all"), (3, "Somewhat"), (5, "Completely")]
    assert [c["linkId"] for c in likert["item"]] == ["bond_trust.lower", "bond_trust.upper"]
    assert items["rupture"]["type"] == "boolean"
    assert items["rupture_tension"]["enableWhen"] == [{"question": "rupture", "operator": "=", "answerBoolean": True}]
    assert items["comment"] == {**items["comment"], "type": "text", "required": False, "maxLength": 500}
    markers = questions(questionnaire(THERAPIST_FORM))["markers"]
    assert markers["type"] == "choice" and markers["repeats"] is True
    assert markers["answerOption"][0]["valueCoding"]["code"] == "withdrawal_away"
    assert questions(questionnaire(THERAPIST_FORM))["addressed"]["item"][0]["type"] == "display"  # its help text


def test_other_languages_travel_as_translations_and_conditions_on_choices_as_codings():
    resource = questionnaire(TWO_LANGUAGES)
    assert resource["language"] == "en" and resource["title"] == "Check"
    assert resource["_title"]["extension"][0]["extension"] == [
        {"url": "lang", "valueCode": "de"}, {"url": "content", "valueString": "Check-in"}]
    items = questions(resource)
    assert items["mood"]["_text"]["extension"][0]["extension"][1]["valueString"] == "Stimmung?"
    why = items["why"]
    assert why["enableBehavior"] == "any" and [w["answerCoding"]["code"] for w in why["enableWhen"]] == ["work", "home"]
    assert why["maxLength"] == 80


def test_scales_are_described_by_the_scale_extension():
    resource = questionnaire(PATIENT_FORM)
    scales = {part["extension"][0]["valueCoding"]["code"]: part["extension"]
              for part in resource["extension"] if part["url"] == systems.SCALE}
    assert set(scales) == {"bond", "task", "goal", "alliance"}
    goal = {(p["url"], next(v for k, v in p.items() if k.startswith("value")).__repr__()) for p in scales["goal"]}
    assert ("reverse", "'goal_unclear'") in goal and ("scoring", "'mean'") in goal and ("minAnswered", "1") in goal


def test_anchor_labels_carry_their_translations():
    mood = questions(questionnaire(TWO_LANGUAGES))["mood"]
    [low, high] = [e for e in mood["extension"] if e["url"] == systems.ANCHOR]
    assert low["extension"][1] == {"url": "label", "valueString": "Low"}
    assert low["extension"][2]["extension"][1]["valueString"] == "Tief"
    assert mood["item"][1]["_text"]["extension"][0]["extension"][1]["valueString"] == "Hoch"  # the upper label
