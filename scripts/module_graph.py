"""The module graph of one package, imports inside functions included, and its cycles.

    .venv/bin/python scripts/module_graph.py rathaus.appointments
    .venv/bin/python scripts/module_graph.py rathaus.applications --mermaid
    .venv/bin/python scripts/module_graph.py rathaus.appointments --check   # exit 1 on a cycle

Reads the source with ``ast`` (nothing is imported), so every ``import`` counts: at
module level, inside functions and under ``if TYPE_CHECKING:`` alike, except the last
(a type-only import is not a run-time dependency; ``--with-type-only`` counts it too).
Edges are between modules of the package given; imports of other packages are left
out. A cycle is printed as its strongly connected component (Tarjan), the modules in
it sorted, followed by one shortest loop through them.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import deque
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"


def _modules(package: str) -> dict[str, Path]:
    root = SRC / package.replace(".", "/")
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(SRC).with_suffix("")
        parts = list(rel.parts)
        if "migrations" in parts or "tests" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str, path: Path, with_type_only: bool) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    targets: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and not with_type_only and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                if not is_package:
                    base = base[:-1]
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            # ``from pkg import submodule`` depends on the submodule, ``from pkg import
            # name`` on pkg (resolved in ``graph``: a target that is no module falls
            # back to its package).
            targets.update(f"{prefix}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return targets


def graph(package: str, with_type_only: bool = False) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (anywhere in its body)."""
    modules = _modules(package)
    edges: dict[str, set[str]] = {}
    for module, path in modules.items():
        out: set[str] = set()
        for target in _imports(module, path, with_type_only):
            # ``import a.b.c`` depends on the deepest known module of that name.
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != module and target != package:
                out.add(target)
        edges[module] = out
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def strong(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            strong(v)
    return sorted(found, key=lambda c: (-len(c), c))


def shortest_loop(edges: dict[str, set[str]], component: list[str]) -> list[str]:
    """One shortest loop through the component's first module."""
    start = component[0]
    inside = set(component)
    queue = deque([[start]])
    seen = {start}
    while queue:
        route = queue.popleft()
        for nxt in sorted(edges[route[-1]] & inside):
            if nxt == start:
                return [*route, start]
            if nxt not in seen:
                seen.add(nxt)
                queue.append([*route, nxt])
    return component


def _short(module: str, package: str) -> str:
    return module[len(package) + 1 :] if module.startswith(package + ".") else module


def mermaid(edges: dict[str, set[str]], package: str) -> str:
    lines = ["graph TD"]
    for source in sorted(edges):
        for target in sorted(edges[source]):
            a, b = _short(source, package), _short(target, package)
            lines.append(f"  {a.replace('.', '_')}[{a}] --> {b.replace('.', '_')}[{b}]")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="+", help="e.g. rathaus.appointments")
    parser.add_argument("--mermaid", action="store_true", help="print the graph as mermaid")
    parser.add_argument("--edges", action="store_true", help="print every edge")
    parser.add_argument("--check", action="store_true", help="exit 1 when there is a cycle")
    parser.add_argument("--with-type-only", action="store_true")
    args = parser.parse_args(argv)
    any_cycle = False
    for package in args.packages:
        edges = graph(package, args.with_type_only)
        found = cycles(edges)
        any_cycle = any_cycle or bool(found)
        n_edges = sum(len(v) for v in edges.values())
        print(f"{package}: {len(edges)} modules, {n_edges} edges, {len(found)} cycle(s)")
        for component in found:
            names = ", ".join(_short(m, package) for m in component)
            loop = " -> ".join(_short(m, package) for m in shortest_loop(edges, component))
            print(f"  cycle of {len(component)}: {names}")
            print(f"    e.g. {loop}")
        if args.edges:
            for source in sorted(edges):
                for target in sorted(edges[source]):
                    print(f"  {_short(source, package)} -> {_short(target, package)}")
        if args.mermaid:
            print(mermaid(edges, package))
    return 1 if args.check and any_cycle else 0


if __name__ == "__main__":
    sys.exit(main())
