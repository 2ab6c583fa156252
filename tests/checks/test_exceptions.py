"""Every exception class django-duet defines derives from DuetError (one except for all)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import django_duet
from django_duet.exceptions import DuetError

# Test helpers: their failures are assertions and start errors meant for pytest, not for apps.
SKIPPED = ("django_duet.testing", "django_duet.pytest_plugin")


def package_exceptions() -> list[type[BaseException]]:
    found = []
    for info in pkgutil.walk_packages(django_duet.__path__, "django_duet."):
        if info.name.startswith(SKIPPED):
            continue
        module = importlib.import_module(info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseException) and value.__module__ == info.name:
                found.append(value)
    return found


def test_every_exception_of_the_package_is_a_duet_error():
    found = package_exceptions()
    assert len(found) > 20  # the walk reached the subsystems
    outside = [
        f"{cls.__module__}.{cls.__qualname__}" for cls in found if not issubclass(cls, DuetError)
    ]
    assert outside == []


def test_errors_callers_catch_by_a_builtin_base_keep_it():
    from django_duet.serving.nginx import NginxConfigError
    from django_duet.sessions.origins import InvalidOrigin, parse_origin

    assert issubclass(NginxConfigError, ValueError)
    assert issubclass(InvalidOrigin, ValueError)
    try:
        parse_origin("https://app.example.com/")
    except ValueError as exc:
        assert isinstance(exc, InvalidOrigin) and isinstance(exc, DuetError)
    else:
        raise AssertionError("a path in an origin must be refused")
