from django import forms

from peergroups.errors import Conflict, Invalid
from peergroups.http import form_add_invalid
from peergroups.organizations.models import (
    MAX_GROUP_SIZE,
    MIN_GROUP_SIZE,
    PROGRAM_DESCRIPTION_MAX,
    PROGRAM_NAME_MAX,
    RETENTION_MONTHS_MAX,
    RETENTION_MONTHS_MIN,
    GroupingBasis,
    MeetingCadence,
    Program,
    Role,
)
from peergroups.organizations.services import program_settings_check

PROGRAM_CHECKED = (
    "name",
    "description",
    "min_group_size",
    "max_group_size",
    "open_seats",
    "meeting_cadence",
    "grouping_basis",
)


class ProgramForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = [
            "name",
            "description",
            "min_group_size",
            "max_group_size",
            "open_seats",
            "grouping_basis",
            "meeting_cadence",
            "starts_on",
        ]
        labels = {
            "min_group_size": "Smallest group",
            "max_group_size": "Largest group (at most 10)",
            "open_seats": "Open seats per group",
            "grouping_basis": "Members of a group share their",
            "starts_on": "First meetings from",
        }
        widgets = {"starts_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.instance.organization = organization
        self.fields["min_group_size"].widget.attrs.update(min=2, max=10)
        self.fields["max_group_size"].widget.attrs.update(min=2, max=10)
        self.fields["open_seats"].required = False  # none left open unless asked
        self.fields["open_seats"].widget.attrs.update(min=0, max=8)

    def clean(self):
        cleaned = super().clean()
        cleaned["open_seats"] = cleaned.get("open_seats") or 0  # none left open unless asked
        if not self.errors:
            # The bounds and the name rule are the service's (the API meets the same ones);
            # checked here too so the form re-renders with the sentence on its field.
            try:
                program_settings_check(
                    organization=self.organization,
                    program_id=self.instance.pk,
                    **{name: cleaned[name] for name in PROGRAM_CHECKED},
                )
            except (Invalid, Conflict) as refusal:
                form_add_invalid(self, refusal)
        return cleaned


class ProgramEditForm(forms.Form):
    """Edit a program after it started; `groups.services.program_update` checks the rules."""

    name = forms.CharField(max_length=PROGRAM_NAME_MAX)
    description = forms.CharField(
        required=False,
        max_length=PROGRAM_DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    min_group_size = forms.IntegerField(
        label="Smallest group", min_value=MIN_GROUP_SIZE, max_value=MAX_GROUP_SIZE
    )
    max_group_size = forms.IntegerField(
        label=f"Largest group (at most {MAX_GROUP_SIZE})",
        min_value=MIN_GROUP_SIZE,
        max_value=MAX_GROUP_SIZE,
    )
    open_seats = forms.IntegerField(
        label="Open seats per group", min_value=0, max_value=MAX_GROUP_SIZE - MIN_GROUP_SIZE
    )
    meeting_cadence = forms.ChoiceField(label="Groups meet", choices=MeetingCadence.choices)
    grouping_basis = forms.ChoiceField(
        label="Members of a group share their", choices=GroupingBasis.choices
    )
    # The version the page was opened at: an edit from an older one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    @classmethod
    def for_program(cls, program: Program, data=None) -> "ProgramEditForm":
        initial = {name: getattr(program, name) for name in cls.base_fields}
        return cls(data, initial=initial)


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(
        choices=[
            (Role.MEMBER, "Member"),
            (Role.FACILITATOR, "Facilitator"),
            (Role.ADMIN, "Program admin"),
        ],
        initial=Role.MEMBER,
    )
    program = forms.ModelChoiceField(queryset=Program.objects.none(), required=False)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["program"].queryset = organization.programs.all()

    def clean_email(self) -> str:
        # The rules (one open invitation per address) are the service's.
        return self.cleaned_data["email"].strip().lower()


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(required=False)
    actor = forms.EmailField(label="By (e-mail)", required=False)
    object_type = forms.CharField(label="Object kind", required=False, max_length=60)
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, actions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Any")] + [(a, a.replace("_", " ")) for a in actions]


def time_zone_choices() -> list[tuple[str, str]]:
    import zoneinfo

    return [(zone, zone.replace("_", " ")) for zone in sorted(zoneinfo.available_timezones())]


class FirstRunForm(forms.Form):
    """The first-run page: the install's setup key, the organization and its first admin."""

    setup_key = forms.CharField(
        label="Setup key",
        max_length=64,
        help_text="Printed by make run (and in the server log) while the install is empty.",
    )
    name = forms.CharField(label="Organization name", max_length=200)
    slug = forms.SlugField(
        label="Address",
        max_length=60,
        required=False,
        help_text="Its pages live under /o/address/. Left empty, made from the name.",
    )
    admin_name = forms.CharField(label="Your name", max_length=150)
    admin_email = forms.EmailField(label="Your e-mail address")
    password = forms.CharField(
        label="Choose a password", widget=forms.PasswordInput(render_value=False), min_length=8
    )

    def clean_password(self) -> str:
        from django.contrib.auth.password_validation import validate_password

        password = self.cleaned_data["password"]
        validate_password(password)
        return password


class OrganizationSettingsForm(forms.Form):
    name = forms.CharField(label="Organization name", max_length=200)
    time_zone = forms.ChoiceField(
        label="Default time zone",
        help_text="Where new members and groups start; each member can choose their own.",
    )
    email_sender_name = forms.CharField(
        label="E-mails come from",
        max_length=100,
        required=False,
        help_text="The sender name people see, e.g. “Acme Leadership Development”.",
    )
    email_reply_to = forms.EmailField(
        label="Replies go to",
        required=False,
        help_text="An address of your team; empty: the server's sender address.",
    )
    facilitator_qualifications = forms.CharField(
        label="What you ask of facilitators",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "One per line, e.g. “completed our facilitator training”. Empty: the three the "
            "field asks (has built a business, trained feedback coach, expertise in more "
            "than one area)."
        ),
    )

    content_retention_months = forms.IntegerField(
        label="Delete what people wrote in groups after (months)",
        required=False,
        min_value=RETENTION_MONTHS_MIN,
        max_value=RETENTION_MONTHS_MAX,
        help_text=(
            f"From {RETENTION_MONTHS_MIN} to {RETENTION_MONTHS_MAX} months; empty: kept. Each night, "
            "texts older than this are deleted: issue titles and texts, meeting notes, "
            "check-in rounds, commitment check-in notes and pulse notes. The counts stay: "
            "issues by category, attendance, commitments kept and pulse figures still add up."
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
        }
        return cls(data, initial=initial)
