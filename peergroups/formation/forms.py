"""The formation start form: parses the settings; `parameters_check` judges them."""

from django import forms
from django.utils.translation import gettext, gettext_lazy

from peergroups.errors import Invalid
from peergroups.formation.criteria import (
    ATTRIBUTES,
    SEGMENT_BY_BASIS,
    default_criteria,
    program_criteria,
)
from peergroups.formation.parameters import (
    HISTORY_PENALTY,
    MIN_GROUP_SIZE,
    MODE_NEW_CYCLE,
    MODE_UNPLACED,
    SECONDS,
    SEED_MAX,
    WEIGHT,
    Parameters,
    parameters_check,
)
from peergroups.organizations.models import MAX_GROUP_SIZE, GroupingBasis, Program

MODES = [
    ("ignore", gettext_lazy("Ignore")),
    ("similar", gettext_lazy("Similar")),
    ("diverse", gettext_lazy("Diverse")),
]

SEED_HELP = gettext_lazy(
    "The seed fixes every random choice of the search. The search stops when its time is "
    "up, so the same seed can give a slightly different proposal on a busier machine; "
    "“Rerun exactly” on a finished run repeats its search step for step and gives the "
    "same groups."
)


def _bounded(low, high, **attrs):
    # The browser hints at the bounds; the service checks them and says why.
    return forms.NumberInput(attrs={"min": low, "max": high, **attrs})


def _same(criteria: list[dict], defaults: list[dict]) -> bool:
    def key(items):
        return sorted((c["attribute"], c["mode"], float(c["weight"])) for c in items)

    return key(criteria) == key(defaults)


class FormationStartForm(forms.Form):
    """The run's settings: a criteria table (mode and weight per intake attribute) and limits."""

    mode = forms.ChoiceField(
        label=gettext_lazy("Who to group"),
        choices=[
            (MODE_UNPLACED, gettext_lazy("Members not yet in a group")),
            (MODE_NEW_CYCLE, gettext_lazy("Everyone, as a new cycle (meet new peers)")),
        ],
        widget=forms.RadioSelect,
        initial=MODE_UNPLACED,
    )
    basis = forms.ChoiceField(
        label=gettext_lazy("Groups share their"), choices=GroupingBasis.choices
    )
    min_size = forms.IntegerField(
        label=gettext_lazy("Smallest group"), widget=_bounded(MIN_GROUP_SIZE, MAX_GROUP_SIZE)
    )
    max_size = forms.IntegerField(
        label=gettext_lazy("Largest group"), widget=_bounded(MIN_GROUP_SIZE, MAX_GROUP_SIZE)
    )
    open_seats = forms.IntegerField(
        label=gettext_lazy("Open seats per group"),
        initial=0,
        widget=_bounded(0, MAX_GROUP_SIZE - MIN_GROUP_SIZE),
        help_text=gettext_lazy("Seats each group keeps free for members who join later."),
    )
    seconds = forms.IntegerField(
        label=gettext_lazy("Time budget (seconds)"),
        initial=10,
        widget=_bounded(*SECONDS),
        help_text=gettext_lazy(
            "More time can find a slightly better grouping; 10 s is plenty for a few hundred people."
        ),
    )
    seed = forms.IntegerField(
        label=gettext_lazy("Random seed"),
        initial=1,
        widget=_bounded(0, SEED_MAX),
        help_text=SEED_HELP,
    )
    history_penalty = forms.FloatField(
        label=gettext_lazy("Penalty for meeting a past peer again"),
        initial=2.0,
        widget=_bounded(*HISTORY_PENALTY, step="any"),
        help_text=gettext_lazy(
            "Used in a new cycle: higher values favour new peers over other criteria."
        ),
    )

    # The basis whose default criteria the table was filled with: criteria left at those
    # defaults follow the basis chosen (a run "Mixed" of a program "by industry" gets the
    # mixed defaults, not region x2 with industry ignored).
    defaults_for = forms.ChoiceField(
        choices=GroupingBasis.choices, widget=forms.HiddenInput, required=False
    )

    def __init__(self, *args, program: Program, basis: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        basis = basis if basis in GroupingBasis.values else program.grouping_basis
        self.fields["basis"].initial = basis
        self.fields["defaults_for"].initial = basis
        self.segment = SEGMENT_BY_BASIS.get(basis)
        self.fields["min_size"].initial = program.min_group_size
        self.fields["max_size"].initial = program.max_group_size
        self.fields["open_seats"].initial = program.open_seats
        defaults = {c["attribute"]: c for c in self.defaults(basis)}
        for attribute, (label, _kind) in ATTRIBUTES.items():
            chosen = defaults.get(attribute)
            self.fields[f"mode_{attribute}"] = forms.ChoiceField(
                label=gettext("%(label)s: compare as") % {"label": label},
                choices=MODES,
                initial=chosen["mode"] if chosen else "ignore",
            )
            self.fields[f"weight_{attribute}"] = forms.FloatField(
                label=gettext("%(label)s: weight") % {"label": label},
                initial=chosen["weight"] if chosen else 1.0,
                widget=_bounded(*WEIGHT, step="any"),
            )

    def defaults(self, basis: str) -> list[dict]:
        """The criteria the table starts from: the program's saved ones for its own basis,
        else the defaults of `basis`."""
        if basis == self.program.grouping_basis:
            return program_criteria(self.program)
        return default_criteria(basis)

    def criteria_rows(self):
        """(label, mode field, weight field, note): the note marks the attribute every
        group shares, which needs no weight."""
        return [
            (
                label,
                self[f"mode_{attribute}"],
                self[f"weight_{attribute}"],
                gettext("every group shares one (the basis)") if attribute == self.segment else "",
            )
            for attribute, (label, _kind) in ATTRIBUTES.items()
        ]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        criteria = [
            {"attribute": a, "mode": cleaned[f"mode_{a}"], "weight": cleaned[f"weight_{a}"]}
            for a in ATTRIBUTES
            if cleaned[f"mode_{a}"] != "ignore" and cleaned[f"weight_{a}"] != 0
        ]
        shown_for = cleaned.get("defaults_for") or self.program.grouping_basis
        if cleaned["basis"] != shown_for and _same(criteria, self.defaults(shown_for)):
            criteria = self.defaults(cleaned["basis"])
        parameters = Parameters(
            mode=cleaned["mode"],
            basis=cleaned["basis"],
            criteria=criteria,
            min_size=cleaned["min_size"],
            max_size=cleaned["max_size"],
            open_seats=cleaned["open_seats"],
            seconds=float(cleaned["seconds"]),
            seed=cleaned["seed"],
            history_penalty=float(cleaned["history_penalty"]),
        )
        try:
            parameters_check(parameters)
        except Invalid as error:
            self.add_error(error.field if error.field in self.fields else None, error.reason)
            return cleaned
        cleaned["parameters"] = parameters
        return cleaned

    def parameters(self) -> Parameters:
        return self.cleaned_data["parameters"]
