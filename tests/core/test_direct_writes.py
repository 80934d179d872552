"""ADR 0001: writes go through the owning app's services; the rest is listed with a reason.

``scripts/direct_writes.py`` finds every ``save/create/update/delete`` outside the
write paths by reading the source. A new one fails here until it moves into a
``services`` module or is added to the allow-list with its reason.
"""

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "direct_writes.py"


def _script():
    spec = importlib.util.spec_from_file_location("direct_writes", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("direct_writes", module)
    spec.loader.exec_module(module)
    return module


def test_no_write_outside_services_unless_allowed_with_a_reason():
    script = _script()
    found = script.find()
    assert found, "the finder finds nothing: it is broken"
    assert script.not_allowed(found) == []
    assert script.stale(found) == []
    assert all(reason.strip() for reason in script.ALLOWED.values())


def test_the_finder_sees_a_view_writing_directly(tmp_path, monkeypatch):
    script = _script()
    app = tmp_path / "rathaus" / "demoapp"
    app.mkdir(parents=True)
    (app / "views.py").write_text(
        "def page(request):\n"
        "    context = {}\n"
        "    context.update(a=1)\n"  # a dict: not a write
        "    request.session.delete('k')\n"  # the session: not a write
        "    Thing.objects.filter(pk=1).update(n=2)\n"
        "    thing.save()\n"
    )
    (app / "services.py").write_text("def change(thing):\n    thing.save()\n")
    monkeypatch.setattr(script, "SRC", tmp_path)
    found = script.find("rathaus.demoapp")
    assert [(where, line) for where, line, _ in found] == [
        ("rathaus.demoapp.views:page", 5),
        ("rathaus.demoapp.views:page", 6),
    ]
