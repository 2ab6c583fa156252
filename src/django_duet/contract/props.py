"""Component props declared once in Python, checked where Django hands them to a component.

``@props("Greeting")`` on a TypedDict, dataclass or pydantic model (or ``register_props``)
registers the type of the props of the island or SSR component named ``Greeting``. ``duet types``
writes it as TypeScript (``props.ts``), and ``{% duet_island %}``, ``{% duet_render %}`` and
``{% duet_props ... component="Greeting" %}`` check each value against it when
``DUET["VALIDATE_PROPS"]`` is on (default: with DEBUG): a ``PropsError`` names the component, the
field and what was expected. Off, the tags only read the setting: no type is read, no value
walked.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.module_loading import autodiscover_modules

from django_duet.conf import conf
from django_duet.contract.shapes import Object, Shape, shape_of
from django_duet.contract.validate import problems
from django_duet.exceptions import DuetError

T = TypeVar("T")

_declared: dict[str, Any] = {}  # component name -> its props type


class PropsError(DuetError):
    pass


def register_props(component: str, props_type: Any) -> None:
    """The props of the component named ``component`` are ``props_type``."""
    existing = _declared.get(component)
    if existing is not None and existing is not props_type:
        raise PropsError(
            f"The props of {component!r} are declared twice: as {existing.__qualname__} and as "
            f"{props_type.__qualname__}. Keep one declaration per component."
        )
    _declared[component] = props_type
    _shape.cache_clear()


def props(component: str) -> Callable[[T], T]:
    """``@props("Greeting")`` above ``class GreetingProps(TypedDict): ...``."""

    def declare(props_type: T) -> T:
        register_props(component, props_type)
        return props_type

    return declare


def declared() -> dict[str, Any]:
    """Every declared component -> its props type, after importing each app's ``props``
    module (where declarations may live besides the views)."""
    autodiscover_modules("props")
    return dict(sorted(_declared.items()))


@functools.cache
def _discover_once() -> None:
    autodiscover_modules("props")


@functools.cache
def _shape(component: str) -> Shape | None:
    props_type = _declared.get(component)
    return None if props_type is None else shape_of(props_type, component)


def validating() -> bool:
    value = conf.raw("VALIDATE_PROPS")
    return bool(settings.DEBUG) if value is None else bool(value)


def check_props(component: str, value: Any) -> None:
    """Raises PropsError when ``value``, as the frontend will receive it (JSON), does not fit
    the declared props of ``component``. Components with no declaration pass."""
    if not validating():
        return
    if component not in _declared:
        _discover_once()
    shape = _shape(component)
    if shape is None:
        return
    received = json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    found = problems(shape, received)
    if found:
        name = shape.name if isinstance(shape, Object) else "its declared type"
        raise PropsError(
            f"The props given to {component!r} do not fit {name}:\n  "
            + "\n  ".join(found)
            + "\nFix the value the view passes, or the declaration (then run "
            "`python manage.py duet types` so the component's TypeScript type follows)."
        )
