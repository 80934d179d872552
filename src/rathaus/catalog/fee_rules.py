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
        if "je" in rule:
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
    if not isinstance(per, dict) or set(per) - {"feld", "abzueglich"}:
        raise FeeRuleError(path, "Erwartet {feld, abzueglich}.")
    if not isinstance(per.get("feld"), str) or not per["feld"]:
        raise FeeRuleError(f"{path}.feld", "Name einer Zahl-Antwort fehlt.")
    minus = per.get("abzueglich", 0)
    if isinstance(minus, bool) or not isinstance(minus, int) or not 0 <= minus <= 100:
        raise FeeRuleError(f"{path}.abzueglich", "Ganze Zahl von 0 bis 100.")


def referenced_fields(rule) -> set[str]:
    """Every answer a (well-formed) rule reads."""
    if not rule:
        return set()
    names = {c["feld"] for c in rule.get("wenn", [])}
    if "je" in rule:
        names.add(rule["je"]["feld"])
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
    if isinstance(value, bool) or not isinstance(value, int):
        return 0
    return max(0, value - per.get("abzueglich", 0))


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
    for row in rows:
        rule = row.rule or {}
        if not applies(rule, answers):
            continue
        if "ermaessigung_prozent" in rule:
            reductions.append((rule["ermaessigung_prozent"], row.label))
            continue
        if row.amount_max is not None:
            raise FeeRuleError(row.label, "Eine Spanne kann nicht online berechnet werden.")
        units = _units(rule.get("je"), answers)
        if units and row.amount:
            label = row.label if units == 1 else f"{row.label} (× {units})"
            lines.append(FeeLine(label, _cents(row.amount) * units))
    if reductions and lines:
        percent, label = max(reductions)
        subtotal = sum(line.cents for line in lines)
        off = int((Decimal(subtotal) * percent / 100).quantize(Decimal("1"), ROUND_HALF_UP))
        lines.append(FeeLine(f"{label} (−{percent} %)", -off))
    return lines


def total_cents(lines: list[FeeLine]) -> int:
    return max(0, sum(line.cents for line in lines))
