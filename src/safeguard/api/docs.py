"""The browsable API documentation at /api/docs: plain HTML rendered here from the OpenAPI
schema, with no script at all.

django-ninja's own page runs Swagger UI: from a CDN unless "ninja" is an installed app, and
then a bundle of several megabytes of third-party script. Police networks here have no
internet, the site's Content Security Policy allows no inline script or style, and a page of
text needs neither: every operation with its parameters, body and answers, and every schema
with its fields, read from the same schema as /api/openapi.json (which client generators and
any offline OpenAPI viewer take directly).
"""

from typing import Any

from django.shortcuts import render
from ninja.openapi.docs import DocsBase

METHODS = ("get", "post", "put", "patch", "delete")


def _type(schema: dict) -> str:
    """A field's type in words: `string`, `integer`, `list of DutyOut`, `State`, ..."""
    if not isinstance(schema, dict):
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        kinds = [_type(s) for s in schema["anyOf"]]
        shown = [k for k in kinds if k != "null"]
        text = " or ".join(shown)
        return f"{text} (optional)" if "null" in kinds else text
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _type(schema["allOf"][0])
    if schema.get("type") == "array":
        return f"list of {_type(schema.get('items', {}))}"
    if "enum" in schema:
        return "one of " + ", ".join(map(str, schema["enum"]))
    kind = schema.get("type", "object")
    return f"{kind} ({schema['format']})" if "format" in schema else kind


def _fields(schema: dict) -> list[dict]:
    required = set(schema.get("required", ()))
    return [
        {
            "name": field,
            "type": _type(spec),
            "required": field in required,
            "description": spec.get("description", ""),
        }
        for field, spec in schema.get("properties", {}).items()
    ]


def describe(schema: dict) -> dict[str, Any]:
    """The OpenAPI schema as lists a template shows without logic."""
    operations = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            operations.append(
                {
                    "anchor": op.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "secured": bool(op.get("security")),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "type": _type(p.get("schema", {})),
                            "required": p.get("required", False),
                            "description": p.get("description", "")
                            or p.get("schema", {}).get("description", ""),
                        }
                        for p in op.get("parameters", ())
                    ],
                    "body": _type(body.get("schema", {})) if body else "",
                    "responses": [
                        {
                            "status": status,
                            "type": _type(
                                r.get("content", {}).get("application/json", {}).get("schema", {})
                            ),
                            "description": r.get("description", ""),
                        }
                        for status, r in op.get("responses", {}).items()
                    ],
                }
            )
    schemas = [
        {
            "name": schema_name,
            "description": spec.get("description", ""),
            "fields": _fields(spec),
            "values": [str(v) for v in spec.get("enum", ())],
        }
        for schema_name, spec in sorted(schema.get("components", {}).get("schemas", {}).items())
    ]
    return {
        "info": schema.get("info", {}),
        "operations": operations,
        "schemas": schemas,
    }


class ServerDocs(DocsBase):
    """django-ninja's docs hook, answering with our own page."""

    def render_page(self, request, api, **kwargs):
        schema = api.get_openapi_schema(path_params=kwargs)
        context = describe(schema) | {"openapi_url": self.get_openapi_url(api, kwargs)}
        return render(request, "api/docs.html", context)
