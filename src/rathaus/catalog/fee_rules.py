"""Fee rules: which fee rows of a service apply to one applicant, and how often.

A catalog service lists its fees as rows ("erster Hund 96 €", "jeder weitere Hund
144 €", …). Rows are alternatives, surcharges or reductions, never simply a sum, so
each row may carry a rule (``Fee.rule``, in the XZuFi export ``kosten[].regel``)::

    {"wenn": [{"feld": "listenhund", "gleich": "nein"},
              {"feld": "erster_hund", "in": ["ja"]}],
     "je": {"feld": "anzahl", "abzueglich": 1},
     "ermaessigung_prozent": 50}

- ``wenn``: every condition must hold for the applicant's answers (missing answer:
  the condition does not hold).
- ``je``: the row is charged once per unit of a number answer, less ``abzueglich``
  (e.g. "jedes weitere Exemplar": anzahl - 1), never below zero.
- ``ermaessigung_prozent``: the row is a reduction of the charged rows by this
  share (its amount is ignored); only the largest applicable reduction counts.

Repeating groups (several dogs, ADR 0027): ``je: {"feld": "hunde"}`` counts the rows of a
group. ``je: {"gruppe": "hunde", "wenn": [...], "ab": 2, "bis": 3}`` charges once per row
whose own answers meet ``wenn``, counting only the ``ab``-th to the ``bis``-th such row
(first dog 96 €: ``bis: 1``; each further dog 144 €: ``ab: 2``). A reduction with such a
``je`` reduces what was charged for each matching row (a rescue dog's 50 %), the largest
reduction per row counting once.

A row without a rule is always charged. See docs/adr/0015-catalog-fee-rules.md.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

RULE_KEYS = {"wenn", "je", "ermaessigung_prozent"}
CONDITION_KEYS = {"feld", "gleich", "in"}


class FeeRuleError(ValueError):
    """A rule that cannot be evaluated; ``path`` names the part, ``reason`` is German."""

    def __init__(self, path: str, reason: str):
        self.path, self.reason = path, reason
        super().__init__(f"{path}: {reason}")


@dataclass(frozen=True)
class FeeLine:
    """One charged line of an applicant's fee (negative for a reduction)."""

    label: str
    cents: int

    def as_dict(self) -> dict:
        return {"label": self.label, "cents": self.cents}


# --- structure -------------------------------------------------------------------------


def check_rule(rule, path: str = "regel") -> None:
    """Raise FeeRuleError unless ``rule`` is None/empty or a well-formed rule."""
    if rule in (None, {}):
        return
    if not isinstance(rule, dict):
        raise FeeRuleError(path, "Die Regel ist ein Objekt mit wenn, je oder ermaessigung_prozent.")
    unknown = set(rule) - RULE_KEYS
    if unknown:
        raise FeeRuleError(path, f"Unbekannte Angabe {sorted(unknown)[0]!r}.")
    conditions = rule.get("wenn", [])
    if not isinstance(conditions, list):
        raise FeeRuleError(f"{path}.wenn", "Erwartet eine Liste von Bedingungen.")
    for position, condition in enumerate(conditions):
        _check_condition(condition, f"{path}.wenn[{position}]")
    if "je" in rule:
        _check_per(rule["je"], f"{path}.je")
    if "ermaessigung_prozent" in rule:
        percent = rule["ermaessigung_prozent"]
        if isinstance(percent, bool) or not isinstance(percent, int) or not 0 < percent <= 100:
            raise FeeRuleError(f"{path}.ermaessigung_prozent", "Ganze Zahl von 1 bis 100.")
        if "je" in rule and "gruppe" not in (rule["je"] if isinstance(rule["je"], dict) else {}):
            raise FeeRuleError(path, "Eine Ermäßigung wird nicht mit „je“ vervielfacht.")


