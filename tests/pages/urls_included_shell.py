"""A URLconf with the client routes under an include() (duet.E133's test)."""

from django.urls import include, path

from django_duet.pages.client_routes import client_routes

urlpatterns = [path("tools/", include([client_routes("app/")]))]
