"""The package's import graph: no cycles, and no layer imports a higher one.

Every module under copilot/ is parsed (not imported), and every import counts: top-level ones,
imports inside functions and ``if TYPE_CHECKING:`` blocks alike, because an import deferred to
call time still ties the two modules together. ``from copilot.x import y`` is an edge to
``copilot.x.y`` when that is a module, else to ``copilot.x``. Importing ``copilot.x.y`` runs
``copilot/x/__init__.py`` first, so it is an edge to ``copilot.x`` as well (from outside x).

Layers, lowest first (a module may import its own layer and the ones below):
core; storage and the guardrail rules (pure functions over text); the audit log (it redacts with
the rules) and the engines; drafting; domains; the application object; faces. The root package
(``copilot``, the public names) is a face: it re-exports the application object.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "copilot"
LAYERS: tuple[tuple[str, ...], ...] = (
    (
        "copilot.errors",
        "copilot.messages",
        "copilot.config",
        "copilot.datafile",
        "copilot.filelock",
        "copilot.once",
    ),
    ("copilot.store", "copilot.guardrails"),
    ("copilot.audit", "copilot.retrieval", "copilot.llm", "copilot.answering"),
    ("copilot.drafting",),
    (
        "copilot.customers",
        "copilot.campaigns",
        "copilot.community",
        "copilot.evals",
        "copilot.analytics",
        "copilot.compliance",
        "copilot.access",
        "copilot.wecom",
    ),
    ("copilot.app",),
    ("copilot", "copilot.cli", "copilot.ui", "copilot.api"),
)
# What the audit log, the database and the compliance self-check must never depend on.
CUSTOMER_FREE = ("copilot.audit", "copilot.compliance", "copilot.store")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str, path: Path) -> set[str]:
    """The copilot modules `name` imports anywhere in its source."""
    known = modules()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in known else base)
    parents = {
        ".".join(parts[:end])
        for target in found
        for parts in [target.split(".")]
        for end in range(2, len(parts))
    }
    own = {".".join(name.split(".")[:end]) for end in range(1, name.count(".") + 2)}
    return {target for target in found | parents if target in known and target not in own}


@cache
def graph() -> dict[str, frozenset[str]]:
    return {name: frozenset(imported(name, path)) for name, path in modules().items()}


def layer(module: str) -> int | None:
    """The layer of a module: that of its closest listed package (the root only as itself)."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix == "copilot" and module != "copilot":
            return None
        for number, packages in enumerate(LAYERS):
            if prefix in packages:
                return number
    return None


def upward_imports(edges: dict[str, frozenset[str]]) -> set[tuple[str, str]]:
    return {
        (module, target)
        for module, targets in edges.items()
        for target in targets
        if (layer(target) or 0) > (layer(module) or 0)
    }


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")


def reachable(edges: dict[str, frozenset[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for target in edges.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def find_cycle(edges: dict[str, frozenset[str]]) -> list[str] | None:
    """One import cycle as a path (first module repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state:
            cycle = visit(start)
            if cycle:
                return cycle
    return None


def test_the_parser_sees_local_and_from_imports() -> None:
    edges = graph()
    assert "copilot.llm.backend" in edges["copilot.llm.template"]
    assert (
        "copilot.drafting.guard" in edges["copilot.drafting.engine"]
    )  # from package import module
    assert "copilot.drafting" not in edges["copilot.drafting.engine"]  # its own package
    assert "copilot.llm" in edges["copilot.drafting.prompts"]  # runs copilot/llm/__init__.py
    assert "copilot.llm.openai_backend" in edges["copilot.llm"]  # imported inside __getattr__


def test_the_cycle_finder_reports_the_path() -> None:
    edges = {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}), "d": frozenset()}
    assert find_cycle(edges) == ["a", "b", "c", "a"]
    assert find_cycle({"a": frozenset({"b"}), "b": frozenset()}) is None


def test_no_import_cycles() -> None:
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_layer_lookup() -> None:
    assert layer("copilot") == 6 and layer("copilot.cli.kb") == 6
    assert layer("copilot.errors") == 0 and layer("copilot.store.engine") == 1
    assert layer("copilot.guardrails.pii") == 1 and layer("copilot.audit.chain") == 2
    assert layer("copilot.drafting.engine") == 3 and layer("copilot.app") == 5
    assert layer("copilot.newthing") is None
    edges = {"copilot.errors": frozenset({"copilot.ui.safe"}), "copilot.ui": frozenset()}
    assert upward_imports(edges) == {("copilot.errors", "copilot.ui.safe")}


def test_every_module_has_a_layer() -> None:
    unplaced = sorted(name for name in graph() if layer(name) is None)
    assert not unplaced, f"add these packages to LAYERS in {Path(__file__).name}: {unplaced}"


def test_no_layer_imports_a_higher_one() -> None:
    upward = upward_imports(graph())
    found = sorted(f"{m} (layer {layer(m)}) imports {t} (layer {layer(t)})" for m, t in upward)
    assert not found, "imports into a higher layer:\n" + "\n".join(found)


def test_audit_store_and_compliance_never_reach_customers() -> None:
    edges = graph()
    reached = {
        (name, target)
        for name in edges
        if any(within(name, package) for package in CUSTOMER_FREE)
        for target in reachable(edges, name)
        if within(target, "copilot.customers")
    }
    assert not reached, sorted(reached)
