"""The shape of the package: one direction of dependency, and no project import hidden in a
function (which is how an import circle hides)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import pipeline

PACKAGE = Path(pipeline.__file__).parent


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imported(node: ast.AST, modules: dict[str, Path]) -> set[str]:
    """The project modules an import statement depends on."""
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
        # `from pipeline import forms` depends on forms; `from pipeline.link import History`
        # on the package pipeline.link.
        names = [
            f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
            for a in node.names
        ]
    else:
        return set()
    return {n for n in names if n in modules}


def _graph() -> tuple[dict[str, set[str]], list[str]]:
    modules = _modules()
    edges: dict[str, set[str]] = {name: set() for name in modules}
    in_functions = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            edges[name] |= _imported(node, modules) - {name}
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                in_functions += [
                    f"{name}.{node.name}: {ast.unparse(inner)}"
                    for inner in ast.walk(node)
                    if _imported(inner, modules)
                ]
    return edges, in_functions


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every import circle, as the path around it (depth-first search, colours)."""
    found, state, path = [], {}, []

    def visit(name: str) -> None:
        state[name] = "open"
        path.append(name)
        for target in sorted(edges[name]):
            if state.get(target) == "open":
                found.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[name] = "done"

    for name in sorted(edges):
        if name not in state:
            visit(name)
    return found


def test_the_graph_sees_a_circle_when_there_is_one():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_among_pipeline_modules():
    edges, _ = _graph()
    assert "pipeline.link" in edges["pipeline.scoring"]  # the graph does see imports
    assert _cycles(edges) == []


def test_no_project_module_is_imported_inside_a_function():
    """Except the package's own __getattr__, which loads the run API on first use."""
    _, in_functions = _graph()
    assert in_functions == ["pipeline.__getattr__: from pipeline import issues, office"]


def test_the_leaves_stay_leaves():
    """Reader types and rules are what every stage shares: they import no stage."""
    edges, _ = _graph()
    assert edges["pipeline.records"] <= {"pipeline.issues", "pipeline.vocab"}
    assert edges["pipeline.rules"] == set()
    assert "pipeline.scoring" not in edges["pipeline.config"]


def test_reading_the_config_needs_no_stage():
    """dvk.toml is read (by a later `dvk doctor`, by an Excel button) with the rules alone:
    config and rules import neither pandas nor a stage, and importing them loads none."""
    edges, _ = _graph()
    assert edges["pipeline.config"] <= {"pipeline.vocab", "pipeline.rules"}
    for name in ("config", "rules", "vocab"):
        tree = ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))
        imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not {"pandas", "openpyxl", "pandera"} & imported, name
    code = "import sys, pipeline.config; print(sorted({'pandas', 'openpyxl'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_api_is_there_when_asked_for():
    from pipeline import Office, Severity

    assert Office.__module__ == "pipeline.office" and Severity.__module__ == "pipeline.issues"
    with pytest.raises(AttributeError):
        pipeline.Nothing  # noqa: B018
