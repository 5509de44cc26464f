"""Admin pages for the POLE store: read-mostly views for administrators.

Source records come in through intake only, so the admin never adds or deletes them.
"""

from django.contrib import admin

from safeguard.records import models as m


class ReadOnlySource(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(m.Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "jurisdiction", "area_code")
    list_filter = ("kind", "jurisdiction")
    search_fields = ("code", "name")


class PersonNameInline(admin.TabularInline):
    model = m.PersonName
    extra = 0
    can_delete = False


@admin.register(m.Person)
class PersonAdmin(ReadOnlySource):
    list_display = ("source_ref", "given_name", "family_name", "date_of_birth", "agency")
    list_filter = ("agency",)
    search_fields = ("source_ref", "given_name", "family_name")
    inlines = [PersonNameInline]


@admin.register(m.Phone)
class PhoneAdmin(ReadOnlySource):
    list_display = ("source_ref", "number", "is_deal_line", "line_name", "agency")
    list_filter = ("is_deal_line", "agency")
    search_fields = ("number", "line_name")


@admin.register(m.Item)
class ItemAdmin(ReadOnlySource):
    list_display = ("source_ref", "kind", "description", "agency")
    list_filter = ("kind", "agency")


@admin.register(m.Location)
class LocationAdmin(ReadOnlySource):
    list_display = ("source_ref", "kind", "name", "postcode", "force_area", "agency")
    list_filter = ("kind", "force_area")
    search_fields = ("name", "address", "postcode")


class ParticipationInline(admin.TabularInline):
    model = m.Participation
    extra = 0
    can_delete = False
    raw_id_fields = ("person",)


@admin.register(m.Event)
class EventAdmin(ReadOnlySource):
    list_display = ("source_ref", "kind", "occurred_at", "agency")
    list_filter = ("kind", "agency")
    date_hierarchy = "occurred_at"
    raw_id_fields = ("location",)
    inlines = [ParticipationInline]


@admin.register(m.Link)
class LinkAdmin(ReadOnlySource):
    list_display = ("source_ref", "kind", "valid_from", "valid_to", "count", "agency")
    list_filter = ("kind",)
    raw_id_fields = (
        "from_person",
        "from_phone",
        "to_person",
        "to_phone",
        "to_location",
        "to_item",
        "event",
    )
