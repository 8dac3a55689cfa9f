"""What `fhir.resources` does not check, checked in plain code: a QuestionnaireResponse against its
Questionnaire (linkIds, answer types, ranges, required items, enableWhen, no empty answers), and
every exported resource parsed by the R4B models (which match R4 for these resources)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
VALUE_KEYS = {"integer": "valueInteger", "boolean": "valueBoolean", "choice": "valueCoding",
              "text": "valueString", "string": "valueString"}


def validate(resource: Mapping[str, Any]) -> None:
    """Raises pydantic's ValidationError when the resource is not valid R4(B)."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def questions(questionnaire: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["linkId"]: item for item in questionnaire["item"] if item["type"] != "display"}


def _extension(item: Mapping[str, Any], url: str) -> Any:
    return next((e["valueInteger"] for e in item.get("extension", []) if e["url"] == url), None)


def _matches(condition: Mapping[str, Any], answers: Mapping[str, list[Any]]) -> bool:
    key = next(k for k in condition if k.startswith("answer"))
    wanted = condition[key]
    given = answers.get(condition["question"], [])
    if key == "answerCoding":
        return any(v.get("code") == wanted["code"] for v in given)
    return wanted in given


def enabled(item: Mapping[str, Any], answers: Mapping[str, list[Any]]) -> bool:
    conditions = item.get("enableWhen", [])
    if not conditions:
        return True
    found = [_matches(c, answers) for c in conditions]
    return any(found) if item.get("enableBehavior", "all") == "any" else all(found)


def response_problems(questionnaire: Mapping[str, Any], response: Mapping[str, Any]) -> list[str]:
    """Every way `response` disagrees with `questionnaire`; empty when it agrees."""
    items = questions(questionnaire)
    problems = []
    answers: dict[str, list[Any]] = {}
    for entry in response.get("item", []):
        link_id = entry["linkId"]
        item = items.get(link_id)
        if item is None:
            problems.append(f"{link_id}: not an item of the questionnaire")
            continue
        given = entry.get("answer", [])
        if not given:
            problems.append(f"{link_id}: an item without an answer")
        if len(given) > 1 and not item.get("repeats"):
            problems.append(f"{link_id}: several answers to a non-repeating item")
        key = VALUE_KEYS[item["type"]]
        for answer in given:
            values = {k: v for k, v in answer.items() if k.startswith("value")}
            if list(values) != [key] or values[key] in ("", None, {}, []):
                problems.append(f"{link_id}: answer {answer} is not one {key} with a value")
                continue
            value = values[key]
            low, high = _extension(item, MIN_VALUE), _extension(item, MAX_VALUE)
            if key == "valueInteger" and ((low is not None and value < low) or (high is not None and value > high)):
                problems.append(f"{link_id}: {value} outside {low}..{high}")
            if key == "valueCoding" and value["code"] not in {o["valueCoding"]["code"] for o in item["answerOption"]}:
                problems.append(f"{link_id}: {value['code']} is not an answer option")
            if key == "valueString" and len(value) > item.get("maxLength", len(value)):
                problems.append(f"{link_id}: longer than maxLength")
        answers[link_id] = [a.get(key) for a in given]
    for link_id, item in items.items():
        shown = enabled(item, answers)
        if link_id in answers and not shown:
            problems.append(f"{link_id}: answered, but enableWhen does not hold")
        if response["status"] == "completed" and shown and item.get("required") and link_id not in answers:
            problems.append(f"{link_id}: required and enabled, but not answered")
    return problems


def by_type(bundle: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for entry in bundle.get("entry", []):
        found.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    return found


def canonical_index(questionnaires: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {f"{q['url']}|{q['version']}": q for q in questionnaires}
