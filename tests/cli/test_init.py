"""``python -m django_duet init`` on a fresh ``startproject``: what it writes, that a second run
changes nothing, that it refuses to overwrite files of the user's, and that the edited project
passes Django's checks. No Node here (tests/e2e/test_init.py builds and serves it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from django_duet.__main__ import main
from django_duet.cli.init import InitError, plan
from django_duet.cli.init.files import BLOCK_START, MARKER


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def project(tmp_path) -> Path:
    done = run("-m", "django", "startproject", "mysite", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return tmp_path


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_init_adds_the_frontend_and_says_what_to_run_next(project, capsys):
    assert main(["init", "--dir", str(project)]) == 0
    out = capsys.readouterr().out
    assert "created   frontend/vite.config.ts" in out and "npm install" in out
    assert "appended  mysite/settings.py" in out and "appended  mysite/urls.py" in out
    # Production is one command: duet build collects the static files itself.
    assert "python manage.py duet build" in out and "collectstatic" not in out
    package = json.loads((project / "frontend" / "package.json").read_text())
    assert package["devDependencies"]["django-duet"].startswith("^")
    assert "django-duet/vite" in (project / "frontend" / "vite.config.ts").read_text()
    assert (
        '{% duet_entry "src/islands.tsx" %}' in (project / "templates/duet/base.html").read_text()
    )
    assert '{% duet_island "Hello" hello %}' in (project / "templates/duet/home.html").read_text()
    islands = (project / "frontend" / "src" / "islands.tsx").read_text()
    assert 'import { registerIslands } from "django-duet/islands";' in islands
    for name in ("index.html", "src/main.tsx", "src/App.tsx", "src/islands/Hello.tsx"):
        assert MARKER in (project / "frontend" / name).read_text()
    settings = (project / "mysite" / "settings.py").read_text()
    assert settings.count(BLOCK_START) == 1 and settings.startswith(
        '"""'
    )  # appended, not rewritten


def test_a_second_run_changes_nothing_and_says_so(project, capsys):
    assert main(["init", "--dir", str(project)]) == 0
    before = snapshot(project)
    capsys.readouterr()
    assert main(["init", "--dir", str(project)]) == 0
    out = capsys.readouterr().out
    assert "Nothing to change" in out and "created" not in out and "appended" not in out
    assert snapshot(project) == before


def test_it_refuses_to_overwrite_a_file_it_did_not_write_and_changes_nothing(project, capsys):
    mine = project / "frontend" / "vite.config.ts"
    mine.parent.mkdir()
    mine.write_text("export default {};\n")
    before = snapshot(project)
    assert main(["init", "--dir", str(project)]) == 2
    err = capsys.readouterr().err
    assert "Nothing was changed" in err and "vite.config.ts" in err and "not written by init" in err
    assert snapshot(project) == before


def test_its_own_files_edited_since_are_kept(project, capsys):
    assert main(["init", "--dir", str(project)]) == 0
    app = project / "frontend" / "src" / "App.tsx"
    edited = app.read_text().replace("Hello from React", "Hello, edited")
    app.write_text(edited)
    capsys.readouterr()
    assert main(["init", "--dir", str(project)]) == 0
    assert "kept      frontend/src/App.tsx" in capsys.readouterr().out
    assert app.read_text() == edited


def test_dry_run_writes_nothing(project, capsys):
    before = snapshot(project)
    assert main(["init", "--dir", str(project), "--dry-run"]) == 0
    assert "dry run" in capsys.readouterr().out
    assert snapshot(project) == before


def test_without_manage_py_it_says_what_to_do(tmp_path):
    with pytest.raises(InitError, match=r"No manage\.py"):
        plan(tmp_path)


def test_a_settings_module_that_would_not_parse_is_refused(project):
    settings = project / "mysite" / "settings.py"
    settings.write_text(settings.read_text() + "\nif True\n")
    with pytest.raises(InitError, match="does not parse"):
        plan(project)


