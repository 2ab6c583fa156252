"""The example's settings with LinkHeaderMiddleware: the server of test_fast_pages_early_hints."""

from example.settings import *  # noqa: F403
from example.settings import MIDDLEWARE

MIDDLEWARE = [*MIDDLEWARE, "django_duet.pages.links.LinkHeaderMiddleware"]
