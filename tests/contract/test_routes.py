"""`duet types` routes: the URLconf read like reverse() reads it, and a generated reverse() that
returns what Django's returns (a property test through Node) and that tsc checks."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse, set_script_prefix
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django_duet.contract.routes import collect_routes
from django_duet.contract.typescript import render_routes
from tests.contract import typescript_check

URLCONF = "tests.contract.routes_fixture"
TYPESCRIPT = typescript_check.TYPESCRIPT

# The generated module, transpiled once by TypeScript itself (no type check: tsc's tests below).
TRANSPILE = """
const ts = require(process.argv[2]);
const fs = require("fs");
const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 };
const source = fs.readFileSync(process.argv[3], "utf8");
fs.writeFileSync(process.argv[4], ts.transpileModule(source, { compilerOptions }).outputText);
"""
# Answers each case, [prefix, name, params], with the transpiled module's reverse().
HARNESS = """
const routes = require(process.argv[2]);
const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(cases.map(([prefix, name, params]) => {
  routes.setScriptPrefix(prefix);
  try { return routes.reverse(name, params); } catch (error) { return "ERROR " + error.message; }
})));
"""


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not TYPESCRIPT.is_dir():
        pytest.fail("needs js/node_modules (TypeScript): run `make node-deps`.")
    folder = tmp_path_factory.mktemp("duet-types")
    (folder / "routes.ts").write_text(render_routes(*collect_routes(URLCONF)))
    (folder / "transpile.js").write_text(TRANSPILE)
    (folder / "harness.js").write_text(HARNESS)
    subprocess.run(
        [
            "node",
            str(folder / "transpile.js"),
            str(TYPESCRIPT),
            str(folder / "routes.ts"),
            str(folder / "routes.js"),
        ],
        check=True,
        timeout=60,
    )
    return folder


def typescript_reverse(folder: Path, cases: list[tuple[str, str, dict[str, object]]]) -> list[str]:
    done = subprocess.run(
        ["node", str(folder / "harness.js"), str(folder / "routes.js")],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return list(json.loads(done.stdout))


def test_every_named_pattern_with_its_namespace_and_parameter_types() -> None:
    routes, skipped = collect_routes(URLCONF)
    found = {
        route.name: [{p.name: p.typescript for p in v.params} for v in route.variants]
        for route in routes
    }
    assert found == {
        "home": [{}],
        "items:list": [{}],
        "items:detail": [{"pk": "number"}],
        "items:edit": [{"slug": "string"}],
        "items:by-uuid": [{"key": "string"}],
        "shop-items:list": [{"shop": "number"}],
        "shop-items:detail": [{"shop": "number", "pk": "number"}],
        "shop-items:edit": [{"shop": "number", "slug": "string"}],
        "shop-items:by-uuid": [{"shop": "number", "key": "string"}],
        "outer:leaf": [{}],
        "outer:archive:year": [{"label": "string", "year": "number"}],
        "outer:archive:localised": [{"label": "string", "language": "string", "year": "number"}],
        "file": [{"file": "string"}],
        "search": [{}, {"term": "string"}],  # reverse() tries them in this order too
        "legacy": [{"code": "string", "number": "string"}],
    }
    assert [(s.name, s.reason) for s in skipped] == [
        ("positional", "unnamed re_path() groups: positional only")
    ]


PREFIXES = st.sampled_from(["/", "/sub/", "/deep/er/", "/with space/", "/ünï/", "//"])
# What the str and path converters accept: no newline (their regexes' "." and "[^/]" in
# Django's patterns stop there), str no "/".
TEXT = st.text(st.characters(codec="utf-8", exclude_characters="/\n"), min_size=1, max_size=12)
PATH = st.text(st.characters(codec="utf-8", exclude_characters="\n"), min_size=1, max_size=16)
SLUG = st.from_regex(r"\A[-a-zA-Z0-9_]{1,12}\Z")
NUMBER = st.integers(min_value=0, max_value=10**12)
YEAR = st.integers(min_value=1000, max_value=9999)


def cases() -> st.SearchStrategy[tuple[str, str, dict[str, object]]]:
    """A script prefix, a name and parameters that the name's converters accept."""
    by_name: dict[str, st.SearchStrategy[dict[str, object]]] = {
        "home": st.just({}),
        "items:detail": st.fixed_dictionaries({"pk": NUMBER}),
        "items:edit": st.fixed_dictionaries({"slug": SLUG}),
        "items:by-uuid": st.fixed_dictionaries({"key": st.uuids().map(str)}),
        "shop-items:edit": st.fixed_dictionaries({"shop": NUMBER, "slug": SLUG}),
        "outer:archive:localised": st.fixed_dictionaries(
            {"label": TEXT, "language": st.from_regex(r"\A[a-z]{2}\Z"), "year": YEAR}
        ),
        "file": st.fixed_dictionaries({"file": PATH}),
        "search": st.one_of(st.just({}), st.fixed_dictionaries({"term": TEXT})),
        "legacy": st.fixed_dictionaries(
            {"code": st.from_regex(r"\A[A-Z]{1,5}\Z"), "number": NUMBER.map(str)}
        ),
    }
    return st.sampled_from(sorted(by_name)).flatmap(
        lambda name: st.tuples(PREFIXES, st.just(name), by_name[name])
    )


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(cases(), min_size=20, max_size=60))
def test_the_generated_reverse_returns_what_djangos_returns(
    generated: Path, batch: list[tuple[str, str, dict[str, object]]]
) -> None:
    expected = []
    try:
        for prefix, name, params in batch:
            set_script_prefix(prefix)
            expected.append(reverse(name, URLCONF, kwargs=params))
    finally:
        set_script_prefix("/")
    assert typescript_reverse(generated, batch) == expected


def test_parameters_no_pattern_takes_are_an_error(generated: Path) -> None:
    [answer] = typescript_reverse(generated, [("/", "items:detail", {"id": 1})])
    assert answer == 'ERROR reverse("items:detail"): no pattern takes the parameters {id}'


def tsc(folder: Path, usage: str) -> subprocess.CompletedProcess[str]:
    return typescript_check.tsc(
        folder / "usage.ts", 'import { reverse } from "./routes";\n' + usage
    )


def test_tsc_accepts_the_right_calls(generated: Path) -> None:
    done = tsc(
        generated,
        'reverse("home");\nreverse("items:detail", { pk: 3 });\nreverse("search");\n'
        'reverse("search", { term: "x" });\n'
        'reverse("outer:archive:year", { label: "a", year: 2026 });\n',
    )
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize(
    ("call", "named"),
    [
        ('reverse("items:detail", { id: 3 });', "'id'"),  # a renamed URL keyword
        ('reverse("items:detail", { pk: "3" });', "'string' is not assignable to type 'number'"),
        ('reverse("items:details", { pk: 3 });', '"items:details"'),  # a renamed pattern
        ('reverse("items:detail");', "Expected 2 arguments"),
    ],
)
def test_tsc_refuses_a_wrong_call_naming_what_is_wrong(
    generated: Path, call: str, named: str
) -> None:
    done = tsc(generated, call + "\n")
    assert done.returncode != 0
    assert named in done.stdout, done.stdout
