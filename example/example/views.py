from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def home(request: HttpRequest) -> HttpResponse:
    """A Django page with a React island that gets its props from Django."""
    user = request.user
    props = {
        "name": user.get_username() if user.is_authenticated else "Django",
        "items": ["Rendered by Django", "Hydrated by React", "Served by whitenoise"],
    }
    return render(request, "example/home.html", {"props": props, "now": timezone.now()})
