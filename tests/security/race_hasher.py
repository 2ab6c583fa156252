"""A password hasher that records every hash it computes and takes as long as a real one.

Each hash appends a line to the file ``DUET_RACE_LOG`` names (appends are atomic across the
server's processes), then waits ``SECONDS``: PBKDF2's default cost, which is what keeps the
requests of a burst in flight together.
"""

from __future__ import annotations

import os
import time
from typing import Any

from django.contrib.auth.hashers import PBKDF2PasswordHasher

SECONDS = 0.5


class RecordingHasher(PBKDF2PasswordHasher):
    algorithm = "duet_recording"
    iterations = 1000

    def encode(self, password: str, salt: str, iterations: Any = None) -> str:
        # verify() calls encode() once; an unknown user's dummy hash (ModelBackend's timing
        # defence) calls it once too: one line per password checked.
        with open(os.environ["DUET_RACE_LOG"], "a") as log:
            log.write(f"{os.getpid()}\n")
        time.sleep(SECONDS)
        return super().encode(password, salt, iterations)
