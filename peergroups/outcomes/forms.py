"""The baseline and pulse forms; their bounds are outcomes.models' (as the API's and the
service's), so a value one refuses the others refuse too."""

from django import forms
from django.utils.translation import gettext_lazy

from peergroups.outcomes.models import HOURS, MARGIN_PERCENT, NOTE_MAX_LENGTH, SCALE, MarginTrend
from peergroups.outcomes.services import Answers, PulseAnswers
from peergroups.textlimits import text_bound

SCALE_CHOICES = [(n, str(n)) for n in range(SCALE.low, SCALE.high + 1)]


def _scale(label: str, help_text: str, required: bool = True) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=SCALE_CHOICES if required else [("", gettext_lazy("No meeting")), *SCALE_CHOICES],
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect(attrs={"class": "scale"}),
        help_text=help_text,
        required=required,
    )


class BaselineForm(forms.Form):
    hours_per_week = forms.IntegerField(
        label=gettext_lazy("Hours worked per week"),
        min_value=HOURS.low,
        max_value=HOURS.high,
        help_text=gettext_lazy("A typical week lately, all work included."),
    )
    productivity = _scale(
        gettext_lazy("Productivity"),
        gettext_lazy("1 = far below what you can do, 7 = at your best."),
    )
    margin_trend = forms.TypedChoiceField(
        label=gettext_lazy("Your unit's profit margin is going"),
        choices=MarginTrend.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    margin_percent = forms.DecimalField(
        label=gettext_lazy("Margin, % (optional)"),
        min_value=MARGIN_PERCENT.low,
        max_value=MARGIN_PERCENT.high,
        max_digits=4,
        decimal_places=1,
        required=False,
        help_text=gettext_lazy("Only if you want to track the figure itself."),
    )
    goal_confidence = _scale(
        gettext_lazy("Confidence on your key goals"),
        gettext_lazy("1 = they will slip, 7 = they will be met."),
    )

    def answers(self) -> Answers:
        return Answers(**self.cleaned_data)


class PulseForm(BaselineForm):
    meeting_value = _scale(
        gettext_lazy("Value of last month's meeting"),
        gettext_lazy("1 = not worth the time, 7 = the best use of the day."),
        required=False,
    )
    note = text_bound(
        forms.CharField(
            label=gettext_lazy("A private note (optional)"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text=gettext_lazy("Only you will see it."),
        ),
        NOTE_MAX_LENGTH,
    )

    def answers(self) -> PulseAnswers:
        return PulseAnswers(**self.cleaned_data)
