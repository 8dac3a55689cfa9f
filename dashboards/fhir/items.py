"""A QuestionnaireResponse as the cells of an import row: its questionnaire, patient, session,
respondent and answers, each type-checked against the questionnaire it names.
Plain functions: no database, no request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dashboards.fhir import systems
from dashboards.fhir.problems import shown
from dashboards.fhir.questionnaire import ANSWER_KEYS, ITEM_TYPES
from dashboards.fhir.reader import Practitioner, Resource
from dashboards.importer.item_cells import MULTIPLE_SEPARATOR
from dashboards.importer.rows import RESPONDENT, InstrumentLookup, no_instrument
from feedback.instruments.answers import NO, YES
from feedback.instruments.model import Instrument, Item
from feedback.phrases import Listed, phrase
from feedback.translatable import N_

STATUSES = ("completed", "in-progress", "stopped")  # in-progress, stopped: sent and not answered
QUESTIONNAIRE_PREFIX = systems.questionnaire_url("")
PYTHON_TYPES = {"valueInteger": int, "valueBoolean": bool, "valueString": str, "valueCoding": dict}
NESTED = phrase(N_("nested items are not imported: these questionnaires have no groups"))

Sessions = Mapping[str, tuple[dict[str, str], Practitioner | None]]


def read_response(resource: Resource, sessions: Sessions, *, instruments: InstrumentLookup) -> dict[str, str] | None:
    """The row's cells (without the therapist), or None when the response has problems (filed)."""
    data, before = resource.data, len(resource.reading.problems)
    status = data.get("status")
    if status not in STATUSES:
        resource.problem("status", phrase(N_("is %(value)s; %(statuses)s are imported"), value=shown(str(status)),
                                          statuses=Listed(tuple(STATUSES), ", ")))
    instrument = _questionnaire(resource, instruments)
    code = resource.patient_code("subject")
    cells: dict[str, str] = {}
    session = _session(resource, cells, sessions)
    if instrument is not None:
        cells.update(respondent=instrument.respondent, instrument_id=instrument.id,
                     instrument_version=instrument.version)
        resource.origin.paths.update(instrument_id="QuestionnaireResponse.questionnaire",
                                     instrument_version="QuestionnaireResponse.questionnaire")
        _author(resource, instrument)
        if isinstance(data.get("language"), str):  # checked against the instrument's languages like a CSV cell
            cells["language"] = data["language"]
            resource.origin.paths["language"] = "QuestionnaireResponse.language"
        answers = _answers(resource, instrument)
        if status == "completed" and answers == {}:
            resource.problem("item", phrase(N_("a completed response answers its questions")))
        elif status != "completed" and answers:
            resource.problem("item", phrase(N_("a response that is %(status)s carries no answers; only a completed one "
                                                "does"), status=status))
        cells.update(answers)
    if code is None or len(resource.reading.problems) > before:
        return None
    cells["patient_code"] = code
    session = session or sessions.get(f"{code}/{cells.get('session_number')}")
    cells["attendance"] = session[0].get("attendance", "attended") if session else "attended"
    return cells


def _questionnaire(resource: Resource, instruments: InstrumentLookup) -> Instrument | None:
    canonical = resource.data.get("questionnaire")
    if not isinstance(canonical, str) or not canonical.startswith(QUESTIONNAIRE_PREFIX):
        resource.problem("questionnaire", phrase(N_("%(value)s is not one of this app's questionnaires "
                                                    "(%(prefix)s<id>|<version>; see /fhir/Questionnaire)"),
                                                 value=shown(str(canonical)), prefix=QUESTIONNAIRE_PREFIX))
        return None
    instrument_id, _, version = canonical.removeprefix(QUESTIONNAIRE_PREFIX).partition("|")
    try:
        return instruments(instrument_id, version or None)
    except LookupError:
        reason = no_instrument(shown(instrument_id), version and shown(version))
        resource.problem("questionnaire", phrase(N_("unknown questionnaire: %(reason)s"), reason=reason))
        return None


def _session(resource: Resource, cells: dict[str, str], sessions: Sessions):
    """The session from the session extension, else from the referenced Encounter of the bundle."""
    has_extension = resource.session(cells)
    reference = resource.data.get("encounter")
    url = reference.get("reference") if isinstance(reference, dict) else None
    session = sessions.get(url) if isinstance(url, str) else None
    if session is not None:
        for column in ("session_number", "session_date"):
            if column in cells and cells[column] != session[0][column]:
                resource.problem("encounter", phrase(N_("names session %(number)s of %(date)s, but the session "
                                                        "extension another"), number=session[0]["session_number"],
                                                     date=session[0]["session_date"]))
            cells.setdefault(column, session[0][column])
            resource.origin.paths.setdefault(column, "QuestionnaireResponse.encounter")
    elif not has_extension:
        resource.problem("extension", phrase(N_("names no session: the session extension, or an Encounter of the "
                                                "bundle in `encounter`")))
    return session


