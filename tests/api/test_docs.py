"""The OpenAPI schema and the browsable documentation, served with nothing from elsewhere."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("post", "/api/events"),
    ("get", "/api/children/{person_id}"),
    ("get", "/api/referrals"),
    ("post", "/api/referrals/{duty_id}/steps"),
    ("post", "/api/charging-reviews"),
    ("post", "/api/charging-reviews/{review_id}/sign-off"),
}


def test_the_openapi_schema_lists_the_operations_with_bearer_auth():
    schema = Client().get("/api/openapi.json").json()
    found = {(m, p) for p, item in schema["paths"].items() for m in item}
    assert found >= OPERATIONS
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


def test_the_docs_page_lists_the_operations_and_loads_nothing_from_elsewhere():
    response = Client().get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    for method, path in OPERATIONS:
        assert f"{method.upper()} {path}" in html
    assert not re.search(r"https?://", html)
    assert "<script" not in html and "style=" not in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
