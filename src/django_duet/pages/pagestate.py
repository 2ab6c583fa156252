"""Where a page is in its walk through a build's entries, shared by every page that took it.

The entries of a page are a short walk: root, then "a" (a's tags), then "b" (b's tags less what
a already put on the page). Each step's HTML, split where the request's nonce goes, is computed
once per build and kept on the step, so a warm page pays one dict lookup and one join per entry
and builds no set of URLs per request. Pages that leave the walk (another frontend on the same
page, a caller's own ``emitted`` set, too many distinct walks) continue from ``emitted`` as a set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django_duet.pages.html import PreparedTag, nonce_parts

MAX_STEPS = 1024  # per build and tag settings: templates have few entry sequences

Step = tuple[tuple[str, ...], "PageState"]  # (nonce parts, the state after the step)


@dataclass(eq=False)
class _Walks:
    steps: int = 0


@dataclass(eq=False, slots=True)
class PageState:
    emitted: frozenset[str]  # tag URLs and once-per-page keys already on the page
    walks: _Walks
    steps: dict[tuple[str, ...], Step] = field(default_factory=dict)


def root_state() -> PageState:
    return PageState(frozenset(), _Walks())


def add_step(
    state: PageState,
    names: tuple[str, ...],
    items_for: Callable[[set[str]], list[str | PreparedTag]],
) -> Step | None:
    """Record the step ``names`` from ``state``: ``items_for`` gets the page's URLs so far (to
    update) and returns the new tags. None once the build has ``MAX_STEPS``: a template
    that renders entries from variables could otherwise grow this without bound."""
    if state.walks.steps >= MAX_STEPS:
        return None
    seen = set(state.emitted)
    items = items_for(seen)
    step = (nonce_parts(items), PageState(frozenset(seen), state.walks))
    # Two threads may record the same step: both compute the same HTML, either one is kept.
    state.steps[names] = step
    state.walks.steps += 1
    return step
