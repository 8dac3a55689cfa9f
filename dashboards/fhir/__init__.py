"""FHIR R4: the clinic's questionnaires, sessions and answers out as a Bundle (a command, the
director's download, a read-only API under /fhir) and in through the CSV import's checks and writer.

Mapping (pure): `questionnaire` (instrument -> Questionnaire), `responses` (sessions, questionnaires,
outcome measures, treatments -> Encounter, QuestionnaireResponse, EpisodeOfCare), `observations`
(scores, flags, the project's CodeSystem), `bundle` (the streamed writer), `hygiene` (the input rule
on every string of an import bundle), `reader` and `items` (Bundle -> import rows), `search`. With
the database: `export`, `operations` (the import), `treatments`. Views: `views` (/fhir), `pages`
(the director's). Commands: `cli`. See docs/fhir.md.
"""

from __future__ import annotations

from flask import Flask

from dashboards.fhir import pages, views
from dashboards.fhir.operations import import_limit


def register(app: Flask) -> None:
    import_limit(app.config)  # a bad FHIR_IMPORT_MAX_MB stops the start, with the reason
    app.register_blueprint(views.bp)
    app.register_blueprint(pages.bp)
    views.register_unrouted(app)
