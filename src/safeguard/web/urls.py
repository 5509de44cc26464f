from django.contrib.auth import views as auth_views
from django.urls import path

from safeguard.web import (
    charging,
    children,
    dashboard,
    encounters,
    network,
    offenders,
    queue,
    referrals,
    stop_search,
    tools,
    views,
)

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("search/", children.find, name="search"),
    path("children/<int:pk>/", children.child, name="child"),
    path("children/<int:pk>/who-looked/", children.who_looked, name="who-looked"),
    path("queue/", queue.queue, name="queue"),
    path("queue/<int:pk>/step/", queue.step, name="queue-step"),
    path("referrals/<int:pk>/", referrals.referral, name="referral"),
    path("referrals/<int:pk>/document/", referrals.document, name="referral-document"),
    path("referrals/<int:pk>/document.pdf", referrals.document_pdf, name="referral-pdf"),
    path("inbox/", referrals.inbox, name="inbox"),
    path("my-referrals/", referrals.my_referrals, name="my-referrals"),
    path("children/<int:pk>/charging-review/", charging.new_review, name="charging-review-new"),
    path("charging-reviews/", charging.reviews, name="charging-reviews"),
    path("charging-reviews/<int:pk>/", charging.review, name="charging-review"),
    path("charging-reviews/<int:pk>/sign-off/", charging.sign_off, name="charging-sign-off"),
    path("encounters/new/", encounters.record, name="record-encounter"),
    path("encounters/<int:pk>/", encounters.outcome, name="encounter"),
    path("tools/", tools.tools, name="tools"),
    path("tools/<int:pk>/decide/", tools.decide, name="tools-decide"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("reports/stop-search/", stop_search.report, name="stop-search-report"),
    path("reports/stop-search/stop-search.csv", stop_search.download, name="stop-search-csv"),
    path("offenders/", offenders.my_caseload, name="offenders"),
    path("offenders/caseloads/", offenders.teams, name="caseloads"),
    path("offenders/caseloads/<int:user_id>/", offenders.manager_caseload, name="caseload"),
    path("offenders/<int:pk>/", offenders.offender, name="offender"),
    path("offenders/<int:pk>/visits/new/", offenders.record_visit, name="offender-visit"),
    path("offenders/<int:pk>/reviews/new/", offenders.record_review, name="offender-review"),
    path(
        "offenders/<int:pk>/notifications/new/",
        offenders.record_notification,
        name="offender-notification",
    ),
    path(
        "offenders/<int:pk>/notifications/<int:notification_id>/made/",
        offenders.notification_given,
        name="offender-notified",
    ),
    path("offenders/<int:pk>/plan/", offenders.change_plan, name="offender-plan"),
    path("network/", network.overview, name="network"),
    path("network/lines/<int:pk>/", network.line, name="network-line"),
    path("network/lines/<int:pk>/drawing.json", network.drawing, name="network-drawing"),
    *(
        path(
            f"network/lines/<int:pk>/export.{fmt}",
            network.download,
            {"fmt": fmt},
            name=f"network-download-{fmt}",
        )
        for fmt in network.DOWNLOADS
    ),
    path("network/people/<int:pk>/", network.person, name="network-person"),
    path("network/disruption/", network.disruption, name="network-disruption"),
    path("network/safeguarding/", network.safeguarding, name="network-safeguarding"),
    path("network/cross-force/", network.cross_force, name="network-cross-force"),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(template_name="web/sign_in.html"),
        name="sign-in",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="sign-out"),
]
