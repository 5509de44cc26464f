"""Admin pages for duties, reviews, recommendations and notifications: to look, not to change.

Every change to these goes through safeguarding's services, which check each step (the
state table, the charging block, sign-off rules) and keep the history; an admin form
would go around them, so the admin may only view.
"""

from django.contrib import admin

from safeguard.records.admin import ReadOnlySource
from safeguard.safeguarding import models as m


class TransitionInline(admin.TabularInline):
    model = m.Transition
    extra = 0
    can_delete = False
    fields = ("at", "from_state", "to_state", "decision", "by_name", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(m.Duty)
class DutyAdmin(ReadOnlySource):
    list_display = ("id", "kind", "person", "state", "due_at", "escalation", "receiver")
    list_filter = ("kind", "state", "escalation")
    inlines = [TransitionInline]


@admin.register(m.ChargingReview)
class ChargingReviewAdmin(ReadOnlySource):
    list_display = ("id", "person", "proposed", "decision", "completed_at", "despite_indicators")
    list_filter = ("decision", "despite_indicators")


@admin.register(m.ToolRecommendation)
class ToolRecommendationAdmin(ReadOnlySource):
    list_display = ("id", "tool", "subject", "status", "recommended_at")
    list_filter = ("tool", "status")


@admin.register(m.Notification)
class NotificationAdmin(ReadOnlySource):
    list_display = ("id", "user", "subject", "level", "created_at", "cleared_at")
    list_filter = ("level",)
