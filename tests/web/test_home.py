"""The home page sends each person where their work starts."""

from __future__ import annotations

from django.urls import reverse


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, db):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_a_delegate_is_sent_to_their_workspace(client, delegate_fra):
    client.force_login(delegate_fra)

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("my-state")


def test_coordinators_and_readers_are_sent_to_the_dashboard(client, coordinator, reader):
    for user in [coordinator, reader]:
        client.force_login(user)
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert response["Location"] == reverse("dashboard")
