"""Apps import downward only: the layering the README describes, checked on the source.

Every import counts, in every form (`import peergroups.x`, `from peergroups.x import y`,
`from peergroups import x`, relative imports, `importlib.import_module("peergroups.x")`),
at module level or inside a function, except in tests and migrations (a migration may
name any app's models). An app may import apps below it in LAYERS, the project's base
modules and itself; never an app above it, and never another app's `views` or `api`
module (pages and routes are not a library). The modules of one app never import each
other in a circle. The grouping engine must not import Django at all.

The checks take the tree they read as a parameter, so `test_the_guard_*` can plant each
kind of violation in a copy and see it caught.
"""

import ast
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Low to high. Base modules (`peergroups.errors`, `http`, `env`, `settings`, `urls`,
# `wsgi`) sit under every app; `urls`/`wsgi`/`settings` may import anything.
LAYERS = [
    "ops",
    "accounts",
    "audit",
    "organizations",
    "people",
    "sso",
    "groups",
    "meetings",
    "goals",
    "resources",
    "network",
    "outcomes",
    "formation",
    "dashboards",
    "scim",
    "api",
    "demo",
]
BASE = {
    "errors",
    "http",
    "env",
    "aggregates",
    "links",
    "charts",
    "formats",
    "redact",
    "textlimits",
    "groupsize",
    "languages",
    "statements",
}
TOP = {"settings", "urls", "wsgi"}


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, root: Path) -> list[tuple[int, str]]:
    """Every module `path` imports, as absolute dotted names (`peergroups.app.module`)."""
    module = _module_name(root, path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            # `from peergroups import goals` and `from peergroups.goals import services`
            # name modules; `from peergroups.goals.services import x` names its module.
            for alias in node.names:
                found.append((node.lineno, f"{prefix}.{alias.name}"))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def _sources(root: Path, package: str):
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root / package).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path, parts


def layer_violations(root: Path = ROOT) -> list[str]:
    rank = {app: position for position, app in enumerate(LAYERS)}
    problems = []
    for path, parts in _sources(root, "peergroups"):
        owner = parts[0].removesuffix(".py")
        if owner in TOP or owner == "__init__":
            continue
        where = path.relative_to(root)
        for line, module in _imports(path, root):
            names = module.split(".")
            if names[0] != "peergroups" or len(names) < 2:
                continue
            target = names[1]
            if target == owner:
                continue
            if owner in BASE:
                if target not in BASE:
                    problems.append(f"{where}:{line}: base module imports app {module}")
                continue
            if target in BASE:
                continue
            if target not in rank:
                problems.append(f"{where}:{line}: {module}: app {target!r} is not in LAYERS")
            elif owner not in rank:
                problems.append(f"{where}: app {owner!r} is not in LAYERS")
            elif rank[target] > rank[owner]:
                problems.append(f"{where}:{line}: {owner} imports {module}, a layer above it")
            elif len(names) > 2 and names[2] in {"views", "api"} and owner != "api":
                problems.append(f"{where}:{line}: {owner} imports another app's {names[2]}")
    return problems


