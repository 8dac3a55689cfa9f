"""The message catalogs' workflow: extract the English strings, update each language's catalog,
compile it, and check that a shipped language is complete.

`flask --app app translations update` after changing any text a person reads, then translate the
new entries in `<package>/translations/<lang>/LC_MESSAGES/<domain>.po`, then
`flask --app app translations compile`. The compiled `.mo` files are committed, so an install needs
no build step; tests/i18n fails when a catalog is incomplete or its `.mo` is older than its `.po`.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from gettext import GNUTranslations

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from flask.cli import AppGroup

from feedback.i18n import DEFAULT_LANGUAGE, DOMAINS, LANGUAGES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the source checkout


@dataclass(frozen=True)
class Domain:
    name: str
    directory: str

    @property
    def mapping(self) -> str:
        return os.path.join(self.directory, "babel.cfg")

    def po_path(self, language: str) -> str:
        return os.path.join(self.directory, language, "LC_MESSAGES", f"{self.name}.po")

    def mo_path(self, language: str) -> str:
        return self.po_path(language)[:-3] + ".mo"


def domains() -> Iterator[Domain]:
    for name, directory in DOMAINS.items():
        yield Domain(name, directory)


def translated_languages() -> tuple[str, ...]:
    return tuple(lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE)


def extract(domain: Domain) -> Catalog:
    """Every string marked for translation in the domain's sources, as a template catalog."""
    with open(domain.mapping) as handle:
        method_map, options_map = parse_mapping_cfg(handle, domain.mapping)
    catalog = Catalog(project="alliance-monitor", domain=domain.name, charset="utf-8")
    keywords = {
        "_": None, "N_": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)
    }
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=keywords, comment_tags=("TRANSLATORS:",), strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def read(path: str, language: str) -> Catalog:
    if not os.path.exists(path):
        return Catalog(locale=language, domain=os.path.basename(path)[:-3], charset="utf-8")
    with open(path, "rb") as handle:
        return read_po(handle, locale=language)


def update(domain: Domain, language: str) -> Catalog:
    """Merge the current source strings into the language's catalog (new ones untranslated,
    vanished ones dropped, changed ones marked fuzzy) and write it back."""
    catalog = read(domain.po_path(language), language)
    catalog.update(extract(domain), no_fuzzy_matching=False)
    catalog.obsolete.clear()  # version control keeps history; the file keeps only what is used
    os.makedirs(os.path.dirname(domain.po_path(language)), exist_ok=True)
    with open(domain.po_path(language), "wb") as handle:
        write_po(handle, catalog, width=100, sort_output=False, omit_header=False, include_previous=True)
    return catalog


def compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def compile_catalog(domain: Domain, language: str) -> None:
    with open(domain.mo_path(language), "wb") as handle:
        handle.write(compiled(read(domain.po_path(language), language)))


def missing(domain: Domain, language: str) -> list[str]:
    """Source strings with no usable translation (absent, empty or fuzzy) in the language."""
    catalog = read(domain.po_path(language), language)
    gaps = []
    for message in extract(domain):
        if not message.id:
            continue
        entry = catalog.get(message.id, context=message.context)
        strings = entry.string if entry is not None else None
        empty = not strings or (isinstance(strings, tuple) and not all(strings))
        if entry is None or empty or entry.fuzzy:
            gaps.append(message.id if isinstance(message.id, str) else message.id[0])
    return gaps


def stale_mo(domain: Domain, language: str) -> bool:
    """True when the committed `.mo` does not say what its `.po` says."""
    if not os.path.exists(domain.mo_path(language)):
        return True
    with open(domain.mo_path(language), "rb") as handle:
        committed = GNUTranslations(handle)
    fresh = GNUTranslations(io.BytesIO(compiled(read(domain.po_path(language), language))))
    return committed._catalog != fresh._catalog  # noqa: SLF001  (the only view gettext gives of a catalog)


translations_cli = AppGroup("translations", help="Extract, update, compile and check the message catalogs.")


@translations_cli.command("update")
def update_command() -> None:
    """Bring every language's catalog up to date with the source strings."""
    for domain in domains():
        for language in translated_languages():
            catalog = update(domain, language)
            todo = len(missing(domain, language))
            click.echo(f"{domain.po_path(language)}: {len(catalog)} entries, {todo} to translate")


@translations_cli.command("compile")
def compile_command() -> None:
    """Compile every catalog to the `.mo` file the app reads."""
    for domain in domains():
        for language in translated_languages():
            compile_catalog(domain, language)
            click.echo(f"compiled {domain.mo_path(language)}")


@translations_cli.command("check")
def check_command() -> None:
    """Exit non-zero when a shipped language misses a translation or a `.mo` is out of date."""
    problems = 0
    for domain in domains():
        for language in translated_languages():
            for msgid in missing(domain, language):
                problems += 1
                click.echo(f"{domain.name}/{language}: untranslated: {msgid!r}")
            if stale_mo(domain, language):
                problems += 1
                click.echo(f"{domain.name}/{language}: {domain.mo_path(language)} is out of date; run compile")
    if problems:
        raise click.ClickException(f"{problems} problem(s)")
    click.echo("every catalog is complete and compiled")
