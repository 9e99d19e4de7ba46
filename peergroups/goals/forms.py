"""Forms for goals, progress, commitments, check-ins and reminder preferences."""

from django import forms

from peergroups.goals.models import CheckInStatus, ReminderFrequency, Visibility

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GoalForm(forms.Form):
    title = forms.CharField(max_length=160)
    why = forms.CharField(
        label="Why it matters", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    measure = forms.CharField(max_length=120, help_text="What you count, e.g. “NPS” or “hires”.")
    baseline = forms.DecimalField(max_digits=14, decimal_places=2)
    target = forms.DecimalField(max_digits=14, decimal_places=2)
    due_on = forms.DateField(label="Due on", widget=DATE)
    visibility = forms.ChoiceField(label="Who sees it", choices=Visibility.choices)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("baseline") is not None and cleaned.get("baseline") == cleaned.get("target"):
            self.add_error("target", "The target must differ from the baseline.")
        return cleaned


class ProgressForm(forms.Form):
    value = forms.DecimalField(label="Where you are now", max_digits=14, decimal_places=2)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CommitmentForm(forms.Form):
    text = forms.CharField(label="I commit to", widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(
        label="Due on",
        required=False,
        widget=DATE,
        help_text="Leave empty for your group's next meeting.",
    )


class CheckInForm(forms.Form):
    status = forms.ChoiceField(
        label="How did it go?", choices=CheckInStatus.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ReminderPreferenceForm(forms.Form):
    frequency = forms.ChoiceField(
        label="Commitment reminders", choices=ReminderFrequency.choices, widget=forms.RadioSelect
    )
