"""Repeating groups in form definitions (several dogs, several children).

A field of type ``group`` holds sub-fields that the citizen fills once per row::

    {"name": "hunde", "type": "group", "label": "Ihre Hunde", "item_label": "Hund",
     "min": 1, "max": 5, "add_label": "Weiteren Hund hinzufügen",
     "fields": [{"name": "rasse", "type": "text", "label": "Rasse"}, ...]}

- Answers are stored structurally: ``data["hunde"] == [{"rasse": "…"}, {"rasse": "…"}]``.
- ``min``/``max`` are bounded (0 ≤ min ≤ max ≤ 20, max ≥ 1). Sub-fields may be of any
  type except ``file`` and ``group``; a sub-field's ``show_if`` may name a sibling in the
  same row (evaluated per row).
- In the HTML form a row's inputs are named ``hunde-<i>-<sub>`` and the number of rows
  travels in ``hunde-anzahl``. Adding and removing rows are ordinary submit buttons
  (``gruppe_neu=hunde``, ``gruppe_weg=hunde-<i>``): the server re-renders the step with
  one row more or less, nothing is saved, so it works without JavaScript.
- A rule elsewhere in the form may name ``"hunde.listenhund"``: it holds when it holds
  for any row (e.g. "upload the permit if any dog is a listed breed").
- Everything posted is parsed via ``core.parsing``: a row count beyond ``max``,
  non-ASCII digits or an unknown row index is a ``ParseError`` (the view answers 400).
"""

from django.utils.translation import gettext_lazy as _

from rathaus.catalog import english
from rathaus.core.parsing import ParseError, parse_int

#: The hard upper bound of rows of any group (a schema may ask for fewer).
GROUP_MAX = 20
#: Sub-field types not allowed inside a group.
NOT_IN_GROUP = {"file", "group"}
ADD = "gruppe_neu"
REMOVE = "gruppe_weg"


def is_group(spec: dict) -> bool:
    return spec.get("type") == "group"


def bounds(spec: dict) -> tuple[int, int]:
    return int(spec.get("min", 1)), int(spec.get("max", GROUP_MAX))


def validate(spec: dict, field_types: set[str], schema_error) -> None:
    """Raise ``schema_error`` (formengine.SchemaError) for a malformed group spec."""
    name = spec["name"]
    low, high = spec.get("min", 1), spec.get("max", GROUP_MAX)
    for value in (low, high):
        if isinstance(value, bool) or not isinstance(value, int):
            raise schema_error(f"Gruppe {name}: min und max sind ganze Zahlen.")
    if not (0 <= low <= high <= GROUP_MAX and high >= 1):
        raise schema_error(f"Gruppe {name}: es gilt 0 ≤ min ≤ max ≤ {GROUP_MAX} und max ≥ 1.")
    if not spec.get("item_label"):
        raise schema_error(f"Gruppe {name} braucht item_label (z. B. „Hund“).")
    if "-" in name or "." in name:
        raise schema_error(f"Gruppe {name}: der Name darf weder „-“ noch „.“ enthalten.")
    subs = spec.get("fields") or []
    if not subs:
        raise schema_error(f"Gruppe {name} braucht mindestens ein Feld.")
    seen: set[str] = set()
    for sub in subs:
        kind = sub.get("type")
        if kind in NOT_IN_GROUP:
            raise schema_error(f"Gruppe {name}: Feldtyp {kind} ist in einer Gruppe nicht möglich.")
        if kind not in field_types:
            raise schema_error(f"Unbekannter Feldtyp: {kind}")
        sub_name = sub.get("name") or ""
        if not sub_name or sub_name in seen or "-" in sub_name or "." in sub_name:
            raise schema_error(f"Gruppe {name}: Feldname fehlt, doppelt oder ungültig: {sub_name}")
        if kind in {"select", "radio", "checkboxes"} and not sub.get("choices"):
            raise schema_error(f"Feld {name}.{sub_name} braucht Auswahlwerte.")
        for choice in sub.get("choices", []):
            if not isinstance(choice, list | tuple) or len(choice) not in (2, 3):
                raise schema_error(
                    f"Auswahlwert von {name}.{sub_name}: [Wert, Bezeichnung] oder "
                    "[Wert, Bezeichnung, englische Bezeichnung]"
                )
        rule = sub.get("show_if")
        if rule and rule.get("field") not in seen:
            raise schema_error(
                f"Gruppe {name}: Bedingung von {sub_name} muss ein früheres Feld derselben "
                "Zeile nennen."
            )
        seen.add(sub_name)


def answer_names(spec: dict) -> set[str]:
    """The names a rule may read: the group and ``group.sub`` for each sub-field."""
    return {spec["name"]} | {f"{spec['name']}.{sub['name']}" for sub in spec.get("fields", [])}


def input_name(group: str, index: int, sub: str) -> str:
    return f"{group}-{index}-{sub}"


def count_name(group: str) -> str:
    return f"{group}-anzahl"


