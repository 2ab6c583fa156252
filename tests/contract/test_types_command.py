"""`manage.py duet types`: writes each frontend's routes.ts, `--check` for CI, duet.W120."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from django_duet.contract.checks import check_types_current

URLCONF = "tests.contract.routes_fixture"


def duet_types(*args: str) -> str:
    out = StringIO()
    call_command("duet", "types", *args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def frontend(tmp_path: Path):
    with override_settings(ROOT_URLCONF=URLCONF, DUET={"FRONTEND_DIR": tmp_path}):
        yield tmp_path


def test_check_fails_before_the_first_run_and_passes_after_it(frontend: Path) -> None:
    with pytest.raises(CommandError):
        duet_types("--check")
    assert f"wrote {frontend / 'src' / 'duet' / 'routes.ts'}" in duet_types()
    assert '"items:detail": { "pk": number };' in (frontend / "src/duet/routes.ts").read_text()
    assert "up to date: 1 file(s)" in duet_types("--check")
    before = (frontend / "src/duet/routes.ts").stat().st_mtime_ns
    assert "up to date" in duet_types()  # unchanged: not written (a watcher sees nothing)
    assert (frontend / "src/duet/routes.ts").stat().st_mtime_ns == before


def test_a_changed_urlconf_makes_the_file_stale_for_check_and_the_system_check(
    frontend: Path,
) -> None:
    assert check_types_current() == []  # never generated: nothing to say
    duet_types()
    assert check_types_current() == []
    with override_settings(ROOT_URLCONF="tests.contract.routes_fixture_renamed"):
        [warning] = check_types_current()
        assert warning.id == "duet.W120"
        assert str(frontend / "src" / "duet" / "routes.ts") in warning.msg
        with pytest.raises(CommandError):
            duet_types("--check")
        duet_types()
        assert '"items:detail": { "id": number };' in (frontend / "src/duet/routes.ts").read_text()
        assert check_types_current() == []


def test_types_dir_is_a_setting_per_frontend(tmp_path: Path) -> None:
    staff = tmp_path / "staff"
    settings = {
        "FRONTEND_DIR": tmp_path / "main",
        "TYPES_DIR": tmp_path / "main" / "generated",
        "FRONTENDS": {"staff": {"FRONTEND_DIR": staff, "STATIC_PREFIX": "staff/"}},
    }
    with override_settings(ROOT_URLCONF=URLCONF, DUET=settings):
        duet_types("--frontend", "staff")
        assert (staff / "src/duet/routes.ts").is_file()
        assert not (tmp_path / "main" / "generated").exists()
        duet_types()
        assert (tmp_path / "main" / "generated" / "routes.ts").is_file()


def test_declared_props_get_their_props_ts(frontend: Path) -> None:
    from typing import TypedDict

    from django_duet.contract import props as registry

    class ShelfProps(TypedDict):
        title: str

    registry.register_props("Shelf", ShelfProps)
    try:
        out = duet_types()
        assert f"wrote {frontend / 'src' / 'duet' / 'props.ts'}" in out
        text = (frontend / "src/duet/props.ts").read_text()
        assert "export type ShelfProps = {\n  title: string;\n};" in text
        assert '  "Shelf": ShelfProps;' in text
        assert "up to date: 2 file(s)" in duet_types("--check")
    finally:
        del registry._declared["Shelf"]
        registry._shape.cache_clear()


def test_the_project_is_read_once_for_all_frontends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django_duet.contract import output

    calls: list[int] = []
    collect = output.collect_routes

    def counted() -> object:
        calls.append(1)
        return collect()

    monkeypatch.setattr(output, "collect_routes", counted)
    settings = {
        "FRONTEND_DIR": tmp_path / "main",
        "FRONTENDS": {"staff": {"FRONTEND_DIR": tmp_path / "staff", "STATIC_PREFIX": "staff/"}},
    }
    with override_settings(ROOT_URLCONF=URLCONF, DUET=settings):
        duet_types()
        assert len(calls) == 1
        main, staff = (tmp_path / d / "src/duet/routes.ts" for d in ("main", "staff"))
        assert main.read_text() == staff.read_text()
        assert check_types_current() == []
        assert len(calls) == 2  # the check reads the project once too


def test_the_check_after_duet_devs_refresh_does_not_generate_again(frontend: Path) -> None:
    from django_duet.contract.output import refresh_opted_in

    duet_types()
    with override_settings(ROOT_URLCONF="tests.contract.routes_fixture_renamed"):
        said: list[str] = []
        assert refresh_opted_in(said.append) == [frontend / "src" / "duet" / "routes.ts"]
        assert check_types_current() == []  # just refreshed: skipped once
        (frontend / "src/duet/routes.ts").write_text("// edited by hand\n")
        [warning] = check_types_current()  # the next check looks again
        assert warning.id == "duet.W120"
