"""The survey right to left. No right-to-left language ships yet, so the test adds Arabic for this
app (EXTRA_LANGUAGES) and a copy of the patient form with Arabic wording: the page is dir="rtl",
its CSS mirrors (logical properties: the error bar on the right, the choices' text from the right),
nothing overflows a phone's width, and axe finds nothing serious."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect

from feedback.extensions import db
from feedback.instruments.loader import BUILTIN_DIR
from tests.browser_support import assert_accessible

pytestmark = pytest.mark.browser

ARABIC = "نص عربي للاختبار"  # "Arabic text for the test": every text of the copy starts with it


def _with_arabic(value):
    """Every {en: …, es: …} text of the instrument file gains an Arabic version."""
    if isinstance(value, dict):
        if "en" in value and all(isinstance(v, str) for v in value.values()):
            return {**value, "ar": f"{ARABIC}: {value['en']}"}
        return {key: _with_arabic(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_with_arabic(v) for v in value]
    return value


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, object]:
    raw = yaml.safe_load((BUILTIN_DIR / "post-session-patient.yaml").read_text(encoding="utf-8"))
    raw = {**_with_arabic(raw), "version": "99", "languages": [*raw["languages"], "ar"]}
    raw["translations"] = {**raw["translations"], "ar": {"validated": False, "source": "test wording"}}
    (tmp_path / "arabic.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return {"EXTRA_LANGUAGES": ("ar",), "INSTRUMENT_DIRS": str(tmp_path)}


def test_the_survey_lays_out_right_to_left_on_a_phone(phone_page, make_session, make_patient):
    token = make_session(make_patient(language="ar")).links["patient"].token
    db.session.remove()
    page = phone_page
    page.goto(f"/s/{token}")
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl")
    expect(page.get_by_role("heading", level=1)).to_contain_text(ARABIC)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The comment's label and a choice's text start at the right edge.
    notice = page.locator(".notice").first
    assert notice.evaluate("e => getComputedStyle(e).borderRightWidth") == "4px"
    assert notice.evaluate("e => getComputedStyle(e).borderLeftWidth") == "0px"
    assert_accessible(page, "survey-rtl")

    page.get_by_role("button", name="Send my answers").tap()  # errors: the red bar on the starting (right) side
    expect(page.get_by_role("alert")).to_be_visible()
    question = page.locator("#q-bond_understood")
    assert question.evaluate("e => getComputedStyle(e).borderRightWidth") == "4px"
    assert question.evaluate("e => getComputedStyle(e).paddingRight") != "0px"
    assert question.evaluate("e => getComputedStyle(e).borderLeftWidth") == "0px"
    legend = question.locator("legend")
    box, field = legend.bounding_box(), question.bounding_box()
    assert abs((box["x"] + box["width"]) - (field["x"] + field["width"])) < 20  # the question starts on the right
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page, "survey-rtl-errors")
