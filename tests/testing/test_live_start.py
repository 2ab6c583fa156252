"""start_server: a server that cannot start is reported with every attempt's reason."""

from __future__ import annotations

import sys

import pytest

from django_duet.testing.live import START_ATTEMPTS, start_server
from django_duet.testing.servers import ServerStartError


def test_every_failed_attempt_is_reported():
    tries: list[int] = []

    def command_for(port: int) -> list[str]:
        tries.append(port)
        return [sys.executable, "-c", f"print('cannot bind {port}'); raise SystemExit(3)"]

    with pytest.raises(ServerStartError) as failed:
        start_server(command_for, name="doomed")
    message = str(failed.value)
    assert len(tries) == START_ATTEMPTS
    assert f"did not start in {START_ATTEMPTS} attempts" in message
    for port in tries:  # each attempt: its port, the exit code and the server's own output
        assert f"on port {port}: doomed exited with 3:\ncannot bind {port}" in message
