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
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

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
    assert json.loads(v8_eval(f"JSON.stringify(JSON.parse({props_text(payload).literal}))")) == (
        django_value(payload)
    )


def v8_eval(code: str) -> object:
    pytest.importorskip("py_mini_racer")
    from django_duet.ssr.v8 import Racer  # django-duet starts V8: with its flags

    racer = Racer()
    try:
        return racer.eval(code, 10)
    finally:
        racer.close()


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


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text() | st.integers() | st.booleans(), children, max_size=4)
    ),
    max_leaves=30,
)


@given(JSON_VALUES)
@hypothesis_settings(max_examples=300, deadline=None)
def test_the_encoder_without_recursion_writes_what_json_dumps_writes(value):
    assert jsontext._deep_json(value) == json.dumps(
        value, cls=DjangoJSONEncoder, separators=(",", ":")
    )


def test_props_deeper_than_the_recursion_limit_are_encoded(encoder):
    # json.dumps stops at Python's recursion limit (about 990 levels from a shallow stack,
    # fewer from a view's): the page and V8 get these props all the same.
    deep = {"deep": nested(5000), "at": datetime.date(2026, 1, 2)}
    text = props_text(deep)
    expected = '{"deep":' + "[" * 5000 + '"bottom"' + "]" * 5000 + ',"at":"2026-01-02"}'
    assert text.script == expected
    assert text.size == len(expected)
    depth = "var v = JSON.parse({}).deep, n = 0; while (Array.isArray(v)) {{ v = v[0]; n++; }} n"
    assert v8_eval(depth.format(text.literal)) == 5000


def test_a_cycle_is_still_the_clear_type_error(encoder):
    looped: dict[str, object] = {"name": "Ada"}
    looped["friends"] = [looped]
    with pytest.raises(TypeError, match=r"JSON-serializable .*: a circular reference\. Convert"):
        props_text(looped)


def test_a_lone_surrogate_in_the_engines_answer_becomes_a_replacement_character():
    # JSON.stringify writes half a surrogate pair as an escape; orjson refuses it.
    answer = '{"ok":true,"html":"<p>a\\ud83d</p>","head":{"title":"\\ude00"},"x":"\\ud83d\\ude00"}'
    assert jsontext.loads(answer) == {
        "ok": True,
        "html": "<p>a\ufffd</p>",
        "head": {"title": "\ufffd"},
        "x": "\U0001f600",
    }
