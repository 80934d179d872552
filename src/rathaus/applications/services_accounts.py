"""The write path of the citizen account: activation and the second factor.

The views in ``accounts.py`` check forms, sessions and rate limits; every change of
an account's rows happens here, each in one transaction with an audit entry.
"""

from __future__ import annotations

import re
import secrets

import pyotp
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from rathaus.core import audit
from rathaus.core.models import User

from .models import RecoveryCode, TotpDevice


def activate_account(user: User) -> None:
    with transaction.atomic():
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit.record("applications.account_activated", user, actor=user)


def verify_totp(device: TotpDevice, code: str) -> bool:
    """Accept the current code (±1 step) once: a code cannot be replayed.

    The conditional update is the replay guard: of two requests with the same code,
    only one moves ``last_used_step`` forward.
    """
    code = code.replace(" ", "")
    if not re.fullmatch(r"[0-9]{6}", code):  # isdigit() would accept "²" (compare_digest fails)
        return False
    totp = pyotp.TOTP(device.secret)
    now = timezone.now().timestamp()
    for drift in (-1, 0, 1):
        step = int(now // 30) + drift
        if step > device.last_used_step and secrets.compare_digest(totp.at(step * 30), code):
            updated = TotpDevice.objects.filter(pk=device.pk, last_used_step__lt=step).update(
                last_used_step=step
            )
            return bool(updated)
    return False


def use_recovery_code(user: User, code: str) -> bool:
    """Spend one recovery code; a code works once (the update checks ``used_at``)."""
    normalised = code.replace("-", "").replace(" ", "").lower()
    for entry in RecoveryCode.objects.filter(user=user, used_at__isnull=True):
        if check_password(normalised, entry.code_hash):
            used = RecoveryCode.objects.filter(pk=entry.pk, used_at__isnull=True).update(
                used_at=timezone.now()
            )
            if used:
                audit.record("applications.recovery_code_used", user, actor=user)
            return bool(used)
    return False


def new_recovery_codes(user: User) -> list[str]:
    """Replace all recovery codes; only their hashes are stored."""
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(10)]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(
            RecoveryCode(user=user, code_hash=make_password(c.replace("-", ""))) for c in codes
        )
    return codes


def totp_device_for_setup(user: User) -> TotpDevice:
    """The account's authenticator device, created unconfirmed with a new secret."""
    device, _ = TotpDevice.objects.get_or_create(
        user=user, defaults={"secret": pyotp.random_base32()}
    )
    return device


def confirm_totp(user: User, device: TotpDevice) -> list[str]:
    """Switch the second factor on; returns the new recovery codes to show once."""
    with transaction.atomic():
        TotpDevice.objects.filter(pk=device.pk).update(confirmed=True)
        codes = new_recovery_codes(user)
        audit.record("applications.2fa_enabled", user, actor=user)
    return codes


def disable_second_factor(user: User, device: TotpDevice) -> None:
    with transaction.atomic():
        device.delete()
        RecoveryCode.objects.filter(user=user).delete()
        audit.record("applications.2fa_disabled", user, actor=user)
