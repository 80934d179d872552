"""The `rathaus` console command: a friendly wrapper around the management commands.

rathaus demo [--no-serve] [--port 8000]   migrate, load demo data, serve
rathaus search "<text>" [--json]          rank catalog services
rathaus catalog export FILE | import FILE XZuFi-shaped JSON
rathaus <any manage.py command>           passed through
"""

import os
import sys
from pathlib import Path


def _setup() -> None:
    src = Path(__file__).resolve().parent.parent
    if str(src) not in sys.path:
        sys.path.insert(0, str(src))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")


def _manage(*argv: str) -> None:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["rathaus", *argv])


def main(argv: list[str] | None = None) -> None:
    _setup()
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return
    command, rest = args[0], args[1:]
    if command == "demo":
        os.environ.setdefault("EMAIL_BACKEND", "console")  # the demo prints its e-mails
        serve = "--no-serve" not in rest
        port = rest[rest.index("--port") + 1] if "--port" in rest else "8000"
        _manage("migrate", "--noinput")
        _manage("load_demo")
        if serve:
            os.environ.setdefault("TASKS_BACKEND", "immediate")
            _manage("runserver", f"127.0.0.1:{port}")
    elif command == "search":
        _manage("search_services", *rest)
    elif command == "catalog" and rest and rest[0] in {"export", "import"}:
        _manage(f"catalog_{rest[0]}", *rest[1:])
    else:
        _manage(command, *rest)


if __name__ == "__main__":
    main()
