"""Forms for programs (create, edit) and for editing a group after publish; bounds come
from the models the services check."""

from django import forms
from django.utils.translation import gettext, gettext_lazy

from peergroups.formats import lazy_format
from peergroups.groups.models import MEMBERSHIP_REASON_MAX
from peergroups.groups.services import GROUP_NAME_MAX
from peergroups.organizations.models import (
    MAX_GROUP_SIZE,
    MIN_GROUP_SIZE,
    PROGRAM_DESCRIPTION_MAX,
    PROGRAM_NAME_MAX,
    GroupingBasis,
    MeetingCadence,
    Program,
)
from peergroups.textlimits import text_bound

REASON_HELP = gettext_lazy("Seen by the program's admins only; never by the group.")


def reason_field() -> forms.CharField:
    """A move's or a withdrawal's reason: for admins only, within the service's bound."""
    return text_bound(
        forms.CharField(
            label=gettext_lazy("Reason (private)"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text=REASON_HELP,
        ),
        MEMBERSHIP_REASON_MAX,
    )


SIZE_FIELDS = {"min_group_size", "max_group_size", "open_seats"}


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
            "name": gettext_lazy("Name"),
            "description": gettext_lazy("Description"),
            "meeting_cadence": gettext_lazy("Meeting cadence"),
            "min_group_size": gettext_lazy("Smallest group"),
            "max_group_size": lazy_format(
                gettext_lazy("Largest group (at most %(largest)s)"), largest=MAX_GROUP_SIZE
            ),
            "open_seats": gettext_lazy("Open seats per group"),
            "grouping_basis": gettext_lazy("Members of a group share their"),
            "starts_on": gettext_lazy("First meetings from"),
        }
        widgets = {"starts_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.instance.organization = organization
        # The browser hints at the bounds; the service checks them (`groupsize`).
        for name in ("min_group_size", "max_group_size"):
            self.fields[name].widget.attrs.update(min=MIN_GROUP_SIZE, max=MAX_GROUP_SIZE)
        self.fields["open_seats"].required = False  # none left open unless asked
        self.fields["open_seats"].widget.attrs.update(min=0, max=MAX_GROUP_SIZE - MIN_GROUP_SIZE)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = Program.objects.filter(organization=self.organization, name__iexact=name)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(gettext("A program with this name exists already."))
        return name

    def clean(self):
        cleaned = super().clean()
        cleaned["open_seats"] = cleaned.get("open_seats") or 0
        return cleaned

    def _get_validation_exclusions(self):
        # The size bounds are the service's (`program_create` asks `group_size_check`):
        # the model's constraints on them are not checked here, so a refusal reads the
        # same from this page as from any other caller.
        return super()._get_validation_exclusions() | SIZE_FIELDS


class ProgramEditForm(forms.Form):
    """Edit a program after it started; `groups.services.program_update` checks the rules."""

    name = text_bound(forms.CharField(label=gettext_lazy("Name")), PROGRAM_NAME_MAX)
    description = text_bound(
        forms.CharField(
            label=gettext_lazy("Description"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 4}),
        ),
        PROGRAM_DESCRIPTION_MAX,
    )
    # The browser hints at the bounds; the service checks them (`groupsize`) and says why.
    min_group_size = forms.IntegerField(
        label=gettext_lazy("Smallest group"),
        widget=forms.NumberInput(attrs={"min": MIN_GROUP_SIZE, "max": MAX_GROUP_SIZE}),
    )
    max_group_size = forms.IntegerField(
        label=lazy_format(
            gettext_lazy("Largest group (at most %(max_group_size)s)"),
            max_group_size=MAX_GROUP_SIZE,
        ),
        widget=forms.NumberInput(attrs={"min": MIN_GROUP_SIZE, "max": MAX_GROUP_SIZE}),
    )
    open_seats = forms.IntegerField(
        label=gettext_lazy("Open seats per group"),
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_GROUP_SIZE - MIN_GROUP_SIZE}),
    )
    meeting_cadence = forms.ChoiceField(
        label=gettext_lazy("Groups meet"), choices=MeetingCadence.choices
    )
    grouping_basis = forms.ChoiceField(
        label=gettext_lazy("Members of a group share their"), choices=GroupingBasis.choices
    )
    # The version the page was opened at: an edit from an older one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    @classmethod
    def for_program(cls, program: Program, data=None) -> "ProgramEditForm":
        initial = {name: getattr(program, name) for name in cls.base_fields}
        return cls(data, initial=initial)


class RenameForm(forms.Form):
    name = text_bound(forms.CharField(label=gettext_lazy("Group name")), GROUP_NAME_MAX)
    # The version the page was opened at: an edit from an older one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class FacilitatorForm(forms.Form):
    facilitator = forms.TypedChoiceField(
        label=gettext_lazy("Who leads the group"), coerce=int, empty_value=None, required=False
    )
    # The version the page was opened at: an edit from an older one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].choices = [("", gettext("No facilitator")), *choices]


class MoveForm(forms.Form):
    user = forms.TypedChoiceField(label=gettext_lazy("Member"), coerce=int)
    to_group = forms.TypedChoiceField(label=gettext_lazy("Move to"), coerce=int)
    reason = reason_field()

    def __init__(self, *args, members=(), choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = list(members)
        self.fields["to_group"].choices = list(choices)


class RemoveForm(forms.Form):
    user = forms.TypedChoiceField(label=gettext_lazy("Member"), coerce=int)
    reason = reason_field()

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = list(members)


class CloseForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "Yes, close this group. Its members keep their history; it takes no one new."
        ),
    )
    # The version the page was opened at: an edit from an older one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
