"""api_fixture with one serializer field renamed (title -> heading): what `duet types` must
notice, and tsc at the call sites that still say ``title``."""

from __future__ import annotations

from django.urls import include, path
from rest_framework import routers, serializers

from tests.contract.api_fixture import NoteViewSet, ninja_api


class RenamedNoteSerializer(serializers.Serializer):  # type: ignore[misc]  # DRF ships no types
    id = serializers.IntegerField(read_only=True)
    heading = serializers.CharField(max_length=200)
    done = serializers.BooleanField(default=False)


class RenamedNoteViewSet(NoteViewSet):
    serializer_class = RenamedNoteSerializer


router = routers.SimpleRouter(use_regex_path=False)
router.register("notes", RenamedNoteViewSet, basename="note")

urlpatterns = [
    path("api/drf/", include(router.urls)),
    path("api/ninja/", ninja_api.urls),
]
