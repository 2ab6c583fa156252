"""The example's settings with LinkHeaderMiddleware: the server of test_fast_pages_early_hints."""

from example.settings import *  # noqa: F403
from example.settings import DUET, MIDDLEWARE

MIDDLEWARE = [*MIDDLEWARE, "django_duet.pages.links.LinkHeaderMiddleware"]
DUET = {**DUET, "LINK_HEADER_MODULES": True}  # a 103 carries the module preloads too
