"""/api/v1/webhooks/: subscribe, list, show, remove, and the delivery log."""

from __future__ import annotations

import pytest

from events import services
from events.models import Delivery, DeliveryAttempt, Event, Webhook
from positions.services import position_record
from tests.events.conftest import SECRET

URL = "/api/v1/webhooks/"
GOOD = {
    "url": "https://hooks.example.org/consensus",
    "events": ["position.changed", "silence.started"],
    "secret": SECRET,
}


def detail(webhook: Webhook) -> str:
    return f"{URL}{webhook.pk}/"


@pytest.mark.parametrize("who", ["coordinator", "reader"])
def test_coordinators_and_readers_subscribe(request, api, who):
    user = request.getfixturevalue(who)

    response = api(user).post(URL, GOOD, format="json")

    assert response.status_code == 201
    webhook = Webhook.objects.get()
    assert response.json() == {
        "id": webhook.pk,
        "url": GOOD["url"],
        "events": ["position.changed", "silence.started"],
        "created_at": response.json()["created_at"],
    }
    assert (webhook.owner, webhook.secret) == (user, SECRET)
    assert SECRET not in response.content.decode()


def test_a_delegate_may_not_subscribe_or_list(api, delegate_fra, outbox):
    before = outbox()
    client = api(delegate_fra)

    assert client.post(URL, GOOD, format="json").status_code == 403
    assert client.get(URL).status_code == 403
    assert outbox() == before


def test_a_delegate_may_not_read_or_remove_any_webhook(api, coordinator, delegate_fra, subscribe):
    webhook = subscribe(coordinator, "https://a.example.org/")
    client = api(delegate_fra)

    assert client.get(detail(webhook)).status_code == 403
    assert client.get(f"{detail(webhook)}deliveries/").status_code == 403
    assert client.delete(detail(webhook)).status_code == 403
    assert Webhook.objects.filter(pk=webhook.pk).exists()


def test_a_read_only_token_may_not_subscribe(api, reader, outbox):
    before = outbox()

    response = api(reader, read_only=True).post(URL, GOOD, format="json")

    assert response.status_code == 403
    assert outbox() == before


