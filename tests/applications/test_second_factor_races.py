"""Concurrency on PostgreSQL: a one-time code and a recovery code work once, even when
the same code arrives in several requests at the same moment (the conditional updates
in services_accounts are the only guard; the in-memory checks all pass)."""

import threading

import pyotp
import pytest
from django.db import connection
from django.utils import timezone

from rathaus.applications import services_accounts
from rathaus.applications.models import RecoveryCode, TotpDevice
from rathaus.core.models import User

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def _same_moment(prepare, attempt):
    """Each thread prepares (reads its rows) first, then all attempt at once."""
    barrier = threading.Barrier(THREADS)
    results, errors = [], []

    def worker():
        try:
            state = prepare()
            barrier.wait()
            results.append(attempt(state))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def test_a_totp_code_sent_eight_times_at_once_logs_in_once():
    user = User.objects.create_user("race-totp@example.org", "geheim-123!")
    device = TotpDevice.objects.create(user=user, secret=pyotp.random_base32(), confirmed=True)
    code = pyotp.TOTP(device.secret).at(timezone.now())
    results = _same_moment(
        lambda: TotpDevice.objects.get(pk=device.pk),
        lambda fresh: services_accounts.verify_totp(fresh, code),
    )
    assert results.count(True) == 1, results


def test_a_recovery_code_sent_eight_times_at_once_works_once():
    user = User.objects.create_user("race-recovery@example.org", "geheim-123!")
    codes = services_accounts.new_recovery_codes(user)
    results = _same_moment(
        lambda: None,
        lambda _: services_accounts.use_recovery_code(user, codes[0]),
    )
    assert results.count(True) == 1, results
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=True).count() == 9
