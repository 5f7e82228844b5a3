"""Imports point down only (ARCHITECTURE.md rule 2): the policy kernel in
access/ knows no app, each app builds on the ones below it, and no import
hides inside a function to dodge a cycle. A new app must take its place in
LAYERS before it can import anything of the project."""

import ast
from pathlib import Path

import stafett

ROOT = Path(stafett.__file__).parent

# Lowest first. An app may import from apps on lower layers only.
LAYERS = [
    {"lib"},
    {"access"},
    {"tenancy"},
    {"audit", "accounts"},
    {"catalog"},
    {"guides", "notify", "oidc", "transport"},
    {"concerns", "surveys", "feedback", "onboarding"},
    {"relay"},
    {"reports"},
    {"followup", "insights", "citizen", "archive"},
    {"retention", "fullrecord"},
    {"core"},
    {"urls", "settings", "wsgi", "asgi", "__init__"},
]
LAYER = {app: level for level, apps in enumerate(LAYERS) for app in apps}


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if "migrations" in relative.parts:
            continue
        app = relative.parts[0] if len(relative.parts) > 1 else relative.stem
        yield relative, app, ast.parse(path.read_text(encoding="utf-8"))


def _imports(tree, app=None):
    """(line, imported app, at module level?) for each import of the project;
    a relative import is of the module's own app."""
    top = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.level > 0 and app:
            names = [f"stafett.{app}"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "stafett" and len(parts) > 1:
                yield node.lineno, parts[1], id(node) in top


def test_every_app_has_a_layer():
    apps = {app for _relative, app, _tree in _modules()}
    assert apps <= set(LAYER), f"give these apps a layer in LAYERS: {sorted(apps - set(LAYER))}"


def test_imports_point_down_only():
    upward = [
        f"{relative}:{line} imports stafett.{target}"
        for relative, app, tree in _modules()
        for line, target, _top in _imports(tree)
        if target != app and LAYER.get(target, 99) >= LAYER.get(app, -1)
    ]
    assert not upward, "imports that point up or sideways:\n" + "\n".join(upward)


def test_no_project_import_hides_inside_a_function():
    # Django's own pattern is the exception: an app's ready() loads its own
    # modules (to register signals, kinds, channels) once the models exist.
    hidden = [
        f"{relative}:{line} imports stafett.{target} inside a function"
        for relative, app, tree in _modules()
        for line, target, top in _imports(tree, app)
        if not top and not (relative.name == "apps.py" and target == app)
    ]
    assert not hidden, "\n".join(hidden)


def test_the_kernel_knows_no_app():
    for relative, app, tree in _modules():
        if app == "access":
            assert {target for _l, target, _t in _imports(tree)} <= {"access", "lib"}, relative
