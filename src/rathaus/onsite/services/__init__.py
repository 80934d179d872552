"""The write path of Vor-Ort (see queue.py) and its public read functions."""

from .estimate import estimated_wait, group_wait, processing_minutes, rounded
from .jobs import apply_retention, record_lead_times
from .queue import (
    QueueError,
    call_next,
    check_in,
    check_open,
    close_counter,
    close_counters_after_hours,
    current_ticket,
    draw,
    finish,
    mark_missed,
    next_walk_in_hours,
    open_counter,
    recall,
    rules_for,
    transfer,
)

__all__ = [
    "QueueError",
    "apply_retention",
    "call_next",
    "check_in",
    "check_open",
    "close_counter",
    "close_counters_after_hours",
    "current_ticket",
    "draw",
    "estimated_wait",
    "finish",
    "group_wait",
    "mark_missed",
    "next_walk_in_hours",
    "open_counter",
    "processing_minutes",
    "recall",
    "record_lead_times",
    "rounded",
    "rules_for",
    "transfer",
]
