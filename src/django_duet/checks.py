"""The one registry of django-duet's system checks, registered from ``AppConfig.ready()``.

Each subsystem keeps its checks beside what they check (``build/checks.py``, ``dev/checks.py``
...) as plain functions; this table alone says which run, under which Django tags, and which only
with ``check --deploy``. Every check also carries the tag ``duet``, so ``manage.py check --tag
duet`` runs django-duet's checks alone. docs/checks.md lists the same table for users.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.checks import CheckMessage, Tags, register

from django_duet.build import checks as build_checks
from django_duet.build import frontends
from django_duet.build.formats import checks as format_checks
from django_duet.contract import checks as contract_checks
from django_duet.dev import checks as dev_checks
from django_duet.dev import commands as dev_commands
from django_duet.pages import checks as page_checks
from django_duet.pages import shell_checks
from django_duet.serving import checks as serving_checks
from django_duet.serving import public_file_checks
from django_duet.sessions import checks as session_checks
from django_duet.sessions import origin_checks, spa_checks
from django_duet.ssr import checks as ssr_checks
from django_duet.tokens import checks as token_checks

TAG = "duet"

CheckFunction = Callable[..., list[CheckMessage]]


@dataclass(frozen=True)
class Registration:
    check: CheckFunction
    tags: tuple[str, ...]  # Django's Tags.*; TAG is added to every check
    deploy: bool = False  # only with `check --deploy`: it is about production


SECURITY = (Tags.security,)
STATICFILES = (Tags.staticfiles,)
TEMPLATES = (Tags.templates,)

CHECKS: tuple[Registration, ...] = (
    # The build on disk and how staticfiles collects and serves it
    Registration(frontends.check_frontends, STATICFILES),  # E110, E111
    Registration(format_checks.check_manifest_format, STATICFILES),  # E100
    Registration(build_checks.check_build, STATICFILES, deploy=True),  # E001, E003
    Registration(build_checks.check_build_dir_collected, STATICFILES),  # E002
    Registration(build_checks.check_build_base, STATICFILES, deploy=True),  # W001
    Registration(serving_checks.check_storage, STATICFILES),  # W002
    Registration(serving_checks.check_s3_storage, STATICFILES),  # E090, E091, W090
    Registration(public_file_checks.check_public_files, STATICFILES),  # E130, E132
    Registration(public_file_checks.check_public_files_built, STATICFILES, deploy=True),  # E131
    Registration(shell_checks.check_shell_urls, TEMPLATES),  # E133
    # Development: its settings, and who answers /static/ while the dev server runs
    Registration(dev_checks.check_dev_settings, ()),  # E030, E031, E033
    Registration(dev_checks.check_dev_middleware, STATICFILES),  # W030-W032
    Registration(dev_commands.check_dev_commands, ()),  # E032
    # Cookie sessions, CORS and CSRF origins, the login throttle
    Registration(session_checks.check_cookie_flags, SECURITY),  # E016, W011, W012
    Registration(session_checks.check_session_settings, SECURITY),  # E019, E022
    Registration(session_checks.check_throttle_cache, SECURITY, deploy=True),  # E021, W014, W016
    Registration(spa_checks.check_cors_origins, SECURITY),  # E010-E012, W010
    Registration(spa_checks.check_spa_origins, SECURITY),  # E013-E015, E018, E020
    Registration(origin_checks.check_credentialed_origins, SECURITY),  # W018
    Registration(origin_checks.check_api_host, SECURITY),  # E025
    Registration(spa_checks.check_cors_middleware_order, SECURITY),  # E017
    Registration(spa_checks.check_http_origins, SECURITY, deploy=True),  # W013
    Registration(session_checks.check_cors_paths, SECURITY),  # E023, W015
    Registration(session_checks.check_client_ip_behind_proxy, SECURITY, deploy=True),  # W017
    Registration(session_checks.check_published_secret_key, SECURITY, deploy=True),  # E024
    # Tokens: their keys and settings
    Registration(token_checks.check_signing_keys, SECURITY),  # E050-E055, W050, W052
    Registration(token_checks.check_token_settings, SECURITY),  # E056-E058, W053
    Registration(token_checks.check_published_token_keys, SECURITY, deploy=True),  # E059
    # The generated TypeScript (`duet types`)
    Registration(contract_checks.check_types_current, ()),  # W120
    # Server-side rendering ({% duet_render %})
    # Pages that load fast: prefetch and the Link header (docs/performance.md)
    Registration(page_checks.check_page_settings, TEMPLATES),  # E140-E142, E144
    Registration(page_checks.check_import_map, TEMPLATES),  # E143
    Registration(ssr_checks.check_ssr_budgets, TEMPLATES),  # E070, E071, E073
    Registration(ssr_checks.check_ssr_bundle, TEMPLATES, deploy=True),  # E072, W070
)


def register_checks() -> None:
    """Register every check with Django, each once.

    Django keeps checks in sets, so a second call (``ready()`` run again) adds nothing; one
    function listed twice would land in both the normal and the deploy set, which the tests refuse.
    """
    for entry in CHECKS:
        register(entry.check, TAG, *entry.tags, deploy=entry.deploy)
