"""Forms of the resource pages; bounds come from models, rules are the services'."""

from django import forms
from django.utils.translation import gettext, gettext_lazy

from peergroups.formats import lazy_format
from peergroups.http import BLANK_QUERY
from peergroups.people.vocabulary import AREAS
from peergroups.resources.models import SUMMARY_MAX, TITLE_MAX, TOPICS_MAX, URL_MAX, Kind, Scope
from peergroups.textlimits import text_bound

ORGANIZATION = "organization"


def share_with_choices(groups) -> list[tuple[str, str]]:
    """'organization', or 'group:<id>' for each group the person reads."""
    return [
        *[
            (
                f"group:{g.pk}",
                gettext("My group only (%(group)s): confidential") % {"group": g.name},
            )
            for g in groups
        ],
        (ORGANIZATION, gettext("The whole organization")),
    ]


class ResourceForm(forms.Form):
    title = text_bound(forms.CharField(label=gettext_lazy("Title")), TITLE_MAX)
    kind = forms.ChoiceField(label=gettext_lazy("What is it?"), choices=Kind.choices)
    summary = text_bound(
        forms.CharField(
            label=gettext_lazy("Summary"),
            widget=forms.Textarea(attrs={"rows": 4}),
            help_text=gettext_lazy("What it is, when it helped, what to watch out for."),
        ),
        SUMMARY_MAX,
    )
    url = text_bound(
        forms.URLField(label=gettext_lazy("Link"), required=False, assume_scheme="https"), URL_MAX
    )
    file = forms.FileField(
        label=gettext_lazy("Or attach a file"),
        required=False,
        help_text=gettext_lazy("PDF, text, markdown, CSV or an office document."),
    )
    topics = forms.MultipleChoiceField(
        label=gettext_lazy("Topics"),
        choices=AREAS,
        widget=forms.CheckboxSelectMultiple,
        help_text=lazy_format(gettext_lazy("Up to %(topics_max)s."), topics_max=TOPICS_MAX),
    )
    share_with = forms.ChoiceField(label=gettext_lazy("Share with"), widget=forms.RadioSelect)

    def __init__(self, *args, groups=(), edit=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["share_with"].choices = share_with_choices(groups)
        if groups and not self.initial.get("share_with"):
            self.fields["share_with"].initial = f"group:{groups[0].pk}"
        if edit:
            self.fields["file"].label = gettext("Replace the file")
        # The limit, stated before choosing a file; the browser refuses a larger one in
        # the form (static/js/app.js), so nothing typed is lost to a refused upload.
        from peergroups.resources.services import file_max_bytes, size_in_words

        limit = file_max_bytes()
        self.fields["file"].help_text = gettext(
            "PDF, text, markdown, CSV or an office document, up to %(size_in_words)s."
        ) % {"size_in_words": size_in_words(limit)}
        self.fields["file"].widget.attrs["data-max-bytes"] = str(limit)

    def scope_and_group(self) -> tuple[str, int | None]:
        value = self.cleaned_data["share_with"]
        if value == ORGANIZATION:
            return Scope.ORGANIZATION, None
        return Scope.GROUP, int(value.split(":", 1)[1])


class MeetingShareForm(ResourceForm):
    """The resource share step of a meeting: the group is the meeting's."""

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, groups=[group], **kwargs)
        self.fields["share_with"].choices = [
            (f"group:{group.pk}", gettext("This group only: confidential")),
            (ORGANIZATION, gettext("The whole organization")),
        ]


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=200)
    topic = forms.ChoiceField(
        label=gettext_lazy("Topic"),
        choices=[("", gettext_lazy("Any topic")), *AREAS],
        required=False,
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Shared with"),
        choices=[
            ("", gettext_lazy("Anyone")),
            (Scope.GROUP, gettext_lazy("My group")),
            (Scope.ORGANIZATION, gettext_lazy("Everyone")),
        ],
        required=False,
    )
    page = forms.IntegerField(
        label=gettext_lazy("Page"), min_value=1, max_value=10_000, required=False
    )

    def clean_q(self) -> str:
        # Stripped, a box of only spaces (U+00A0 and U+3000 too) would be an empty one
        # and show the whole library as if it were the results: say so instead.
        if not self.cleaned_data["q"] and (self.data.get("q") or ""):
            raise forms.ValidationError(BLANK_QUERY)
        return self.cleaned_data["q"]
