from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    # Each framework's pages: islands, a server-rendered page, client routes under a prefix.
    path("vue/", include("frameworks.vue")),
    path("svelte/", include("frameworks.svelte")),
]