def _author(resource: Resource, instrument: Instrument) -> None:
    author = resource.data.get("author")
    expected = "Patient" if instrument.respondent == "patient" else "Practitioner"
    if isinstance(author, dict) and author.get("type") not in (None, expected):
        resource.problem("author.type", phrase(N_("%(instrument)s is answered by the %(respondent)s: its author is "
                                                  "a %(expected)s"), instrument=instrument.id,
                                               respondent=RESPONDENT[instrument.respondent], expected=expected))
    resource.origin.paths["respondent"] = "QuestionnaireResponse.author"


def _answers(resource: Resource, instrument: Instrument) -> dict[str, str]:
    items = resource.data.get("item", [])
    if not isinstance(items, list):
        resource.problem("item", phrase(N_("is not a list")))
        return {}
    known = {item.id: item for item in instrument.items}
    cells: dict[str, str] = {}
    for k, entry in enumerate(items):
        path = f"item[{k}]"
        link_id = entry.get("linkId") if isinstance(entry, dict) else None
        if not isinstance(link_id, str):
            resource.problem(path, phrase(N_("an item without a linkId")))
        elif "item" in entry:  # before anything else: a nested item is never walked
            resource.problem(f"{path}.item", NESTED)
        elif link_id not in known:
            resource.problem(f"{path}.linkId", phrase(N_("%(value)s is not an item of %(instrument)s version "
                                                         "%(version)s"), value=shown(repr(link_id)),
                                                      instrument=instrument.id, version=instrument.version))
        elif link_id in cells:
            resource.problem(f"{path}.linkId", phrase(N_("%(item)s is answered twice"), item=link_id))
        else:
            cell = _cell(resource, path, instrument, known[link_id], entry.get("answer"))
            if cell is not None:
                cells[link_id] = cell
    return cells


def _cell(resource: Resource, path: str, instrument: Instrument, item: Item, answers: Any) -> str | None:
    """The answers to one item as the importer's cell: 4, yes, partly, a;b, text."""
    if not isinstance(answers, list) or not answers:
        resource.problem(f"{path}.answer", phrase(N_("an item without an answer is left out, not sent empty")))
        return None
    if len(answers) > 1 and item.type != "multiple_choice":
        resource.problem(f"{path}.answer", phrase(N_("%(item)s takes one answer, not %(n)s"), item=item.id,
                                                  n=len(answers)))
        return None
    key, values = ANSWER_KEYS[item.type], []
    for a, answer in enumerate(answers):
        where = f"{path}.answer[{a}]"
        given = [name for name in answer if name.startswith("value")] if isinstance(answer, dict) else []
        if isinstance(answer, dict) and "item" in answer:
            resource.problem(f"{where}.item", NESTED)
            return None
        if given != [key]:
            found = Listed(tuple(given), ", ") if given else phrase(N_("no value"))
            resource.problem(where, phrase(N_("%(found)s does not answer %(item)s, a %(kind)s item: expected %(key)s"),
                                           found=found, item=item.id, kind=ITEM_TYPES[item.type], key=key))
            return None
        value = answer[key]
        if not isinstance(value, PYTHON_TYPES[key]) or (key == "valueInteger" and isinstance(value, bool)):
            resource.problem(f"{where}.{key}", phrase(N_("%(value)s is not a %(kind)s"), value=shown(repr(value)),
                                                      kind=key[5:].lower()))
            return None
        if key == "valueCoding":
            value = _option(resource, f"{where}.{key}", instrument, item, value)
            if value is None:
                return None
        if value == "":
            resource.problem(f"{where}.{key}", phrase(N_("an empty answer: leave the item out instead")))
            return None
        values.append(YES if value is True else NO if value is False else str(value))
    resource.origin.paths[item.id] = f"QuestionnaireResponse.{path}.answer" + (
        f"[0].{key}" if len(answers) == 1 else "")
    return MULTIPLE_SEPARATOR.join(values)


def _option(resource: Resource, path: str, instrument: Instrument, item: Item, coding: dict[str, Any]) -> str | None:
    system, code = coding.get("system"), coding.get("code")
    if system not in (None, systems.option_system(instrument.id, item.id)):
        resource.problem(f"{path}.system", phrase(N_("%(value)s is not the system of %(item)s's options"),
                                                  value=shown(str(system)), item=item.id))
        return None
    if not isinstance(code, str) or code not in item.option_ids:
        resource.problem(f"{path}.code", phrase(N_("%(value)s is not an option of %(item)s: %(options)s"),
                                                value=shown(str(code)), item=item.id,
                                                options=Listed(tuple(item.option_ids), ", ")))
        return None
    return code
