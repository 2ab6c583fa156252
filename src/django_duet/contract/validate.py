"""A JSON value checked against a shape: each problem with where it is and what was expected."""

from __future__ import annotations

from typing import Any

from django_duet.contract.shapes import (
    AnyOf,
    Array,
    Constant,
    Mapping,
    Object,
    Primitive,
    Shape,
    Tuple,
)

MAX_PROBLEMS = 10


def describe(shape: Shape) -> str:
    """What TypeScript would call it: ``number``, ``"a" | "b"``, ``Item[]``, ``Item``."""
    if isinstance(shape, Primitive):
        return "number (an integer)" if shape.kind == "integer" else shape.kind
    if isinstance(shape, Constant):
        return " | ".join(literal(v) for v in shape.values)
    if isinstance(shape, Array):
        return f"{describe(shape.item)}[]"
    if isinstance(shape, Tuple):
        return "[" + ", ".join(describe(item) for item in shape.items) + "]"
    if isinstance(shape, Mapping):
        return f"Record<string, {describe(shape.value)}>"
    if isinstance(shape, Object):
        return shape.name
    return " | ".join(describe(option) for option in shape.options)


def literal(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


def _got(value: Any) -> str:
    kind = {
        type(None): "null",
        bool: "boolean",
        int: "number",
        float: "number",
        str: "string",
        list: "array",
        dict: "object",
    }.get(type(value), type(value).__name__)
    text = repr(value)
    return f"{kind} {text if len(text) <= 40 else text[:37] + '...'}"


def problems(shape: Shape, value: Any, path: str = "") -> list[str]:
    """``path: expected X, got Y`` for each mismatch (at most MAX_PROBLEMS); [] when it fits."""
    found: list[str] = []
    _check(shape, value, path, found)
    return found[:MAX_PROBLEMS]


def _fits(shape: Shape, value: Any) -> bool:
    return not problems(shape, value)


def _check(shape: Shape, value: Any, path: str, found: list[str]) -> None:
    if len(found) >= MAX_PROBLEMS:
        return
    here = path or "(the props)"
    if isinstance(shape, Primitive):
        if not _primitive_fits(shape.kind, value):
            found.append(f"{here}: expected {describe(shape)}, got {_got(value)}")
    elif isinstance(shape, Constant):
        if not any(value == v and type(value) is type(v) for v in shape.values):
            found.append(f"{here}: expected {describe(shape)}, got {_got(value)}")
    elif isinstance(shape, AnyOf):
        if not any(_fits(option, value) for option in shape.options):
            found.append(f"{here}: expected {describe(shape)}, got {_got(value)}")
    elif isinstance(shape, Array | Tuple):
        if not isinstance(value, list):
            found.append(f"{here}: expected {describe(shape)}, got {_got(value)}")
        elif isinstance(shape, Array):
            for index, item in enumerate(value):
                _check(shape.item, item, f"{path}[{index}]", found)
        elif len(value) != len(shape.items):
            found.append(f"{here}: expected {len(shape.items)} items, got {len(value)}")
        else:
            for index, (item, item_shape) in enumerate(zip(value, shape.items, strict=True)):
                _check(item_shape, item, f"{path}[{index}]", found)
    elif isinstance(shape, Mapping):
        if not isinstance(value, dict):
            found.append(f"{here}: expected {describe(shape)}, got {_got(value)}")
        else:
            for key, item in value.items():
                _check(shape.value, item, _join(path, str(key)), found)
    else:
        _check_object(shape, value, path, found)


def _check_object(shape: Object, value: Any, path: str, found: list[str]) -> None:
    here = path or "(the props)"
    if not isinstance(value, dict):
        found.append(f"{here}: expected {shape.name} (an object), got {_got(value)}")
        return
    known = {field.name for field in shape.fields}
    for field in shape.fields:
        if field.name in value:
            _check(field.shape, value[field.name], _join(path, field.name), found)
        elif field.required:
            found.append(f"{_join(path, field.name)}: missing (expected {describe(field.shape)})")
    for key in value:
        if key not in known:
            found.append(
                f"{_join(path, str(key))}: not a field of {shape.name} "
                f"(its fields: {', '.join(sorted(known)) or 'none'})"
            )


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _primitive_fits(kind: str, value: Any) -> bool:
    if kind == "unknown":
        return True
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, str)
