"""Forms for goals, progress, commitments, check-ins and reminder preferences.

Goal figures use the one bound of goals.models (GOAL_VALUE_*), as do the API schema
and the service; create forms carry a one-time key so a double submit makes one row.
"""

from django import forms
from django.utils.translation import gettext, gettext_lazy

from peergroups.accounts.models import NotificationChoice
from peergroups.goals.models import (
    GOAL_MEASURE_MAX,
    GOAL_TEXT_MAX,
    GOAL_TITLE_MAX,
    GOAL_VALUE_DIGITS,
    GOAL_VALUE_MAX,
    GOAL_VALUE_MIN,
    GOAL_VALUE_PLACES,
    CheckInStatus,
    Visibility,
)
from peergroups.meetings.forms import SubmitOnceMixin
from peergroups.textlimits import text_bound

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def goal_value_field(**kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        max_digits=GOAL_VALUE_DIGITS,
        decimal_places=GOAL_VALUE_PLACES,
        min_value=GOAL_VALUE_MIN,
        max_value=GOAL_VALUE_MAX,
        **kwargs,
    )


class GroupChoiceMixin:
    """Which of the member's groups it belongs to; shown only to members of several."""

    def add_group_choice(self, groups, label: str) -> None:
        if len(groups) < 2:
            return
        self.fields["group"] = forms.TypedChoiceField(
            label=label,
            coerce=int,
            choices=[(g.pk, f"{g.name} ({g.program.name})") for g in groups],
            help_text=gettext("The group you meet in next comes first."),
        )
        if not self.is_bound:
            self.initial["group"] = groups[0].pk


class GoalForm(GroupChoiceMixin, forms.Form):
    title = text_bound(forms.CharField(label=gettext_lazy("Title")), GOAL_TITLE_MAX)
    why = text_bound(
        forms.CharField(
            label=gettext_lazy("Why it matters"),
            widget=forms.Textarea(attrs={"rows": 2}),
            required=False,
        ),
        GOAL_TEXT_MAX,
    )
    measure = text_bound(
        forms.CharField(
            label=gettext_lazy("Measure"),
            help_text=gettext_lazy("What you count, e.g. “NPS” or “hires”."),
        ),
        GOAL_MEASURE_MAX,
    )
    baseline = goal_value_field()
    target = goal_value_field()
    due_on = forms.DateField(label=gettext_lazy("Due on"), widget=DATE)
    visibility = forms.ChoiceField(label=gettext_lazy("Who sees it"), choices=Visibility.choices)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_group_choice(groups, gettext("The group it is shared with"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("baseline") is not None and cleaned.get("baseline") == cleaned.get("target"):
            self.add_error("target", gettext("The target must differ from the baseline."))
        return cleaned


class ProgressForm(forms.Form):
    value = goal_value_field(label=gettext_lazy("Where you are now"))
    note = text_bound(
        forms.CharField(
            label=gettext_lazy("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
        ),
        GOAL_TEXT_MAX,
    )


class CommitmentForm(SubmitOnceMixin, GroupChoiceMixin, forms.Form):
    text = text_bound(
        forms.CharField(
            label=gettext_lazy("I commit to"), widget=forms.Textarea(attrs={"rows": 2})
        ),
        GOAL_TEXT_MAX,
    )
    due_on = forms.DateField(
        label=gettext_lazy("Due on"),
        required=False,
        widget=DATE,
        help_text=gettext_lazy("Leave empty for your group's next meeting."),
    )

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_group_choice(groups, gettext("To the group"))
        self.add_idempotency_key()


class MeetingCommitmentForm(SubmitOnceMixin, forms.Form):
    """The presenter's commitment, recorded by the facilitator in the run-of-show."""

    member = forms.TypedChoiceField(label=gettext_lazy("Presenter"), coerce=int)
    text = text_bound(
        forms.CharField(label=gettext_lazy("Commitment"), widget=forms.Textarea(attrs={"rows": 2})),
        GOAL_TEXT_MAX,
    )
    due_on = forms.DateField(label=gettext_lazy("Due on"), required=False, widget=DATE)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m.pk, str(m)) for m in members]
        self.add_idempotency_key()


class CheckInForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("How did it go?"),
        choices=CheckInStatus.choices,
        widget=forms.RadioSelect,
    )
    note = text_bound(
        forms.CharField(
            label=gettext_lazy("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
        ),
        GOAL_TEXT_MAX,
    )


# The one preference model's choices, in this page's words.
REMINDER_CHOICES = [
    (NotificationChoice.EACH, gettext_lazy("An e-mail for each commitment as it comes due")),
    (NotificationChoice.WEEKLY_DIGEST, gettext_lazy("One digest e-mail on Mondays")),
    (NotificationChoice.OFF, gettext_lazy("No reminders")),
]


class ReminderPreferenceForm(forms.Form):
    frequency = forms.ChoiceField(
        label=gettext_lazy("Commitment reminders"),
        choices=REMINDER_CHOICES,
        widget=forms.RadioSelect,
    )
