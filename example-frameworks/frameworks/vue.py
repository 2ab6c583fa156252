"""The vue frontend's pages (URLs under /vue/)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
