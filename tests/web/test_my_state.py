import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


def rows(content: str) -> str:
    return content.split("<tbody>", 1)[1]


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, db):
    response = client.get(reverse("my-state"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["coordinator", "reader"])
def test_it_is_for_delegates_only(client, make_user, role):
    client.force_login(make_user(role, role))

    assert client.get(reverse("my-state")).status_code == 403


def test_it_lists_the_undecided_measures_first_with_the_states_stances(
    client, delegate_fra, make_measure, record, edit_url
):
    decided = make_measure(title="Decided rail links")
    partly = make_measure(title="Partly decided screening")
    untouched = make_measure(title="Untouched energy grid")
    record(
        delegate_fra,
        decided,
        "FRA",
        stances={"alliance": "support", "bilateral": "oppose", "eu": "abstain"},
    )
    record(delegate_fra, partly, "FRA", stances={"alliance": "conditional"})
    client.force_login(delegate_fra)

    response = client.get(reverse("my-state"))

    assert response.status_code == 200
    table = rows(response.content.decode())
    order = [table.index(m.title) for m in (partly, untouched, decided)]
    assert order == sorted(order)
    decided_row = table[table.index(decided.title) :]
    assert "Support</td>" in decided_row
    assert "Oppose</td>" in decided_row
    assert "Abstain</td>" in decided_row
    assert (
        "Conditional support</td>" in table[table.index(partly.title) : table.index(decided.title)]
    )
    for m in (decided, partly, untouched):
        assert edit_url(m, "FRA") in table


def test_a_state_outside_the_eu_has_no_eu_column(client, delegate_usa, measure):
    client.force_login(delegate_usa)

    content = client.get(reverse("my-state")).content.decode()

    assert '<th scope="col">Alliance</th>' in content
    assert '<th scope="col">EU</th>' not in content


def test_a_restricted_measure_shows_only_to_its_participants(
    client, delegate_fra, delegate_deu, restricted_measure
):
    client.force_login(delegate_fra)
    assert restricted_measure.title not in client.get(reverse("my-state")).content.decode()

    client.force_login(delegate_deu)
    assert restricted_measure.title in client.get(reverse("my-state")).content.decode()


def test_it_takes_the_same_number_of_queries_for_more_measures(
    client, delegate_fra, make_measure, record, django_assert_max_num_queries
):
    for _ in range(3):
        record(delegate_fra, make_measure(), "FRA", stances={"alliance": "support"})
    client.force_login(delegate_fra)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("my-state")).status_code == 200
    for _ in range(7):
        record(delegate_fra, make_measure(), "FRA", stances={"eu": "oppose"})
    make_measure(restricted=True, participants=["FRA", "DEU"])

    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("my-state"))

    assert rows(response.content.decode()).count("<tr") == 11
