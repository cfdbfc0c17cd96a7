"""The admin shows declarations, versions, amendments and stances, and changes none of them."""

from __future__ import annotations

import pytest

from accounts.models import User
from consensus.declarations.services import amendment_stance_record


@pytest.fixture
def superuser(db: None) -> User:
    return User.objects.create_superuser("admin", password="x-admin-password")


@pytest.fixture
def amendment(drafted, delegate_usa, delegate_fra, propose):
    amendment = propose(delegate_usa, drafted)
    amendment_stance_record(actor=delegate_fra, amendment=amendment, stance="oppose")
    return amendment


@pytest.mark.parametrize(
    "model", ["declaration", "declarationversion", "amendment", "amendmentstance"]
)
def test_each_list_renders_and_nothing_can_be_added(client, superuser, amendment, model):
    client.force_login(superuser)

    assert client.get(f"/admin/consensus/{model}/").status_code == 200
    assert client.get(f"/admin/consensus/{model}/add/").status_code == 403


def test_a_version_cannot_be_changed_or_deleted_in_the_admin(client, superuser, drafted):
    version = drafted.versions.get(number=1)
    client.force_login(superuser)
    url = f"/admin/consensus/declarationversion/{version.pk}/"

    assert client.get(f"{url}change/").status_code == 200  # a read-only view
    assert client.post(f"{url}change/", {"text": "Rewritten."}).status_code == 403
    assert client.post(f"{url}delete/", {"post": "yes"}).status_code == 403
    assert drafted.versions.get(number=1).text == version.text
