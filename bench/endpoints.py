"""The endpoints over HTTP: gunicorn as in production, each endpoint driven by wrk next to the
baseline `/healthz` in the same server and run; the survey page's weight and outside requests."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from flask import Flask
from sqlalchemy import select

from bench.answer_flag import measure_answer_to_flag
from bench.cookies import clinician_cookie
from bench.dataset import Data
from bench.load import SURVEY, Run, Summary, probe, wrk
from bench.report import Endpoint, Measured, step
from bench.server import Gunicorn
from feedback import tokens
from feedback.extensions import db
from feedback.link_csrf import form_token
from feedback.links import session_instruments
from feedback.models import Invitation

GET_TOKENS = 200
POST_CSRF_MARKER = "CSRFTOKENOFTHELINK"  # in the answers file; bench/lua/survey.lua puts each link's in


def open_pool_tokens(pool: dict[str, str]) -> list[str]:
    hashes = set(
        db.session.scalars(
            select(Invitation.token_hash).where(Invitation.completed_at.is_(None), Invitation.token_hash.in_(pool))
        )
    )
    db.session.rollback()
    return [token for digest, token in pool.items() if digest in hashes]


def answers_body(csrf_token: str, *, rupture: bool = False) -> str:
    """A valid patient form: every item answered, no rupture (or one left unresolved, a high flag)."""
    fields: list[tuple[str, str]] = [("csrf_token", csrf_token), ("started", str(int(time.time()) - 60))]
    ruptured = {"rupture": "yes", "rupture_tension": "5", "rupture_resolved": "1"} if rupture else {}
    for item in session_instruments()["patient"].items:
        if item.id in ruptured:
            fields.append((item.id, ruptured[item.id]))
        elif item.type == "likert":
            fields.append((item.id, "4" if not item.id.startswith(("held", "went", "frus")) else "1"))
        elif item.type == "yes_no":
            fields.append((item.id, "no"))
        elif item.type == "text":
            fields.append((item.id, "Thanks, helpful today."))
    return urlencode(fields)


def answer_links(base: str, csrf: dict[str, str], work: Path, seconds: float) -> Run:
    """wrk POSTs the answers in `work`/answers.txt to the open links of `csrf` (link: its CSRF token),
    each link once."""
    lines = [f"{link} {token}" for link, token in csrf.items()]
    (work / "post-tokens.txt").write_text("\n".join(lines) + "\n")
    args = [str(work / "post-tokens.txt"), "POST", str(work / "answers.txt"), POST_CSRF_MARKER]
    run = wrk(base, seconds=seconds, script=SURVEY, args=args)
    # The script cycles through its tokens: past the last, it would post to answered links,
    # whose "already answered" page is no answer stored.
    if run.requests > len(lines):
        raise RuntimeError(f"the survey pool ran dry: {run.requests} POSTs, {len(lines)} open links; "
                           "make the pool larger")
    return run


def link_form_tokens(app: Flask, links: list[str]) -> dict[str, str]:
    """Each link's CSRF token, as its page carries it (feedback/link_csrf.py)."""
    with app.app_context():
        return {link: form_token(link) for link in links}


def summarise(timing: dict[str, int], one_run: Callable[[float], Run]) -> Summary:
    one_run(timing["warmup"])
    return Summary(tuple(one_run(timing["seconds"]) for _ in range(timing["runs"])))


def survey_weight(base: str, token: str, out: Measured) -> None:
    status, body, headers = probe(f"{base}/s/{token}")
    html = body.decode("utf-8")
    css = 0
    for href in re.findall(r'<link[^>]+rel="stylesheet"[^>]*href="([^"]+)"', html) + re.findall(
        r'<link[^>]+href="([^"]+)"[^>]*rel="stylesheet"', html
    ):
        css += len(probe(base + href)[1])
    scripts = re.findall(r'<script\b[^>]*src="([^"]+)"', html)
    js = sum(len(probe(base + src)[1]) for src in scripts if src.startswith("/"))
    host = urlsplit(base).netloc
    links = re.findall(r'(?:src|href|action)="((?:https?:)?//[^"]+)"', html)
    others = sorted({urlsplit(u).netloc for u in links} - {host})
    kib = (len(body) + css) / 1024
    out.add(
        "Survey page weight (HTML + CSS, uncompressed)",
        f"{len(body) / 1024:.1f} + {css / 1024:.1f} = {kib:.1f} KB (status {status})",
        "≤ 30 KB",
        kib <= 30,
    )
    plain_form = bool(re.search(r'<form method="post"', html)) and 'type="submit"' in html
    out.add(
        "Survey page without JavaScript (plain form POST; the POST bench sends exactly that)",
        f"{len(scripts)} optional script(s), {js / 1024:.1f} KB; plain HTML form: {'yes' if plain_form else 'no'}",
        "no JavaScript needed",
        plain_form,
    )
    out.add("Survey page: requests to other hosts", f"{len(others)} {' '.join(others)}", "none", not others)
    if "Content-Security-Policy" in headers:
        out.add("Survey page: Content-Security-Policy", headers["Content-Security-Policy"][:120])


