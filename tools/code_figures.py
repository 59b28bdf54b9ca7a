"""The code's own figures, read from its syntax tree, so the task redesign (issue 23) can measure itself.

    .venv/bin/python tools/code_figures.py          # a short table
    .venv/bin/python tools/code_figures.py --json   # the same as JSON (and every cycle and comparison site)

Figures:

- **task-name comparisons**: ``x == "classify"``, ``task in ("forecast", ...)`` (a comparison with one of
  ``rnn_lab.tasks.TASK_NAMES`` as a string constant) outside ``rnn_lab/tasks.py`` (and a future ``rnn_lab/tasks/``);
- **task defaults**: ``getattr(x, "task", "forecast")`` and ``.get("task", ...)``, the other way a name decides;
- **import cycles**: strongly connected groups of the project's modules (``rnn_lab``, ``ui``, ``app_pages``) in the
  graph of every import, those inside functions included (Python runs them too); one group is one cycle;
- **in-function project imports**: ``import``/``from`` of a project module placed inside a function;
- **largest files** and how many are over 600 lines.

Only the standard library; nothing is imported from the project (so a broken import cannot hide a figure).
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("rnn_lab", "ui", "app_pages")
TASK_NAMES = ("forecast", "classify", "next_token")
MAX_LINES = 600


def project_files() -> list[Path]:
    files = [p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))]
    return files + [ROOT / "app.py"]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def in_task_package(path: Path) -> bool:
    rel = path.relative_to(ROOT).as_posix()
    return rel == "rnn_lab/tasks.py" or rel.startswith("rnn_lab/tasks/")


def _task_constants(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return node.value in TASK_NAMES
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return any(isinstance(e, ast.Constant) and e.value in TASK_NAMES for e in node.elts)
    return False


def task_comparisons(tree: ast.AST) -> list[int]:
    """Lines of ``==``/``!=``/``in``/``not in`` comparisons with a task name."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            ops_ok = all(isinstance(op, (ast.Eq, ast.NotEq, ast.In, ast.NotIn)) for op in node.ops)
            if ops_ok and any(_task_constants(n) for n in [node.left, *node.comparators]):
                lines.append(node.lineno)
        elif isinstance(node, ast.match_case) and _task_constants(getattr(node.pattern, "value", None) or ast.Pass()):
            lines.append(node.pattern.lineno)
    return lines


def task_defaults(tree: ast.AST) -> list[int]:
    """Lines of ``getattr(x, "task", "<name>")`` and ``x.get("task", "<name>")``."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or len(node.args) < 2:
            continue
        func = node.func
        is_getattr = isinstance(func, ast.Name) and func.id == "getattr" and len(node.args) == 3
        is_get = isinstance(func, ast.Attribute) and func.attr == "get"
        args = node.args[1:] if is_getattr else node.args if is_get else []
        if len(args) >= 2 and isinstance(args[0], ast.Constant) and args[0].value == "task":
            if isinstance(args[1], ast.Constant) and args[1].value in TASK_NAMES:
                lines.append(node.lineno)
    return lines


def _resolve(module: str, node: ast.ImportFrom | ast.Import, modules: set[str]) -> list[str]:
    """The project modules one import statement imports (``from pkg import sub`` names the submodule)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:  # relative import
            pkg = module.split(".")
            if not (ROOT / Path(*pkg) / "__init__.py").exists():
                pkg = pkg[:-1]
            pkg = pkg[: len(pkg) - (node.level - 1)]
            base = ".".join([*pkg, base] if base else pkg)
        names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
    out = []
    for name in names:
        while name and name not in modules:  # `import rnn_lab.data.text as t` -> rnn_lab.data.text
            name = name.rpartition(".")[0]
        if name and name.split(".")[0] in PACKAGES + ("app",):
            out.append(name)
    return out


def _imports(tree: ast.AST):
    """(import node, inside a function?) for every import statement of a module."""

    def walk(node, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                yield child, in_function
            nested = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            yield from walk(child, nested)

    yield from walk(tree, False)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm, iterative)."""
    index, low, on_stack, stack, out, counter = {}, {}, set(), [], [], [0]
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        out.append(sorted(group))
    return sorted(out)


def figures() -> dict:
    files = project_files()
    modules = {module_name(p) for p in files}
    graph: dict[str, set[str]] = defaultdict(set)
    comparisons, defaults, in_function, sizes = {}, {}, defaultdict(int), {}
    for path in files:
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(ROOT).as_posix()
        sizes[rel] = len(text.splitlines())
        tree = ast.parse(text, filename=rel)
        module = module_name(path)
        graph[module]  # noqa: B018 (every module is a node)
        if not in_task_package(path):
            if found := task_comparisons(tree):
                comparisons[rel] = found
        if found := task_defaults(tree):
            defaults[rel] = found
        for node, nested in _imports(tree):
            targets = [t for t in _resolve(module, node, modules) if t != module]
            graph[module].update(targets)
            if nested and targets:
                in_function[rel] += 1
    cycles = _cycles(graph)
    largest = sorted(sizes.items(), key=lambda kv: -kv[1])
    return {
        "task_name_comparisons": sum(len(v) for v in comparisons.values()),
        "task_name_comparison_files": len(comparisons),
        "task_name_comparison_sites": {k: v for k, v in sorted(comparisons.items(), key=lambda kv: -len(kv[1]))},
        "task_defaults": sum(len(v) for v in defaults.values()),
        "import_cycles": len(cycles),
        "cycle_groups": cycles,
        "in_function_project_imports": sum(in_function.values()),
        "in_function_by_file": dict(sorted(in_function.items(), key=lambda kv: -kv[1])),
        "largest_files": dict(largest[:8]),
        f"files_over_{MAX_LINES}_lines": sum(1 for _, n in largest if n > MAX_LINES),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print every figure and site as JSON")
    args = parser.parse_args(argv)
    out = figures()
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    sites = ", ".join(f"{k} {len(v)}" for k, v in list(out["task_name_comparison_sites"].items())[:5])
    print("| figure | now |\n|---|---|")
    print(
        f"| task-name comparisons outside rnn_lab/tasks | {out['task_name_comparisons']} in "
        f"{out['task_name_comparison_files']} files ({sites} ...) |"
    )
    print(f'| `getattr(x, "task", ...)` / `.get("task", ...)` defaults | {out["task_defaults"]} |')
    groups = "; ".join(" <-> ".join(m.removeprefix("rnn_lab.") for m in g) for g in out["cycle_groups"])
    print(f"| import cycles (groups of modules) | {out['import_cycles']}{': ' + groups if groups else ''} |")
    print(f"| project imports inside functions | {out['in_function_project_imports']} |")
    largest = ", ".join(f"`{k}` {v}" for k, v in list(out["largest_files"].items())[:5])
    print(f"| largest files | {largest} |")
    print(f"| files over {MAX_LINES} lines | {out[f'files_over_{MAX_LINES}_lines']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