def test_anonymous_callers_get_401(db, api, outbox):
    before = outbox()

    assert api().post(URL, GOOD, format="json").status_code == 401
    assert api().get(URL).status_code == 401
    assert outbox() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"url": "ftp://hooks.example.org/x"}, "url"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "hooks.example.org/x"}, "url"),
        ({"url": "https://"}, "url"),
        ({"url": "https://example.org/" + "x" * 500}, "url"),
        ({"events": ["position.moved"]}, "events"),
        ({"events": []}, "events"),
        ({"events": "position.changed"}, "events"),
        ({"secret": "short"}, "secret"),
        ({"secret": "x" * 257}, "secret"),
        ({"owner": 1}, "owner"),
        ({"id": 5}, "id"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_writes_nothing(
    api, coordinator, outbox, change, field
):
    before = outbox()

    response = api(coordinator).post(URL, {**GOOD, **change}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert outbox() == before


@pytest.mark.parametrize("missing", ["url", "events", "secret"])
def test_every_field_is_required(api, coordinator, outbox, missing):
    before = outbox()
    body = {k: v for k, v in GOOD.items() if k != missing}

    response = api(coordinator).post(URL, body, format="json")

    assert response.status_code == 400
    assert missing in response.json()
    assert outbox() == before


def test_the_service_refuses_what_the_api_refuses(coordinator, delegate_fra):
    from django.core.exceptions import PermissionDenied

    from consensus.errors import InvalidInput

    with pytest.raises(PermissionDenied):
        services.webhook_create(actor=delegate_fra, **GOOD)
    with pytest.raises(InvalidInput) as refused:
        services.webhook_create(
            actor=coordinator, url="file:///etc/passwd", events=["nope"], secret="x"
        )
    assert set(refused.value.errors) == {"url", "events", "secret"}
    assert not Webhook.objects.exists()


def test_callers_list_and_see_only_their_own_webhooks(api, coordinator, reader, subscribe):
    mine = subscribe(reader, "https://a.example.org/")
    theirs = subscribe(coordinator, "https://b.example.org/")
    client = api(reader)

    listed = client.get(URL).json()
    assert [w["id"] for w in listed["results"]] == [mine.pk]
    assert listed["count"] == 1
    assert all("secret" not in w for w in listed["results"])
    assert client.get(detail(mine)).json()["url"] == "https://a.example.org/"
    assert client.get(detail(theirs)).status_code == 404
    assert client.get(f"{detail(theirs)}deliveries/").status_code == 404


def test_the_owner_removes_a_webhook_and_no_one_else(api, coordinator, reader, subscribe):
    mine = subscribe(reader, "https://a.example.org/")

    assert api(coordinator).delete(detail(mine)).status_code == 404
    assert api(reader, read_only=True).delete(detail(mine)).status_code == 403
    assert Webhook.objects.filter(pk=mine.pk).exists()

    assert api(reader).delete(detail(mine)).status_code == 204
    assert not Webhook.objects.exists()
    assert api(reader).delete(detail(mine)).status_code == 404


def test_the_delivery_log_shows_each_attempt(
    api, coordinator, delegate_fra, measure, state, receiver, subscribe
):
    receiver.statuses = [500]
    webhook = subscribe(coordinator, receiver.url)
    position_record(
        actor=delegate_fra,
        measure=measure,
        state=state("FRA"),
        stances={"alliance": "support"},
        source="api",
    )
    event = Event.objects.get()
    services.event_fan_out(event_id=event.pk)
    delivery = Delivery.objects.get()
    services.delivery_attempt(delivery_id=delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created_at)
    services.delivery_attempt(delivery_id=delivery.pk)

    response = api(coordinator).get(f"{detail(webhook)}deliveries/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (row,) = body["results"]
    assert (row["event"], row["kind"], row["state"], row["attempts"]) == (
        str(event.pk),
        "position.changed",
        "delivered",
        2,
    )
    assert [(a["number"], a["status_code"], a["error"]) for a in row["attempt_log"]] == [
        (1, 500, "HTTP 500"),
        (2, 200, ""),
    ]
    assert all(isinstance(a["duration_ms"], int) for a in row["attempt_log"])


@pytest.mark.parametrize("count", [1, 12])
def test_the_delivery_log_costs_the_same_queries_whatever_its_size(
    api, coordinator, delegate_fra, measure, state, subscribe, django_assert_num_queries, count
):
    webhook = subscribe(coordinator, "https://a.example.org/")
    for n in range(count):
        position_record(
            actor=delegate_fra,
            measure=measure,
            state=state("FRA"),
            stances={"alliance": "support" if n % 2 == 0 else "oppose"},
            source="api",
        )
    for event in Event.objects.all():
        services.event_fan_out(event_id=event.pk)
    for delivery in Delivery.objects.all():
        DeliveryAttempt.objects.create(delivery=delivery, number=1, status_code=500, error="x")
    client = api(coordinator)

    # The token and its user (2), the webhook, the count, the page, the attempts.
    with django_assert_num_queries(6):
        response = client.get(f"{detail(webhook)}deliveries/", {"page_size": 50})

    assert len(response.json()["results"]) == count


def test_the_delivery_log_is_paginated(api, coordinator, delegate_fra, measure, state, subscribe):
    webhook = subscribe(coordinator, "https://a.example.org/")
    for n in range(3):
        position_record(
            actor=delegate_fra,
            measure=measure,
            state=state("FRA"),
            stances={"alliance": "support" if n % 2 == 0 else "oppose"},
            source="api",
        )
    for event in Event.objects.all():
        services.event_fan_out(event_id=event.pk)

    page = api(coordinator).get(f"{detail(webhook)}deliveries/", {"page_size": 2}).json()

    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert page["next"] is not None
