"""Writes to the database outside an app's write path (ADR 0001), with an allow-list.

    .venv/bin/python scripts/direct_writes.py          # every write not allowed, exit 1 if any
    .venv/bin/python scripts/direct_writes.py --all    # every write outside services modules

A write is a call of ``save``, ``delete``, ``create``, ``get_or_create``,
``update_or_create``, ``bulk_create``, ``bulk_update`` or of ``update`` on a query
(``X.objects…update``, ``….filter(…).update``). Found by reading the source with
``ast``; ``dict.update``, a session's or cache's ``delete`` and the like are left out
by the receiver's shape. The write path of an app is its ``services`` module or
package (``services.py``, ``services_*.py``, ``services/``), its ``models.py`` (model
methods) and its migrations. Everything else must be listed in ``ALLOWED`` below
with the reason it may write: tests/core/test_direct_writes.py fails on a new
write outside the list and on a stale entry.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
WRITES = {
    "save",
    "delete",
    "create",
    "get_or_create",
    "update_or_create",
    "bulk_create",
    "bulk_update",
}
QUERY_METHODS = {
    "filter",
    "exclude",
    "all",
    "select_for_update",
    "for_municipality",
    "select_related",
    "only",
}
NOT_ORM = {"cache", "session", "request.session", "storage", "default_storage", "hasher"}

# Category reasons, referenced from ALLOWED.
DEMO = "demo data loader: builds a demo municipality from the data files (RATHAUS_MODE=demo)"
IMPORT = "the app's importer: its own write path for imported data, audited per run"
DOMAIN = "the app's own domain module: writes its own tables, audited where state changes"
RETENTION = "retention / privacy: deletes or anonymises the app's own expired records"
OPS = "operations tooling in core: writes its own bookkeeping rows"
FAIR = "fair release (ADR 0021): releases, lottery, waiting list write their own rows, audited"
NOT_DB = "not a database write: an image or QR code saved to a buffer"
CLIENT = "creates an API client (a staff command), audited in the function"
CASES = "the case workflow (cases.py is the case-management write path), audited"
LOGIN = "links an OIDC identity at login"
PAYMENT = "the payment write path (record_status is idempotent and audited)"
TASK = "a task records its own delivery attempt"
UNITS = "materialises unit rows (called from services.operations and the scheduler)"
AUDIT = "the audit trail itself"
SETUP = "setup command: the first municipality of an installation"
STAMPS = "OParl 'modified' stamps, called from OParlObject.save()"
VOTING = "ballot secrecy and vote codes: the voting write path, audited"
DIALOGUE = "links the dialogue event to its offer (catalog/appointments rows via their services)"
ALERTS = "area alerts (subscribe, confirm, send): the alerts write path"
LAND = "the Land catalog template's write path (ADR 0211): Land texts and town adoptions"
HELD = "a mail held for one delivery (ids-only tasks, ADR 0172), deleted once sent or after 7 days"
ONBOARDING = "the operator's onboarding write path (core/onboarding.py, ADR 0210), audited"

#: "module:function" -> reason. Functions are the innermost def (or <module>).
ALLOWED: dict[str, str] = {
    "rathaus.participation.periodic:delete_expired_tree_grants": RETENTION,
    "rathaus.applications.exchange:_import_one": IMPORT,
    "rathaus.participation.reports.exchange:_import_one": IMPORT,
    "rathaus.catalog.land_template:save_land_service": LAND,
    "rathaus.catalog.land_template:adopt": LAND,
    "rathaus.catalog.land_template:note_town_edit": LAND,
    "rathaus.catalog.land_template:follow_land_again": LAND,
    "rathaus.core.held_mail:send_held_mail": HELD,
    "rathaus.core.held_mail:send_after_commit": HELD,
    "rathaus.core.held_mail:prune": HELD,
    "rathaus.core.onboarding:onboard_town": ONBOARDING,
    "rathaus.core.onboarding:_grant": ONBOARDING,
    "rathaus.core.onboarding:revoke_role": ONBOARDING,
    "rathaus.core.onboarding:add_location": ONBOARDING,
    "rathaus.core.onboarding:update_town": ONBOARDING,
    "rathaus.core.onboarding:update_location": ONBOARDING,
    "rathaus.core.onboarding:close_location": ONBOARDING,
    "rathaus.core.onboarding:reopen_location": ONBOARDING,
    "rathaus.core.onboarding:update_office": ONBOARDING,
    "rathaus.applications.form_import:_write": IMPORT,
    "rathaus.applications.payments:start_booking_payment": PAYMENT,
    "rathaus.core.embedding:add_origin": DOMAIN,
    "rathaus.core.embedding:remove_origin": DOMAIN,
    "rathaus.participation.reports.geocoding:import_addresses": IMPORT,
    "rathaus.applications.api:create_api_client": CLIENT,
    "rathaus.applications.cases:_event": CASES,
    "rathaus.applications.cases:_post": CASES,
    "rathaus.applications.cases:acknowledge": CASES,
    "rathaus.applications.cases:assign": CASES,
    "rathaus.applications.cases:change_status": CASES,
    "rathaus.applications.cases:citizen_reply": CASES,
    "rathaus.applications.cases:decide": CASES,
    "rathaus.applications.cases:mark_read": CASES,
    "rathaus.applications.cases:mark_replies_read": CASES,
    "rathaus.applications.cases:request_documents": CASES,
    "rathaus.applications.cases:set_due_date": CASES,
    "rathaus.applications.demo:_age_due_dates": DEMO,
    "rathaus.applications.demo:_clerks": DEMO,
    "rathaus.applications.demo:_sample": DEMO,
    "rathaus.applications.demo:_user": DEMO,
    "rathaus.applications.library:install": IMPORT,
    "rathaus.applications.oidc:user_for_claims": LOGIN,
    "rathaus.applications.payments:_on_paid": PAYMENT,
    "rathaus.applications.payments:create": PAYMENT,
    "rathaus.applications.payments:demo_transition": PAYMENT,
    "rathaus.applications.payments:record_status": PAYMENT,
    "rathaus.applications.payments:start_payment": PAYMENT,
    "rathaus.applications.privacy:delete_unactivated_accounts": RETENTION,
    "rathaus.applications.privacy:erase_applications": RETENTION,
    "rathaus.applications.tasks:deliver_webhook": TASK,
    "rathaus.appointments.capacity:materialise": UNITS,
    "rathaus.appointments.demo:_demo_booking": DEMO,
    "rathaus.appointments.demo:_set_up_capacity": DEMO,
    "rathaus.appointments.demo:_set_up_releases": DEMO,
    "rathaus.appointments.documents:qr_png": NOT_DB,
    "rathaus.appointments.lottery:_notify_all": FAIR,
    "rathaus.appointments.lottery:_release_rest": FAIR,
    "rathaus.appointments.lottery:_store_results": FAIR,
    "rathaus.appointments.lottery:draw": FAIR,
    "rathaus.appointments.lottery:enter": FAIR,
    "rathaus.appointments.releases:_stamp": FAIR,
    "rathaus.appointments.releases:ensure_lottery": FAIR,
    "rathaus.appointments.releases:record_run": FAIR,
    "rathaus.appointments.waitlist:_close_offer_of": FAIR,
    "rathaus.appointments.waitlist:join": FAIR,
    "rathaus.appointments.waitlist:sync": FAIR,
    "rathaus.appointments.waitlist:units_freed": FAIR,
    "rathaus.catalog.taxonomy:sync_taxonomy": IMPORT,
    "rathaus.core.audit:record": AUDIT,
    "rathaus.core.demo:load": DEMO,
    "rathaus.core.export:erase_account": RETENTION,
    "rathaus.core.management.commands.create_first_municipality:handle": SETUP,
    "rathaus.core.ops.mail:_remember": OPS,
    "rathaus.core.ops.modes:set_mode": OPS,
    "rathaus.core.ops.queue:release_expired_leases": OPS,
    "rathaus.core.ops.queue:retry_failed": OPS,
    "rathaus.core.ops.queue:retry_later": OPS,
    "rathaus.core.periodic:run_recorded": OPS,
    "rathaus.core.privacy:delete_expired_sessions": RETENTION,
    "rathaus.core.privacy:erase_login_records": RETENTION,
    "rathaus.core.privacy:prune_audit_log": RETENTION,
    "rathaus.core.privacy:prune_finished_tasks": RETENTION,
    "rathaus.core.privacy:prune_login_records": RETENTION,
    "rathaus.council.demo:councillor_login": DEMO,
    "rathaus.council.demo:finish_meeting": DEMO,
    "rathaus.council.demo:master_data": DEMO,
    "rathaus.council.demo:member": DEMO,
    "rathaus.council.demo:person": DEMO,
    "rathaus.council.demo:seed_meeting": DEMO,
    "rathaus.council.importer:attach": IMPORT,
    "rathaus.council.importer:import_agendaitem": IMPORT,
    "rathaus.council.importer:import_consultation": IMPORT,
    "rathaus.council.importer:import_file": IMPORT,
    "rathaus.council.importer:import_legislativeterm": IMPORT,
    "rathaus.council.importer:import_location": IMPORT,
    "rathaus.council.importer:import_meeting": IMPORT,
    "rathaus.council.importer:import_membership": IMPORT,
    "rathaus.council.importer:import_organization": IMPORT,
    "rathaus.council.importer:import_paper": IMPORT,
    "rathaus.council.importer:import_person": IMPORT,
    "rathaus.council.importer:link_papers": IMPORT,
    "rathaus.council.importer:run": IMPORT,
    "rathaus.council.importer:save": IMPORT,
    "rathaus.council.importer:take_body": IMPORT,
    "rathaus.council.oparl_touch:_mark_shown": STAMPS,
    "rathaus.council.oparl_touch:touch_after_save": STAMPS,
    "rathaus.council.privacy:delete_unconfirmed_alerts": RETENTION,
    "rathaus.council.privacy:erase_alerts": RETENTION,
    "rathaus.onsite.demo:_history": DEMO,
    "rathaus.onsite.demo:_lead_time_history": DEMO,
    "rathaus.onsite.demo:_past_bookings": DEMO,
    "rathaus.onsite.demo:_running_day": DEMO,
    "rathaus.onsite.demo:_set_up": DEMO,
    "rathaus.participation.budget.secrecy:seal": VOTING,
    "rathaus.participation.budget.secrecy:seal_and_prune": VOTING,
    "rathaus.participation.budget.vote_codes:cast_ballot_with_code": VOTING,
    "rathaus.participation.budget.vote_codes:generate_letter_codes": VOTING,
    "rathaus.participation.budget.vote_codes:request_email_code": VOTING,
    "rathaus.participation.demo:_date_the_story_back": DEMO,
    "rathaus.participation.demo:_photo": DEMO,
    "rathaus.participation.demo:_voters": DEMO,
    "rathaus.participation.demo:load_budget": DEMO,
    "rathaus.participation.demo:load_dialogues": DEMO,
    "rathaus.participation.demo:load_reports": DEMO,
    "rathaus.participation.demo:load_trees": DEMO,
    "rathaus.participation.dialogues.slots:enable_slot_booking": DIALOGUE,
    "rathaus.participation.periodic:_erase_contact": RETENTION,
    "rathaus.participation.periodic:delete_abandoned_photos": RETENTION,
    "rathaus.participation.periodic:delete_past_registrations": RETENTION,
    "rathaus.participation.periodic:expire_unconfirmed_registrations": RETENTION,
    "rathaus.participation.privacy:erase_participation": RETENTION,
    "rathaus.participation.reports.alerts:confirm": ALERTS,
    "rathaus.participation.reports.alerts:delete_unconfirmed": ALERTS,
    "rathaus.participation.reports.alerts:send_due": ALERTS,
    "rathaus.participation.reports.alerts:subscribe": ALERTS,
    "rathaus.participation.reports.alerts:unsubscribe": ALERTS,
    "rathaus.participation.reports.images:sanitize_photo": NOT_DB,
    "rathaus.participation.reports.open311:create_client": CLIENT,
}


def _is_services(module: str) -> bool:
    parts = module.split(".")
    return any(p == "services" or p.startswith("services_") for p in parts) or parts[-1] in {
        "models",
        "release_models",
    }


def _receiver(node: ast.Attribute) -> str:
    return ast.unparse(node.value)


def _is_write(call: ast.Call) -> bool:
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    receiver = _receiver(func)
    if receiver in NOT_ORM or receiver.endswith(("session", "cache", ".storage", "_cache")):
        return False
    if func.attr in WRITES:
        # ``create`` on a bare name is e.g. a class method, not a manager's.
        return func.attr != "create" or "." in receiver
    if func.attr == "update":
        if ".objects" in receiver:
            return True
        value = func.value
        return (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr in QUERY_METHODS
        )
    return False


def find(package: str = "rathaus", include_services: bool = False) -> list[tuple[str, int, str]]:
    """(module:function, line, call) of every write outside the write paths."""
    found = []
    root = SRC / package.replace(".", "/")
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(SRC).with_suffix("")
        if "migrations" in rel.parts or "tests" in rel.parts:
            continue
        module = ".".join(rel.parts).removesuffix(".__init__")
        if _is_services(module) and not include_services:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))

        def visit(node: ast.AST, function: str) -> None:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                function = node.name
            if isinstance(node, ast.Call) and _is_write(node):
                found.append((f"{module}:{function}", node.lineno, ast.unparse(node.func)))  # noqa: B023
            for child in ast.iter_child_nodes(node):
                visit(child, function)

        visit(tree, "<module>")
    return found


def not_allowed(found=None) -> list[tuple[str, int, str]]:
    found = find() if found is None else found
    return [write for write in found if write[0] not in ALLOWED]


def stale(found=None) -> list[str]:
    found = find() if found is None else found
    seen = {write[0] for write in found}
    return sorted(key for key in ALLOWED if key not in seen)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="also the allowed ones")
    args = parser.parse_args(argv)
    found = find()
    shown = found if args.all else not_allowed(found)
    for where, line, call in shown:
        reason = ALLOWED.get(where, "NOT ALLOWED")
        print(f"{where}  l.{line}  {call}()  # {reason}")
    old = stale(found)
    for key in old:
        print(f"stale allow-list entry: {key}")
    print(f"{len(found)} writes outside services, {len(not_allowed(found))} not allowed")
    return 1 if not_allowed(found) or old else 0


if __name__ == "__main__":
    sys.exit(main())
