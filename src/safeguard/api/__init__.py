"""The JSON API (django-ninja): the same operations as the pages, by token, under the same
access policy and audit (docs/operations.md, "JSON API")."""
