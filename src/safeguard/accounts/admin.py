from django.contrib import admin

from safeguard.accounts.models import Membership


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "agency", "role", "team")
    list_filter = ("role", "agency")
    search_fields = ("user__username",)
