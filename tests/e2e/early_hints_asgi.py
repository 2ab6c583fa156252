"""The example's ASGI application inside ``EarlyHints`` (docs/performance.md), for uvicorn."""

import os

from django.core.asgi import get_asgi_application

from django_duet.asgi import duet_asgi
from django_duet.pages.early_hints import EarlyHints

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.e2e.early_hints_settings")
application = EarlyHints(duet_asgi(get_asgi_application()))
