"""The route rules: pure Python, no Django import.

This module is the single source of the domain's vocabulary (routes, stances)
and of which routes a state may take a stance on. Everything else (models,
services, the API, the pages) calls it.
"""

from __future__ import annotations

from enum import StrEnum


class Route(StrEnum):
    """A way to adopt a measure."""

    ALLIANCE = "alliance"  # all 32 allies, by consensus
    BILATERAL = "bilateral"  # the lead state with each willing ally
    EU = "eu"  # the 27 EU states in the Council


class Stance(StrEnum):
    """One state's view of one measure on one route."""

    SUPPORT = "support"
    CONDITIONAL = "conditional"  # support, with reservations
    ABSTAIN = "abstain"  # will not take part, will not block
    UNDECIDED = "undecided"  # the default
    OPPOSE = "oppose"


IN_FAVOUR = frozenset({Stance.SUPPORT, Stance.CONDITIONAL})


def routes_for(*, nato_member: bool, eu_member: bool) -> tuple[Route, ...]:
    """The routes a state belongs to, in the canonical order.

    Allies take stances on the alliance and bilateral routes; EU members on
    the EU route. An ally outside the EU has no EU stance; an EU state outside
    NATO has only an EU stance.
    """
    routes: list[Route] = []
    if nato_member:
        routes += [Route.ALLIANCE, Route.BILATERAL]
    if eu_member:
        routes.append(Route.EU)
    return tuple(routes)
