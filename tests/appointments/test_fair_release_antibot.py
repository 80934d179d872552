"""Fair release (issue 4): rate limits per IP and person, ALTCHA and the slow path."""

import base64
import json

import pytest

from rathaus.appointments import antibot, services
from rathaus.appointments.models import Booking

from .conftest import at

pytestmark = pytest.mark.django_db


# --- Rate limits ---------------------------------------------------------------------------


def test_contact_rate_limit_triggers_and_resets(rf, settings, monkeypatch):
    from rathaus.core import ratelimit

    settings.RATHAUS_APPOINTMENTS_LIMITS = {
        **settings.RATHAUS_APPOINTMENTS_LIMITS,
        "hold_contact": (3, 60),
        "hold_ip": (100, 60),
    }
    clock = [1_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: clock[0])
    verdicts = []
    for i in range(4):
        request = rf.post("/", REMOTE_ADDR=f"10.0.0.{i}")  # different IPs, same person
        verdicts.append(antibot.limit(request, "hold", "Erika.M+x@Example.org"))
    assert verdicts[:3] == [None, None, None]
    assert verdicts[3] is not None and not verdicts[3].allowed and verdicts[3].retry_after <= 60
    clock[0] += 61  # next window: counting starts again
    assert (
        antibot.limit(rf.post("/", REMOTE_ADDR="10.0.0.9"), "hold", "erika.m@example.org") is None
    )


def test_rate_limited_lottery_answer_is_german_with_retry_after(
    client_a, town_a, offer_a, day, settings
):
    settings.RATHAUS_APPOINTMENTS_LIMITS = {
        **settings.RATHAUS_APPOINTMENTS_LIMITS,
        "lottery_ip": (1, 600),
    }
    url = "/api/v1/appointments/lotteries/999999/entries"
    body = {"service": "x", "name": "A", "email": "a@example.org"}
    client_a.post(url, body, content_type="application/json")
    response = client_a.post(url, body, content_type="application/json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Zu viele Anfragen" in response.json()["detail"]


def test_phone_numbers_are_one_identity():
    assert services.person_key("", "+49 170 1234567") == services.person_key("", "0170/1234567")
    assert services.person_key("", "0049 170 1234567") == "tel:491701234567"


# --- ALTCHA and the slow path ---------------------------------------------------------------


def solved(settings, **challenge_kwargs):
    from altcha import solve_challenge_v1

    settings.RATHAUS_ALTCHA_MAX_NUMBER = 2000
    challenge = antibot.challenge()
    challenge.update(challenge_kwargs)
    solution = solve_challenge_v1(
        challenge["challenge"], challenge["salt"], challenge["algorithm"], 2000, 0
    )
    payload = {
        "algorithm": challenge["algorithm"],
        "challenge": challenge["challenge"],
        "number": solution.number,
        "salt": challenge["salt"],
        "signature": challenge["signature"],
    }
    return base64.b64encode(json.dumps(payload).encode()).decode()


def test_altcha_solution_is_accepted_once(settings, real_proof):
    payload = solved(settings)
    assert antibot.check({"altcha": payload}).ok
    replay = antibot.check({"altcha": payload})
    assert not replay.ok and "schon verwendet" in replay.message


def test_altcha_tampered_or_expired_is_refused(settings, real_proof, monkeypatch):
    payload = solved(settings)
    data = json.loads(base64.b64decode(payload))
    data["number"] += 1
    assert not antibot.verify_altcha(base64.b64encode(json.dumps(data).encode()).decode())
    assert not antibot.verify_altcha("kein-base64")
    settings.RATHAUS_ALTCHA_EXPIRES_SECONDS = -10  # issued already expired
    assert not antibot.verify_altcha(solved(settings))


def test_slow_path_accepts_after_the_wait_and_only_once(settings, real_proof, monkeypatch):
    settings.RATHAUS_ALTCHA_FALLBACK_SECONDS = 20
    clock = [2_000_000.0]
    monkeypatch.setattr(antibot.time, "time", lambda: clock[0])
    token = antibot.slow_token()
    early = antibot.check({"langsam": token})
    assert not early.ok and early.wait == 20 and "20 Sekunden" in early.message
    clock[0] += 21
    assert antibot.check({"langsam": token}).ok
    assert not antibot.check({"langsam": token}).ok
    assert not antibot.check({"langsam": token + "x"}).ok
    assert not antibot.check({}).ok


def test_api_hold_needs_proof(client_a, offer_a, day, real_proof):
    response = client_a.post(
        "/api/v1/appointments/holds",
        {
            "service": offer_a.service.slug,
            "resource": "schalter",
            "name": "A",
            "email": "a@example.org",
            "start": at(day, 9).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["reason"] == "altcha"
    assert not Booking.objects.exists()
    challenge = client_a.get("/api/v1/appointments/altcha-challenge").json()
    assert {"algorithm", "challenge", "salt", "signature", "maxNumber"} <= set(challenge)
