"""Apps import downward only: the layering the README describes, checked on the source.

Every `import` and `from ... import` in `peergroups/` counts, at module level or inside
a function, except in tests and migrations (a migration may name any app's models).
An app may import apps below it in LAYERS, the project's base modules and itself; never
an app above it, and never another app's `views` or `api` module (pages and routes are
not a library). The grouping engine must not import Django at all.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Low to high. Base modules (`peergroups.errors`, `http`, `env`, `settings`, `urls`,
# `wsgi`) sit under every app; `urls`/`wsgi`/`settings` may import anything.
LAYERS = [
    "ops",
    "accounts",
    "audit",
    "organizations",
    "people",
    "groups",
    "meetings",
    "goals",
    "resources",
    "network",
    "outcomes",
    "formation",
    "dashboards",
    "api",
    "demo",
]
BASE = {"errors", "http", "env", "aggregates", "links", "charts", "formats", "redact"}
TOP = {"settings", "urls", "wsgi"}


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.count(".") == 1:  # `from peergroups.app import views`
                found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
            else:
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return found


def _sources(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT / package).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path, parts


def layer_violations() -> list[str]:
    rank = {app: position for position, app in enumerate(LAYERS)}
    problems = []
    for path, parts in _sources("peergroups"):
        owner = parts[0].removesuffix(".py")
        if owner in TOP or owner == "__init__":
            continue
        where = path.relative_to(ROOT)
        for line, module in _imports(path):
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


def test_apps_import_only_downward():
    problems = layer_violations()
    assert not problems, "\n".join(problems)


def test_every_app_has_a_layer():
    apps = {p.name for p in (ROOT / "peergroups").iterdir() if (p / "apps.py").exists()}
    assert apps <= set(LAYERS), f"apps without a layer: {sorted(apps - set(LAYERS))}"


def test_engine_never_imports_django():
    problems = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path, _ in _sources("grouping")
        for line, module in _imports(path)
        if module.split(".")[0] in {"django", "peergroups"}
    ]
    assert not problems, "\n".join(problems)
