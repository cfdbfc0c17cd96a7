from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


def url(measure) -> str:
    return reverse("measure-positions", args=[measure.pk])


def positions_table(content: str) -> str:
    return content.split('<table class="positions">', 1)[1].split("</table>", 1)[0]


def test_it_lists_every_state_with_its_stances_and_links_to_each_position(
    client, reader, delegate_fra, measure, record, edit_url
):
    record(delegate_fra, measure, "FRA", stances={"alliance": "oppose"})
    client.force_login(reader)

    response = client.get(url(measure))

    assert response.status_code == 200
    content = positions_table(response.content.decode())
    assert content.count(edit_url(measure, "FRA")) == 1
    assert content.count('<th scope="row">') == 36
    france = content.split(edit_url(measure, "FRA"), 1)[1].split("</tr>", 1)[0]
    assert '<td class="stance">Oppose</td>' in france
    austria = content.split(edit_url(measure, "AUT"), 1)[1].split("</tr>", 1)[0]
    assert austria.count('<td class="stance">—</td>') == 2  # no alliance, no bilateral


def test_a_restricted_measure_lists_its_participants_only(client, delegate_deu, restricted_measure):
    client.force_login(delegate_deu)

    content = positions_table(client.get(url(restricted_measure)).content.decode())

    assert content.count('<th scope="row">') == 3


def test_a_restricted_measure_is_not_found_for_others(
    client, reader, delegate_fra, restricted_measure
):
    for user in (reader, delegate_fra):
        client.force_login(user)
        assert client.get(url(restricted_measure)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, measure):
    response = client.get(url(measure))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_takes_the_same_number_of_queries_however_many_positions(
    client, coordinator, make_user, measure, record, django_assert_max_num_queries
):
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as few:
        client.get(url(measure))
    for code in ["FRA", "DEU", "ITA", "POL"]:
        record(
            make_user(f"d-{code}", "delegate", code), measure, code, stances={"alliance": "support"}
        )

    with django_assert_max_num_queries(len(few)):
        response = client.get(url(measure))

    assert positions_table(response.content.decode()).count('<td class="stance">Support</td>') == 4
