"""The CSP nonce under the real middlewares: django-csp 4's lazy nonce, Django 6's own
ContentSecurityPolicyMiddleware (run on Django 6 only: `make test-matrix`), and a plain attribute.
The nonce on the tags must be the one the header carries."""

from __future__ import annotations

import re

import django
import pytest
from csp.constants import NONCE, NONE, SELF, STRICT_DYNAMIC
from django.http import HttpRequest, HttpResponse
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.urls import path
from django.utils.functional import SimpleLazyObject

from django_duet.pages import render as duet_render
from django_duet.pages.client_routes import client_routes
from tests.dev.conftest import dev_settings, fake, hot_path  # noqa: F401  (fixtures)

POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [NONCE, STRICT_DYNAMIC],
        "style-src": [NONCE],
        "object-src": [NONE],
        "base-uri": [NONE],
    }
}
CSP_MIDDLEWARE = "csp.middleware.CSPMiddleware"
NATIVE_MIDDLEWARE = "django.middleware.csp.ContentSecurityPolicyMiddleware"
DJANGO_6 = django.VERSION >= (6, 0)
needs_django_6 = pytest.mark.skipif(
    not DJANGO_6, reason="Django's own ContentSecurityPolicyMiddleware is new in Django 6.0"
)
PAGE = '{% load duet %}<head>{% duet_entry "src/theme.css" "src/main.tsx" %}</head>'


def page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(Template(PAGE).render(RequestContext(request)))


def plain_nonce(get_response):  # what a project without django-csp may do
    def middleware(request):
        request.csp_nonce = "pl41n-n0nce"
        return get_response(request)

    return middleware


# Django 6's template partials: the page, and its head partial alone ("page.html#head").
PARTIALS = (
    '{% load duet %}{% partialdef head inline %}<head>{% duet_entry "src/main.tsx" %}</head>'
    '{% endpartialdef %}<body>{% duet_entry "src/main.tsx" %}</body>'
)


def partial(request: HttpRequest, name: str) -> HttpResponse:  # "page.html" or "head"
    from django.template import Engine

    loader = ("django.template.loaders.locmem.Loader", {"page.html": PARTIALS})
    engine = Engine(loaders=[loader], libraries={"duet": "django_duet.templatetags.duet"})
    template = engine.get_template(name if name == "page.html" else f"page.html#{name}")
    return HttpResponse(template.render(RequestContext(request)))


urlpatterns = [
    path("page/", page),
    path("partial/<str:name>", partial),
    client_routes("app/", "index.html"),
]
pytestmark = pytest.mark.urls(__name__)


def native_policy() -> dict[str, list[str]]:
    """POLICY in Django 6's SECURE_CSP form (imported here: Django 5.2 has no django.utils.csp)."""
    from django.utils.csp import CSP

    return {
        directive: [CSP.NONCE if value == NONCE else value for value in values]
        for directive, values in POLICY["DIRECTIVES"].items()
    }


@pytest.fixture(params=["django-csp", pytest.param("django", marks=needs_django_6)])
def with_django_csp(request, settings):
    """A strict nonce policy from django-csp 4, then from Django 6's own middleware."""
    if request.param == "django-csp":
        settings.MIDDLEWARE = [CSP_MIDDLEWARE, *settings.MIDDLEWARE]
        settings.CONTENT_SECURITY_POLICY = POLICY
    else:
        settings.MIDDLEWARE = [NATIVE_MIDDLEWARE, *settings.MIDDLEWARE]
        settings.SECURE_CSP = native_policy()


def header_nonce(response) -> str:
    policy = response["Content-Security-Policy"]
    found = re.findall(r"'nonce-([^']+)'", policy)
    assert len(found) == 2, policy  # script-src and style-src
    assert found[0] == found[1]
    return found[0]


def tag_nonces(html: str) -> set[str]:
    return set(re.findall(r' nonce="([^"]+)"', html))


def test_django_csp_lazy_nonce_is_on_every_tag_and_in_the_header(client, with_django_csp):
    response = client.get("/page/")
    html = response.content.decode()
    nonce = header_nonce(response)  # read by the tags, so django-csp put it in the header
    assert tag_nonces(html) == {nonce}
    # the meta Vite's preload helper reads, 2 stylesheets, 1 script, 1 preload at least
    assert html.count(f' nonce="{nonce}"') == html.count("<script") + html.count("<link") + 1
    assert f'<meta property="csp-nonce" nonce="{nonce}">' in html


