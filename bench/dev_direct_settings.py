"""The example with DUET["DEV_ASSETS"] = "direct" (docs/development.md), for the development
benchmarks (devlib.duet_dev): the page from Django, its modules straight from Vite's port."""

from example.settings import *  # noqa: F403
from example.settings import DUET

DUET = {**DUET, "DEV_ASSETS": "direct"}
