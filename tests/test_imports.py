"""The import graph of ``actuarial`` and ``fiscal_space`` has no circles (issue 14, "the house").

Read from the source with ``ast`` (nothing is imported): a module's module-level imports (also inside
``if`` / ``try`` at module level) are its edges. Two rules:

- no circle of module-level imports (a package's own ``__init__`` is left out of its submodules' edges:
  Python always runs it first, so a submodule importing its package is not a circle);
- no import inside a function of a module that itself reaches the importing module at module level:
  that import would only hide a circle (lazy imports for start-up speed are fine when there is none).

And the schema toolkit serves ``fiscal_space`` without depending on it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("actuarial", "fiscal_space")


def _modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


MODULES = _modules()


def _targets(module: str, node) -> set[str]:
    """The engine's modules an import statement runs, the importing module's own packages left out."""
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        base = node.module or ""
        if node.level:  # relative import
            package = module.split(".") if MODULES[module].name == "__init__.py" else module.split(".")[:-1]
            package = package[:len(package) - node.level + 1]
            base = ".".join(package + ([base] if base else []))
        names = [base] + [f"{base}.{a.name}" for a in node.names]
    out = set()
    for name in names:
        parts = name.split(".")
        for i in range(1, len(parts) + 1):  # importing a.b.c runs a and a.b too
            target = ".".join(parts[:i])
            if target in MODULES and not (module == target or module.startswith(target + ".")):
                out.add(target)
    return out


def _graph():
    top, inner = {}, {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top[module], inner[module] = set(), set()
        for stmt in tree.body:
            nested = ast.walk(stmt) if isinstance(stmt, (ast.If, ast.Try)) else [stmt]
            for node in nested:
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    top[module] |= _targets(module, node)
        for func in ast.walk(tree):
            if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(func):
                    if isinstance(node, (ast.Import, ast.ImportFrom)):
                        inner[module] |= {(t, node.lineno) for t in _targets(module, node)}
    return top, inner


TOP, INNER = _graph()


def _path(graph, start: str, goal: str) -> list[str] | None:
    """A chain of module-level imports from ``start`` to ``goal`` (depth first), or None."""
    stack, seen = [(start, [start])], set()
    while stack:
        node, chain = stack.pop()
        if node == goal:
            return chain
        if node in seen:
            continue
        seen.add(node)
        stack.extend((n, chain + [n]) for n in sorted(graph[node]))
    return None


def test_the_graph_is_read():
    # a known edge of each kind, so that an empty graph cannot pass
    assert "actuarial.projection.pension_finance" in TOP["actuarial.projection.pension"]
    assert any(t == "actuarial.pipeline" for t, _ in INNER["actuarial.cli"])


def test_no_module_level_circle():
    circles = []
    for module, targets in TOP.items():
        for target in targets:
            back = _path(TOP, target, module)
            if back:
                circles.append(" -> ".join([module] + back))
    assert not circles, "import circles:\n" + "\n".join(sorted(circles))


def test_no_function_level_import_hides_a_circle():
    hidden = []
    for module in sorted(INNER):
        for target, line in sorted(INNER[module]):
            back = _path(TOP, target, module)
            if back:
                hidden.append(f"{MODULES[module].relative_to(ROOT)}:{line} imports {target} in a function; "
                              f"at module level {' -> '.join(back)}")
    assert not hidden, "\n".join(hidden)


def test_the_schema_toolkit_does_not_depend_on_fiscal_space():
    for module in (m for m in MODULES if m.startswith("actuarial.schema")):
        reached = {m for m in MODULES if m.startswith("fiscal_space") and _path(TOP, module, m)}
        assert not reached, f"{module} imports {sorted(reached)}"
