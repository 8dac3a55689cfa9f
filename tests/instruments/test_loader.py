"""Instrument files: the shipped ones load; malformed ones are refused with file, item, problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from feedback.instruments.loader import BUILTIN_DIR, InstrumentError, load_directories, load_file

PATIENT = BUILTIN_DIR / "post-session-patient.yaml"
DOCS_EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "licensed-instrument.yaml"


def _write(tmp_path: Path, raw: dict, name: str = "broken.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


@pytest.fixture
def raw() -> dict:
    return yaml.safe_load(PATIENT.read_text())


def test_builtin_instruments_have_the_items_the_rules_need():
    found = load_directories([BUILTIN_DIR])
    patient = found[("post-session-patient", "1")]
    therapist = found[("post-session-therapist", "1")]
    for instrument in (patient, therapist):
        assert set(instrument.scales) == {"bond", "task", "goal", "alliance"}
        for item_id in ("rupture", "rupture_tension", "rupture_resolved"):
            instrument.item(item_id)
        assert instrument.item("rupture_tension").show_if.item == "rupture"
        assert "not yet validated" in instrument.status.lower()
    for item_id in ("held_back", "went_along", "frustrated", "comment"):
        patient.item(item_id)
    assert patient.scales["alliance"].norms.sd > 0
    assert set(therapist.item("markers").option_ids) == {"withdrawal_away", "withdrawal_toward", "confrontation"}
    assert set(therapist.item("strategy").option_ids) >= {"clarify", "change_task", "metacommunicate", "new_experience"}
    # About 8-12 taps: every question shown without a rupture, plus 2 follow-ups with one.
    required_taps = [i for i in patient.items if i.required and i.show_if is None]
    assert 8 <= len(required_taps) <= 12


@pytest.mark.parametrize(
    ("mutate", "where", "problem"),
    [
        (lambda r: r["items"][0].pop("text"), 'item "bond_understood"', "'text' is a required property"),
        (lambda r: r["items"][1].update(type="slider"), 'item "bond_trust"', "'slider' is not one of"),
        (lambda r: r["items"][0].update(min=5, max=1), 'item "bond_understood"', "min (5) must be below max (1)"),
        (lambda r: r["items"][0].update(anchors={"9": "x", "1": "y"}), 'item "bond_understood"', "anchor 9 is outside"),
        (lambda r: r["items"][7].update(show_if={"item": "nope", "equals": True}), 'item "rupture_tension"', "not an earlier item"),
        (lambda r: r["items"][7].update(show_if={"item": "rupture", "equals": 3}), 'item "rupture_tension"', "can never be an answer"),
        (lambda r: r["items"].append(dict(r["items"][0])), 'item "bond_understood"', "duplicate item id"),
        (lambda r: r["scales"]["bond"]["items"].append("ghost"), 'scale "bond"', 'unknown item "ghost"'),
        (lambda r: r["scales"]["bond"].update(reverse=["task_fit"]), 'scale "bond"', "reverse-keyed items must be among"),
        (lambda r: r["scales"]["bond"]["items"].append("comment"), 'scale "bond"', "only likert items can be scored"),
        (lambda r: r["scales"]["alliance"]["norms"].update(reliability=1.5), 'scale "alliance", field \'norms.reliability\'', "1.5"),
        (lambda r: r.pop("id"), "top level", "'id' is a required property"),
    ],
)
def test_malformed_file_is_refused_naming_file_item_and_problem(tmp_path, raw, mutate, where, problem):
    mutate(raw)
    path = _write(tmp_path, raw)
    with pytest.raises(InstrumentError) as caught:
        load_file(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    assert where in message
    assert problem in message


def test_unparseable_file_is_refused(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("id: [unclosed\n")
    with pytest.raises(InstrumentError, match="bad.yaml: file: is not valid YAML"):
        load_file(path)


def test_json_files_are_accepted(tmp_path, raw):
    import json

    raw["id"] = "json-copy"
    path = tmp_path / "copy.json"
    path.write_text(json.dumps(raw))
    assert load_file(path).id == "json-copy"


def test_same_id_and_version_twice_is_refused(tmp_path, raw):
    _write(tmp_path, raw, "a.yaml")
    _write(tmp_path, raw, "b.yaml")
    with pytest.raises(InstrumentError, match="already defined"):
        load_directories([tmp_path])


def test_documented_example_loads():
    instrument = load_file(DOCS_EXAMPLE)
    assert instrument.scales and instrument.items
