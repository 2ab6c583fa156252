"""The svelte frontend's pages (URLs under /svelte/)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
