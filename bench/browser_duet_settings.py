"""The example with the fast-page features on (docs/performance.md), for bench_browser.py."""

from example.settings import *  # noqa: F403
from example.settings import DUET, MIDDLEWARE

MIDDLEWARE = [*MIDDLEWARE, "django_duet.pages.links.LinkHeaderMiddleware"]
DUET = {**DUET, "PREFETCH": "waterfall"}
