"""Settings of the API behind the SPA of test_spa_static_host.py: the example project, plus DRF
(a second API beside its plain JSON view) and the signup view, set up for the SPA by
docs/spa.md's block, verbatim (the docs test compares them).

Environment: SPA_ORIGINS and API_ORIGIN (the block reads them), and the example's own
(DJANGO_ALLOWED_HOSTS, DUET_EXAMPLE_DB, DJANGO_SECRET_KEY ...).
"""

import os

from example.settings import *  # noqa: F403
from example.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "rest_framework"]
ROOT_URLCONF = "tests.e2e.spa_static_urls"
# So that the signup view has a rule to refuse a password with.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

# --- docs/spa.md, "The API's settings" (the docs test ignores the noqa) ---------------------
from django_duet import spa  # noqa: E402

spa.configure(
    globals(),
    origins=os.environ["SPA_ORIGINS"].split(","),  # e.g. "https://app.example.com"
    api_origin=os.environ["API_ORIGIN"],  # e.g. "https://api.example.com"
)
CSRF_FAILURE_VIEW = "django_duet.session_views.csrf_failure"