def row_title(spec: dict, index: int) -> str:
    """ "Hund 2" – the German/English row heading used in legends and error messages."""
    from rathaus.catalog import english

    return f"{english.localized(spec, 'item_label')} {index + 1}"


def posted_count(spec: dict, data) -> int:
    """The number of rows a bound form carries; ParseError when missing or out of range."""
    _low, high = bounds(spec)
    return parse_int(
        data.get(count_name(spec["name"])), count_name(spec["name"]), minimum=0, maximum=high
    )


def action(step: dict, data) -> tuple[str, dict, int | None] | None:
    """An add/remove button press: (kind, group spec, index) or None for a normal submit.

    ParseError for an unknown group, a row index outside the posted rows or a bad number.
    """
    groups = {f["name"]: f for f in step.get("fields", []) if is_group(f)}
    if ADD in data:
        spec = groups.get(data.get(ADD))
        if spec is None:
            raise ParseError(ADD, "Unbekannte Gruppe.")
        return "add", spec, None
    if REMOVE in data:
        group, _sep, raw_index = str(data.get(REMOVE)).rpartition("-")
        spec = groups.get(group)
        if spec is None:
            raise ParseError(REMOVE, "Unbekannte Gruppe.")
        count = posted_count(spec, data)
        index = parse_int(raw_index, REMOVE, minimum=0, maximum=max(count - 1, 0))
        return "remove", spec, index
    return None


def rule_holds_any(rule: dict, data: dict, holds) -> bool:
    """A rule on ``group.sub``: true when ``holds`` is true for at least one row."""
    group, _sep, sub = rule["field"].partition(".")
    rows = data.get(group)
    if not isinstance(rows, list):
        return holds({**rule, "field": sub}, {})
    return any(holds({**rule, "field": sub}, row) for row in rows if isinstance(row, dict))


def visible_subs(spec: dict, row: dict, holds) -> list[dict]:
    """The sub-fields shown for one row (a sub-field rule names a sibling)."""
    return [sub for sub in spec.get("fields", []) if holds(sub.get("show_if"), row)]


def prune_row(spec: dict, row: dict, holds) -> dict:
    """Keep the answers of the sub-fields that are shown for this row."""
    return {s["name"]: row[s["name"]] for s in visible_subs(spec, row, holds) if s["name"] in row}


# --- rendering (StepForm and the answer lists call these) --------------------------------


def template_row(form, spec: dict) -> dict:
    """A group of a StepForm for the template: rows, inputs, add/remove buttons."""
    name = spec["name"]
    low, high = bounds(spec)
    count = form.counts[name]
    items = []
    for index in range(count):
        inputs = []
        for sub in spec.get("fields", []):
            rule = sub.get("show_if") or {}
            inputs.append(
                {
                    "field": form[input_name(name, index, sub["name"])],
                    "showif_field": input_name(name, index, rule["field"]) if rule else "",
                    "showif_values": rule_values(rule),
                }
            )
        items.append(
            {
                "index": index,
                "title": row_title(spec, index),
                "inputs": inputs,
                "remove_value": f"{name}-{index}",
            }
        )
    return {
        "group": spec,
        "name": name,
        "label": english.localized(spec, "label"),
        "hint": english.localized(spec, "hint") or "",
        "item_label": english.localized(spec, "item_label"),
        "add_label": english.localized(spec, "add_label") or _("Weiteren Eintrag hinzufügen"),
        "items": items,
        "count": count,
        "count_name": count_name(name),
        "can_add": count < high,
        "can_remove": count > low,
        "min": low,
        "max": high,
    }


def answer_rows(spec: dict, value, holds, display, german_choices) -> list[dict]:
    """The rows of a group as answer lines, each label naming its row ("Hund 2: Rasse").

    ``holds``, ``display`` and ``german_choices`` are formengine's (passed in: no cycle)."""
    rows = value if isinstance(value, list) else []
    if not rows:
        label = english.localized(spec, "label")
        return [{"name": spec["name"], "label": label, "label_lang": "", "value": "–",
                 "value_lang": "", "type": "group"}]  # fmt: skip
    out = []
    for index, row in enumerate(rows):
        row = row if isinstance(row, dict) else {}
        title = row_title(spec, index)
        for sub in visible_subs(spec, row, holds):
            out.append(
                {
                    "name": f"{spec['name']}.{index}.{sub['name']}",
                    "label": f"{title}: {english.localized(sub, 'label')}",
                    "label_lang": "de" if english.shows_german(sub, "label") else "",
                    "value": display(sub, row.get(sub["name"])),
                    "value_lang": "de" if str(row.get(sub["name"])) in german_choices(sub) else "",
                    "type": sub["type"],
                    "row": index + 1,
                    "row_title": title,
                }
            )
    return out


def rule_values(rule: dict) -> str:
    """A same-step rule as the toggle script's data-show-if-values."""
    if "equals" in rule:
        return str(rule["equals"])
    if "in" in rule:
        return "|".join(str(v) for v in rule["in"])
    if "checked" in rule:
        return "on" if rule["checked"] else ""
    return ""
