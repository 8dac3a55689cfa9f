"""The input-hygiene rule (`feedback/text_hygiene.py`) at the app's edges: every form field, every
path and query parameter, every command-line argument. The survey and the CSV importer apply it
where they read their answers and cells.

Refused form input comes back as the field's message (the view answers 422); a refused path
parameter matches no route (404); a refused query parameter answers 422; a refused argument
stops the command with click's usage error. A file field's text is the name its upload carries;
its contents are a format (JSON, CSV) that only the use case reading them can take apart, so that
use case applies the rule to every string in them (the FHIR import: `dashboards/fhir/hygiene.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import click
from flask import Flask, abort, request
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage
from werkzeug.routing import IntegerConverter, PathConverter, UnicodeConverter, ValidationError
from wtforms import Field, IntegerField, PasswordField, StringField, TextAreaField
from wtforms.validators import StopValidation

from feedback.i18n import translated
from feedback.phrases import phrase
from feedback.text_hygiene import (
    LARGEST_NUMBER,
    HostileText,
    clean,
    has_foreign_digits,
    refused_character,
    whole_number,
)
from feedback.translatable import N_

DIGITS_ONLY = N_("Write the number with the digits 0-9.")


class HygienicForm(FlaskForm):
    """The base of every form: each field refuses what the rule refuses, before its own
    validators, and a text field's data is NFC-normalised (a password's is kept as typed: its
    hash must match what its owner types next time)."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Field:
            field = super().bind_field(form, unbound_field, options)  # type: ignore[misc]
            field.validators = [_refuse_hostile_input, *field.validators]
            if isinstance(field, StringField) and not isinstance(field, PasswordField):
                multiline = isinstance(field, TextAreaField)
                field.filters = (*field.filters, lambda data: _normalised(data, multiline))
            return field


def _normalised(data: Any, multiline: bool) -> Any:
    if not isinstance(data, str):
        return data
    try:
        return clean(data, multiline=multiline)
    except HostileText:
        return data  # refused by the validator, with the field's message


def _refuse_hostile_input(form: Any, field: Field) -> None:
    text_field = isinstance(field, StringField)
    for value in field.raw_data or ():
        if isinstance(value, FileStorage):
            _refuse_hostile_file_name(value.filename or "")
            continue  # its contents: the use case that reads them applies the rule
        if not isinstance(value, str):
            continue
        character = refused_character(value, multiline=isinstance(field, TextAreaField))
        if character is not None:
            raise StopValidation(translated(phrase(N_("The text %(refusal)s."), refusal=HostileText(character).clause)))
        if not text_field and has_foreign_digits(value):
            raise StopValidation(translated(DIGITS_ONLY))
        if isinstance(field, IntegerField) and value.strip() and not field.process_errors:
            try:
                whole_number(value.strip())
            except ValueError:
                raise StopValidation(translated(phrase(
                    N_("The number is not a whole number from 0 to %(largest)s written with the digits 0-9."),
                    largest=LARGEST_NUMBER))) from None


def _refuse_hostile_file_name(name: str) -> None:
    """Digits of any script are fine in a file's name; the rule's characters are not."""
    character = refused_character(name)
    if character is not None:
        refusal = HostileText(character).clause
        raise StopValidation(translated(phrase(N_("The file's name %(refusal)s."), refusal=refusal)))


def _path_text(value: str) -> str:
    """A path parameter the rule refuses matches no route: 404, as for any unknown address."""
    try:
        return clean(value)
    except HostileText:
        raise ValidationError() from None


class TextConverter(UnicodeConverter):
    def to_python(self, value: str) -> str:
        return _path_text(value)


class PathTextConverter(PathConverter):
    def to_python(self, value: str) -> str:
        return _path_text(value)


class NumberConverter(IntegerConverter):
    """0-9 only (werkzeug's `\\d` takes any script's digits), and no larger than a database integer:
    /sessions/99999999999999999999 is an unknown session, not an overflow."""

    regex = r"[0-9]+"

    def to_python(self, value: str) -> Any:
        try:
            whole_number(value)
        except ValueError:
            raise ValidationError() from None
        return super().to_python(value)


def init_app(app: Flask) -> None:
    """Before any route is added: a rule takes its converters from the map when it is added."""
    app.url_map.converters.update(default=TextConverter, string=TextConverter, path=PathTextConverter,
                                  int=NumberConverter)
    app.before_request(_refuse_hostile_query)


def _refuse_hostile_query() -> None:
    for name, value in request.args.items(multi=True):
        try:
            clean(name)
            clean(value)
        except HostileText as exc:
            refused = (phrase(N_("The search or filter “%(name)s” %(refusal)s."), name=name, refusal=exc.clause)
                       if refused_character(name) is None
                       else phrase(N_("The search or filter of the address %(refusal)s."), refusal=exc.clause))
            abort(422, refused)  # a phrase: said in the error page's language


class CliText(click.types.StringParamType):
    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return clean(super().convert(value, param, ctx))
        except HostileText as exc:
            self.fail(str(exc), param, ctx)


class _AsciiDigits(click.ParamType):
    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and has_foreign_digits(value):
            self.fail(DIGITS_ONLY, param, ctx)
        return super().convert(value, param, ctx)


class CliInt(_AsciiDigits, click.types.IntParamType):
    pass


class CliIntRange(_AsciiDigits, click.IntRange):
    pass


def guard_commands(group: click.Group) -> None:
    """Give every text and integer argument and option of this app's own commands the rule.
    Idempotent: the app factory runs it for each app, on the same command objects."""
    for command in _own_commands(group):
        for param in command.params:
            param.type = _hygienic(param.type)


def _own_commands(group: click.Group) -> Iterator[click.Command]:
    for command in group.commands.values():
        if isinstance(command, click.Group):
            yield from _own_commands(command)
        elif command.callback is not None and command.callback.__module__.startswith(("feedback.", "dashboards.")):
            yield command


def _hygienic(kind: click.ParamType) -> click.ParamType:
    if type(kind) is click.types.StringParamType:
        return CliText()
    if type(kind) is click.types.IntParamType:
        return CliInt()
    if type(kind) is click.IntRange:
        return CliIntRange(kind.min, kind.max, min_open=kind.min_open, max_open=kind.max_open, clamp=kind.clamp)
    return kind
