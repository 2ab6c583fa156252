"""Real 103 Early Hints: the example under uvicorn 0.55 over HTTP/2 (``--http zttp --http2``,
TLS with a certificate from trustme), its ASGI application inside ``EarlyHints``, with
``LinkHeaderMiddleware`` and the strict CSP of docs/csp.md, in Chromium.

Chromium uses 103 only over HTTP/2 or later, and reports what it preloaded from one as resource
entries whose ``initiatorType`` is ``"early-hints"``: the test reads those.
"""

from __future__ import annotations

import base64
import hashlib
import re
import ssl
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import trustme
from playwright.sync_api import expect

from django_duet.testing.servers import ServerProcess, free_port

from .conftest import EXAMPLE, ROOT
from .test_csp import CSP, assert_strict_policy, strict_page


@dataclass
class TlsServer(ServerProcess):
    """A ServerProcess answering over TLS: ready once an https request gets an answer."""

    ca_file: str = ""

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def _wait_ready(self) -> None:  # the plain-http probe of the base class cannot talk TLS
        deadline = time.monotonic() + self.start_timeout
        verify = ssl.create_default_context(cafile=self.ca_file)
        with httpx.Client(timeout=2.0, verify=verify) as client:
            while time.monotonic() < deadline:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited:\n{self.output()}")
                try:
                    client.get(self.url + self.ready_path)
                    return
                except httpx.TransportError:
                    time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer over TLS:\n{self.output()}")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> dict[str, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    folder = tmp_path_factory.mktemp("tls")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    key, chain, ca_file = folder / "key.pem", folder / "cert.pem", folder / "ca.pem"
    cert.private_key_pem.write_to_path(str(key))
    cert.cert_chain_pems[0].write_to_path(str(chain))
    ca.cert_pem.write_to_path(str(ca_file))
    leaf = x509.load_pem_x509_certificate(chain.read_bytes())
    spki = leaf.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return {
        "key": str(key),
        "cert": str(chain),
        "ca": str(ca_file),
        "spki": base64.b64encode(hashlib.sha256(spki).digest()).decode(),
    }


@pytest.fixture(scope="module")
def h2_server(example_env, certificate) -> Iterator[TlsServer]:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "tests.e2e.early_hints_asgi:application"]
    command += ["--http", "zttp", "--http2", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--ssl-keyfile", certificate["key"], "--ssl-certfile", certificate["cert"]]
    env = {
        **example_env,
        **CSP,
        "DJANGO_SETTINGS_MODULE": "tests.e2e.early_hints_settings",
        "PYTHONPATH": f"{ROOT}:{EXAMPLE}",
    }
    server = TlsServer(command, port=port, cwd=EXAMPLE, env=env, name="uvicorn-h2")
    server.ca_file = certificate["ca"]
    with server:
        yield server


@pytest.fixture
def h2_page(duet_browser, duet_browser_launch_args, certificate) -> Iterator:
    """A Chromium that trusts the test certificate (so that HTTP/2 and its cache work as on a
    real site: Chromium caches nothing from a site whose certificate it refused)."""
    args = dict(duet_browser_launch_args)
    args["args"] = [
        *args.get("args", []),
        f"--ignore-certificate-errors-spki-list={certificate['spki']}",
    ]
    browser = duet_browser.browser_type.launch(**args)
    try:
        yield browser.new_context().new_page()
    finally:
        browser.close()


def early_hinted(page) -> list[str]:
    return page.evaluate(
        "() => performance.getEntriesByType('resource')"
        ".filter((e) => e.initiatorType === 'early-hints').map((e) => e.name)"
    )


def test_the_second_visit_gets_a_103_that_chromium_uses(h2_page, h2_server):
    console = strict_page(h2_page)
    first = h2_page.goto(h2_server.url + "/")
    assert_strict_policy(first)
    link = first.headers["link"]
    expect(h2_page.get_by_test_id("island-greeting")).to_have_text("Hello, Django!")
    assert (
        h2_page.evaluate("() => performance.getEntriesByType('navigation')[0].nextHopProtocol")
        == "h2"
    )
    assert early_hinted(h2_page) == []  # nothing known before the first answer
    # New visitors (no cache): the server now knows the page's Link values and sends a 103,
    # which Chromium receives (the DevTools protocol reports it) and preloads from: every visit.
    # Whether a preload is still pending or already matched when the page's own tags ask depends
    # on timing (two shared cores): the 103 is checked on every visit, its use on any.
    used: list[list[str]] = []
    for _ in range(3):
        other = h2_page.context.browser.new_context().new_page()
        console_other = strict_page(other)
        cdp = other.context.new_cdp_session(other)
        cdp.send("Network.enable")
        hints: list[dict[str, str]] = []
        cdp.on("Network.responseReceivedEarlyHints", lambda e, hints=hints: hints.append(e))
        other.goto(h2_server.url + "/")
        expect(other.get_by_test_id("island-greeting")).to_have_text("Hello, Django!")
        # DevTools events reach this process after the page may already show (seen in CI).
        for _ in range(30):
            if hints:
                break
            other.wait_for_timeout(100)
        assert len(hints) == 1, "the visit got no 103 (or more than one)"
        # One Link field per value (uvicorn), which DevTools joins with newlines.
        field = {k.lower(): v for k, v in hints[0]["headers"].items()}["link"]
        values = re.split(r", |\n", field)
        assert "nonce" not in field  # made from another answer: never its nonce
        assert values[0].startswith("</static/assets/") and "as=style" in values[0]
        assert [v.split(";")[0] for v in values] == [v.split(";")[0] for v in link.split(", ")]
        assert other.evaluate("() => window.__csp") == [] and console_other == []
        used.append(early_hinted(other))
        other.context.close()
    assert any(url.endswith(".css") for visit in used for url in visit), used
    assert any(url.endswith(".js") for visit in used for url in visit), used
    assert h2_page.evaluate("() => window.__csp") == [] and console == []
