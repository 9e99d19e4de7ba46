"""Forms for schedules, issues, check-ins and the run-of-show; clean_* return domain values."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext, gettext_lazy

from peergroups.meetings.models import (
    CHECK_IN_TEXT_MAX,
    ISSUE_TEXT_MAX,
    NOTE_TEXT_MAX,
    AttendanceStatus,
    Frequency,
    Issue,
    MonthInterval,
    NoteKind,
    StepKind,
    Weekday,
    WeekOfMonth,
)
from peergroups.meetings.services import CHECK_IN_RATING, STEP_MINUTES
from peergroups.people.forms import TIME_ZONES
from peergroups.textlimits import text_bound

TIME_ZONE_CHOICES = [(tz, tz.replace("_", " ")) for tz in TIME_ZONES]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class SubmitOnceMixin:
    """A create form's one-time key, made when the form is shown and posted back hidden.

    Services create once per key (a uniqueness rule in the database), so a double
    click, a re-sent POST or two racing requests make one object, not two.
    """

    def add_idempotency_key(self) -> None:
        self.fields["idempotency_key"] = forms.UUIDField(widget=forms.HiddenInput, required=False)
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4()


class ScheduleForm(forms.Form):
    frequency = forms.ChoiceField(
        label=gettext_lazy("Frequency"), choices=Frequency.choices, initial=Frequency.MONTHLY
    )
    week_of_month = forms.TypedChoiceField(
        label=gettext_lazy("Week of the month (monthly only)"),
        choices=[("", "—")] + WeekOfMonth.choices,
        coerce=int,
        empty_value=None,
        required=False,
    )
    interval = forms.TypedChoiceField(
        label=gettext_lazy("How often (monthly only)"),
        choices=MonthInterval.choices,
        coerce=int,
        initial=MonthInterval.EVERY_MONTH,
        required=False,
        empty_value=MonthInterval.EVERY_MONTH.value,  # a form without the field: monthly
    )
    weekday = forms.TypedChoiceField(label=gettext_lazy("Day"), choices=Weekday.choices, coerce=int)
    start_time = forms.TimeField(label=gettext_lazy("Starts at (local time)"), widget=TIME)
    end_time = forms.TimeField(label=gettext_lazy("Ends at (local time)"), widget=TIME)
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Group's time zone"), choices=TIME_ZONE_CHOICES
    )
    starts_on = forms.DateField(label=gettext_lazy("First meeting on or after"), widget=DATE)
    location = forms.CharField(label=gettext_lazy("Location"), max_length=200, required=False)
    video_url = forms.URLField(
        label=gettext_lazy("Video link"), required=False, assume_scheme="https"
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", gettext("The meeting must end after it starts."))
        if cleaned.get("frequency") == Frequency.MONTHLY and not cleaned.get("week_of_month"):
            self.add_error("week_of_month", gettext("Say which week of the month, e.g. second."))
        return cleaned


class MoveForm(forms.Form):
    """One occurrence's new date and times, in the group's zone."""

    date = forms.DateField(label=gettext_lazy("Date"), widget=DATE)
    start_time = forms.TimeField(label=gettext_lazy("Starts at"), widget=TIME)
    end_time = forms.TimeField(label=gettext_lazy("Ends at"), widget=TIME)
    location = forms.CharField(label=gettext_lazy("Location"), max_length=200, required=False)
    video_url = forms.URLField(
        label=gettext_lazy("Video link"), required=False, assume_scheme="https"
    )
    # The SEQUENCE the page was opened at: an edit from an older one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, time_zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone
        self.fields["start_time"].label = gettext("Starts at (%(time_zone)s)") % {
            "time_zone": time_zone
        }
        self.fields["end_time"].label = gettext("Ends at (%(time_zone)s)") % {
            "time_zone": time_zone
        }

    def clean(self):
        cleaned = super().clean()
        day, start, end = cleaned.get("date"), cleaned.get("start_time"), cleaned.get("end_time")
        if day and start and end:
            if end <= start:
                self.add_error("end_time", gettext("The meeting must end after it starts."))
            else:
                zone = ZoneInfo(self.time_zone)
                cleaned["starts_at"] = datetime.combine(day, start, tzinfo=zone)
                cleaned["ends_at"] = datetime.combine(day, end, tzinfo=zone)
        return cleaned


class IssueForm(SubmitOnceMixin, forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_idempotency_key()
        for name in ("situation", "ask"):
            text_bound(self.fields[name], ISSUE_TEXT_MAX)
        text_bound(self.fields["title"], Issue._meta.get_field("title").max_length)

    class Meta:
        model = Issue
        fields = ["title", "category", "situation", "ask", "urgency"]
        labels = {
            "title": gettext_lazy("Title"),
            "category": gettext_lazy("Category"),
            "situation": gettext_lazy("The situation"),
            "ask": gettext_lazy("What you want from the group"),
            "urgency": gettext_lazy("How urgent is it?"),
        }
        help_texts = {
            "situation": gettext_lazy(
                "What is going on, who is involved, what you have tried. "
                "Only your group and its facilitator will read this."
            ),
            "ask": gettext_lazy("E.g. “experiences with…”, “help me decide between…”."),
        }


class CheckInForm(forms.Form):
    work = text_bound(
        forms.CharField(
            label=gettext_lazy("Work: what is going on"), widget=forms.Textarea(attrs={"rows": 3})
        ),
        CHECK_IN_TEXT_MAX,
    )
    personal = text_bound(
        forms.CharField(
            label=gettext_lazy("Personal (optional)"),
            widget=forms.Textarea(attrs={"rows": 2}),
            required=False,
        ),
        CHECK_IN_TEXT_MAX,
    )
    rating = forms.IntegerField(
        label=gettext_lazy("How are you, from 1 (awful) to 10 (great)?"),
        min_value=CHECK_IN_RATING[0],
        max_value=CHECK_IN_RATING[1],
    )


class AgreementForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("New version of the agreement"),
        widget=forms.Textarea(attrs={"rows": 10}),
    )


class AgendaStepForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=StepKind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    minutes = forms.IntegerField(
        label=gettext_lazy("Minutes"), min_value=STEP_MINUTES[0], max_value=STEP_MINUTES[1]
    )


AgendaStepFormSet = forms.formset_factory(
    AgendaStepForm, extra=1, can_delete=True, min_num=1, validate_min=True
)


class NoteForm(forms.Form):
    kind = forms.ChoiceField(choices=NoteKind.choices, label=gettext_lazy("Kind of note"))
    text = text_bound(
        forms.CharField(label=gettext_lazy("Note"), widget=forms.Textarea(attrs={"rows": 2})),
        NOTE_TEXT_MAX,
    )


def _text(value) -> str:
    """`{{ value|stringformat:'s' }}`: escaped unless already safe."""
    return str(value) if isinstance(value, SafeData) else escape(f"{value}")


def _attrs(attrs: dict) -> str:
    """Django's django/forms/widgets/attrs.html."""
    return "".join(
        f" {conditional_escape(name)}" + ("" if value is True else f'="{_text(value)}"')
        for name, value in attrs.items()
        if value is not False
    )


class PlainSelect(forms.Select):
    """`forms.Select` written in Python, byte for byte what Django's select.html and
    select_option.html give (`test_plain_select_renders_as_djangos_select`): the run of
    show renders one per member, and its templates were a fifth of the page's time."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in options:
                out.append(
                    f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
                    f"{conditional_escape(option['label'])}</option>\n"
                )
            if group_name:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return mark_safe("".join(out))


class AttendanceForm(forms.Form):
    """One choice per member of the group."""

    def __init__(self, *args, members, recorded: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        for member in members:
            self.fields[f"member_{member.pk}"] = forms.ChoiceField(
                label=str(member),
                choices=AttendanceStatus.choices,
                initial=recorded.get(member.pk, AttendanceStatus.PRESENT),
                widget=PlainSelect,
            )

    def statuses(self) -> dict[int, str]:
        return {m.pk: self.cleaned_data[f"member_{m.pk}"] for m in self.members}


def default_move_initial(meeting, zone: ZoneInfo) -> dict:
    start, end = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
    return {
        "date": start.date(),
        "start_time": start.time(),
        "end_time": end.time() if end - start < timedelta(days=1) else start.time(),
        "location": meeting.location,
        "video_url": meeting.video_url,
        "version": meeting.sequence,
    }
