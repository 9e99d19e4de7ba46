"""The intake form and the facilitator application: parse, validate, return domain values."""

import zoneinfo

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, gettext_lazy

from peergroups.accounts.models import User
from peergroups.errors import Invalid
from peergroups.formats import number_text
from peergroups.people.models import (
    CATEGORY_LABEL_MAX,
    FACILITATOR_CAPACITY,
    CategoryKind,
    FacilitatorProfile,
    MemberProfile,
)
from peergroups.people.vocabulary import AREAS, AVAILABILITY_SLOTS
from peergroups.textlimits import text_bound

# The import form states it before the upload; `imports` reads no more than this.
MAX_IMPORT_BYTES = 5 * 1024 * 1024  # a few thousand members fit in far less


def import_size_check(size: int) -> None:
    """Refuse a file over MAX_IMPORT_BYTES: the import page's form and the API alike."""
    if size > MAX_IMPORT_BYTES:
        megabytes = MAX_IMPORT_BYTES // (1024 * 1024)
        raise Invalid(
            gettext(
                "The file is %(size)s MB; the limit is %(megabytes)s MB. Split it into "
                "several files."
            )
            % {"size": format(size / (1024 * 1024), ".1f"), "megabytes": megabytes},
            field="file",
        )


TIME_ZONES = sorted(zoneinfo.available_timezones() - {"localtime"})


def split_list(text: str) -> list[str]:
    """'Acme, Globex;  Initech' -> ['Acme', 'Globex', 'Initech'], duplicates dropped.

    Every list a person types (the intake, a CSV import) is split by this one rule.
    """
    items = [part.strip() for part in text.replace(";", ",").split(",")]
    return list(dict.fromkeys(item for item in items if item))


class SuggestedTextInput(forms.TextInput):
    """A text input that suggests the organization's list entries (a <datalist>): people
    pick one or type a new value, which joins the list when saved."""

    def __init__(self, suggestions, attrs=None):
        super().__init__(attrs)
        self.suggestions = list(suggestions)

    def render(self, name, value, attrs=None, renderer=None):
        list_id = f"{(attrs or {}).get('id') or name}-list"
        attrs = {**(attrs or {}), "list": list_id, "autocomplete": "off"}
        field = super().render(name, value, attrs, renderer)
        options = format_html_join("", '<option value="{}">', ((s,) for s in self.suggestions))
        return format_html('{}<datalist id="{}">{}</datalist>', field, list_id, options)


