"""The admin: coordinators keep the registry through the services; nobody deletes an asset."""

from __future__ import annotations

from assets.models import Asset


def form(**overrides):
    data = {
        "name": "Vado Gateway",
        "kind": "port_terminal",
        "host": "ITA",
        "host_source": "Press",
        "latitude": "44.27",
        "longitude": "8.44",
        "location_source": "Port map",
        "owner": "COSCO Shipping Ports",
        "owner_country": "CHN",
        "owner_source": "Press",
        "share": "40",
        "share_source": "Press (illustrative)",
        "criticality": "3",
        "criticality_source": "Assessment",
    }
    data.update(overrides)
    return data


def test_a_coordinator_adds_an_asset_in_the_admin(client, coordinator, measure):
    client.force_login(coordinator)
    assert client.get("/admin/assets/asset/add/").status_code == 200
    response = client.post("/admin/assets/asset/add/", form(measures=[measure.pk]))
    assert response.status_code == 302
    asset = Asset.objects.get()
    assert asset.host_id == "ITA"
    assert list(asset.measures.all()) == [measure]


def test_an_unsourced_fact_is_refused_on_the_form_and_nothing_written(client, coordinator):
    client.force_login(coordinator)
    response = client.post("/admin/assets/asset/add/", form(share_source=""))
    assert response.status_code == 200
    assert "say where the ownership share comes from" in response.content.decode()
    assert Asset.objects.count() == 0


def test_nobody_deletes_and_others_may_not_enter(client, coordinator, reader, make_asset):
    asset = make_asset()
    client.force_login(coordinator)
    assert client.get(f"/admin/assets/asset/{asset.pk}/delete/").status_code == 403
    client.force_login(reader)
    assert client.get("/admin/assets/asset/add/").status_code == 302  # to the admin's login
    assert Asset.objects.count() == 1
