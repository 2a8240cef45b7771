from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from safehold.accounts.models import Team
from safehold.accounts.roles import Role, Sex
from safehold.policy.loader import active_policy
from safehold.web.languages import language_choices


class SignInForm(AuthenticationForm):
    """Errors say what to enter (GOV.UK), never which of the two was wrong."""

    error_messages = {
        "invalid_login": "Enter a correct username and password",
        "inactive": "This account has been disabled. Ask an administrator.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=6,
        min_length=6,
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "min_length": "The code must be 6 digits",
            "max_length": "The code must be 6 digits",
        },
    )

    def clean_code(self) -> str:
        code: str = "".join(self.cleaned_data["code"].split())
        if not code.isdigit():
            raise forms.ValidationError("The code must be 6 digits")
        return code


class StaffCreateForm(forms.Form):
    username = forms.RegexField(
        regex=r"^[\w.@+-]+\Z",
        max_length=150,
        error_messages={
            "required": "Enter a username",
            "invalid": "A username may only contain letters, numbers and . @ + - _",
        },
    )
    full_name = forms.CharField(max_length=200, error_messages={"required": "Enter a full name"})
    email = forms.EmailField(required=False, error_messages={"invalid": "Enter a valid email"})
    role = forms.ChoiceField(choices=Role.choices, error_messages={"required": "Choose a role"})
    sex = forms.ChoiceField(choices=Sex.choices, error_messages={"required": "Choose a sex"})
    team = forms.ChoiceField(
        error_messages={
            "required": "Choose a team",
            "invalid_choice": "Choose a team that exists, or create the team first",
        }
    )
    agency = forms.ChoiceField(
        required=False,
        label="Agency (for a partner)",
        error_messages={"invalid_choice": "Choose one of the policy's agencies"},
    )
    trained = forms.BooleanField(required=False, initial=True, label="Trained in domestic abuse")
    languages = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=language_choices,
        label="Languages they speak other than English",
    )
    password = forms.CharField(
        widget=forms.PasswordInput, error_messages={"required": "Enter an initial password"}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = team_choices()  # type: ignore[attr-defined]
        self.fields["agency"].choices = agency_choices("Not a partner")  # type: ignore[attr-defined]


def agency_choices(none: str) -> list[tuple[str, str]]:
    """The policy's agencies, by id, in the policy's words."""
    agencies = active_policy().agencies
    return [("", none), *((key, agency.name) for key, agency in agencies.items())]


class AgencySuspendForm(forms.Form):
    """Suspending every partner account of one agency at once."""

    agency = forms.ChoiceField(
        label="Agency",
        error_messages={
            "required": "Choose the agency whose accounts to suspend",
            "invalid_choice": "Choose one of the policy's agencies",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = agency_choices("Choose an agency")  # type: ignore[attr-defined]


class PasswordForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput, error_messages={"required": "Enter a new password"}
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, error_messages={"required": "Choose a role"})


def team_choices() -> list[tuple[str, str]]:
    """The teams that exist, to choose from (a new one is made on its own page)."""
    return [("", "Choose a team"), *((n, n) for n in Team.objects.values_list("name", flat=True))]


class TeamForm(forms.Form):
    """A member of staff's team, chosen from the teams that exist."""

    team = forms.ChoiceField(
        error_messages={
            "required": "Choose a team",
            "invalid_choice": "Choose a team that exists, or create the team first",
        }
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = team_choices()  # type: ignore[attr-defined]


class TeamCreateForm(forms.Form):
    name = forms.CharField(
        max_length=100, label="Team name", error_messages={"required": "Enter the team's name"}
    )


class OwnPasswordForm(forms.Form):
    current_password = forms.CharField(
        label="Your current password",
        widget=forms.PasswordInput,
        strip=False,
        error_messages={"required": "Enter your current password"},
    )
    new_password = forms.CharField(
        label="New password",
        widget=forms.PasswordInput,
        strip=False,
        error_messages={"required": "Enter a new password"},
    )
    new_password_again = forms.CharField(
        label="New password again",
        widget=forms.PasswordInput,
        strip=False,
        error_messages={"required": "Enter the new password again"},
    )

    def clean(self) -> dict[str, object]:
        cleaned: dict[str, object] = super().clean() or {}
        new, again = cleaned.get("new_password"), cleaned.get("new_password_again")
        if new and again and new != again:
            self.add_error("new_password_again", "The two new passwords are not the same")
        return cleaned


class ReauthForm(CodeForm):
    """Both factors again, before an API token that acts as the person is made."""

    password = forms.CharField(
        label="Your password",
        widget=forms.PasswordInput,
        strip=False,
        error_messages={"required": "Enter your password"},
    )
    field_order = ["password", "code"]
