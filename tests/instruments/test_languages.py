"""An instrument's languages: every text in each, translations marked validated or not, and a
shipped version's wording never changing (a changed translation is a new version)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from feedback.instruments.languages import fingerprints
from feedback.instruments.loader import BUILTIN_DIR, InstrumentError, load_directories, parse_instrument

RECORDED = json.loads((Path(__file__).parent / "wording.json").read_text())
BUILTIN = load_directories([BUILTIN_DIR])


@pytest.mark.parametrize("key", sorted(BUILTIN), ids=lambda k: f"{k[0]}-v{k[1]}")
def test_a_shipped_versions_wording_never_changes(key):
    """Answers are stored with the version and language they were given in, so their wording is
    fixed: change a text and give the instrument a new version (a new file), then record it here."""
    instrument = BUILTIN[key]
    recorded = RECORDED.get(f"{instrument.id} {instrument.version}", {})
    for language, digest in fingerprints(instrument).items():
        assert language in recorded, f"record {instrument.id} v{instrument.version} {language}: {digest}"
        assert recorded[language] == digest, (
            f"the {language} wording of {instrument.id} v{instrument.version} changed: that is a new version"
        )


def test_the_fingerprint_sees_a_one_word_change_in_one_language():
    instrument = BUILTIN[("phq-9", "1")]
    raw = _raw(anchor_es="Ningun dia")
    changed = parse_instrument(raw, "x.yaml")
    assert fingerprints(changed)["en"] == fingerprints(_parse(_raw()))["en"]
    assert fingerprints(changed)["es"] != fingerprints(_parse(_raw()))["es"]
    assert instrument.translation_status("es") == "validated"


def test_shipped_spanish_is_marked():
    assert BUILTIN[("post-session-patient", "2")].translation_status("es") == "not validated"
    assert BUILTIN[("post-session-patient", "1")].translation_status("en") == "original"
    assert BUILTIN[("gad-7", "1")].translation_status("es") == "validated"


def test_a_translation_needs_its_validation_status():
    raw = _raw()
    del raw["translations"]
    with pytest.raises(InstrumentError, match='"es" needs an entry: validated true or false'):
        parse_instrument(raw, "x.yaml")


def test_every_text_needs_every_language():
    raw = _raw()
    raw["items"][0]["anchors"][1] = {"en": "Sometimes"}
    with pytest.raises(InstrumentError, match=r'item "q1", anchor 1: no "es" text'):
        parse_instrument(raw, "x.yaml")


def test_a_page_in_a_language_the_file_lacks_is_shown_and_stored_in_its_first():
    instrument = _parse(_raw())
    assert instrument.language_for("es") == "es"
    assert instrument.language_for("ar") == "en" and instrument.language_for(None) == "en"


def _parse(raw):
    return parse_instrument(raw, "x.yaml")


def _raw(anchor_es: str = "Ningún día"):
    return {
        "id": "tiny", "version": 1, "title": {"en": "Tiny", "es": "Pequeño"}, "respondent": "patient",
        "languages": ["en", "es"], "translations": {"es": {"validated": False, "source": "project"}},
        "items": [{"id": "q1", "type": "likert", "text": {"en": "How?", "es": "¿Cómo?"}, "min": 0, "max": 1,
                   "anchors": {0: {"en": "Not at all", "es": anchor_es}, 1: {"en": "Often", "es": "A menudo"}}}],
        "scales": {"s": {"items": ["q1"], "scoring": "sum", "label": {"en": "S", "es": "S"}}},
    }
