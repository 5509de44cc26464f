"""The second factor pages: enter your code; set up your authenticator (the first time)."""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from safeguard.accounts import second_factor


class CodeForm(forms.Form):
    """A six-digit code from an authenticator app (spaces allowed: "123 456")."""

    code = forms.CharField(
        label="Code",
        max_length=20,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def clean_code(self) -> str:
        code = "".join(ch for ch in self.cleaned_data["code"] if ch.isdigit())
        if len(code) != 6:
            raise forms.ValidationError("Enter the 6-digit code from your authenticator app")
        return code


def _next_url(request: HttpRequest) -> str:
    """The safe page to go on to afterwards (from ?next= or the form), or the home page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    return reverse(url_name) + "?" + urlencode({"next": next_url})


WRONG_CODE = "The code is not right: check your authenticator app and enter the code it shows now"


@never_cache
@sensitive_post_parameters("code")
@login_required
def enter_code(request: HttpRequest) -> HttpResponse:
    """Ask for the code from the user's authenticator app, after their password."""
    next_url = _next_url(request)
    if second_factor.is_satisfied(request):
        return HttpResponseRedirect(next_url)
    if second_factor.confirmed_device(request.user) is None:
        return HttpResponseRedirect(_with_next("accounts:set-up-second-factor", next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.verify(request, form.cleaned_data["code"]):
            return HttpResponseRedirect(next_url)
        form.add_error("code", WRONG_CODE)
    return render(request, "accounts/enter_code.html", {"form": form, "next": next_url})


@never_cache
@sensitive_post_parameters("code")
@login_required
def set_up(request: HttpRequest) -> HttpResponse:
    """Show the secret (as a QR code and as text) and confirm it with one code.

    Only for a user who must give a second factor and has no confirmed device: replacing a
    device takes an administrator (who deletes the old one), never just the password.
    """
    next_url = _next_url(request)
    if not second_factor.needs_second_factor(request.user, request.session):
        return HttpResponseRedirect(next_url)
    if second_factor.confirmed_device(request.user) is not None:
        return HttpResponseRedirect(_with_next("accounts:second-factor", next_url))
    device = second_factor.start_enrolment(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.confirm_enrolment(request, form.cleaned_data["code"]):
            return HttpResponseRedirect(next_url)
        form.add_error("code", WRONG_CODE)
    return render(
        request,
        "accounts/set_up.html",
        {"form": form, "next": next_url, "provisioning": second_factor.provisioning(device)},
    )
