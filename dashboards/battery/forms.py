"""The battery form: a few numbered places, each an outcome measure and how often it is asked, in
the order the patient answers them after the alliance form. Plain fields, no script needed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import lazy_gettext
from wtforms import IntegerField, RadioField, SelectField
from wtforms.fields import SelectChoice
from wtforms.validators import NumberRange, Optional

from feedback.battery.rules import DEFAULT_N, DEFAULT_WEEKS, EVERY, LARGEST_N, LARGEST_WEEKS, Entry
from feedback.i18n import gettext as _
from feedback.text_edges import HygienicForm

#: Places on the form: more measures after every session than this is a burden, not a battery.
PLACES = 4
NONE = ""


class BatteryForm(HygienicForm):
    def set_measures(self, measures: Mapping[str, str]) -> None:
        """The outcome measures to choose from: id -> title."""
        for place in range(1, PLACES + 1):
            self[f"measure_{place}"].choices = [SelectChoice(NONE, lazy_gettext("None")),
                                                *(SelectChoice(i, title) for i, title in measures.items())]

    def fill(self, entries: Sequence[Entry]) -> None:
        for place, entry in enumerate(entries[:PLACES], start=1):
            self[f"measure_{place}"].data = entry.instrument
            self[f"every_{place}"].data = entry.every
            self[f"n_{place}"].data = entry.n
            self[f"weeks_{place}"].data = entry.weeks

    def places(self) -> list[tuple[int, list[Any]]]:
        """Each place's number and its fields, for the template."""
        return [(p, [self[f"{name}_{p}"] for name in ("measure", "every", "n", "weeks")]) for p in range(1, PLACES + 1)]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        chosen: dict[str, int] = {}
        for place in range(1, PLACES + 1):
            measure = self[f"measure_{place}"].data
            if not measure:
                continue
            if measure in chosen:
                valid = _refuse(self[f"measure_{place}"],
                                _("This measure is already number %(n)s.", n=chosen[measure]))
            chosen.setdefault(measure, place)
            every = self[f"every_{place}"].data
            if every == "nth" and self[f"n_{place}"].data is None:
                valid = _refuse(self[f"n_{place}"], _("Say how many sessions apart, e.g. 2 for every 2nd session."))
            if every == "intake_and_weeks" and self[f"weeks_{place}"].data is None:
                valid = _refuse(self[f"weeks_{place}"], _("Say how many weeks apart, e.g. 4."))
        return valid

    def battery(self) -> list[dict[str, Any]]:
        """The places with a measure, in order, as the battery's entries (checked again by its rules)."""
        return [{"instrument": self[f"measure_{p}"].data, "every": self[f"every_{p}"].data,
                 "n": self[f"n_{p}"].data or DEFAULT_N, "weeks": self[f"weeks_{p}"].data or DEFAULT_WEEKS}
                for p in range(1, PLACES + 1) if self[f"measure_{p}"].data]


def _refuse(field: Any, message: str) -> bool:
    field.errors = [*field.errors, message]
    return False


for _place in range(1, PLACES + 1):
    setattr(BatteryForm, f"measure_{_place}", SelectField(lazy_gettext("Measure %(n)s", n=_place), default=NONE))
    setattr(BatteryForm, f"every_{_place}", SelectField(
        lazy_gettext("How often (measure %(n)s)", n=_place), default="session",
        # the words are marked in feedback.battery.rules
        choices=[SelectChoice(key, lazy_gettext(words)) for key, words in EVERY.items()]))
    setattr(BatteryForm, f"n_{_place}", IntegerField(
        lazy_gettext("Every n-th session: n (measure %(n)s)", n=_place), default=DEFAULT_N,
        render_kw={"inputmode": "numeric"},
        validators=[Optional(), NumberRange(1, LARGEST_N, lazy_gettext("Enter a number of sessions from 1 to %(n)s.",
                                                               n=LARGEST_N))]))
    setattr(BatteryForm, f"weeks_{_place}", IntegerField(
        lazy_gettext("Weeks apart after intake (measure %(n)s)", n=_place), default=DEFAULT_WEEKS,
        render_kw={"inputmode": "numeric"},
        validators=[Optional(), NumberRange(1, LARGEST_WEEKS, lazy_gettext("Enter a number of weeks from 1 to %(n)s.",
                                                                   n=LARGEST_WEEKS))]))


class ClinicBatteryForm(BatteryForm):
    pass


class PatientBatteryForm(BatteryForm):
    source = RadioField(lazy_gettext("Which battery"), default="clinic", choices=[
        SelectChoice("clinic", lazy_gettext("The clinic's battery")),
        SelectChoice("own", lazy_gettext(
            "This patient's own battery, set below (leave every place at None to ask none)")),
    ])
