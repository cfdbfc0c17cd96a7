from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, db):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_a_delegate_is_sent_to_my_state(client, delegate_fra):
    client.force_login(delegate_fra)

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("my-state")


def test_a_reader_sees_the_open_measures_but_not_the_restricted_ones(
    client, reader, measure, restricted_measure
):
    client.force_login(reader)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    content = response.content.decode()
    assert measure.title in content
    assert reverse("measure-positions", args=[measure.pk]) in content
    assert restricted_measure.title not in content
    assert "Ports" in content  # the category
    assert "Open" in content  # the status
    assert "Record for" not in content


def test_a_coordinator_gets_links_to_record_the_eu_only_states(
    client, coordinator, measure, restricted_measure, edit_url
):
    client.force_login(coordinator)

    content = client.get(reverse("home")).content.decode()

    assert restricted_measure.title in content
    for code in ["AUT", "CYP", "IRL", "MLT"]:
        assert edit_url(measure, code) in content
        # None of them takes part in the restricted measure.
        assert edit_url(restricted_measure, code) not in content
    assert edit_url(measure, "FRA") not in content  # allies speak for themselves


def test_the_home_page_takes_the_same_number_of_queries_for_more_measures(
    client, coordinator, make_measure, django_assert_max_num_queries
):
    for _ in range(3):
        make_measure()
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for _ in range(7):
        make_measure(restricted=True, participants=["AUT", "USA"])

    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("home"))

    assert response.content.decode().count("<tr>") == 11  # header and ten measures
