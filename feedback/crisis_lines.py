"""Where a patient in crisis can get help now, by country: the default crisis text (pure data).

A clinic that sets its own crisis text (per language, on the director's safety page) replaces
these. Each number below is cited where it is published; the country is the one of the clinic's
time zone (`feedback.phones.region_for_zone`). A country missing here gets the generic words,
which name no number. Review this table when a service changes its number.
"""

from __future__ import annotations

from dataclasses import dataclass

from feedback.phrases import Phrase, phrase
from feedback.translatable import N_


@dataclass(frozen=True)
class CrisisLines:
    #: What to dial when life is in danger (marked for translation where it has words).
    emergency: str
    #: A free line to talk to someone now, in a sentence (marked for translation).
    talk: str


COUNTRIES: dict[str, CrisisLines] = {
    # 911: 911.gov (NHTSA's National 911 Program). 988 Suicide & Crisis Lifeline, call or text,
    # 24/7 since 16 July 2022: 988lifeline.org.
    "US": CrisisLines("911", N_("call or text 988 (the 988 Suicide & Crisis Lifeline), free, any time")),
    # 9-1-1: CRTC, "9-1-1 services" (crtc.gc.ca). 9-8-8 Suicide Crisis Helpline, call or text, 24/7
    # since 30 November 2023 (Government of Canada announcement, that day): 988.ca.
    "CA": CrisisLines("911", N_("call or text 9-8-8 (the Suicide Crisis Helpline), free, any time")),
    # 999 and NHS 111 for urgent mental-health help: NHS, "Where to get urgent help for mental
    # health" (nhs.uk). Samaritans 116 123, free from any phone, 24/7: samaritans.org, "Contact us".
    "GB": CrisisLines("999", N_("call NHS 111 for urgent mental-health help, or Samaritans free on 116 123, any time")),
    # 112 or 999: HSE, "Get urgent help for your mental health" (hse.ie). Samaritans Ireland
    # 116 123, free, 24/7: samaritans.org/ireland.
    "IE": CrisisLines(N_("112 or 999"), N_("call Samaritans free on 116 123, any time")),
    # 112: the European emergency number (European Commission, digital-strategy.ec.europa.eu,
    # "112"). 024, Línea de atención a la conducta suicida, free, 24/7 since 10 May 2022:
    # Ministerio de Sanidad (sanidad.gob.es, "Línea 024"); the number allocated in the BOE of 20 December 2021.
    "ES": CrisisLines("112", N_("call 024, the free line for people with thoughts of suicide, any time")),
    # 112, or 15 (SAMU): service-public.fr, "Numéros d'urgence". 3114, numéro national de
    # prévention du suicide, free, 24/7 since 1 October 2021: 3114.fr.
    "FR": CrisisLines(N_("112 (or 15)"), N_("call 3114, the free national suicide prevention line, any time")),
    # 112: as for Spain. TelefonSeelsorge 0800 111 0 111 and 0800 111 0 222, free, 24/7:
    # telefonseelsorge.de.
    "DE": CrisisLines("112", N_("call TelefonSeelsorge free on 0800 111 0 111 or 0800 111 0 222, any time")),
    # 000: triplezero.gov.au. Lifeline 13 11 14, 24/7: lifeline.org.au.
    "AU": CrisisLines("000", N_("call Lifeline on 13 11 14, any time")),
    # 111: NZ Police, "Call 111" (police.govt.nz). 1737, free call or text, 24/7 since 29 June 2017
    # (Minister of Health's announcement, that day): 1737.org.nz.
    "NZ": CrisisLines("111", N_("call or text 1737 to talk to a trained counsellor, free, any time")),
}

#: Where the country is not in the table (or the zone names none, e.g. UTC).
GENERIC = CrisisLines(N_("your local emergency number"), "")


def lines_for(region: str | None) -> CrisisLines:
    return COUNTRIES.get(region or "", GENERIC)


def default_crisis_text(region: str | None) -> Phrase:
    """What a patient reads after a risk answer when the clinic has written nothing of its own
    (a phrase: `str()` is the English, the edge translates it with `feedback.i18n.translated`).

    It says what to do now and promises nothing: no call-back, no reading of the answers."""
    lines = lines_for(region)
    if lines.talk:
        return phrase(
            N_("Your answers are not monitored in real time. If you are in danger now, or might act on thoughts of "
               "harming yourself, call %(emergency)s or go to the nearest emergency department. If you need to talk "
               "to someone now, %(talk)s. Please also tell your therapist at your next contact."),
            emergency=phrase(lines.emergency), talk=phrase(lines.talk),
        )
    return phrase(
        N_("Your answers are not monitored in real time. If you are in danger now, or might act on thoughts of "
           "harming yourself, call %(emergency)s or go to the nearest emergency department. Please also tell your "
           "therapist at your next contact."),
        emergency=phrase(lines.emergency),
    )


def emergency_notice(region: str | None) -> Phrase:
    """The line every patient form shows before its first question."""
    return phrase(
        N_("Your answers are not monitored in real time. In an emergency, call %(emergency)s or go to the nearest "
           "emergency department."),
        emergency=phrase(lines_for(region).emergency),
    )
