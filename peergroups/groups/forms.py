"""Forms for editing a group after publish; bounds come from the models the services check."""

from django import forms

from peergroups.groups.models import MEMBERSHIP_REASON_MAX
from peergroups.groups.services import GROUP_NAME_MAX
from peergroups.textlimits import text_bound

REASON_HELP = "Seen by the program's admins only; never by the group."


def reason_field() -> forms.CharField:
    """A move's or a withdrawal's reason: for admins only, within the service's bound."""
    return text_bound(
        forms.CharField(
            label="Reason (private)",
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text=REASON_HELP,
        ),
        MEMBERSHIP_REASON_MAX,
    )


class RenameForm(forms.Form):
    name = text_bound(forms.CharField(label="Group name"), GROUP_NAME_MAX)
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
    reason = reason_field()

    def __init__(self, *args, members=(), choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = list(members)
        self.fields["to_group"].choices = list(choices)


class RemoveForm(forms.Form):
    user = forms.TypedChoiceField(label="Member", coerce=int)
    reason = reason_field()

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = list(members)


class CloseForm(forms.Form):
    confirm = forms.BooleanField(
        label="Yes, close this group. Its members keep their history; it takes no one new.",
    )
    # The version the page was opened at: an edit from an older one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