def within(ratio: float, p95_times: float) -> Callable[[Summary, Summary], bool]:
    def check(s: Summary, base: Summary) -> bool:
        return s.per_second >= ratio * base.per_second and s.p95_ms <= p95_times * base.p95_ms

    return check


def under(ms: float) -> Callable[[Summary, Summary], bool]:
    return lambda s, base: s.p95_ms <= ms


def measure_http(
    app: Flask, env: dict[str, str], data: Data, timing: dict[str, int], log: Path, out: Measured,
    *, survey_only: bool = False,
) -> None:
    pool = open_pool_tokens(data.pool)
    get_tokens, post_pool = pool[:GET_TOKENS], {tokens.hash_token(t): t for t in pool[GET_TOKENS:]}
    work = log.parent
    (work / "get-tokens.txt").write_text("\n".join(get_tokens) + "\n")
    # The POST runs send each link's answers with that link's CSRF token, put in by the script.
    (work / "answers.txt").write_text(answers_body(POST_CSRF_MARKER))
    post_csrf = link_form_tokens(app, list(post_pool.values()))
    n = data.main.patients
    with Gunicorn(env, log) as server:
        base = server.url
        step(f"gunicorn up at {base}; wrk runs")
        out.load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
        survey_weight(base, get_tokens[0], out)
        out.baseline = summarise(timing, lambda s: wrk(base + "/healthz", seconds=s))

        survey_get = Endpoint(
            "Survey page GET `/s/<token>`", "", "≥ 40% of baseline req/s; p95 ≤ 2.5× baseline", within(0.40, 2.5)
        )
        survey_get.summary = summarise(
            timing, lambda s: wrk(base, seconds=s, script=SURVEY, args=[str(work / "get-tokens.txt"), "GET"])
        )
        # Before the POST runs, whose thousands of answers would give the worker a backlog first.
        measure_answer_to_flag(app, env, base, open_pool_tokens(post_pool),
                               lambda link: answers_body(post_csrf[link], rupture=True), log, out)

        def post_run(seconds: float) -> Run:
            time.sleep(1)  # let the previous run's last requests finish: their tokens are used up
            return answer_links(base, {link: post_csrf[link] for link in open_pool_tokens(post_pool)}, work, seconds)

        survey_post = Endpoint(
            "Survey POST `/s/<token>` (fresh token each)",
            "",
            "≥ 25% of baseline req/s; p95 ≤ 2.5× baseline",
            within(0.25, 2.5),
        )
        survey_post.summary = summarise(timing, post_run)
        out.endpoints += [survey_get, survey_post]
        if survey_only:
            return

        therapist, director = data.main.therapist_ids[0], data.main.director_id
        pages = [
            (Endpoint(f"Therapist home `/` ({data.caseload} patients)", "/", "p95 ≤ 150 ms", under(150)), therapist),
            (Endpoint("Patient page `/patients/<code>` (30 sessions)", f"/patients/{data.patient_code}"), therapist),
            (
                Endpoint(
                    "Patient chart data `/patients/<code>/charts.json`", f"/patients/{data.patient_code}/charts.json"
                ),
                therapist,
            ),
            (director_overview(n), director),
        ]
        for endpoint, user in pages:
            measure_page(app, base, endpoint, user, timing, out)


def director_overview(patients: int) -> Endpoint:
    return Endpoint(f"Director overview `/clinic` ({patients} patients)", "/clinic", "p95 ≤ 300 ms", under(300))


def measure_page(app: Flask, base: str, endpoint: Endpoint, user: int, timing: dict[str, int], out: Measured) -> None:
    """One clinician page under wrk, signed in as `user`."""
    header = f"Cookie: {clinician_cookie(app, user)}"
    status, _, answer_headers = probe(base + endpoint.path, {"Cookie": header.split(": ", 1)[1]})
    if status == 404:
        endpoint.note = "not available yet (404)"
    elif status != 200:
        endpoint.note = f"answered {status} {answer_headers.get('Location', '')}"
    else:
        endpoint.summary = summarise(timing, lambda s, p=endpoint.path, h=header: wrk(base + p, seconds=s, headers=[h]))
    out.endpoints.append(endpoint)
