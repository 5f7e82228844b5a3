"""stafett.notify sits below the apps that call it: relay, concerns and
followup import notify, never the other way round."""

import ast
from pathlib import Path

import stafett.notify

ABOVE = ("stafett.relay", "stafett.concerns", "stafett.followup")


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_notify_imports_nothing_above_it():
    package = Path(stafett.notify.__file__).parent
    found = {
        (str(path.relative_to(package)), name)
        for path in package.rglob("*.py")
        for name in _imports(path)
        if name.startswith(ABOVE)
    }
    assert found == set()
    assert len(list(package.rglob("*.py"))) > 5  # the walk did read the package
