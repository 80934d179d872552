"""The `rathaus` console command: a friendly wrapper around the management commands.

rathaus demo [--no-serve] [--port 8000] [--alongside-other-towns]
                                          migrate, load demo data, serve (demo mode)
rathaus search "<text>" [--json]          rank catalog services
rathaus catalog export FILE | import FILE XZuFi-shaped JSON
rathaus forms import FILE | export       online forms (rathaus-forms-json), published
rathaus <any manage.py command>           passed through

Every subcommand answers --help (or -h) and then does nothing else.
"""

import argparse
import os
import sys
from pathlib import Path

HELP_FLAGS = {"-h", "--help"}


def _setup() -> None:
    src = Path(__file__).resolve().parent.parent
    if str(src) not in sys.path:
        sys.path.insert(0, str(src))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")


def _manage(*argv: str) -> None:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["rathaus", *argv])


def demo_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rathaus demo",
        description=(
            "Startet die Demo (RATHAUS_MODE=demo): Datenbank migrieren, Musterstadt laden, "
            "Entwicklungsserver starten. Nicht für den Betrieb."
        ),
    )
    parser.add_argument("--no-serve", action="store_true", help="nur migrieren und laden")
    parser.add_argument("--port", default="8000", help="Port des Servers (Standard 8000)")
    parser.add_argument(
        "--alongside-other-towns",
        action="store_true",
        help="Demodaten auch laden, wenn die Datenbank schon andere Kommunen enthält",
    )
    return parser


def run_demo(rest: list[str]) -> None:
    options = demo_parser().parse_args(rest)  # --help prints and exits here
    # The demo is an explicit mode: demo key, any host, demo payments (core.deployment).
    os.environ["RATHAUS_MODE"] = "demo"
    _manage("migrate", "--noinput")
    load = ["load_demo"]
    if options.alongside_other_towns:
        load.append("--alongside-other-towns")
    _manage(*load)
    if not options.no_serve:
        os.environ.setdefault("TASKS_BACKEND", "immediate")
        _manage("runserver", f"127.0.0.1:{options.port}")


def main(argv: list[str] | None = None) -> None:
    _setup()
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {*HELP_FLAGS, "help"}:
        print(__doc__)
        return
    command, rest = args[0], args[1:]
    if HELP_FLAGS & set(rest):
        # Printing help touches nothing, so it needs no production settings either.
        os.environ.setdefault("RATHAUS_MODE", "demo")
    if command == "demo":
        run_demo(rest)
    elif command == "search":
        _manage("search_services", *rest)
    elif command == "catalog":
        if not rest or rest[0] not in {"export", "import"}:
            print("rathaus catalog export FILE | rathaus catalog import FILE")
            return
        _manage(f"catalog_{rest[0]}", *rest[1:])
    elif command == "forms":
        if not rest or rest[0] not in {"export", "import"}:
            print("rathaus forms import FILE | rathaus forms export [--service SLUG] > FILE")
            return
        _manage(f"forms_{rest[0]}", *rest[1:])
    else:
        _manage(command, *rest)


if __name__ == "__main__":
    main()
