from django.contrib.auth import views as auth_views
from django.urls import path

from safeguard.web import children, queue, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", children.find, name="search"),
    path("children/<int:pk>/", children.child, name="child"),
    path("children/<int:pk>/who-looked/", children.who_looked, name="who-looked"),
    path("queue/", queue.queue, name="queue"),
    path("queue/<int:pk>/step/", queue.step, name="queue-step"),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(template_name="web/sign_in.html"),
        name="sign-in",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="sign-out"),
]
