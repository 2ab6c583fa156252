"""Settings for Django served for real in front of a real Vite (tests/dev/test_vite.py).

DUET_TEST_FRONTEND names the Vite root; its dev server writes the hot file there.
"""

import os
from pathlib import Path

from tests.settings import *  # noqa: F403
from tests.settings import FIXTURES, MIDDLEWARE

DEBUG = True
MIDDLEWARE = ["django_duet.proxy.DevProxyMiddleware", *MIDDLEWARE]
DUET = {
    "BUILD_DIR": FIXTURES / "build",
    "FRONTEND_DIR": Path(os.environ["DUET_TEST_FRONTEND"]),
    "DEV_PROXY_TIMEOUT": 10,
}
