"""Every named URL pattern, read from the same tables Django's ``reverse()`` reads.

``URLResolver.reverse_dict`` holds, per name, each pattern's possibilities (a ``%(name)s``
template and its parameters) and converters; ``namespace_dict`` leads into ``include()``s with a
namespace. Walking them the way ``reverse()`` does (``get_ns_resolver`` for a namespace's
prefix) gives the same templates, so the generated ``reverse()`` cannot drift from Django's.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import converters as django_converters
from django.urls import get_resolver
from django.urls.resolvers import URLResolver, get_ns_resolver

# path() converters -> TypeScript. A custom converter says its own with a `typescript_type`
# class attribute (e.g. "number"); without one it is a string.
BUILTIN_TYPES: dict[type, str] = {
    django_converters.IntConverter: "number",
    django_converters.StringConverter: "string",
    django_converters.SlugConverter: "string",
    django_converters.UUIDConverter: "string",
    django_converters.PathConverter: "string",
}


@dataclass(frozen=True)
class Param:
    name: str
    typescript: str  # the TypeScript type of the value


@dataclass(frozen=True)
class Variant:
    """One way to reverse a name: ``template % params`` after the script prefix."""

    template: str  # "items/%(pk)s/"
    params: tuple[Param, ...]


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", as reverse() takes it
    variants: tuple[Variant, ...]


@dataclass(frozen=True)
class Skipped:
    name: str
    reason: str


def typescript_type(converter: object | None) -> str:
    if converter is None:  # a re_path() group: Django passes str(value)
        return "string"
    declared = getattr(converter, "typescript_type", None)
    if isinstance(declared, str) and declared:
        return declared
    return BUILTIN_TYPES.get(type(converter), "string")


def collect_routes(urlconf: str | None = None) -> tuple[list[Route], list[Skipped]]:
    """The named patterns of ``urlconf`` (ROOT_URLCONF by default), sorted by name, and those
    that cannot be reversed by keyword (positional ``re_path`` groups) with the reason."""
    routes: dict[str, list[Variant]] = {}
    skipped: list[Skipped] = []
    _walk(get_resolver(urlconf), (), "", {}, routes, skipped)
    return (
        [Route(name, tuple(variants)) for name, variants in sorted(routes.items())],
        sorted(set(skipped), key=lambda s: s.name),
    )


def _walk(
    resolver: URLResolver,
    namespaces: tuple[str, ...],
    ns_pattern: str,
    ns_converters: dict[str, object],
    routes: dict[str, list[Variant]],
    skipped: list[Skipped],
) -> None:
    # What reverse("ns:name") resolves against: the namespace's prefix put before the resolver.
    lookup = (
        get_ns_resolver(ns_pattern, resolver, tuple(ns_converters.items()))
        if ns_pattern
        else resolver
    )
    reverse_dict = lookup.reverse_dict
    for key in list(reverse_dict):
        if not isinstance(key, str):  # the view callables: reverse() by name only here
            continue
        name = ":".join((*namespaces, key))
        for possibilities, _pattern, _defaults, converters in reverse_dict.getlist(key):
            for template, params in possibilities:
                if any(p.startswith("_") and p[1:].isdigit() for p in params):
                    skipped.append(Skipped(name, "unnamed re_path() groups: positional only"))
                    continue
                variant = Variant(
                    template,
                    tuple(Param(p, typescript_type(converters.get(p))) for p in params),
                )
                if variant not in routes.setdefault(name, []):
                    routes[name].append(variant)
    for namespace, (prefix, child) in resolver.namespace_dict.items():
        _walk(
            child,
            (*namespaces, namespace),
            ns_pattern + prefix,
            {**ns_converters, **child.pattern.converters},
            routes,
            skipped,
        )
