"""The package's own import graph, read from its source (no import is executed)."""

from __future__ import annotations

import ast
from pathlib import Path

import django_duet

PACKAGE_DIR = Path(django_duet.__file__).parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for path in sorted(PACKAGE_DIR.rglob("*.py"))
        if "migrations" not in path.parts
    }


def _import_time_nodes(tree: ast.AST) -> list[ast.AST]:
    """The nodes that run when the module is imported: everything but function bodies."""
    found: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        found.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(node))
    return found


def imported_modules(path: Path, known: set[str], *, import_time: bool = False) -> set[str]:
    """Every package module ``path`` imports, inside functions too unless ``import_time``."""
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in _import_time_nodes(tree) if import_time else ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from a.b import c` imports the module a.b.c when there is one, else a.b (whose
            # package __init__ runs for any submodule anyway, as for every import in Python).
            submodules = [f"{node.module}.{alias.name}" for alias in node.names]
            names = [name for name in submodules if name in known] or [node.module]
        else:
            continue
        found.update(name for name in names if name in known)
    return found


def import_graph(*, import_time: bool = False) -> dict[str, set[str]]:
    """Module -> the package modules it imports (``import_time``: only those its import runs)."""
    modules = package_modules()
    known = set(modules)
    return {
        name: imported_modules(path, known, import_time=import_time) - {name}
        for name, path in modules.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path a -> b -> ... -> a, or None (iterative DFS, sorted order)."""
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    for root in sorted(graph):
        if state.get(root):
            continue
        stack: list[tuple[str, list[str]]] = [(root, sorted(graph[root]))]
        state[root] = 1
        while stack:
            node, todo = stack[-1]
            if not todo:
                state[node] = 2
                stack.pop()
                continue
            nxt = todo.pop(0)
            if state.get(nxt) == 1:
                path = [name for name, _ in stack]
                return [*path[path.index(nxt) :], nxt]
            if not state.get(nxt):
                state[nxt] = 1
                stack.append((nxt, sorted(graph.get(nxt, ()))))
    return None
