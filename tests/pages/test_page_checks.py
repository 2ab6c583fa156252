"""duet.E140-E142, E144: the fast-page settings, each id with a bad value, and none with the good
ones (the pages would otherwise read a typo as the default: prefetch off unseen)."""

from __future__ import annotations

import pytest

from tests.helpers import duet_messages

GOOD = [
    {},
    {"PREFETCH": "waterfall", "PREFETCH_CONCURRENCY": 1, "LINK_HEADER_MAX_BYTES": 0},
    {"PREFETCH": "aggressive", "LINK_HEADER_MAX_BYTES": None},
    {"PREFETCH": None},
    {"PREFETCH": False},
    {"LINK_HEADER_MODULES": True},
    {"LINK_HEADER_MODULES": False},
    {"LINK_HEADER_MODULES": None},
]
BAD = [
    ({"PREFETCH": "waterfal"}, "duet.E140", "'waterfal'"),
    ({"PREFETCH": True}, "duet.E140", "True"),
    ({"PREFETCH_CONCURRENCY": 0}, "duet.E141", "0"),
    ({"PREFETCH_CONCURRENCY": "3"}, "duet.E141", "'3'"),
    ({"PREFETCH_CONCURRENCY": True}, "duet.E141", "True"),
    ({"LINK_HEADER_MAX_BYTES": -1}, "duet.E142", "-1"),
    ({"LINK_HEADER_MAX_BYTES": 2048.0}, "duet.E142", "2048.0"),
    ({"LINK_HEADER_MODULES": "yes"}, "duet.E144", "'yes'"),
    ({"LINK_HEADER_MODULES": 1}, "duet.E144", "1"),
]


def page_messages():
    ids = ("duet.E140", "duet.E141", "duet.E142", "duet.E144")
    return [m for m in duet_messages() if m.id in ids]


@pytest.mark.parametrize("values", GOOD)
def test_good_values_pass(settings, values):
    settings.DUET = {**settings.DUET, **values}
    assert page_messages() == []


@pytest.mark.parametrize(("values", "check_id", "shown"), BAD)
def test_each_bad_value_names_the_setting_and_the_fix(settings, values, check_id, shown):
    settings.DUET = {**settings.DUET, **values}
    (message,) = page_messages()
    (name,) = values
    assert message.id == check_id
    assert f"DUET['{name}'] is {shown};" in message.msg
    assert message.hint and name in message.hint
