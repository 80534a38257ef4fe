"""A person's own account: profile, password change and reset, API tokens.

Django's password views with the product's templates; a changed or reset
password revokes the person's API tokens (plans.accounts.revoke_access), and
Django ends their other sessions (a session is tied to the password's hash).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kit.errors import DomainError
from plans import accounts
from plans.decorators import OfficialRequest, official_required
from tasks.feeds import feed_url


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False)
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=[("", gettext_lazy("The site's (Vietnamese)")), *settings.LANGUAGES],
        required=False,
    )
    password = forms.CharField(
        label=gettext_lazy("Current password"),
        help_text=gettext_lazy("Needed only to change the e-mail address."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        required=False,
        strip=False,
    )


@official_required
def profile(request: OfficialRequest) -> HttpResponse:
    """Name, e-mail, phone and language; the API tokens, each revocable."""
    official = request.official
    initial = {
        "full_name": official.full_name,
        "email": official.user.email,
        "phone": official.phone,
        "language": official.language,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = dict(form.cleaned_data)
        password = changes.pop("password")
        confirmed = False
        if changes["email"].strip() != official.user.email:
            # Through the authentication backends: django-axes counts a wrong
            # password here as a failed sign-in, logs it, and locks as on the login page.
            user = authenticate(request, username=official.user.get_username(), password=password)
            confirmed = user is not None and user.pk == official.user_id
        try:
            accounts.update_profile(official, **changes, password_confirmed=confirmed)
        except DomainError as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
            if not exc.errors:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your profile is saved."))
            response = redirect("profile")
            language = form.cleaned_data["language"] or settings.LANGUAGE_CODE
            request.session["language"] = language
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
            return response
    context = {
        "form": form,
        "tokens": accounts.my_tokens(official.user),
        "calendar_url": feed_url(official),
    }
    return render(request, "tracker/profile.html", context, status=400 if form.errors else 200)


@require_POST
@official_required
def token_revoke(request: OfficialRequest, pk: int) -> HttpResponse:
    try:
        accounts.revoke_token(request.official.user, pk, request=request)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The token is revoked: programs using it must sign in again."))
    return redirect("profile")


@require_POST
@official_required
def calendar_reset(request: OfficialRequest) -> HttpResponse:
    accounts.reset_calendar(request.official)
    messages.success(request, _("Your calendar has a new address: the old one no longer works."))
    return redirect("profile")


class PasswordChange(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("profile")

    def form_valid(self, form: Any) -> HttpResponse:
        # Saving the password revokes the tokens (tracker.security); this session stays.
        response = super().form_valid(form)
        messages.success(
            self.request,
            _("Your password is changed. Your other sessions and your API tokens are signed out."),
        )
        return response


class PasswordReset(auth_views.PasswordResetView):
    template_name = "registration/password_reset.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")


class PasswordResetDone(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("login")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)  # the tokens go with the old password
        messages.success(
            self.request,
            _("Your password is set. Sign in with it; your old sessions and tokens are ended."),
        )
        return response
