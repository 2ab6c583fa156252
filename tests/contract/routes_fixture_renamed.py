"""routes_fixture with one URL keyword renamed (pk -> id): what `duet types` must notice."""

from __future__ import annotations

from django.urls import include, path

from tests.contract.routes_fixture import urlpatterns as original
from tests.contract.routes_fixture import view

items = ([path("<int:id>/", view, name="detail")], "items")
urlpatterns = [path("items/", include(items)), *original[2:]]
