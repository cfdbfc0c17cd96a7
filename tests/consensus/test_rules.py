"""The pure route rules (no database)."""

from consensus.rules import IN_FAVOUR, Route, Stance, routes_for


def test_an_ally_in_the_eu_belongs_to_every_route():
    assert routes_for(nato_member=True, eu_member=True) == (
        Route.ALLIANCE,
        Route.BILATERAL,
        Route.EU,
    )


def test_an_ally_outside_the_eu_has_no_eu_route():
    assert routes_for(nato_member=True, eu_member=False) == (Route.ALLIANCE, Route.BILATERAL)


def test_an_eu_state_outside_nato_has_only_the_eu_route():
    assert routes_for(nato_member=False, eu_member=True) == (Route.EU,)


def test_in_favour_means_support_or_conditional():
    assert {Stance.SUPPORT, Stance.CONDITIONAL} == IN_FAVOUR
