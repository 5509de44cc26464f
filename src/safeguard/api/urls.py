"""The API's URLs, included at /api/: operations, /api/openapi.json and /api/docs."""

from django.urls import path

from safeguard.api.api import api

urlpatterns = [path("", api.urls)]
