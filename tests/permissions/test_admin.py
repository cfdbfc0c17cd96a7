"""The admin: every admin URL needs a staff account, coordinators may correct state facts
(and each correction is recorded in Django's admin log), and the history cannot be edited.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from positions.models import PositionChange, State
from tests.permissions.test_matrix import request_in_savepoint
from tests.permissions.world import World, endpoints

# A value for every parameter of the admin's URLs; a non-staff caller is turned
# away before any of them is looked at.
ADMIN_VALUES: dict[str, Any] = {
    "app_label": "positions",
    "object_id": "1",
    "id": "1",
    "content_type_id": "1",
    "url": "nothing/here/",
}
# The admin's own login page.
OPEN_TO_ALL = {"admin:login"}
# Logging out of the admin without a staff account sends the caller to its index.
TO_INDEX = {"admin:logout"}
# A stranger's visits, and a delegate's write.
VISITS = [("anon", "GET"), ("reader", "GET"), ("own", "GET"), ("own", "POST")]


def test_every_admin_url_needs_a_staff_account(world: World) -> None:
    admin_endpoints = [e for e in endpoints() if e.is_admin]
    assert len(admin_endpoints) > 40  # every registered model's pages
    wrong: list[str] = []
    for endpoint in admin_endpoints:
        if endpoint.name in OPEN_TO_ALL:
            continue
        url = endpoint.url(ADMIN_VALUES)
        expected = "/admin/" if endpoint.name in TO_INDEX else "/admin/login/?next="
        for role, method in VISITS:
            response, written = request_in_savepoint(
                world.page_client(role), method, url, {}, api=False
            )
            location = response.get("Location", "")
            if response.status_code != 302 or not location.startswith(expected):
                wrong.append(f"{method} {url} as {role}: {response.status_code} {location}")
            if written:
                wrong.append(f"{method} {url} as {role} wrote {written}")
    assert not wrong, "\n".join(wrong)


def _coordinator(world: World) -> Client:
    return world.page_client("coord")


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/admin/", 200),
        ("/admin/positions/state/", 200),
        ("/admin/positions/state/DEU/change/", 200),
        ("/admin/positions/state/add/", 403),
        ("/admin/positions/positionchange/", 200),
        ("/admin/positions/positionchange/add/", 403),
        ("/admin/positions/measure/", 200),
        ("/admin/consensus/declarationversion/", 403),  # declarations change through the API
        ("/admin/accounts/user/", 403),  # coordinators manage no accounts
        ("/admin/accounts/apitoken/", 403),
        ("/admin/auth/group/", 403),
    ],
)
def test_what_a_coordinator_finds_in_the_admin(world: World, url: str, status: int) -> None:
    assert _coordinator(world).get(url).status_code == status


def test_a_coordinator_correcting_a_population_leaves_an_entry_in_the_admin_log(
    world: World,
) -> None:
    before = LogEntry.objects.count()

    answer = _coordinator(world).post(
        "/admin/positions/state/DEU/change/",
        {"eu_population": "83445100", "source": "Council decision, Annex III, 2025"},
    )

    assert answer.status_code == 302
    assert State.objects.get(code="DEU").eu_population == 83_445_100
    assert LogEntry.objects.count() == before + 1
    entry = LogEntry.objects.latest("action_time")
    assert entry.user == world.users["coord"]
    assert entry.action_flag == CHANGE
    assert entry.content_type == ContentType.objects.get_for_model(State)
    assert entry.object_id == "DEU"
    assert "EU population" in entry.get_change_message()
    assert "Source" in entry.get_change_message()


def test_the_admin_log_itself_is_not_editable_in_the_admin() -> None:
    assert not admin.site.is_registered(LogEntry)


def test_the_history_cannot_be_edited_or_deleted_in_the_admin(world: World) -> None:
    client = _coordinator(world)
    change = PositionChange.objects.order_by("id").first()
    assert change is not None
    rows = list(PositionChange.objects.order_by("id").values())
    entries = LogEntry.objects.count()
    base = "/admin/positions/positionchange"

    page = client.get(f"{base}/{change.pk}/change/")
    edit = client.post(f"{base}/{change.pk}/change/", {"note": "rewritten", "version": "99"})
    delete = client.post(f"{base}/{change.pk}/delete/", {"post": "yes"})
    bulk = client.post(
        f"{base}/", {"action": "delete_selected", "_selected_action": [change.pk], "post": "yes"}
    )

    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # shown read-only, without a save button
    assert edit.status_code == 403
    assert delete.status_code == 403
    # The changelist offers no delete action: the request falls back to the list.
    assert bulk.status_code in (200, 302)
    assert b"delete_selected" not in client.get(f"{base}/").content
    assert list(PositionChange.objects.order_by("id").values()) == rows
    assert LogEntry.objects.count() == entries
