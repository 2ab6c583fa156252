"""Python type annotations -> shapes of the JSON the frontend receives.

Props declared as a ``TypedDict`` (``typing``'s or ``typing_extensions``'), a dataclass or a
pydantic model are read here into one small model (``Shape``), which ``validate`` checks values
against and ``typescript`` writes as TypeScript. The shape is that of the JSON: a ``datetime``,
``date``, ``UUID`` or ``Decimal`` arrives as a string (``DjangoJSONEncoder``), a tuple as an array.

Our own walker rather than pydantic's: pydantic refuses ``typing.TypedDict`` before Python 3.12
and cannot forbid unknown keys of a TypedDict from outside, and both matter for props.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import types
import typing
import uuid
from dataclasses import dataclass
from typing import Any, Literal, Union

from django_duet.exceptions import DuetError

# TypedDict's key qualifiers (ReadOnly is new in Python 3.13)
QUALIFIERS = tuple(
    q for q in (typing.Required, typing.NotRequired, getattr(typing, "ReadOnly", None)) if q
)
AS_STRING = (str, datetime.datetime, datetime.date, datetime.time, uuid.UUID, decimal.Decimal)


class UnsupportedType(DuetError):
    pass


@dataclass(frozen=True)
class Primitive:
    kind: Literal["string", "number", "integer", "boolean", "null", "unknown"]


@dataclass(frozen=True)
class Constant:
    values: tuple[str | int | float | bool | None, ...]


@dataclass(frozen=True)
class Array:
    item: Shape


@dataclass(frozen=True)
class Tuple:
    items: tuple[Shape, ...]


@dataclass(frozen=True)
class Mapping:
    value: Shape  # keys are strings in JSON


@dataclass(frozen=True)
class Field:
    name: str
    shape: Shape
    required: bool


@dataclass(frozen=True)
class Object:
    name: str  # the Python class's name: the TypeScript type's
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class AnyOf:
    options: tuple[Shape, ...]


Shape = Primitive | Constant | Array | Tuple | Mapping | Object | AnyOf


def shape_of(annotation: Any, where: str = "props") -> Shape:
    """The shape of ``annotation``; ``where`` names it in errors (``Greeting.items``)."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return shape_of(args[0], where)
    if origin is not None and origin in QUALIFIERS:
        return shape_of(args[0], where)
    if annotation is Any or annotation is object:
        return Primitive("unknown")
    if annotation is None or annotation is type(None):
        return Primitive("null")
    if annotation is bool:
        return Primitive("boolean")
    if annotation is int:
        return Primitive("integer")
    if annotation is float:
        return Primitive("number")
    if isinstance(annotation, type) and issubclass(annotation, AS_STRING):
        return Primitive("string")
    if origin is Literal:
        return Constant(tuple(args))
    if origin in (Union, types.UnionType):
        return AnyOf(tuple(shape_of(arg, where) for arg in args))
    if origin in (list, set, frozenset, typing.Sequence, typing.Iterable) or annotation is list:
        return Array(shape_of(args[0], f"{where}[]") if args else Primitive("unknown"))
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return Array(shape_of(args[0], f"{where}[]"))
        return Tuple(tuple(shape_of(arg, f"{where}[{i}]") for i, arg in enumerate(args)))
    if origin in (dict, typing.Mapping) or annotation is dict:
        if args and args[0] is not str:
            raise UnsupportedType(f"{where}: JSON object keys are strings, not {args[0]!r}")
        return Mapping(shape_of(args[1], f"{where}{{}}") if args else Primitive("unknown"))
    if typing.is_typeddict(annotation):
        return _typed_dict(annotation)
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        return _dataclass(annotation)
    if _is_pydantic_model(annotation):
        return _pydantic_model(annotation)
    raise UnsupportedType(
        f"{where}: {annotation!r} has no JSON shape django-duet knows. Use str, int, float, bool, "
        "None, Literal, unions, list, tuple, dict[str, ...], a TypedDict, a dataclass or a "
        "pydantic model (datetime, date, UUID and Decimal arrive as strings)."
    )


def _typed_dict(cls: Any) -> Object:
    hints = typing.get_type_hints(cls, include_extras=True)
    required = getattr(cls, "__required_keys__", frozenset(hints))
    return Object(
        cls.__name__,
        tuple(
            Field(name, shape_of(hint, f"{cls.__name__}.{name}"), _required(hint, name in required))
            for name, hint in hints.items()
        ),
    )


def _required(hint: Any, by_class: bool) -> bool:
    # Under `from __future__ import annotations`, Python 3.11's TypedDict cannot see NotRequired
    # in a string annotation and counts the key required: the resolved hint still says it.
    origin = typing.get_origin(hint)
    if origin is typing.NotRequired:
        return False
    if origin is typing.Required:
        return True
    return by_class


def _dataclass(cls: Any) -> Object:
    hints = typing.get_type_hints(cls, include_extras=True)
    # What the view passes is the dataclass itself or a dict: every field is in the JSON
    # (dataclasses.asdict writes them all, defaults included).
    return Object(
        cls.__name__,
        tuple(
            Field(f.name, shape_of(hints[f.name], f"{cls.__name__}.{f.name}"), True)
            for f in dataclasses.fields(cls)
        ),
    )


def _is_pydantic_model(annotation: Any) -> bool:
    return (
        isinstance(annotation, type)
        and hasattr(annotation, "model_fields")
        and hasattr(annotation, "model_dump")
    )


def _pydantic_model(cls: Any) -> Object:
    fields = []
    for name, info in cls.model_fields.items():
        key = info.serialization_alias or info.alias or name
        fields.append(Field(key, shape_of(info.annotation, f"{cls.__name__}.{name}"), True))
    return Object(cls.__name__, tuple(fields))