def app_import_cycles(root: Path = ROOT) -> list[str]:
    """Circles among the modules of one app (imports inside functions count too)."""
    graph: dict[str, set[str]] = {}
    for path, parts in _sources(root, "peergroups"):
        if len(parts) < 2:
            continue  # base modules are single files
        module = _module_name(root, path)
        app = f"peergroups.{parts[0]}"
        edges = graph.setdefault(module, set())
        for _, target in _imports(path, root):
            # `from app.services import x` was recorded as `app.services.x`: keep the
            # longest prefix that is a module of this app.
            while target.startswith(app + ".") and target != module:
                candidate = root.joinpath(*target.split("."))
                if candidate.with_suffix(".py").exists() or (candidate / "__init__.py").exists():
                    if not (candidate / "__init__.py").exists():
                        edges.add(target)
                    break
                target = target.rpartition(".")[0]
    cycles, state = [], {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                cycles.append(" -> ".join(stack[stack.index(target) :] + [target]))
            elif target not in state:
                visit(target, stack)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    return cycles


def engine_violations(root: Path = ROOT) -> list[str]:
    return [
        f"{path.relative_to(root)}:{line}: {module}"
        for path, _ in _sources(root, "grouping")
        for line, module in _imports(path, root)
        if module.split(".")[0] in {"django", "peergroups"}
    ]


def test_apps_import_only_downward():
    problems = layer_violations()
    assert not problems, "\n".join(problems)


def test_no_app_has_a_circle_among_its_modules():
    """A service that queues a task imports the task module, so that module imports no
    service of its app (the claims it writes sit beside it); a task queued by another
    task's work sits beside that work."""
    cycles = app_import_cycles()
    assert not cycles, "\n".join(cycles)


def test_every_app_has_a_layer():
    apps = {p.name for p in (ROOT / "peergroups").iterdir() if (p / "apps.py").exists()}
    assert apps <= set(LAYERS), f"apps without a layer: {sorted(apps - set(LAYERS))}"


def test_engine_never_imports_django():
    problems = engine_violations()
    assert not problems, "\n".join(problems)


# The guard's own tests: plant each kind of violation in a copy of the tree.


@pytest.fixture
def tree(tmp_path):
    copy = tmp_path / "tree"
    ignore = shutil.ignore_patterns("tests", "migrations", "__pycache__", "*.pyc")
    shutil.copytree(ROOT / "peergroups", copy / "peergroups", ignore=ignore)
    shutil.copytree(ROOT / "grouping", copy / "grouping", ignore=ignore)
    return copy


UPWARD = {
    "import": "import peergroups.formation.services\n",
    "from module": "from peergroups.formation.services import formation_run_start\n",
    "from package": "from peergroups import formation\n",
    "from package, aliased": "from peergroups import formation as f\n",
    "relative": "from ..formation import services\n",
    "relative module": "from ..formation.services import formation_run_start\n",
    "inside a function": "def f():\n    from peergroups.formation import services\n",
    "import_module": "import importlib\nimportlib.import_module('peergroups.formation.tasks')\n",
}


@pytest.mark.parametrize("form", sorted(UPWARD))
def test_the_guard_sees_every_form_of_upward_import(tree, form):
    assert layer_violations(tree) == []
    (tree / "peergroups" / "people" / "planted.py").write_text(UPWARD[form])
    problems = layer_violations(tree)
    assert len(problems) == 1 and "people imports peergroups.formation" in problems[0], problems


def test_the_guard_sees_another_apps_views(tree):
    (tree / "peergroups" / "dashboards" / "planted.py").write_text(
        "from peergroups.meetings import views\n"
    )
    assert any("imports another app's views" in p for p in layer_violations(tree))


def test_the_guard_sees_a_base_module_importing_an_app(tree):
    (tree / "peergroups" / "formats.py").write_text(
        (tree / "peergroups" / "formats.py").read_text() + "\nfrom . import groups\n"
    )
    assert any("base module imports app peergroups.groups" in p for p in layer_violations(tree))


def test_the_guard_sees_a_circle_inside_an_app(tree):
    assert app_import_cycles(tree) == []
    app = tree / "peergroups" / "goals"
    (app / "planted_a.py").write_text("def f():\n    from . import planted_b\n")
    (app / "planted_b.py").write_text("from peergroups.goals.planted_a import f\n")
    cycles = app_import_cycles(tree)
    assert len(cycles) == 1, cycles
    assert "goals.planted_a" in cycles[0] and "goals.planted_b" in cycles[0]


def test_the_guard_sees_the_engine_importing_django(tree):
    (tree / "grouping" / "planted.py").write_text("def f():\n    import django.db\n")
    assert engine_violations(tree) == ["grouping/planted.py:2: django.db"]
