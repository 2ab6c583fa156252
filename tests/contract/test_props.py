"""Props declared once in Python: their TypeScript, and the check where Django hands them over
(islands, SSR, duet_props) with DUET["VALIDATE_PROPS"] / DEBUG; nothing done with it off."""

from __future__ import annotations

import dataclasses
import datetime
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Literal, NotRequired, TypedDict

import pytest
from django.test import override_settings
from pydantic import BaseModel

from django_duet.contract import props as registry
from django_duet.contract.props import PropsError, check_props, props, register_props
from django_duet.contract.props_typescript import render_props
from django_duet.contract.shapes import UnsupportedType, shape_of
from django_duet.contract.validate import problems
from tests.contract import typescript_check
from tests.helpers import render_template


class Item(TypedDict):  # typing.TypedDict, on every Python the package supports
    sku: str
    price: float
    tags: list[str]


class GreetingProps(TypedDict):
    name: str
    count: NotRequired[int]
    tone: Literal["warm", "dry"]
    items: list[Item]
    seen: datetime.datetime | None
    totals: dict[str, int]


@dataclasses.dataclass
class BadgeProps:
    label: str
    level: int = 1


class CardProps(BaseModel):
    title: str
    pinned: bool


@pytest.fixture(autouse=True)
def clean_registry() -> Iterator[None]:
    saved = dict(registry._declared)
    registry._declared.clear()
    registry._shape.cache_clear()
    yield
    registry._declared.clear()
    registry._declared.update(saved)
    registry._shape.cache_clear()


def good() -> dict[str, object]:
    return {
        "name": "Ada",
        "tone": "warm",
        "items": [{"sku": "mug", "price": 9.5, "tags": ["blue"]}],
        "seen": datetime.datetime(2026, 12, 5, 6, 0),  # a string in the JSON
        "totals": {"mug": 2},
    }


def test_a_fitting_value_has_no_problem() -> None:
    assert problems(shape_of(GreetingProps), {**good(), "seen": "2026-12-05T06:00:00"}) == []
    assert problems(shape_of(GreetingProps), {**good(), "seen": None, "count": 3}) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"name": 3}, "name: expected string, got number 3"),
        ({"tone": "cold"}, 'tone: expected "warm" | "dry", got string \'cold\''),
        ({"count": True}, "count: expected number (an integer), got boolean True"),
        ({"items": [{"sku": "mug", "price": "9", "tags": []}]}, "items[0].price: expected number"),
        ({"items": [{"sku": "mug", "price": 1, "tags": [1]}]}, "items[0].tags[0]: expected string"),
        ({"totals": {"mug": 1.5}}, "totals.mug: expected number (an integer), got number 1.5"),
        ({"nme": "x"}, "nme: not a field of GreetingProps (its fields: count, items, name, seen"),
    ],
)
def test_a_value_that_does_not_fit_names_the_field_and_what_was_expected(
    change: dict[str, object], problem: str
) -> None:
    value = {**good(), "seen": None, **change}
    assert any(p.startswith(problem) for p in problems(shape_of(GreetingProps), value)), problems(
        shape_of(GreetingProps), value
    )


def test_a_missing_field_is_named() -> None:
    value = {k: v for k, v in good().items() if k != "tone"}
    value["seen"] = None
    assert problems(shape_of(GreetingProps), value) == ['tone: missing (expected "warm" | "dry")']


def test_dataclasses_and_pydantic_models_declare_props_too() -> None:
    assert problems(shape_of(BadgeProps), {"label": "new", "level": 2}) == []
    assert problems(shape_of(BadgeProps), {"label": "new"}) == [
        "level: missing (expected number (an integer))"
    ]
    assert problems(shape_of(CardProps), {"title": "x", "pinned": "yes"}) == [
        "pinned: expected boolean, got string 'yes'"
    ]


def test_a_type_with_no_json_shape_is_refused_naming_the_field() -> None:
    class Odd(TypedDict):
        when: complex

    with pytest.raises(UnsupportedType, match=r"Odd\.when: <class 'complex'> has no JSON shape"):
        shape_of(Odd)


def test_two_declarations_for_one_component_are_refused() -> None:
    props("Greeting")(GreetingProps)
    props("Greeting")(GreetingProps)  # the same again (a module imported twice): fine
    with pytest.raises(PropsError, match="declared twice: as GreetingProps and as BadgeProps"):
        register_props("Greeting", BadgeProps)


@override_settings(DEBUG=True)
def test_in_development_every_tag_checks_the_props_it_hands_over() -> None:
    props("Greeting")(GreetingProps)
    bad = {**good(), "name": None}
    with pytest.raises(PropsError) as island:
        render_template('{% duet_island "Greeting" bad %}', bad=bad)
    message = str(island.value)
    assert "The props given to 'Greeting' do not fit GreetingProps" in message
    assert "name: expected string, got null None" in message
    with pytest.raises(PropsError, match="name: expected string"):
        render_template('{% duet_props "g" bad component="Greeting" %}', bad=bad)
    with override_settings(DUET={"SSR_ENABLED": False}), pytest.raises(PropsError):
        render_template('{% duet_render "Greeting" bad %}', bad=bad)
    html = render_template('{% duet_island "Greeting" ok %}', ok=good())
    assert 'data-duet-island="Greeting"' in html
    render_template('{% duet_island "Undeclared" bad %}', bad=bad)  # no declaration: no check


def test_validation_follows_the_setting_before_debug() -> None:
    props("Greeting")(GreetingProps)
    bad = {**good(), "name": None}
    with override_settings(DEBUG=False, DUET={"VALIDATE_PROPS": True}), pytest.raises(PropsError):
        check_props("Greeting", bad)
    with override_settings(DEBUG=True, DUET={"VALIDATE_PROPS": False}):
        check_props("Greeting", bad)


@override_settings(DEBUG=False)
def test_in_production_the_tags_read_no_declaration_and_walk_no_value() -> None:
    props("Greeting")(GreetingProps)
    registry._shape.cache_clear()
    html = render_template('{% duet_island "Greeting" bad %}', bad={"name": None})
    assert 'data-duet-island="Greeting"' in html
    assert registry._shape.cache_info().currsize == 0  # no shape was even built


def tsc(folder: Path, usage: str) -> subprocess.CompletedProcess[str]:
    return typescript_check.tsc(
        folder / "usage.ts", 'import type { Props } from "./props";\n' + usage
    )


def test_the_typescript_types_check_the_components_props(tmp_path: Path) -> None:
    text = render_props(
        {
            "Greeting": shape_of(GreetingProps, "Greeting"),
            "Badge": shape_of(BadgeProps, "Badge"),
            "Card": shape_of(CardProps, "Card"),
        }
    )
    assert "export type Item = {\n  sku: string;\n  price: number;\n  tags: string[];\n};" in text
    assert "  count?: number;\n" in text and '  tone: "warm" | "dry";\n' in text
    (tmp_path / "props.ts").write_text(text)
    right = (
        'const g: Props["Greeting"] = { name: "Ada", tone: "dry", items: [], seen: null, '
        "totals: {} };\n"
        'const b: Props["Badge"] = { label: "new", level: 1 };\n'
        'const c: Props["Card"] = { title: "x", pinned: false };\n'
    )
    done = tsc(tmp_path, right)
    assert done.returncode == 0, done.stdout
    renamed = right.replace('name: "Ada"', 'fullName: "Ada"')  # the Python field was renamed
    done = tsc(tmp_path, renamed)
    assert done.returncode != 0 and "'fullName' does not exist" in done.stdout, done.stdout
