"""``pip install "django-duet[testing]"`` is enough to load the pytest plugin: every third-party
module that the plugin and ``django_duet.testing`` import at load time comes from the base
dependencies or that extra (``[test]`` is django-duet's own, much larger stack)."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import django_duet

PACKAGE = Path(django_duet.__file__).parent
PYPROJECT = PACKAGE.parents[1] / "pyproject.toml"


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def imported_at_load(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return {name for name in found if name not in sys.stdlib_module_names} - {
        "django_duet",
        "__future__",
    }


def test_the_testing_extra_provides_what_the_plugin_imports() -> None:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    provided = {_name(r) for r in project["dependencies"]} | {
        _name(r) for r in project["optional-dependencies"]["testing"]
    }
    distributions = importlib.metadata.packages_distributions()
    modules = [PACKAGE / "pytest_plugin.py", *sorted((PACKAGE / "testing").glob("*.py"))]
    needed = {
        name: {dist.lower() for dist in distributions.get(name, [name])}
        for module in modules
        for name in imported_at_load(module)
    }
    missing = {name: dists for name, dists in needed.items() if not dists & provided}
    assert missing == {}
    assert "pytest" in needed and "httpx" in needed  # the scan sees the plugin's imports
