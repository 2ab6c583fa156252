"""The props' JSON for a server render: the same values as Django's encoder gives, whether
orjson or the stdlib encodes them, safe in a <script> and exact in V8."""

from __future__ import annotations

import datetime
import json
import uuid
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy

from django_duet.ssr import jsontext
from django_duet.ssr.jsontext import props_text

TRICKY = "a\nb\r\"q\" 'single' \\ \\' \\\\n é \u2028\u2029 </script><!-- & \U0001f600 ` ${x}"
UTC = datetime.UTC


def nested(depth: int) -> object:
    value: object = "bottom"
    for _ in range(depth):
        value = [value]
    return value


PAYLOADS = {
    "plain": {"name": "Ada", "n": 3, "f": 1.25, "ok": True, "none": None, "list": [1, "2"]},
    "tricky strings": {TRICKY: [TRICKY, {"k": TRICKY}]},
    "django types": {
        "price": Decimal("10.10"),
        "at": datetime.datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC),
        "naive": datetime.datetime(2026, 1, 2, 3, 4, 5),
        "day": datetime.date(2026, 1, 2),
        "time": datetime.time(3, 4, 5, 678000),
        "took": datetime.timedelta(hours=1, seconds=3),
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "lazy": gettext_lazy("Hello"),
        "tuple": ("a", 1),
    },
    # What orjson refuses and the stdlib takes: the stdlib encodes these.
    "integer keys": {1: "one", 2: {3: "three"}},
    "big integer": {"n": 2**70},
    "deep": nested(300),
}

ENCODERS = ["orjson", "stdlib"]


@pytest.fixture(params=ENCODERS)
def encoder(request, monkeypatch):
    if request.param == "stdlib":
        monkeypatch.setattr(jsontext, "orjson", None)
    else:
        pytest.importorskip("orjson")
    return request.param


def django_value(props: object) -> object:
    return json.loads(json.dumps(props, cls=DjangoJSONEncoder))


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_the_page_gets_the_values_djangos_encoder_gives(encoder, payload):
    text = props_text(payload).script
    assert json.loads(text) == django_value(payload)
    assert not {"<", ">", "&"} & set(text)  # nothing can end the <script> or open a comment


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_v8_parses_the_literal_to_the_same_values(encoder, payload):
    py_mini_racer = pytest.importorskip("py_mini_racer")
    racer = py_mini_racer.MiniRacer()
    try:
        back = racer.eval(f"JSON.stringify(JSON.parse({props_text(payload).literal}))")
    finally:
        racer.close()
    assert json.loads(back) == django_value(payload)


@pytest.mark.parametrize(
    ("props", "problem"),
    [({"x": object()}, "is not JSON serializable"), ({"s": {1, 2}}, "set")],
)
def test_what_is_not_json_is_a_type_error_that_says_what_to_do(encoder, props, problem):
    with pytest.raises(TypeError, match=rf"must be JSON-serializable.*{problem}.*Convert model"):
        props_text(props)


def test_orjson_encodes_the_common_case(monkeypatch):
    # The speed this module exists for: a plain payload never reaches the stdlib encoder.
    pytest.importorskip("orjson")
    monkeypatch.setattr(jsontext, "_stdlib_json", lambda props: pytest.fail("stdlib used"))
    assert json.loads(props_text(PAYLOADS["django types"]).script) == django_value(
        PAYLOADS["django types"]
    )
