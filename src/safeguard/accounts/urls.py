from django.urls import path

from safeguard.accounts import views

app_name = "accounts"
urlpatterns = [
    path("code/", views.enter_code, name="second-factor"),
    path("set-up/", views.set_up, name="set-up-second-factor"),
]
