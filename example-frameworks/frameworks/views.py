from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    """Links to each framework's pages."""
    return render(request, "frameworks/home.html")
