"""The example with one more page for bench_ssr_load.py: ``/ssr-node/``, the product page of
``/ssr/`` with the component rendered by a Node server (ssr_load_urls.py)."""

import os

from example.settings import *  # noqa: F403
from example.settings import TEMPLATES

TEMPLATES = [{**TEMPLATES[0], "DIRS": [os.environ["DUET_BENCH_SSR_TEMPLATES"]]}]
ROOT_URLCONF = "ssr_load_urls"
