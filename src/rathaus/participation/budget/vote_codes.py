"""Voting with a one-time code instead of an account (ADR 0055).

The Beteiligungsrat found the online registration too long (seed 002, 4.1). A code
comes by letter (staff print a batch) or by e-mail (the address gets one code per
round; receiving it is the confirmation). One ballot per code, cast once. Only hashes
are stored: the code exists on paper or in the mailbox, the address nowhere.
"""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from rathaus.core import audit, held_mail

from .models import Ballot, BallotEntry, VoteCode
from .services import _lock_round, checked_points, voting_open

# No 0/O, 1/I/L: codes are typed from a letter. 12 characters = 60 bits.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 12
MAX_BATCH = 50_000


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def normalize(code: str) -> str:
    """What a person types: any case, with or without spaces and dashes."""
    return "".join(ch for ch in code.upper() if ch.isascii() and ch.isalnum())[:64]


def _keyed_hash(value: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def code_hash(code: str) -> str:
    return _keyed_hash("code:" + normalize(code))


@transaction.atomic
def generate_letter_codes(budget_round, *, count: int, actor) -> list[str]:
    """A batch of codes for the letters to residents; returned once, stored hashed."""
    if not 1 <= count <= MAX_BATCH:
        raise ValidationError(f"Zwischen 1 und {MAX_BATCH} Codes je Auftrag.")
    codes = {new_code() for _ in range(count)}
    while len(codes) < count:
        codes.add(new_code())
    VoteCode.objects.bulk_create(
        [
            VoteCode(round=budget_round, code_hash=code_hash(c), channel=VoteCode.Channel.LETTER)
            for c in codes
        ]
    )
    audit.record(
        "participation.budget.vote_codes_generated",
        budget_round,
        actor=actor,
        municipality=budget_round.municipality,
        data={"count": count},
    )
    return sorted(codes)


@transaction.atomic
def request_email_code(budget_round, email: str) -> bool:
    """Send a code to this address, once per round. Returns False if it had one already
    (the page says the same either way, so nobody learns who voted)."""
    if not voting_open(budget_round):
        raise ValidationError("Die Abstimmung ist nicht geöffnet.")
    address = email.strip().lower()
    code = new_code()
    try:
        with transaction.atomic():
            vote_code = VoteCode.objects.create(
                round=budget_round,
                code_hash=code_hash(code),
                channel=VoteCode.Channel.EMAIL,
                email_hash=_keyed_hash(f"email:{budget_round.pk}:{address}"),
            )
    except IntegrityError:
        return False
    audit.record(
        "participation.budget.vote_code_sent",
        vote_code,
        municipality=budget_round.municipality,
        actor_label="Bürger/in",
    )
    # Address and code are stored only as hashes, so the mail is held in a row of its own
    # until sent (core.held_mails); the task row carries that row's id only.
    held_mail.send_after_commit(
        address,
        f"Ihr Abstimmungscode – {budget_round.title}",
        f"Guten Tag,\n\nIhr Code für die Abstimmung im {budget_round.title} lautet:\n\n"
        f"    {code}\n\nSie können damit einmal abstimmen. Wenn Sie den Code nicht "
        "angefordert haben, ignorieren Sie diese E-Mail.\n",
        municipality=budget_round.municipality,
    )
    return True


@transaction.atomic
def cast_ballot_with_code(budget_round, *, code: str, points: dict[int, int]) -> Ballot:
    """One ballot per code: the code is taken with a conditional update, so two
    parallel ballots with the same code cannot both count."""
    budget_round = _lock_round(budget_round)
    given = checked_points(budget_round, points)
    if not given:
        raise ValidationError("Verteilen Sie mindestens einen Punkt.")
    vote_code = VoteCode.objects.filter(round=budget_round, code_hash=code_hash(code)).first()
    if vote_code is None:
        raise ValidationError({"code": "Diesen Code gibt es nicht. Bitte prüfen Sie die Eingabe."})
    taken = VoteCode.objects.filter(pk=vote_code.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not taken:
        raise ValidationError({"code": "Mit diesem Code wurde bereits abgestimmt."})
    ballot = Ballot.objects.create(round=budget_round, vote_code=vote_code)
    BallotEntry.objects.bulk_create(
        [BallotEntry(ballot=ballot, proposal_id=pk, points=n) for pk, n in given.items()]
    )
    audit.record(
        "participation.budget.ballot_cast",
        ballot,
        municipality=budget_round.municipality,
        actor_label="Abstimmungscode",
        data={"points": sum(given.values()), "channel": vote_code.channel},
    )
    return ballot