def _check_condition(condition, path: str) -> None:
    if not isinstance(condition, dict) or set(condition) - CONDITION_KEYS:
        raise FeeRuleError(path, "Erwartet {feld, gleich} oder {feld, in}.")
    if not isinstance(condition.get("feld"), str) or not condition["feld"]:
        raise FeeRuleError(f"{path}.feld", "Name einer Antwort fehlt.")
    if ("gleich" in condition) == ("in" in condition):
        raise FeeRuleError(path, "Genau eines von gleich oder in angeben.")
    if "gleich" in condition and not isinstance(condition["gleich"], str):
        raise FeeRuleError(f"{path}.gleich", "Erwartet einen Text.")
    values = condition.get("in", [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise FeeRuleError(f"{path}.in", "Erwartet eine Liste von Texten.")


def _check_per(per, path: str) -> None:
    if isinstance(per, dict) and "gruppe" in per:
        _check_group_per(per, path)
        return
    if not isinstance(per, dict) or set(per) - {"feld", "abzueglich"}:
        raise FeeRuleError(path, "Erwartet {feld, abzueglich}.")
    if not isinstance(per.get("feld"), str) or not per["feld"]:
        raise FeeRuleError(f"{path}.feld", "Name einer Zahl-Antwort fehlt.")
    minus = per.get("abzueglich", 0)
    if isinstance(minus, bool) or not isinstance(minus, int) or not 0 <= minus <= 100:
        raise FeeRuleError(f"{path}.abzueglich", "Ganze Zahl von 0 bis 100.")


def _check_group_per(per: dict, path: str) -> None:
    if set(per) - {"gruppe", "wenn", "ab", "bis"}:
        raise FeeRuleError(path, "Erwartet {gruppe, wenn, ab, bis}.")
    if not isinstance(per["gruppe"], str) or not per["gruppe"]:
        raise FeeRuleError(f"{path}.gruppe", "Name einer Gruppe fehlt.")
    conditions = per.get("wenn", [])
    if not isinstance(conditions, list):
        raise FeeRuleError(f"{path}.wenn", "Erwartet eine Liste von Bedingungen.")
    for position, condition in enumerate(conditions):
        _check_condition(condition, f"{path}.wenn[{position}]")
    for key in ("ab", "bis"):
        value = per.get(key, 1)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
            raise FeeRuleError(f"{path}.{key}", "Ganze Zahl von 1 bis 100.")
    if per.get("ab", 1) > per.get("bis", 100):
        raise FeeRuleError(path, "„ab“ darf nicht größer als „bis“ sein.")


def referenced_fields(rule) -> set[str]:
    """Every answer a (well-formed) rule reads."""
    if not rule:
        return set()
    names = {c["feld"] for c in rule.get("wenn", [])}
    per = rule.get("je")
    if per and "gruppe" in per:
        names.add(per["gruppe"])
        names |= {f"{per['gruppe']}.{c['feld']}" for c in per.get("wenn", [])}
    elif per:
        names.add(per["feld"])
    return names


# --- evaluation ------------------------------------------------------------------------


def _holds(condition: dict, answers: dict) -> bool:
    value = answers.get(condition["feld"])
    if isinstance(value, list):  # checkboxes: any ticked choice counts
        wanted = [condition["gleich"]] if "gleich" in condition else condition["in"]
        return any(v in wanted for v in value)
    if "gleich" in condition:
        return value == condition["gleich"]
    return value in condition["in"]


def _units(per: dict | None, answers: dict) -> int:
    if not per:
        return 1
    value = answers.get(per["feld"])
    if isinstance(value, list):  # a repeating group: its rows
        value = len(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return 0
    return max(0, value - per.get("abzueglich", 0))


def _picked_rows(per: dict, answers: dict) -> list[int]:
    """Indexes of a group's rows a ``je: {gruppe …}`` charges (the ab-th to bis-th match)."""
    rows = answers.get(per["gruppe"])
    if not isinstance(rows, list):
        return []
    matching = [
        index
        for index, row in enumerate(rows)
        if isinstance(row, dict) and all(_holds(c, row) for c in per.get("wenn", []))
    ]
    return matching[per.get("ab", 1) - 1 : per.get("bis")]


def _cents(euros: Decimal) -> int:
    return int((Decimal(euros) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def applies(rule, answers: dict) -> bool:
    return all(_holds(c, answers) for c in (rule or {}).get("wenn", []))


def evaluate(rows, answers: dict) -> list[FeeLine]:
    """The lines one applicant is charged; ``rows`` are Fee objects in their order.

    A row with a range (amount_max) cannot be charged exactly and raises FeeRuleError
    when it applies, rather than charging a guess.
    """
    lines: list[FeeLine] = []
    reductions: list[tuple[int, str]] = []
    per_row: dict[tuple[str, int], int] = {}  # what each group row was charged
    row_reductions: dict[tuple[str, int], tuple[int, str]] = {}  # the largest per row
    for row in rows:
        rule = row.rule or {}
        if not applies(rule, answers):
            continue
        per = rule.get("je") or {}
        if "ermaessigung_prozent" in rule:
            if "gruppe" in per:
                for index in _picked_rows(per, answers):
                    key = (per["gruppe"], index)
                    best = row_reductions.get(key, (0, ""))
                    row_reductions[key] = max(best, (rule["ermaessigung_prozent"], row.label))
            else:
                reductions.append((rule["ermaessigung_prozent"], row.label))
            continue
        if row.amount_max is not None:
            raise FeeRuleError(row.label, "Eine Spanne kann nicht online berechnet werden.")
        if "gruppe" in per:
            picked = _picked_rows(per, answers)
            units = len(picked)
            for index in picked:
                key = (per["gruppe"], index)
                per_row[key] = per_row.get(key, 0) + _cents(row.amount or 0)
        else:
            units = _units(rule.get("je"), answers)
        if units and row.amount:
            label = row.label if units == 1 else f"{row.label} (× {units})"
            lines.append(FeeLine(label, _cents(row.amount) * units))
    lines += _row_reduction_lines(per_row, row_reductions)
    if reductions and lines:
        percent, label = max(reductions)
        subtotal = sum(line.cents for line in lines)
        off = int((Decimal(subtotal) * percent / 100).quantize(Decimal("1"), ROUND_HALF_UP))
        lines.append(FeeLine(f"{label} (−{percent} %)", -off))
    return lines


def _row_reduction_lines(per_row: dict, row_reductions: dict) -> list[FeeLine]:
    """One line per reduction rule: the sum of its share of each matching row's charge."""
    sums: dict[tuple[str, int], list[int]] = {}
    for key, (percent, label) in sorted(row_reductions.items()):
        charged = per_row.get(key, 0)
        if not charged:
            continue
        off = int((Decimal(charged) * percent / 100).quantize(Decimal("1"), ROUND_HALF_UP))
        sums.setdefault((label, percent), []).append(off)
    out = []
    for (label, percent), offs in sums.items():
        times = f", × {len(offs)}" if len(offs) > 1 else ""
        out.append(FeeLine(f"{label} (−{percent} %{times})", -sum(offs)))
    return out


def total_cents(lines: list[FeeLine]) -> int:
    return max(0, sum(line.cents for line in lines))
