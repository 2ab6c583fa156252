"""A URLconf with every shape `duet types` must follow: namespaces (instance and application),
nested includes, each built-in converter, a custom converter that names its TypeScript type,
re_path() with named and unnamed groups, one name with two patterns."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path, re_path, register_converter


def view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse()


class YearConverter:
    regex = "[0-9]{4}"
    typescript_type = "number"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class LanguageConverter:  # no typescript_type: a string
    regex = "[a-z]{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(YearConverter, "duet_year")
register_converter(LanguageConverter, "duet_language")

items = (
    [
        path("", view, name="list"),
        path("<int:pk>/", view, name="detail"),
        path("<slug:slug>/edit/", view, name="edit"),
        path("by-uuid/<uuid:key>/", view, name="by-uuid"),
    ],
    "items",  # the application namespace
)

archive = [
    path("<duet_year:year>/", view, name="year"),
    path("<duet_language:language>/<duet_year:year>/", view, name="localised"),
]

nested = [
    path("inner/<str:label>/", include((archive, "archive"), namespace="archive")),
    path("leaf/", view, name="leaf"),
]

urlpatterns = [
    path("", view, name="home"),
    path("items/", include(items)),  # instance namespace = application namespace
    path("shop/<int:shop>/items/", include(items, namespace="shop-items")),
    path("outer/", include((nested, "outer"))),
    path("files/<path:file>", view, name="file"),
    path("search/<str:term>/", view, name="search"),
    path("search/", view, name="search"),  # the same name, no parameter
    re_path(r"^legacy/(?P<code>[A-Z]+)-(?P<number>[0-9]+)/$", view, name="legacy"),
    re_path(r"^positional/([0-9]+)/$", view, name="positional"),
    path("unnamed/", view),
]
