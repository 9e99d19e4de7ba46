"""Forms for programs (create, edit) and for editing a group after publish; bounds come
from the models the services check."""

from django import forms

from peergroups.formats import count_of
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

REASON_HELP = "Seen by the program's admins only; never by the group."


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

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = Program.objects.filter(organization=self.organization, name__iexact=name)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("A program with this name exists already.")
        return name

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_group_size"), cleaned.get("max_group_size")
        if high is not None and high > 10:
            self.add_error("max_group_size", "Peer groups have at most 10 members.")
        if low is not None and low < 2:
            self.add_error("min_group_size", "A group needs at least 2 members.")
        if low is not None and high is not None and low > high:
            self.add_error(
                "min_group_size", "The smallest group cannot be larger than the largest."
            )
        seats = cleaned["open_seats"] = cleaned.get("open_seats") or 0
        if None not in (low, high, seats) and low + seats > high:
            self.add_error(
                "open_seats",
                f"With {count_of(seats, 'open seat')}, groups of at most {high} would hold fewer than "
                f"the smallest group ({low}).",
            )
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


class RenameForm(forms.Form):
    name = forms.CharField(label="Group name", max_length=GROUP_NAME_MAX)
    # The version the page was opened at: an edit from an older one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class FacilitatorForm(forms.Form):
    facilitator = forms.TypedChoiceField(
        label="Who leads the group", coerce=int, empty_value=None, required=False
    )
    # The version the page was opened at: an edit from an older one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].choices = [("", "No facilitator"), *choices]


class MoveForm(forms.Form):
    user = forms.TypedChoiceField(label="Member", coerce=int)
    to_group = forms.TypedChoiceField(label="Move to", coerce=int)
    reason = forms.CharField(
        label="Reason (private)",
        max_length=MEMBERSHIP_REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=REASON_HELP,
    )

    def __init__(self, *args, members=(), choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = list(members)
        self.fields["to_group"].choices = list(choices)


class RemoveForm(forms.Form):
    user = forms.TypedChoiceField(label="Member", coerce=int)
    reason = forms.CharField(
        label="Reason (private)",
        max_length=MEMBERSHIP_REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=REASON_HELP,
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = list(members)


class CloseForm(forms.Form):
    confirm = forms.BooleanField(
        label="Yes, close this group. Its members keep their history; it takes no one new.",
    )
    # The version the page was opened at: an edit from an older one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
