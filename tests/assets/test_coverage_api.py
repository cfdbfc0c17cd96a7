"""Coverage in the support and matrix answers: per route, at any as_of, with a correct ETag
and a fixed number of queries."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from assets.services import asset_update
from consensus import selectors
from positions.models import State
from positions.services import position_record

# Token, the measure, the tag's two, then the states, the stances and the assets.
QUERIES = 7


def support(measure, as_of=None):
    base = f"/api/v1/measures/{measure.pk}/support/"
    return base if as_of is None else f"{base}?as_of={quote(as_of.isoformat())}"


def say(actor, measure, code, **stances):
    return position_record(
        actor=actor,
        measure=measure,
        state=State.objects.get(code=code),
        stances=stances,
        source="api",
    ).change


def test_each_route_carries_its_coverage(api, reader, measure):
    routes = api(reader).get(support(measure)).json()["routes"]
    for route in ("alliance", "bilateral", "eu"):
        assert routes[route]["coverage"] == {
            "assets": 0,
            "covered": 0,
            "share": None,
            "weighted_share": None,
            "uncovered": [],
            "would_cover": {"states": [], "criticality": 0},
        }


def test_coverage_follows_the_bilateral_coalition_and_as_of(
    api, reader, delegate_usa, delegate_fra, make_user, make_asset, cover_with, measure
):
    usa = make_asset("USA", name="Long Beach", latitude=None, longitude=None, location_source="")
    nld = make_asset("NLD", name="Euromax")
    fra = make_asset("FRA", name="Le Havre", criticality=3)
    cover_with(measure, usa, nld, fra)
    delegate_nld = make_user("d-nld", "delegate", "NLD")
    say(delegate_usa, measure, "USA", bilateral="support")
    joined = say(delegate_nld, measure, "NLD", bilateral="support")
    france = say(delegate_fra, measure, "FRA", bilateral="conditional")
    say(delegate_nld, measure, "NLD", bilateral="oppose")
    client = api(reader)

    def bilateral(as_of=None):
        return client.get(support(measure, as_of)).json()["routes"]["bilateral"]["coverage"]

    now = bilateral()
    assert now["covered"] == 2  # the USA with France; the Netherlands left
    assert now["uncovered"] == [nld.pk]
    assert now["would_cover"] == {"states": ["NLD"], "criticality": 5}

    then = bilateral(joined.at)
    assert then["covered"] == 2  # the USA and the Netherlands, before France joined
    assert then["uncovered"] == [fra.pk]
    assert then["weighted_share"] == 10 / 13

    everyone = bilateral(france.at)
    assert (everyone["covered"], everyone["uncovered"], everyone["share"]) == (3, [], 1.0)
    assert everyone["would_cover"] == {"states": [], "criticality": 0}

    before = bilateral(joined.at.replace(year=2000))
    assert before["covered"] == 0


def test_the_eu_route_never_covers_a_host_outside_the_eu(
    api, reader, coordinator, make_asset, cover_with, measure, make_user
):
    tur = make_asset("TUR", name="Kumport")
    cover_with(measure, tur)
    body = api(reader).get(support(measure)).json()["routes"]["eu"]["coverage"]
    assert body["uncovered"] == [tur.pk]
    assert body["would_cover"] == {"states": [], "criticality": 0}


def test_the_etag_changes_when_the_measures_assets_do(
    api, reader, coordinator, make_asset, cover_with, measure
):
    client = api(reader)
    asset = make_asset()
    tag = client.get(support(measure))["ETag"]
    cover_with(measure, asset)
    changed = client.get(support(measure), HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200
    assert changed.json()["routes"]["alliance"]["coverage"]["assets"] == 1

    tag = changed["ETag"]
    assert client.get(support(measure), HTTP_IF_NONE_MATCH=tag).status_code == 304
    asset_update(actor=coordinator, asset=asset, criticality=1)
    assert client.get(support(measure), HTTP_IF_NONE_MATCH=tag).status_code == 200


def test_the_matrix_carries_each_measures_coverage_per_route(
    api, reader, make_asset, cover_with, measure
):
    cover_with(measure, make_asset("NLD"), make_asset("TUR"))
    body = api(reader).get("/api/v1/matrix/?route=eu").json()
    coverage = body["measures"][0]["coverage"]
    assert set(coverage) == {"alliance", "bilateral", "eu"}
    assert coverage["eu"]["assets"] == 2
    assert coverage["eu"]["covered"] == 0


@pytest.mark.parametrize("size", [1, 8])
def test_support_with_coverage_takes_three_queries_whatever_the_assets(
    make_asset, cover_with, measure, delegate_fra, size, django_assert_num_queries
):
    cover_with(measure, *[make_asset("FRA") for _ in range(size)])
    last = say(delegate_fra, measure, "FRA", eu="support")
    with django_assert_num_queries(3):
        found = selectors.support_coverage_for(measure=measure)
    assert found.coverage["eu"].assets == size
    with django_assert_num_queries(3):
        selectors.support_coverage_for(measure=measure, as_of=last.at)


@pytest.mark.parametrize("size", [2, 7])
def test_the_matrix_with_coverage_takes_one_query_more_whatever_the_measures(
    make_measure, make_asset, cover_with, reader, size, django_assert_num_queries
):
    for i in range(size):
        cover_with(make_measure(title=f"m{i}"), make_asset("NLD"), make_asset("DEU"))
    with django_assert_num_queries(4):
        found = selectors.matrix(user=reader, route="eu", with_coverage=True)
    assert len(found.columns) == size
    assert all(c.coverage["eu"].assets == 2 for c in found.columns)


@pytest.mark.parametrize("size", [1, 6])
def test_the_support_api_takes_the_same_queries_however_many_assets(
    api, reader, make_asset, cover_with, measure, size, django_assert_num_queries
):
    cover_with(measure, *[make_asset("NLD") for _ in range(size)])
    client = api(reader)
    client.get(support(measure))  # the token's first use is recorded once
    with django_assert_num_queries(QUERIES):
        assert client.get(support(measure)).status_code == 200
