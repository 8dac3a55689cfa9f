"""The fake Twilio API itself: Twilio's shapes, its checks, and no lost records under load."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import time_machine
from twilio.rest import Client

from feedback.delivery.senders import RebasingHttpClient
from tests.fake_twilio import FakeTwilio
from tests.twilio_behaviours import OPTED_OUT, SERVER_ERROR, Answer

ROOT = Path(__file__).resolve().parents[2]
PATIENT = "+15555550123"


def post_message(fake: FakeTwilio, form: dict[str, str], password: str | None = None):
    return requests.post(
        fake.url + fake.messages_path,
        data=form,
        auth=(fake.account_sid, password or fake.auth_token),
        timeout=5,
    )


def test_created_message_has_twilios_shape(fake_twilio):
    answer = post_message(fake_twilio, {"To": PATIENT, "From": "+15005550006", "Body": "hi"})

    assert answer.status_code == 201
    message = answer.json()
    assert message["sid"].startswith("SM") and len(message["sid"]) == 34
    assert message["status"] == "queued"
    assert (message["to"], message["from"], message["body"]) == (PATIENT, "+15005550006", "hi")
    assert message["date_created"].endswith("+0000")  # RFC 2822
    assert message["date_sent"] is None
    assert message["uri"] == f"/2010-04-01/Accounts/{fake_twilio.account_sid}/Messages/{message['sid']}.json"


def test_wrong_password_gets_twilios_401_and_is_still_recorded(fake_twilio):
    answer = post_message(fake_twilio, {"To": PATIENT, "From": "+1", "Body": "hi"}, "wrong")

    assert answer.status_code == 401
    assert answer.json()["code"] == 20003
    assert set(answer.json()) == {"code", "message", "more_info", "status"}
    assert len(fake_twilio.requests) == 1
    assert fake_twilio.messages == []


def test_another_accounts_path_is_not_found(fake_twilio):
    answer = requests.get(
        fake_twilio.url + "/2010-04-01/Accounts/AC" + "9" * 32 + "/Messages.json",
        auth=(fake_twilio.account_sid, fake_twilio.auth_token),
        timeout=5,
    )

    assert answer.status_code == 404


def test_a_message_without_body_is_refused_like_twilio(fake_twilio):
    answer = post_message(fake_twilio, {"To": PATIENT, "From": "+15005550006"})

    assert answer.status_code == 400
    assert answer.json()["code"] == 21602


def test_list_filters_by_recipient_and_date_sent(fake_twilio):
    with time_machine.travel("2025-03-10 09:00Z", tick=False):
        old = post_message(fake_twilio, {"To": PATIENT, "From": "+1", "Body": "old"}).json()
        fake_twilio.set_status(old["sid"], "delivered")
    with time_machine.travel("2025-03-12 09:00Z", tick=False):
        new = post_message(fake_twilio, {"To": PATIENT, "From": "+1", "Body": "new"}).json()
        fake_twilio.set_status(new["sid"], "sent")
        post_message(fake_twilio, {"To": PATIENT, "From": "+1", "Body": "still queued"})
        post_message(fake_twilio, {"To": "+447700900123", "From": "+1", "Body": "other"})

    def bodies(**query: str) -> list[str]:
        answer = requests.get(
            fake_twilio.url + fake_twilio.messages_path,
            params={"To": PATIENT, **query},
            auth=(fake_twilio.account_sid, fake_twilio.auth_token),
            timeout=5,
        )
        return [m["body"] for m in answer.json()["messages"]]

    assert bodies() == ["still queued", "new", "old"]
    assert bodies(**{"DateSent>": "2025-03-11"}) == ["new"]
    assert bodies(**{"DateSent>": "2025-03-10T09:00:00Z"}) == ["new", "old"]
    assert bodies(**{"DateSent<": "2025-03-11"}) == ["old"]


def test_paging_through_the_sdk_stays_on_the_fake(fake_twilio):
    for n in range(5):
        post_message(fake_twilio, {"To": PATIENT, "From": "+1", "Body": f"message {n}"})
    http = RebasingHttpClient(timeout=5, api_base_url=fake_twilio.url)
    client = Client(fake_twilio.account_sid, fake_twilio.auth_token, http_client=http)

    listed = client.messages.list(to=PATIENT, page_size=2)

    assert [m.body for m in listed] == [f"message {n}" for n in reversed(range(5))]
    pages = [r for r in fake_twilio.requests if r.method == "GET"]
    assert [r.query.get("Page", "0") for r in pages] == ["0", "1", "2"]


def test_the_strategy_decides_once_the_queue_is_empty(fake_twilio):
    fake_twilio.strategy = lambda request: OPTED_OUT if request.form.get("To") == PATIENT else Answer()
    fake_twilio.queue(SERVER_ERROR)

    statuses = [
        post_message(fake_twilio, {"To": to, "From": "+1", "Body": "hi"}).status_code
        for to in (PATIENT, PATIENT, "+447700900123")
    ]

    assert statuses == [500, 400, 201]


SENDING_PROCESS = """
import sys
from concurrent.futures import ThreadPoolExecutor
from feedback.delivery.senders import TwilioSender

url, sid, token, tag, count = sys.argv[1:6]
sender = TwilioSender(sid, token, from_number="+15005550006", api_base_url=url, timeout=30)

def send(n):
    return sender.send("+15555550123", f"{tag}-{n}", label=tag).provider_id

with ThreadPoolExecutor(max_workers=16) as pool:
    print(len(set(pool.map(send, range(int(count))))))
"""


@pytest.mark.slow
def test_no_request_is_lost_when_three_processes_send_at_once(fake_twilio):
    per_process = 120
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [fake_twilio.url, fake_twilio.account_sid, fake_twilio.auth_token]
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", SENDING_PROCESS, *args, tag, str(per_process)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("a", "b", "c")
    ]
    outputs = [process.communicate(timeout=120) for process in processes]

    assert [p.returncode for p in processes] == [0, 0, 0], [err for _, err in outputs]
    assert [out.strip() for out, _ in outputs] == [str(per_process)] * 3
    expected = {f"{tag}-{n}" for tag in "abc" for n in range(per_process)}
    assert sorted(r.form["Body"] for r in fake_twilio.requests) == sorted(expected)
    assert {m["body"] for m in fake_twilio.messages} == expected
    assert len({m["sid"] for m in fake_twilio.messages}) == 3 * per_process
