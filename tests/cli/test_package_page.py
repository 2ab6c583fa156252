"""The README is the package index page of the wheel (``readme = "README.md"``): its links must
work there, where relative ``docs/...`` links lead nowhere. They point into the repository that
``[project.urls]`` names, at files that exist."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_the_readme_links_work_on_a_package_index_page():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    repository = project["urls"]["Repository"].rstrip("/")
    blob = f"{repository}/blob/main/"
    links = LINK.findall((ROOT / "README.md").read_text())
    assert links
    relative = [link for link in links if not link.startswith(("https://", "http://", "#"))]
    assert relative == [], f"relative links break on the package index page: {relative}"
    for link in links:
        if link.startswith(blob):
            target = link.removeprefix(blob).split("#")[0]
            assert (ROOT / target).exists(), f"{link}: no {target} in the repository"


def test_the_project_urls_name_the_repository_docs_and_changelog():
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    assert set(urls) >= {"Homepage", "Documentation", "Repository", "Issues", "Changelog"}
    assert all(url.startswith(urls["Repository"]) for url in urls.values())