def test_the_edited_project_is_configured_and_passes_djangos_checks(project):
    # As a user runs it: a new process, django_duet not installed in the project yet.
    done = run("-m", "django_duet", "init", cwd=project)
    assert done.returncode == 0, done.stderr
    probe = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'apps': s.INSTALLED_APPS, 'mw': s.MIDDLEWARE, "
        "'dirs': [str(d) for d in s.STATICFILES_DIRS], 'storage': s.STORAGES['staticfiles'], "
        "'tdirs': [str(d) for d in s.TEMPLATES[0]['DIRS']], "
        "'fe': str(s.DUET['FRONTEND_DIR'])}))"
    )
    env = {"DJANGO_SETTINGS_MODULE": "mysite.settings"}
    done = run("-c", probe, cwd=project, env=env)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    root = project.resolve()
    assert got["apps"][-1] == "django_duet"
    security = got["mw"].index("django.middleware.security.SecurityMiddleware")
    assert got["mw"][security + 1 : security + 4] == [
        "django_duet.proxy.DevProxyMiddleware",  # startproject's DEBUG = True
        "django_duet.static.DuetStaticMiddleware",
        "django_duet.version.BuildIdMiddleware",  # X-Duet-Build, as the README promises
    ]
    assert got["dirs"] == [str(root / "frontend" / "dist")]
    assert got["storage"] == {"BACKEND": "django_duet.storage.DuetStaticFilesStorage"}
    assert got["tdirs"] == [str(root / "templates")] and got["fe"] == str(root / "frontend")
    # Before any build: the settings made the (empty) build folder, so staticfiles.W004 does not
    # warn about it on every command; nothing else is said either.
    assert (root / "frontend" / "dist").is_dir()
    done = run("manage.py", "check", "--fail-level", "WARNING", cwd=project, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout, done.stdout + done.stderr


def test_a_fresh_project_before_its_first_build_says_only_that_there_is_none(project):
    # check --deploy under the environment switch: duet.E001 (no build yet, with what to run),
    # and no staticfiles.W004 about the build folder; tests/e2e/test_first_hour.py runs it after
    # the build, where the warnings left are the ones docs/first-hour.md says what to do about.
    assert run("-m", "django_duet", "init", cwd=project).returncode == 0
    production = {
        "DJANGO_SETTINGS_MODULE": "mysite.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "example.com",
        "DJANGO_SECRET_KEY": "k" * 50,
    }
    done = run("manage.py", "check", "--deploy", cwd=project, env=production)
    out = done.stdout + done.stderr
    assert done.returncode == 1 and "(duet.E001) No frontend build" in out, out
    assert "duet build" in out and "staticfiles.W004" not in out, out
    # The login throttle counts in a table of the database: no duet.W014 (each process alone).
    assert "duet.W014" not in out, out


def test_the_build_folder_is_not_made_where_there_is_no_frontend(project):
    # A read-only or moved frontend: the settings never create folders outside the frontend.
    assert run("-m", "django_duet", "init", cwd=project).returncode == 0
    frontend = project / "frontend"
    frontend.rename(project / "elsewhere")
    probe = "import django; django.setup()"
    done = run("-c", probe, cwd=project, env={"DJANGO_SETTINGS_MODULE": "mysite.settings"})
    assert done.returncode == 0, done.stderr
    assert not frontend.exists()


def test_the_environment_switches_the_edited_project_to_production(project):
    assert run("-m", "django_duet", "init", cwd=project).returncode == 0
    probe = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.DEBUG, s.ALLOWED_HOSTS, s.SECRET_KEY, s.MIDDLEWARE]))"
    )
    production = {
        "DJANGO_SETTINGS_MODULE": "mysite.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "example.com,www.example.com",
        "DJANGO_SECRET_KEY": "k" * 50,
    }
    done = run("-c", probe, cwd=project, env=production)
    assert done.returncode == 0, done.stderr
    debug, hosts, key, middleware = json.loads(done.stdout)
    assert (debug, hosts, key) == (False, ["example.com", "www.example.com"], "k" * 50)
    assert "django_duet.proxy.DevProxyMiddleware" not in middleware  # development only
    # Unset, startproject's own values stay (DEBUG = True: the dev proxy is in).
    done = run("-c", probe, cwd=project, env={"DJANGO_SETTINGS_MODULE": "mysite.settings"})
    debug, hosts, key, middleware = json.loads(done.stdout)
    assert debug is True and key.startswith("django-insecure-")
    assert "django_duet.proxy.DevProxyMiddleware" in middleware


