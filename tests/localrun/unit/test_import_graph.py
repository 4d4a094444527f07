"""localrun's modules import one another without a circle: lazy and TYPE_CHECKING imports included."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import localrun

ROOT = Path(localrun.__file__).resolve().parent


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.AST, package: str, modules: set[str]) -> set[str]:
    """Return the localrun modules a module imports anywhere in its body."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package) \
                if node.level else node.module or ""
            found.add(base)
            # `from package import module` imports the submodule too.
            found.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in modules)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {name for name in found if name in modules}


def import_graph() -> dict[str, set[str]]:
    paths = {module_name(p): p for p in ROOT.rglob("*.py")}
    modules = set(paths)
    graph = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        graph[name] = imported(ast.parse(path.read_text(encoding="utf-8")), package, modules) - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one import circle as a path (first module repeated at the end), or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    stack: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state and (cycle := walk(target)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := walk(node)):
            return cycle
    return None


class TestImportGraph:
    def test_the_graph_sees_localruns_imports(self):
        graph = import_graph()
        assert "localrun.broker.transport" in graph["localrun.broker.rabbitmq.transport"]
        assert "localrun.gateway.plugins.jwt" in graph["localrun.gateway.plugins.config"]

    def test_no_module_imports_itself_through_others(self):
        assert find_cycle(import_graph()) is None

    def test_a_circle_is_found(self):
        assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]

    def test_the_transport_interface_knows_neither_transport(self):
        graph = import_graph()
        assert not {m for m in graph["localrun.broker.transport"]
                    if m.startswith(("localrun.broker.rabbitmq", "localrun.broker.postgres"))}
