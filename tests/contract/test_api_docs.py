"""docs/types.md's "API client" blocks, run: its settings and its @json_api view in a scratch
project beside the DRF and ninja fixture APIs, `duet types` for them, its two client blocks
through tsc, its npm command against the command's error and the fixture frontend, and the
clients' wiring at run time with the real openapi-fetch (every unsafe call carries the token)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import clear_url_caches

from django_duet.conf import conf
from django_duet.contract.api import OpenApiTypescriptMissing, api_texts
from tests.contract.api_support import FIXTURE_MODULES, duet_types, scratch_frontend, tsc

DOCS = Path(__file__).resolve().parents[2] / "docs" / "types.md"
DRF_SCHEMA = {"DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema"}
URLS = """
from django.urls import include, path

from tests.contract.api_fixture import ninja_api, router
from apidocs.views import notes

urlpatterns = [
    path("api/", include(router.urls)),
    path("api/ninja/", ninja_api.urls),
    path("api/plain/notes/", notes),
]
"""
# The docs' client blocks use the DRF fixture's Note (title, done; id read-only) at /api/notes/.
VIEWS_USAGE = """
import createClient from "openapi-fetch";
import { csrfFetch } from "django-duet/client";
import type { paths } from "./duet/views";

const views = createClient<paths>({ fetch: csrfFetch });
export const made = views.POST("/api/plain/notes/", { body: { title: "x" } });
export const listed = views.GET("/api/plain/notes/").then(({ data }) => data?.[0]?.id);
"""


def block(name: str) -> str:
    match = re.search(rf"<!-- types-docs: {name} -->\n```\w+\n(.*?)```", DOCS.read_text(), re.S)
    assert match, f"docs/types.md has no block {name!r}"
    return match.group(1)


@pytest.fixture
def docs_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    package = tmp_path / "apidocs"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "views.py").write_text(block("json-api"))
    (package / "urls.py").write_text(URLS)
    monkeypatch.syspath_prepend(str(tmp_path))
    namespace: dict[str, object] = {}
    exec(block("openapi-settings"), namespace)
    openapi = dict(namespace["DUET"]["OPENAPI"])  # type: ignore[index]
    assert openapi == {
        "api": "drf-spectacular",
        "tasks": "myproject.api.ninja_api",
        "views": "django-duet",
    }
    openapi["tasks"] = "tests.contract.api_fixture.ninja_api"  # the docs' placeholder project
    frontend = tmp_path / "frontend"
    frontend.mkdir()
    with override_settings(
        ROOT_URLCONF="apidocs.urls",
        REST_FRAMEWORK=DRF_SCHEMA,
        DUET={"FRONTEND_DIR": frontend, "OPENAPI": openapi},
    ):
        yield frontend
    clear_url_caches()
    for module in [m for m in sys.modules if m.startswith("apidocs")]:
        del sys.modules[module]


def test_the_client_blocks_type_check_against_the_generated_types(docs_project: Path) -> None:
    scratch_frontend(docs_project, block("client"))
    src = docs_project / "src"
    prelude = 'import type { TokenStorage } from "django-duet/client";\n'
    prelude += "declare const appStore: TokenStorage;\n"
    (src / "other.ts").write_text(prelude + block("other-clients"))
    (src / "views.ts").write_text(VIEWS_USAGE)
    duet_types()
    for name in ["api", "tasks", "views"]:
        assert (src / "duet" / f"{name}.d.ts").is_file()
    done = tsc(docs_project)
    assert done.returncode == 0, done.stdout
    # The comment "typed from the serializer" holds: a field the serializer lacks is refused.
    (src / "usage.ts").write_text(block("client").replace("data.title", "data.heading"))
    done = tsc(docs_project)
    assert "'heading'" in done.stdout, done.stdout


def test_the_npm_command_is_the_one_the_error_names_and_the_fixture_installs(
    docs_project: Path,
) -> None:
    commands = block("npm-install").strip().splitlines()
    with pytest.raises(OpenApiTypescriptMissing) as caught:
        api_texts(conf)
    assert [f"`{command}`" in str(caught.value) for command in commands] == [True, True]
    package = json.loads((FIXTURE_MODULES.parent / "package.json").read_text())
    assert {"openapi-typescript", "openapi-fetch"} <= set(package["devDependencies"])


# The three clients of the docs, with openapi-fetch itself, over a recording fetch: the page's
# csrfFetch (token from the cookie), createClient (token from the CSRF endpoint) and the token
# client through requestFetch. Prints what the fake server saw.
WIRING = """
import createClient from "openapi-fetch";
import { createCsrfFetch, createClient as createDuetClient, createTokenClient, requestFetch }
  from "django-duet/client";

const seen = [];
const json = (body, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
async function server(input, init) {
  const request = new Request(input, init);
  const body = request.body === null ? "" : await request.text();
  if (request.url.endsWith("/csrf/")) return json({ csrfToken: "from-endpoint" });
  if (request.url.endsWith("/token/")) {
    const pair = { access_token: "access-1", expires_in: 300, refresh_token: "r" };
    return json({ ...pair, refresh_expires_in: 900 });
  }
  seen.push({
    url: request.url, method: request.method, body,
    csrf: request.headers.get("X-CSRFToken"), auth: request.headers.get("Authorization"),
  });
  return json({ id: 1, title: "Milk" }, 201);
}
const page = { cookie: "csrftoken=from-cookie", baseURI: "https://app.example.test/",
  location: { origin: "https://app.example.test" }, querySelector: () => null };
const body = { title: "Milk" };

const same = createClient({ baseUrl: "https://app.example.test",
  fetch: requestFetch(createCsrfFetch({ fetch: server, document: page })) });
const answer = await same.POST("/api/notes/", { body });
await same.GET("/api/notes/");

const duet = createDuetClient({ baseUrl: "https://api.example.test/", fetch: server });
await createClient({ baseUrl: "https://api.example.test", fetch: requestFetch(duet.fetch) })
  .PATCH("/api/notes/{id}/", { params: { path: { id: 1 } }, body });

const tokens = createTokenClient({ baseUrl: "https://api.example.test/api/auth/", fetch: server,
  store: { value: null, get() { return this.value; }, set(t) { this.value = t; }, clear() {} } });
await tokens.login("ada", "pw");
await createClient({ baseUrl: "https://api.example.test", fetch: requestFetch(tokens.fetch) })
  .DELETE("/api/notes/{id}/", { params: { path: { id: 1 } } });

console.log(JSON.stringify({ seen, data: answer.data }));
"""


def test_each_client_of_the_docs_sends_its_token_with_the_real_openapi_fetch(
    tmp_path: Path,
) -> None:
    frontend = scratch_frontend(tmp_path, "")
    (frontend / "wiring.mjs").write_text(WIRING)
    done = subprocess.run(
        ["node", str(frontend / "wiring.mjs")], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["data"] == {"id": 1, "title": "Milk"}
    assert [(s["method"], s["url"], s["csrf"], s["auth"]) for s in result["seen"]] == [
        ("POST", "https://app.example.test/api/notes/", "from-cookie", None),
        ("GET", "https://app.example.test/api/notes/", None, None),  # safe: no token
        ("PATCH", "https://api.example.test/api/notes/1/", "from-endpoint", None),
        ("DELETE", "https://api.example.test/api/notes/1/", None, "Bearer access-1"),
    ]
    assert [s["body"] for s in result["seen"][:3]] == ['{"title":"Milk"}', "", '{"title":"Milk"}']
