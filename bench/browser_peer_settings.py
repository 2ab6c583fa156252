"""The example's pages tagged by django-vite (the peer) on the same build, for bench_browser.py:
its home page template with ``{% vite_asset %}`` in place of ``{% duet_entry %}`` (written by
the benchmark into DUET_BENCH_PEER_TEMPLATES), and the React Router section as a template with
``{% vite_asset "index.html" %}``, as a django-vite project writes it."""

import os

from example.settings import *  # noqa: F403
from example.settings import FRONTEND_DIR, INSTALLED_APPS, TEMPLATES

INSTALLED_APPS = [*INSTALLED_APPS, "django_vite"]
TEMPLATES = [{**TEMPLATES[0], "DIRS": [os.environ["DUET_BENCH_PEER_TEMPLATES"]]}]
DJANGO_VITE = {
    "default": {
        "dev_mode": False,
        "manifest_path": FRONTEND_DIR / "dist" / ".vite" / "manifest.json",
    }
}
ROOT_URLCONF = "browser_peer_urls"
