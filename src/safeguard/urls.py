"""Top-level URL map: each app contributes its own urls module."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("safeguard.web.urls")),
]
