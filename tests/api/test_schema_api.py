"""GET /api/v1/schema/ serves the OpenAPI 3 schema; /api/v1/docs/ shows it with no internet."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

SCHEMA = "/api/v1/schema/"
DOCS = "/api/v1/docs/"


def test_the_schema_is_openapi_3(api, reader):
    response = api(reader).get(SCHEMA, {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["version"] == "1"


def test_the_schema_is_served_as_yaml_by_default(api, reader):
    response = api(reader).get(SCHEMA)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    assert response.content.decode().startswith("openapi: 3.")


def test_the_schema_describes_every_endpoint(api, reader):
    paths = api(reader).get(SCHEMA, {"format": "json"}).json()["paths"]

    assert {
        "/api/v1/auth/token/": {"post", "delete"},
        "/api/v1/states/": {"get"},
        "/api/v1/measures/": {"get", "post"},
        "/api/v1/measures/{measure_id}/": {"get", "patch"},
        "/api/v1/measures/{measure_id}/positions/": {"get"},
        "/api/v1/measures/{measure_id}/positions/{code}/": {"get", "put"},
        "/api/v1/measures/{measure_id}/history/": {"get"},
        "/api/v1/measures/{measure_id}/support/": {"get"},
        "/api/v1/measures/{measure_id}/transfer/": {"post"},
        "/api/v1/measures/{measure_id}/silence/": {"get", "post"},
        "/api/v1/measures/{measure_id}/silence/break/": {"post"},
        "/api/v1/matrix/": {"get"},
        "/api/v1/changes/": {"get"},
        "/api/v1/declarations/": {"get", "post"},
        "/api/v1/declarations/{declaration_id}/": {"get"},
        "/api/v1/declarations/{declaration_id}/versions/": {"get", "post"},
        "/api/v1/declarations/{declaration_id}/versions/{number}/": {"get"},
        "/api/v1/declarations/{declaration_id}/diff/": {"get"},
        "/api/v1/declarations/{declaration_id}/amendments/": {"get", "post"},
        "/api/v1/declarations/{declaration_id}/amendments/{amendment_id}/": {"get"},
        "/api/v1/declarations/{declaration_id}/amendments/{amendment_id}/stance/": {"post"},
        "/api/v1/declarations/{declaration_id}/amendments/{amendment_id}/decide/": {"post"},
        "/api/v1/phrases/": {"get"},
        "/api/v1/assets/": {"get", "post"},
        "/api/v1/assets/{asset_id}/": {"get", "patch"},
        "/api/v1/assets/import/": {"post"},
        "/api/v1/measures/{measure_id}/assets/": {"get", "put"},
        "/api/v1/webhooks/": {"get", "post"},
        "/api/v1/webhooks/{webhook_id}/": {"get", "delete"},
        "/api/v1/webhooks/{webhook_id}/deliveries/": {"get"},
        "/api/v1/exports/": {"get", "post"},
        "/api/v1/exports/{job_id}/": {"get"},
        "/api/v1/exports/{job_id}/download/": {"get"},
    } == {path: set(operations) - {"parameters"} for path, operations in paths.items()}


def test_the_schema_names_the_bearer_scheme(api, reader):
    schema = api(reader).get(SCHEMA, {"format": "json"}).json()

    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    token_post = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert token_post.get("security", [{}]) == [{}]


def test_the_schema_documents_etag_and_if_match(api, reader):
    schema = api(reader).get(SCHEMA, {"format": "json"}).json()
    put = schema["paths"]["/api/v1/measures/{measure_id}/positions/{code}/"]["put"]

    assert "If-Match" in {p["name"] for p in put["parameters"] if p["in"] == "header"}
    assert "ETag" in put["responses"]["200"]["headers"]
    assert "ETag" in put["responses"]["412"]["headers"]


def test_the_schema_generates_without_warnings(tmp_path):
    # The same check CI can run: `manage.py spectacular --validate --fail-on-warn`.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )

    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.")


def test_the_docs_page_renders_for_a_session(client, reader):
    client.force_login(reader)

    response = client.get(DOCS)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "swagger" in page.lower()
    assert SCHEMA in page


def test_the_docs_page_loads_nothing_from_the_internet(client, reader):
    client.force_login(reader)

    page = client.get(DOCS).content.decode()

    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    for cdn in ["cdn", "jsdelivr", "unpkg"]:
        assert cdn not in page.lower()
    assert not re.search(r"""(src|href)=["']https?://""", page)


@pytest.mark.parametrize("url", [SCHEMA, DOCS])
def test_the_schema_and_docs_need_credentials(client, url):
    response = client.get(url)

    assert response.status_code == 401