THROTTLE_CACHE = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "alias = s.DUET.get('LOGIN_THROTTLE_CACHE', 'default'); "
    "print(json.dumps([alias, s.CACHES[alias]['BACKEND'], sorted(s.CACHES)]))"
)


def test_the_login_throttle_counts_in_a_table_that_migrate_makes(project):
    # Without REDIS_URL or CACHE_URL: the throttle's cache is one table of the database, so every
    # process of the site counts the same failures, and `migrate` is the only step it needs.
    assert run("-m", "django_duet", "init", cwd=project).returncode == 0
    env = {"DJANGO_SETTINGS_MODULE": "mysite.settings"}
    done = run("-c", THROTTLE_CACHE, cwd=project, env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [
        "duet-throttle",
        "django_duet.sessions.throttle_cache.DuetDatabaseCache",
        ["default", "duet-throttle"],  # pages keep the local-memory cache
    ]
    assert run("manage.py", "migrate", cwd=project, env=env).returncode == 0
    add = (
        "import django; django.setup(); from django.core.cache import caches; "
        "print(caches['duet-throttle'].add('slot', 1, 60))"
    )
    first, second = (run("-c", add, cwd=project, env=env) for _ in range(2))
    assert (first.stdout, second.stdout) == ("True\n", "False\n"), first.stderr + second.stderr
    # With a shared cache, the throttle uses it (CACHES["default"]), and the table is not asked.
    done = run("-c", THROTTLE_CACHE, cwd=project, env={**env, "REDIS_URL": "redis://127.0.0.1:1/0"})
    alias, backend, aliases = json.loads(done.stdout)
    assert (alias, aliases) == ("default", ["default"]) and backend.endswith("RedisCache")
    # So with a cache of the user's own above the block (not the per-process one).
    settings = project / "mysite" / "settings.py"
    source = settings.read_text()
    memcached = (
        'CACHES = {"default": {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache"}}'
    )
    settings.write_text(source.replace(BLOCK_START, memcached + "\n" + BLOCK_START, 1))
    done = run("-c", THROTTLE_CACHE, cwd=project, env=env)
    assert json.loads(done.stdout) == [
        "default",
        "django.core.cache.backends.memcached.PyMemcacheCache",
        ["default"],
    ]


def package_spec(project: Path) -> str:
    return json.loads((project / "frontend" / "package.json").read_text())["devDependencies"][
        "django-duet"
    ]


def test_js_package_applies_on_a_second_run_to_the_package_json_init_wrote(project, capsys):
    # Until django-duet is on npm, the default ^<version> 404s: a re-run with a path or tarball
    # must fix the file init wrote, not call it "edited since".
    assert main(["init", "--dir", str(project)]) == 0
    default = package_spec(project)
    before = snapshot(project)
    capsys.readouterr()
    assert (
        main(["init", "--dir", str(project), "--js-package", "file:../django-duet-0.1.0.tgz"]) == 0
    )
    out = capsys.readouterr().out
    assert (
        f"updated   frontend/package.json: devDependencies \"django-duet\": '{default}' -> "
        "'file:../django-duet-0.1.0.tgz'"
    ) in out
    assert "edited since" not in out and "npm install" in out
    assert package_spec(project) == "file:../django-duet-0.1.0.tgz"
    after = snapshot(project)
    assert {k for k in after if after[k] != before[k]} == {"frontend/package.json"}
    # A run without --js-package keeps the spec: the file is still init's own, unedited.
    capsys.readouterr()
    assert main(["init", "--dir", str(project)]) == 0
    out = capsys.readouterr().out
    assert "unchanged frontend/package.json" in out and "Nothing to change" in out
    assert package_spec(project) == "file:../django-duet-0.1.0.tgz"


def test_js_package_keeps_the_users_edits_of_package_json(project, capsys):
    assert main(["init", "--dir", str(project)]) == 0
    path = project / "frontend" / "package.json"
    data = json.loads(path.read_text())
    data["dependencies"]["zod"] = "^4.0.0"
    path.write_text(json.dumps(data, indent=2) + "\n")
    assert main(["init", "--dir", str(project), "--js-package", "file:../js"]) == 0
    assert "updated   frontend/package.json" in capsys.readouterr().out
    data["devDependencies"]["django-duet"] = "file:../js"
    assert json.loads(path.read_text()) == data


def test_the_home_page_template_renders_its_island(project):
    # Django's own template engine on init's templates (no build: the base's entry is replaced).
    assert main(["init", "--dir", str(project)]) == 0
    from django.template import Context, Engine

    engine = Engine(
        dirs=[str(project / "templates")], libraries={"duet": "django_duet.templatetags.duet"}
    )
    source = (project / "templates" / "duet" / "home.html").read_text()
    template = engine.from_string(source.replace('{% extends "duet/base.html" %}', ""))
    html = template.render(Context({"hello": {"name": "Django"}}))
    assert (
        '<div data-duet-island="Hello" data-props="duet-island-1"></div>'
        '<script id="duet-island-1" type="application/json">{"name": "Django"}</script>'
    ) in html


# --framework: React by default; Vue and Svelte from the same table (cli/init/frameworks.py).
FRAMEWORK_FILES = {
    "react": {
        "adapter": 'import { registerIslands } from "django-duet/islands";',
        "register": 'registerIslands(import.meta.glob("./islands/*.tsx"), '
        "{ createElement, createRoot, hydrateRoot });",
        "plugin": ('import react from "@vitejs/plugin-react";', "react()"),
        "packages": {"react", "react-dom", "@vitejs/plugin-react"},
        "sources": ("src/islands.tsx", "src/islands/Hello.tsx", "src/main.tsx", "src/App.tsx"),
        "typecheck": "tsc --noEmit",
    },
    "vue": {
        "adapter": 'import { registerVueIslands } from "django-duet/islands/vue";',
        "register": 'registerVueIslands(import.meta.glob("./islands/*.vue"), '
        "{ createApp, createSSRApp });",
        "plugin": ('import vue from "@vitejs/plugin-vue";', "vue()"),
        "packages": {"vue", "@vitejs/plugin-vue", "vue-tsc"},
        "sources": ("src/islands.ts", "src/islands/Hello.vue", "src/main.ts", "src/App.vue"),
        "typecheck": "vue-tsc --noEmit",
    },
    "svelte": {
        "adapter": 'import { registerSvelteIslands } from "django-duet/islands/svelte";',
        "register": 'registerSvelteIslands(import.meta.glob("./islands/*.svelte"), '
        "{ mount, hydrate });",
        "plugin": ('import { svelte } from "@sveltejs/vite-plugin-svelte";', "svelte()"),
        "packages": {"svelte", "@sveltejs/vite-plugin-svelte", "svelte-check"},
        "sources": ("src/islands.ts", "src/islands/Hello.svelte", "src/main.ts", "src/App.svelte"),
        "typecheck": "svelte-check --tsconfig ./tsconfig.json",
    },
}


@pytest.mark.parametrize("framework", sorted(FRAMEWORK_FILES))
def test_each_framework_gets_a_wired_frontend(project, capsys, framework):
    expected = FRAMEWORK_FILES[framework]
    assert main(["init", "--dir", str(project), "--framework", framework]) == 0
    out = capsys.readouterr().out
    fe = project / "frontend"
    islands_entry, island, app_entry, app = expected["sources"]
    for name in (*expected["sources"], "src/App.css", "index.html", "vite.config.ts"):
        assert f"created   frontend/{name}" in out
        assert MARKER in (fe / name).read_text(), name
    # package.json: the framework, its Vite plugin and type checker, Vite, django-duet.
    package = json.loads((fe / "package.json").read_text())
    names = {*package["dependencies"], *package["devDependencies"]}
    assert names == expected["packages"] | {"django-duet", "typescript", "vite"} | (
        {"@types/react", "@types/react-dom"} if framework == "react" else set()
    )
    assert package["scripts"]["build"] == f"{expected['typecheck']} && vite build"
    # vite.config.ts: the framework's plugin beside duet(), whose inputs are the two entries.
    config = (fe / "vite.config.ts").read_text()
    plugin_import, plugin_call = expected["plugin"]
    assert plugin_import in config and f"    {plugin_call},\n" in config
    assert f'duet({{ input: ["{islands_entry}", "index.html"] }})' in config
    # The islands entry registers every island with the framework's adapter; the island is one.
    source = (fe / islands_entry).read_text()
    assert expected["adapter"] in source and expected["register"] in source
    assert 'data-testid="duet-props"' in (fe / island).read_text()
    assert f'<script type="module" src="/{app_entry}"></script>' in (fe / "index.html").read_text()
    assert (fe / app).is_file()
    # The Django side: the base template loads the islands entry; the home page has the island.
    base = (project / "templates" / "duet" / "base.html").read_text()
    assert f'{{% duet_entry "{islands_entry}" %}}' in base
    assert '{% duet_island "Hello" hello %}' in (project / "templates/duet/home.html").read_text()
    label = {"react": "React", "vue": "Vue", "svelte": "Svelte"}[framework]
    assert f"Django + {label}" in base and f"Vite, {label} and" in out
    # Nothing of another framework is written.
    others = {s for f, e in FRAMEWORK_FILES.items() if f != framework for s in e["sources"]}
    assert not any((fe / name).exists() for name in others - set(expected["sources"]))


@pytest.mark.parametrize("framework", ["vue", "svelte"])
def test_a_second_run_with_the_same_framework_changes_nothing(project, capsys, framework):
    assert main(["init", "--dir", str(project), "--framework", framework]) == 0
    before = snapshot(project)
    capsys.readouterr()
    assert main(["init", "--dir", str(project), "--framework", framework]) == 0
    assert "Nothing to change" in capsys.readouterr().out
    assert snapshot(project) == before


def test_react_is_the_default_and_its_files_are_the_same(tmp_path):
    written = {}
    for args in ([], ["--framework", "react"]):
        root = tmp_path / ("explicit" if args else "default") / "site"  # one npm name
        root.mkdir(parents=True)
        assert run("-m", "django", "startproject", "mysite", str(root), cwd=root).returncode == 0
        assert main(["init", "--dir", str(root), *args]) == 0
        written[bool(args)] = {
            k: v for k, v in snapshot(root).items() if k.startswith(("frontend", "templates"))
        }
    assert written[True] == written[False] and "frontend/src/islands.tsx" in written[True]


def test_an_unknown_framework_is_refused_with_the_choices(project, capsys):
    before = snapshot(project)
    assert main(["init", "--dir", str(project), "--framework", "solid"]) == 2
    err = capsys.readouterr().err
    assert "--framework 'solid'" in err and "react, vue, svelte" in err
    assert snapshot(project) == before


def test_another_framework_over_inits_frontend_is_refused(project, capsys):
    # A Vue frontend where init wrote a React one would mix the two: refused, nothing written.
    assert main(["init", "--dir", str(project)]) == 0
    before = snapshot(project)
    capsys.readouterr()
    assert main(["init", "--dir", str(project), "--framework", "vue"]) == 2
    err = capsys.readouterr().err
    assert "Nothing was changed" in err and "frontend/package.json" in err
    assert "init wrote it for React, not Vue: run init with --framework react" in err
    assert snapshot(project) == before
    # Without the React frontend folder, init's React templates are refused the same way (kept,
    # they would load React's entry on a Vue frontend's pages).
    (project / "frontend").rename(project / "old-frontend")
    before = snapshot(project)
    assert main(["init", "--dir", str(project), "--framework", "vue"]) == 2
    err = capsys.readouterr().err
    for name in ("base.html", "home.html"):
        assert f"templates/duet/{name}: init wrote it for React, not Vue" in err
    assert snapshot(project) == before


EXAMPLE_FRONTENDS = {
    "react": "example/frontend",
    "vue": "example-frameworks/vue-frontend",
    "svelte": "example-frameworks/svelte-frontend",
}


@pytest.mark.parametrize("framework", sorted(EXAMPLE_FRONTENDS))
def test_init_asks_for_the_ranges_the_example_frontends_use(framework):
    # One set of versions for the project: what the example projects build and test with.
    from django_duet.cli.init.files import package_json
    from django_duet.cli.init.frameworks import FRAMEWORKS

    root = Path(__file__).resolve().parents[2]
    example = json.loads((root / EXAMPLE_FRONTENDS[framework] / "package.json").read_text())
    theirs = {**example["dependencies"], **example["devDependencies"]}
    ours = json.loads(package_json(FRAMEWORKS[framework], "x", "^0.1.0"))
    ours = {**ours["dependencies"], **ours["devDependencies"]}
    shared = (set(ours) & set(theirs)) - {"django-duet"}
    assert {framework, "vite"} <= shared
    assert {name: ours[name] for name in shared} == {name: theirs[name] for name in shared}