class ListField(forms.CharField):
    """A free-text list typed as comma-separated values."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value) -> list[str]:
        return split_list(super().to_python(value) or "")


def checkboxes(label: str, choices, required: bool = False, help_text: str = ""):
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=required,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


class IntakeForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Time zone"), choices=[(tz, tz.replace("_", " ")) for tz in TIME_ZONES]
    )
    expertise = checkboxes(
        gettext_lazy("Areas of expertise"),
        AREAS,
        required=True,
        help_text=gettext_lazy("What you could help a peer with."),
    )
    challenge_topics = checkboxes(gettext_lazy("Topics of your current challenges"), AREAS)
    goal_topics = checkboxes(gettext_lazy("Topics of your key goals"), AREAS)
    availability = checkboxes(
        gettext_lazy("When you can meet"),
        AVAILABILITY_SLOTS,
        required=True,
        help_text=gettext_lazy("Pick every slot that works."),
    )
    competitors = ListField(
        label=gettext_lazy("Competitors"),
        required=False,
        help_text=gettext_lazy(
            "Companies whose people you should not share a group with, separated by commas."
        ),
    )
    reports_to = forms.ModelChoiceField(
        label=gettext_lazy("Your own manager, if they take part"),
        queryset=User.objects.none(),
        required=False,
        help_text=gettext_lazy("You will never be grouped with anyone in your reporting line."),
    )
    not_with = forms.ModelMultipleChoiceField(
        label=gettext_lazy("People you would rather not share a group with"),
        queryset=User.objects.none(),
        required=False,
        help_text=gettext_lazy("Optional and confidential: only the grouping uses it."),
    )

    class Meta:
        model = MemberProfile
        fields = [
            "region",
            "locale",
            "time_zone",
            "industry",
            "function",
            "management_level",
            "team_size",
            "years_managing",
            "company",
            "company_size",
            "company_stage",
            "expertise",
            "challenges",
            "challenge_topics",
            "goals",
            "goal_topics",
            "availability",
            "reports_to",
            "competitors",
        ]
        labels = {
            "region": gettext_lazy("Region"),
            "industry": gettext_lazy("Industry"),
            "company_size": gettext_lazy("Company size"),
            "company_stage": gettext_lazy("Company stage"),
            "locale": gettext_lazy("Language"),
            "function": gettext_lazy("Function (e.g. engineering, sales)"),
            "management_level": gettext_lazy("Management level"),
            "team_size": gettext_lazy("People you manage (directly and indirectly)"),
            "years_managing": gettext_lazy("Years as a manager"),
            "company": gettext_lazy("Company"),
            "challenges": gettext_lazy("Your current challenges"),
            "goals": gettext_lazy("Your key goals for the coming year"),
        }

    def __init__(self, *args, colleagues, not_with_initial=(), pick_lists=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The organization's list (kind -> labels) is offered as suggestions; a value typed
        # in another spelling folds into its entry when saved, a new one joins the list.
        for name, labels in (pick_lists or {}).items():
            if labels:
                self.fields[name].widget = SuggestedTextInput(labels)
        self.fields["reports_to"].queryset = colleagues
        self.fields["not_with"].queryset = colleagues
        self.fields["not_with"].initial = list(not_with_initial)
        for name in ("region", "industry", "function", "management_level", "company"):
            self.fields[name].required = True
        self.fields["team_size"].required = True
        self.fields["years_managing"].required = True
        self.fields["team_size"].widget.attrs["min"] = 0
        self.fields["years_managing"].widget.attrs["min"] = 0
        self.fields["years_managing"].validators.append(
            _at_most(60, gettext("That is more than %(limit)s years; please check it."))
        )
        self.fields["team_size"].validators.append(
            _at_most(1_000_000, gettext("That is more than %(limit)s people; please check it."))
        )

    @classmethod
    def for_import(cls, data: dict, columns) -> "IntakeForm":
        """The same field rules for one row of a CSV import: one source of truth.

        Only the row's columns take part and none is required: a file may fill in part of
        an intake (the member completes the rest). People are named by e-mail in a file,
        so the import checks `reports_to` and `not_with` itself.
        """
        form = cls(data, instance=MemberProfile(), colleagues=User.objects.none())
        for name in list(form.fields):
            if name not in columns or name in ("reports_to", "not_with"):
                del form.fields[name]
            else:
                form.fields[name].required = False
        return form

    def clean_region(self) -> str:
        return self.cleaned_data["region"].strip()

    def clean_industry(self) -> str:
        return self.cleaned_data["industry"].strip()

    def clean_function(self) -> str:
        return self.cleaned_data["function"].strip()

    def clean(self):
        cleaned = super().clean()
        reports_to = cleaned.get("reports_to")
        if reports_to is not None and reports_to.pk == self.instance.user_id:
            self.add_error("reports_to", gettext("You cannot be your own manager."))
        return cleaned


def _at_most(limit: int, refusal: str):
    def validate(value):
        if value is not None and value > limit:
            raise forms.ValidationError(refusal % {"limit": number_text(limit)})

    return validate


class FacilitatorApplicationForm(forms.ModelForm):
    expertise = checkboxes(
        gettext_lazy("Areas of expertise"),
        AREAS,
        required=True,
        help_text=gettext_lazy(
            "Facilitators bring expertise in more than one area of running a business."
        ),
    )
    regions_served = ListField(label=gettext_lazy("Regions you can serve"), required=False)
    industries_served = ListField(label=gettext_lazy("Industries you know well"), required=False)

    class Meta:
        model = FacilitatorProfile
        fields = [
            "built_own_business",
            "business_description",
            "trained_feedback_coach",
            "coach_training",
            "expertise",
            "capacity",
            "regions_served",
            "industries_served",
            "bio",
        ]
        labels = {
            "built_own_business": gettext_lazy("I have built my own business"),
            "business_description": gettext_lazy("The business you built"),
            "trained_feedback_coach": gettext_lazy("I am a trained feedback coach"),
            "coach_training": gettext_lazy("Your coaching training (programme, year)"),
            "capacity": gettext_lazy("Groups you can lead at once"),
            "bio": gettext_lazy("A short introduction for your groups"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        asked = self.instance.organization.facilitator_qualifications
        if asked:
            # A company's internal program asks its own qualifications instead of the
            # field's "built a business" and "trained feedback coach".
            for name in (
                "built_own_business",
                "business_description",
                "trained_feedback_coach",
                "coach_training",
            ):
                del self.fields[name]
            self.fields = {
                "qualifications": forms.MultipleChoiceField(
                    label=gettext("Which of these do you meet?"),
                    choices=[(wanted, wanted) for wanted in asked],
                    widget=forms.CheckboxSelectMultiple,
                    required=False,
                    initial=self.instance.qualifications or [],
                    help_text=gettext("What this organization asks of its facilitators."),
                ),
                **self.fields,
            }
            self.fields["expertise"].required = False
            self.fields["expertise"].help_text = ""

    def save(self, commit=True):
        profile = super().save(commit=False)
        if "qualifications" in self.fields:
            profile.qualifications = self.cleaned_data["qualifications"]
        if commit:
            profile.save()
        return profile

    def clean_capacity(self) -> int:
        capacity = self.cleaned_data["capacity"]
        low, high = FACILITATOR_CAPACITY
        if not low <= capacity <= high:
            raise forms.ValidationError(
                gettext("Choose between %(low)s and %(high)s groups.") % {"low": low, "high": high}
            )
        return capacity

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("built_own_business")
            and not cleaned.get("business_description", "").strip()
        ):
            self.add_error("business_description", gettext("Tell us about the business you built."))
        if cleaned.get("trained_feedback_coach") and not cleaned.get("coach_training", "").strip():
            self.add_error("coach_training", gettext("Name the training you completed."))
        return cleaned


class FacilitatorReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("approve", gettext_lazy("Approve")), ("reject", gettext_lazy("Decline"))],
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)


class MemberImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV or Excel file"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    send_invitations = forms.BooleanField(
        label=gettext_lazy("Send an invitation e-mail to each new member"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["data-max-bytes"] = str(MAX_IMPORT_BYTES)
        # The limit is stated before the upload, not discovered after it.
        self.fields["file"].help_text = gettext(
            "An Excel workbook (.xlsx, its first sheet) or CSV (UTF-8, comma- or "
            "semicolon-separated), up to %(megabytes)s MB. You see what will happen before "
            "anything is written."
        ) % {"megabytes": MAX_IMPORT_BYTES // (1024 * 1024)}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            import_size_check(upload.size)
        except Invalid as refusal:
            raise forms.ValidationError(refusal.reason) from None
        return upload


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False)
    region = forms.ChoiceField(label=gettext_lazy("Region"), required=False)
    industry = forms.ChoiceField(label=gettext_lazy("Industry"), required=False)
    program = forms.TypedChoiceField(
        label=gettext_lazy("Program"), required=False, coerce=int, empty_value=None
    )
    intake = forms.ChoiceField(
        required=False,
        choices=[
            ("", gettext_lazy("Any")),
            ("complete", gettext_lazy("Complete")),
            ("pending", gettext_lazy("Not yet filled")),
        ],
        label=gettext_lazy("Intake"),
    )

    def __init__(self, *args, regions, industries, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", gettext("Any"))] + [(r, r) for r in regions]
        self.fields["industry"].choices = [("", gettext("Any"))] + [(i, i) for i in industries]
        self.fields["program"].choices = [("", gettext("Any"))] + [(p.pk, p.name) for p in programs]


class CategoryAddForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("List"), choices=CategoryKind.choices)
    label = text_bound(forms.CharField(label=gettext_lazy("Value")), CATEGORY_LABEL_MAX)


class CategoryMergeForm(forms.Form):
    """Merge the spellings members use for one kind into one value of its list."""

    values = forms.MultipleChoiceField(
        label=gettext_lazy("Spellings to merge"), widget=forms.CheckboxSelectMultiple
    )
    into = text_bound(forms.CharField(label=gettext_lazy("Into")), CATEGORY_LABEL_MAX)

    def __init__(self, *args, spellings: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        # Quoted, so "research " and "research" read as the two spellings they are.
        self.fields["values"].choices = [(value, f"“{value}”") for value in spellings]
