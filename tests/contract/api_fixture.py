"""A project with an API in each framework, for `duet types`' API part (test_api.py): a DRF
viewset with its serializer behind a router, and a django-ninja router under a NinjaAPI."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import include, path
from ninja import NinjaAPI, Router, Schema
from rest_framework import routers, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response


class NoteSerializer(serializers.Serializer):  # type: ignore[misc]  # DRF ships no types
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(max_length=200)
    done = serializers.BooleanField(default=False)


class NoteViewSet(viewsets.GenericViewSet):  # type: ignore[misc]
    serializer_class = NoteSerializer
    lookup_value_converter = "int"

    def list(self, request: Request) -> Response:
        return Response([])

    def create(self, request: Request) -> Response:
        return Response(request.data, status=201)

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response({"id": pk, "title": "", "done": False})


router = routers.SimpleRouter(use_regex_path=False)
router.register("notes", NoteViewSet, basename="note")


class TaskIn(Schema):
    label: str
    priority: int = 0


class TaskOut(Schema):
    id: int
    label: str
    priority: int


tasks = Router()


@tasks.get("/{task_id}", response=TaskOut)
def get_task(request: HttpRequest, task_id: int) -> dict[str, object]:
    return {"id": task_id, "label": "", "priority": 0}


@tasks.post("/", response={201: TaskOut})
def add_task(request: HttpRequest, task: TaskIn) -> tuple[int, dict[str, object]]:
    return 201, {"id": 1, **task.dict()}


ninja_api = NinjaAPI(urls_namespace="contract_tasks", title="Tasks", version="1")
ninja_api.add_router("/tasks", tasks)

urlpatterns = [
    path("api/drf/", include(router.urls)),
    path("api/ninja/", ninja_api.urls),
]
