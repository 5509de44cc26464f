"""Top-level URL map: each app contributes its own urls module."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("account/", include("safeguard.accounts.urls")),
    # The JSON API (token authentication): operations, /api/openapi.json, /api/docs.
    path("api/", include("safeguard.api.urls")),
    path("", include("safeguard.web.urls")),
]
if settings.OIDC_ENABLED:
    # Single sign-on (SAFEGUARD_OIDC_*): /oidc/authenticate/, /oidc/callback/, /oidc/logout/.
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
