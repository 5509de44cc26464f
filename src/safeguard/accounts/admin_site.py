"""The admin site, which also asks for the second factor.

`safeguard.accounts.admin_site.SafeguardAdminConfig` takes the place of
"django.contrib.admin" in INSTALLED_APPS, so every `admin.site.register` in the project
registers here. A staff user is let in only once their session has given its second factor
(django-otp's OTPAdminSite does the same; this one also accepts a single sign-on session,
where the identity provider asked for it).
"""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig


class SafeguardAdminSite(AdminSite):
    site_header = "safeguard administration"
    site_title = "safeguard administration"

    def has_permission(self, request) -> bool:
        from safeguard.accounts import second_factor  # models load after app registry

        return super().has_permission(request) and second_factor.is_satisfied(request)


class SafeguardAdminConfig(AdminConfig):
    default_site = "safeguard.accounts.admin_site.SafeguardAdminSite"
