"""Every fresh database holds the 36 states, with their source."""

from __future__ import annotations

from positions.models import State


def test_the_36_states_are_loaded_by_migration(db):
    assert State.objects.count() == 36
    assert State.objects.filter(nato_member=True).count() == 32
    assert State.objects.filter(eu_member=True).count() == 27
    assert set(State.objects.filter(nato_member=False).values_list("code", flat=True)) == {
        "AUT",
        "CYP",
        "IRL",
        "MLT",
    }


def test_eu_population_figures_add_up_to_the_eurostat_total(db):
    total = sum(State.objects.filter(eu_member=True).values_list("eu_population", flat=True))
    assert total == 449_206_200
    assert not State.objects.filter(eu_member=False, eu_population__isnull=False).exists()


def test_each_state_notes_its_source(db):
    assert not State.objects.filter(source="").exists()
    assert "Eurostat" in State.objects.get(code="DEU").source


def test_facts_are_as_in_the_reference(db):
    fin = State.objects.get(code="FIN")
    assert (fin.alpha2, fin.name, fin.nato_joined, fin.eu_population) == (
        "FI",
        "Finland",
        2023,
        5_603_900,
    )
    assert State.objects.get(code="TUR").name == "Türkiye"
    assert State.objects.get(code="AUT").nato_joined is None


def test_routes_follow_membership(db):
    assert State.objects.get(code="FRA").routes == ("alliance", "bilateral", "eu")
    assert State.objects.get(code="GBR").routes == ("alliance", "bilateral")
    assert State.objects.get(code="IRL").routes == ("eu",)
