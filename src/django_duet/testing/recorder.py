"""The frontend's side of the API contract: record the calls a page made, replay them later.

``duet_api_recorder`` watches ``duet_page`` and keeps, for every response under an API prefix
(``duet_api_prefixes``, default ``/api/``), the method, path, query, JSON body (secrets
redacted), status and the *shape* of the answer (names and JSON types, not values). With
``--duet-record-api=DIR`` each test's calls land in ``DIR/<test>.json``: commit them with the
frontend release. ``replay()`` sends a recording to the current server and lists what an
older frontend would trip on: a status that went from success to failure (or back), a field
that disappeared or changed type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

SECRET = re.compile(r"pass(word)?|secret|token", re.IGNORECASE)
REDACTED = "<redacted>"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def shape(value: Any) -> Any:
    """The JSON type tree of ``value``: objects keep keys, arrays their first item's shape."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "null"
    return "string"


def redact(value: Any) -> tuple[Any, bool]:
    """``value`` with secret-looking fields replaced, and whether any was."""
    if isinstance(value, dict):
        found, out = False, {}
        for key, item in value.items():
            if SECRET.search(key) and isinstance(item, str):
                out[key], found = REDACTED, True
            else:
                out[key], hit = redact(item)
                found = found or hit
        return out, found
    if isinstance(value, list):
        items = [redact(item) for item in value]
        return [i for i, _ in items], any(h for _, h in items)
    return value, False


def shape_breaks(old: Any, new: Any, where: str = "$") -> list[str]:
    """What in ``new`` breaks a reader of ``old``: a missing field or a changed type."""
    if old == "null" or old == []:
        return []  # nothing was read from it
    if isinstance(old, dict):
        if not isinstance(new, dict):
            return [f"{where}: was an object, now {_kind(new)}"]
        breaks: list[str] = []
        for key, item in old.items():
            if key not in new:
                breaks.append(f"{where}.{key}: missing (was {_kind(item)})")
            else:
                breaks += shape_breaks(item, new[key], f"{where}.{key}")
        return breaks
    if isinstance(old, list):
        if not isinstance(new, list):
            return [f"{where}: was an array, now {_kind(new)}"]
        return shape_breaks(old[0], new[0], f"{where}[]") if new else []
    return [] if old == new else [f"{where}: was {old}, now {_kind(new)}"]


def _kind(shaped: Any) -> str:
    if isinstance(shaped, dict):
        return "an object"
    if isinstance(shaped, list):
        return "an array"
    return str(shaped)


@dataclass
class ApiCall:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any = None
    redacted: bool = False
    status: int = 0
    response_shape: Any = None


@dataclass
class ApiRecorder:
    prefixes: tuple[str, ...] = ("/api/",)
    calls: list[ApiCall] = field(default_factory=list)
    _responses: list[Any] = field(default_factory=list)

    def attach(self, page: Any) -> ApiRecorder:
        """Record ``page``'s API calls (only the cheap event data now; bodies when read)."""
        page.on("response", self._on_response)
        return self

    def _on_response(self, response: Any) -> None:
        if urlsplit(response.url).path.startswith(self.prefixes):
            self._responses.append(response)

    def collect(self) -> list[ApiCall]:
        """Read the recorded responses' bodies (while the page is open) into ``calls``."""
        from playwright.sync_api import Error as PlaywrightError

        pending, self._responses = self._responses, []
        for response in pending:
            request, url = response.request, urlsplit(response.url)
            body, redacted = None, False
            if request.post_data:
                try:
                    body, redacted = redact(json.loads(request.post_data))
                except ValueError:
                    body, redacted = REDACTED, True  # a form or binary body: not replayable
            try:
                answer = shape(response.json())
            except (PlaywrightError, ValueError):
                answer = None
            self.calls.append(
                ApiCall(
                    request.method,
                    url.path,
                    parse_qs(url.query),
                    body,
                    redacted,
                    response.status,
                    answer,
                )
            )
        return self.calls

    def save(self, path: Path, test: str = "") -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        calls = [asdict(call) for call in self.collect()]
        path.write_text(json.dumps({"test": test, "calls": calls}, indent=2) + "\n")
        return path


def load(path: Path) -> list[ApiCall]:
    return [ApiCall(**call) for call in json.loads(path.read_text())["calls"]]


def replay(
    calls: Iterable[ApiCall] | Path,
    client: httpx.Client,
    *,
    csrf_path: str | None = "/api/auth/csrf/",
    skip: Iterable[str] = ("/logout/",),
) -> list[str]:
    """Send recorded calls to ``client``'s server again; the contract breaks found (none: [])."""
    if isinstance(calls, Path):
        calls = load(calls)
    skipped = tuple(skip)
    breaks: list[str] = []
    for call in calls:
        if call.redacted or call.path.endswith(skipped):
            continue
        headers = {}
        if call.method in UNSAFE and csrf_path:
            token = client.get(csrf_path).json()
            headers[token["headerName"]] = token["csrfToken"]
        answer = client.request(
            call.method,
            call.path,
            params=call.query,
            headers=headers,
            json=call.body if call.body is not None else None,
        )
        name = f"{call.method} {call.path}"
        if call.status // 100 != answer.status_code // 100:
            breaks.append(f"{name}: answered {call.status} then, {answer.status_code} now")
            continue
        if call.response_shape is not None:
            try:
                now = shape(answer.json())
            except ValueError:
                breaks.append(f"{name}: answered JSON then, not now")
                continue
            breaks += [f"{name}: {b}" for b in shape_breaks(call.response_shape, now)]
    return breaks


def _file_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_") + ".json"


@pytest.fixture
def duet_api_recorder(
    request: pytest.FixtureRequest, pytestconfig: pytest.Config, duet_page: Any
) -> Iterator[ApiRecorder]:
    """Records ``duet_page``'s API calls; ``--duet-record-api=DIR`` saves them per test."""
    prefixes = tuple(pytestconfig.getini("duet_api_prefixes") or ["/api/"])
    recorder = ApiRecorder(prefixes).attach(duet_page)
    yield recorder
    folder = pytestconfig.getoption("duet_record_api")
    if folder:
        recorder.save(Path(folder) / _file_name(request.node.nodeid), request.node.nodeid)
    else:
        recorder.collect()