def test_every_request_gets_its_own_nonce(client, with_django_csp):
    first, second = (header_nonce(client.get("/page/")) for _ in range(2))
    assert first != second


def test_the_built_shell_of_client_routes_carries_the_header_nonce(client, with_django_csp):
    response = client.get("/app/deep/link")
    html = response.content.decode()
    nonce = header_nonce(response)
    assert tag_nonces(html) == {nonce}
    assert f'<meta property="csp-nonce" nonce="{nonce}">' in html
    assert html.count(f' nonce="{nonce}"') == html.count("<script") + html.count("<link") + 1


def test_without_csp_middleware_there_is_no_nonce_at_all(client):
    for url in ("/page/", "/app/"):
        response = client.get(url)
        html = response.content.decode()
        assert "nonce" not in html and "Content-Security-Policy" not in response
        # the tags are all there, only without a nonce
        assert html.count("<script") + html.count("<link") == (8 if url == "/page/" else 1)
        assert html.count('<meta name="duet-build"') == 1


def test_a_plain_request_attribute_is_used_as_is(client, settings):
    settings.MIDDLEWARE = [f"{__name__}.plain_nonce", *settings.MIDDLEWARE]
    for url, tags in (("/page/", 8), ("/app/", 1)):
        html = client.get(url).content.decode()
        assert tag_nonces(html) == {"pl41n-n0nce"}
        assert html.count("<script") + html.count("<link") == tags
        assert html.count(' nonce="pl41n-n0nce"') == tags + 1  # and the csp-nonce meta


@needs_django_6
def test_django_6_reads_the_native_get_nonce_not_a_stand_in():
    from django.middleware.csp import ContentSecurityPolicyMiddleware, get_nonce

    assert duet_render._django_get_nonce is get_nonce
    request = RequestFactory().get("/")
    assert duet_render.csp_nonce(request) is None  # the middleware did not run
    ContentSecurityPolicyMiddleware(lambda r: HttpResponse()).process_request(request)
    assert not get_nonce(request)  # a LazyNonce, falsy until read...
    nonce = duet_render.csp_nonce(request)
    assert nonce and nonce == str(get_nonce(request))  # ...read now, and the same on each read
    assert duet_render.csp_nonce(request) == nonce


@needs_django_6
def test_a_template_partial_gets_the_tags_once_with_the_header_nonce(client, with_django_csp):
    for name, body in (("page.html", True), ("head", False)):
        response = client.get(f"/partial/{name}")
        html = response.content.decode()
        assert ("<body>" in html) is body and "<head>" in html, name
        assert html.count("<script") == 1, name  # in the page, the body's entry is already there
        assert tag_nonces(html) == {header_nonce(response)}, name


@pytest.mark.skipif(DJANGO_6, reason="Django 5.2 only: it has no django.middleware.csp")
def test_django_5_2_never_tries_the_native_middleware():
    assert duet_render._django_get_nonce is None
    assert duet_render.csp_nonce(RequestFactory().get("/")) is None


def test_an_unread_lazy_nonce_is_not_mistaken_for_none():
    class Lazy(SimpleLazyObject):
        def __bool__(self) -> bool:  # as django-csp's and Django 6's: False until evaluated
            return False

    request = RequestFactory().get("/")
    request.csp_nonce = Lazy(lambda: "l4zy")
    assert duet_render.csp_nonce(request) == "l4zy"


def test_dev_tags_carry_the_header_nonce(client, with_django_csp, fake):  # noqa: F811
    response = client.get("/page/")
    html = response.content.decode()
    nonce = header_nonce(response)
    assert "/static/@vite/client" in html and "injectIntoGlobalHook" in html
    assert tag_nonces(html) == {nonce}
    # the meta (for the <style>s Vite's client injects), the preamble, the client, 2 entries
    assert html.count(f' nonce="{nonce}"') == 5


def test_the_dev_servers_shell_gets_the_header_nonce(client, with_django_csp, fake):  # noqa: F811
    # What Vite serves with html.cspNonce set to the placeholder (the duet() plugin does it).
    fake.html = (
        '<html><head><meta property="csp-nonce" nonce="DUET_CSP_NONCE">'
        '<script type="module" nonce="DUET_CSP_NONCE">import "/static/@vite/client"</script>'
        "</head><body></body></html>"
    )
    response = client.get("/app/")
    html = response.content.decode()
    nonce = header_nonce(response)
    assert "DUET_CSP_NONCE" not in html
    assert tag_nonces(html) == {nonce}
