"""The example's URLs and ``/ssr-node/``: the view of ``/ssr/`` (example.views.ssr_product),
its props encoded once with orjson as ``{% duet_render %}`` does, the component rendered by a
Node server (``DUET_BENCH_SSR_NODE_URL``, keep-alive) instead of V8 in the process, and the
same container and template around it (the template's ``{% duet_render %}`` line taken out by
the benchmark, which hands the result in as ``page``)."""

from __future__ import annotations

import os

import httpx
import orjson
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from django_duet.pages.render import csp_nonce
from django_duet.ssr.head import head_tags
from django_duet.ssr.jsontext import props_text
from django_duet.ssr.render import (
    Rendered,
    _container_open,
    _props_script_open,
    next_element_id,
)
from example.urls import urlpatterns as example_urls
from example.views import PRODUCT

NODE = httpx.Client(base_url=os.environ["DUET_BENCH_SSR_NODE_URL"], timeout=10)


def ssr_node_product(request: HttpRequest) -> HttpResponse:
    props = {"product": PRODUCT, "canonicalUrl": request.build_absolute_uri(request.path)}
    text = props_text(props)  # one orjson encoding: the request body and the page's script
    answer = orjson.loads(NODE.post("/ProductPage", content=text._json).content)
    if not answer.get("ok"):
        raise RuntimeError(f"the Node server failed: {answer}")
    element_id = next_element_id(request)
    nonce = csp_nonce(request)
    html = "".join(
        [
            _container_open("ProductPage", element_id, True),
            answer["html"],
            "</div>",
            _props_script_open(element_id, nonce),
            text.script,
            "</script>",
        ]
    )
    page = Rendered(
        html, head=head_tags(answer.get("head"), nonce), component="ProductPage", ssr=True
    )
    return render(request, "ssr_node_product.html", {"page": page})


urlpatterns = [*example_urls, path("ssr-node/", ssr_node_product)]
