"""The example's URLs, the React Router section served from a django-vite template."""

from django.urls import re_path
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.generic import TemplateView

from example.urls import urlpatterns as example_urls

app = ensure_csrf_cookie(TemplateView.as_view(template_name="peer_app.html"))
urlpatterns = [re_path(r"^app/", app), *[u for u in example_urls if "app/" not in str(u.pattern)]]
