"""Every shipped language is complete: each string marked for translation in the sources has a
translation (not empty, not fuzzy) in the patient and the clinician catalogs, and the committed
`.mo` files say what their `.po` files say."""

from __future__ import annotations

import pytest

from feedback import catalogs

CASES = [(d, lang) for d in catalogs.domains() for lang in catalogs.translated_languages()]
IDS = [f"{d.name}-{lang}" for d, lang in CASES]


@pytest.mark.parametrize(("domain", "language"), CASES, ids=IDS)
def test_every_marked_string_is_translated(domain: catalogs.Domain, language: str) -> None:
    gaps = catalogs.missing(domain, language)
    assert not gaps, f"{len(gaps)} untranslated in {domain.po_path(language)}, e.g. {gaps[:5]}"


@pytest.mark.parametrize(("domain", "language"), CASES, ids=IDS)
def test_compiled_catalog_is_current(domain: catalogs.Domain, language: str) -> None:
    assert not catalogs.stale_mo(domain, language), "run `flask --app app translations compile`"


def test_sources_mark_strings_for_translation() -> None:
    # A guard against the check passing because extraction found nothing (a broken babel.cfg).
    for domain in catalogs.domains():
        assert len(catalogs.extract(domain)) > 0, domain.mapping
