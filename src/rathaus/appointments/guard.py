"""The capacity guard, written once (ADR 0020, 0024): may a unit row take one more booking?

    NOT walk_in_only
    AND (visible_from IS NULL OR visible_from <= :visible_at)     -- released (ADR 0021)
    AND booked < capacity - (capacity * :share + 99) / 100         -- the walk-in share

The walk-in share (per cent of the places, rounded up) stays free for people who come
without an appointment; staff book with share 0. ``GUARD`` below is that rule as a
small expression tree, and every form the code needs is rendered from it:

- ``sql(...)``: the SQL condition (the guarded ``UPDATE`` on SQLite, the inline
  one-unit update on PostgreSQL, the availability read);
- ``q(...)`` / ``limit_expression(...)``: the ORM forms;
- ``allows(...)`` / ``limit(...)``: Python, for rows already read;
- the PL/pgSQL function ``appointments_take_units`` (migration 0004) is history and
  cannot import this module; ``tests/appointments/test_guard.py`` checks that its
  condition is ``sql(share="p_walk_in_share", visible_at="p_visible_at")`` and that all
  forms answer the same cases alike on SQLite and PostgreSQL. Changing the rule means a
  new migration that replaces the function (the test says so).

Integer division: ``/`` on integer columns truncates in PostgreSQL and SQLite, ``//``
in Python; the operands are never negative, so both round down alike.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import ExpressionWrapper, F, IntegerField, Q, Value


@dataclass(frozen=True)
class Col:
    name: str


@dataclass(frozen=True)
class Param:
    name: str


@dataclass(frozen=True)
class Num:
    value: int


@dataclass(frozen=True)
class Op:
    symbol: str  # one of + - * /
    left: Any
    right: Any


# limit = capacity - (capacity * share + 99) / 100
LIMIT = Op(
    "-",
    Col("capacity"),
    Op("/", Op("+", Op("*", Col("capacity"), Param("share")), Num(99)), Num(100)),
)

_RANK = {"+": 1, "-": 1, "*": 2, "/": 2}


def _text(node, name, division: str) -> str:
    """Infix text of an expression: SQL (``/``) or Python (``//``) source."""
    if isinstance(node, Col | Param):
        return name(node)
    if isinstance(node, Num):
        return str(node.value)
    left, right = _text(node.left, name, division), _text(node.right, name, division)
    rank = _RANK[node.symbol]
    if isinstance(node.left, Op) and _RANK[node.left.symbol] < rank:
        left = f"({left})"
    if isinstance(node.right, Op) and (
        _RANK[node.right.symbol] < rank
        or (_RANK[node.right.symbol] == rank and node.symbol in "-/")
    ):
        right = f"({right})"
    return f"{left} {division if node.symbol == '/' else node.symbol} {right}"


# --- SQL --------------------------------------------------------------------------------


def _sql(node, params: dict[str, str], column) -> str:
    return _text(node, lambda n: column(n.name) if isinstance(n, Col) else params[n.name], "/")


def limit_sql(share: str | None = "%s", *, column=lambda name: name) -> str:
    """How many places online bookings may fill, as SQL; ``share=None``: no share (staff)."""
    if share is None:
        return column("capacity")
    return _sql(LIMIT, {"share": share}, column)


def sql_terms(
    share: str | None = "%s", visible_at: str = "%s", *, column=lambda name: name
) -> tuple[str, str, str]:
    """The guard's three SQL conditions: not walk-in only, released, a place left.

    ``share`` and ``visible_at`` are placeholders or names; ``share=None`` leaves the
    share out (staff). Joined with AND in any order they are the guard."""
    return (
        f"NOT {column('walk_in_only')}",
        f"({column('visible_from')} IS NULL OR {column('visible_from')} <= {visible_at})",
        f"{column('booked')} < {limit_sql(share, column=column)}",
    )


def sql(share: str | None = "%s", visible_at: str = "%s", *, column=lambda name: name) -> str:
    """The guard as one SQL condition; with ``%s`` placeholders its parameters are
    ``visible_at`` then ``share`` (in the order they appear)."""
    return " AND ".join(sql_terms(share, visible_at, column=column))


# --- ORM --------------------------------------------------------------------------------


def _orm(node, share: int):
    if isinstance(node, Col):
        return F(node.name)
    if isinstance(node, Param):
        return Value(share)
    if isinstance(node, Num):
        return Value(node.value)
    return PY_OPS_ORM[node.symbol](_orm(node.left, share), _orm(node.right, share))


PY_OPS_ORM = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,  # F / F is SQL "/": integer division on integer columns
}


def limit_expression(share: int):
    """The online limit as an ORM expression (``capacity`` when there is no share)."""
    if not share:
        return F("capacity")
    return ExpressionWrapper(_orm(LIMIT, share), output_field=IntegerField())


def q(share: int, visible_at: datetime) -> Q:
    """The guard as a ``Q`` over unit rows (``Slot``)."""
    return (
        Q(walk_in_only=False)
        & (Q(visible_from__isnull=True) | Q(visible_from__lte=visible_at))
        & Q(booked__lt=limit_expression(share))
    )


# --- Python -----------------------------------------------------------------------------


# Compiled once from the tree (the availability read calls it for thousands of rows).
_LIMIT_SOURCE = _text(LIMIT, lambda n: n.name, "//")
_limit = eval(compile(f"lambda capacity, share: {_LIMIT_SOURCE}", "<guard>", "eval"))  # noqa: S307


def limit(capacity: int, share: int) -> int:
    """The online limit of a unit with ``capacity`` places."""
    return _limit(capacity, share) if share else capacity


def allows(
    *,
    capacity: int,
    booked: int,
    walk_in_only: bool,
    visible_from: datetime | None,
    share: int,
    visible_at: datetime,
) -> bool:
    """The guard for a row already read."""
    return (
        not walk_in_only
        and (visible_from is None or visible_from <= visible_at)
        and booked < limit(capacity, share)
    )
