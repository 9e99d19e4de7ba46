from django import forms
from django.utils.translation import gettext, gettext_lazy

from peergroups.formats import lazy_format
from peergroups.languages import language_choices
from peergroups.organizations.models import (
    RETENTION_MONTHS_MAX,
    RETENTION_MONTHS_MIN,
    Program,
    Role,
)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address"))
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        choices=[
            (Role.MEMBER, gettext_lazy("Member")),
            (Role.FACILITATOR, gettext_lazy("Facilitator")),
            (Role.ADMIN, gettext_lazy("Program admin")),
        ],
        initial=Role.MEMBER,
    )
    program = forms.ModelChoiceField(
        label=gettext_lazy("Program"), queryset=Program.objects.none(), required=False
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["program"].queryset = organization.programs.all()

    def clean_email(self) -> str:
        # The rules (one open invitation per address) are the service's.
        return self.cleaned_data["email"].strip().lower()


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=gettext_lazy("Action"), required=False)
    actor = forms.EmailField(label=gettext_lazy("By (e-mail)"), required=False)
    object_type = forms.CharField(label=gettext_lazy("Object kind"), required=False, max_length=60)
    since = forms.DateField(
        label=gettext_lazy("Since"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, actions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", gettext("Any"))] + [
            (a, a.replace("_", " ")) for a in actions
        ]


def time_zone_choices() -> list[tuple[str, str]]:
    import zoneinfo

    return [(zone, zone.replace("_", " ")) for zone in sorted(zoneinfo.available_timezones())]


class FirstRunForm(forms.Form):
    """The first-run page: the install's setup key, the organization and its first admin."""

    setup_key = forms.CharField(
        label=gettext_lazy("Setup key"),
        max_length=64,
        help_text=gettext_lazy(
            "Printed by make run (and in the server log) while the install is empty."
        ),
    )
    name = forms.CharField(label=gettext_lazy("Organization name"), max_length=200)
    slug = forms.SlugField(
        label=gettext_lazy("Address"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("Its pages live under /o/address/. Left empty, made from the name."),
    )
    admin_name = forms.CharField(label=gettext_lazy("Your name"), max_length=150)
    admin_email = forms.EmailField(label=gettext_lazy("Your e-mail address"))
    password = forms.CharField(
        label=gettext_lazy("Choose a password"),
        widget=forms.PasswordInput(render_value=False),
        min_length=8,
    )

    def clean_password(self) -> str:
        from django.contrib.auth.password_validation import validate_password

        password = self.cleaned_data["password"]
        validate_password(password)
        return password


class OrganizationSettingsForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Organization name"), max_length=200)
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Default time zone"),
        help_text=gettext_lazy(
            "Where new members and groups start; each member can choose their own."
        ),
    )
    email_sender_name = forms.CharField(
        label=gettext_lazy("E-mails come from"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("The sender name people see, e.g. “Acme Leadership Development”."),
    )
    email_reply_to = forms.EmailField(
        label=gettext_lazy("Replies go to"),
        required=False,
        help_text=gettext_lazy("An address of your team; empty: the server's sender address."),
    )
    facilitator_qualifications = forms.CharField(
        label=gettext_lazy("What you ask of facilitators"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            gettext_lazy(
                "One per line, e.g. “completed our facilitator training”. Empty: the three the "
                "field asks (has built a business, trained feedback coach, expertise in more "
                "than one area)."
            )
        ),
    )

    content_retention_months = forms.IntegerField(
        label=gettext_lazy("Delete what people wrote in groups after (months)"),
        required=False,
        min_value=RETENTION_MONTHS_MIN,
        max_value=RETENTION_MONTHS_MAX,
        help_text=(
            lazy_format(
                gettext_lazy(
                    "From %(retention_months_min)s to %(retention_months_max)s months; empty: "
                    "kept. Each night, texts older than this are deleted: issue titles and "
                    "texts, meeting notes, check-in rounds, commitment check-in notes and pulse "
                    "notes. The counts stay: issues by category, attendance, commitments kept "
                    "and pulse figures still add up."
                ),
                retention_months_min=RETENTION_MONTHS_MIN,
                retention_months_max=RETENTION_MONTHS_MAX,
            )
        ),
    )

    default_language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=language_choices,
        help_text=gettext_lazy(
            "The language of pages and e-mails for everyone who has not chosen their own."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()

    def clean_facilitator_qualifications(self) -> list[str]:
        text = self.cleaned_data["facilitator_qualifications"]
        return [line.strip() for line in text.splitlines() if line.strip()]

    @classmethod
    def for_organization(cls, organization, data=None):
        initial = {
            "name": organization.name,
            "time_zone": organization.time_zone,
            "email_sender_name": organization.email_sender_name,
            "email_reply_to": organization.email_reply_to,
            "facilitator_qualifications": "\n".join(organization.facilitator_qualifications or []),
            "content_retention_months": organization.content_retention_months,
            "default_language": organization.default_language,
        }
        return cls(data, initial=initial)
