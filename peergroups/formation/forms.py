from django import forms

from peergroups.formation.criteria import ATTRIBUTES, default_criteria
from peergroups.formation.services import MODE_NEW_CYCLE, MODE_UNPLACED, Parameters
from peergroups.organizations.models import GroupingBasis, Program

MODES = [("ignore", "Ignore"), ("similar", "Similar"), ("diverse", "Diverse")]


class FormationStartForm(forms.Form):
    """The run's settings: a criteria table (mode and weight per intake attribute) and limits."""

    mode = forms.ChoiceField(
        label="Who to group",
        choices=[
            (MODE_UNPLACED, "Members not yet in a group"),
            (MODE_NEW_CYCLE, "Everyone, as a new cycle (meet new peers)"),
        ],
        widget=forms.RadioSelect,
        initial=MODE_UNPLACED,
    )
    basis = forms.ChoiceField(label="Groups share their", choices=GroupingBasis.choices)
    min_size = forms.IntegerField(label="Smallest group", min_value=2, max_value=10)
    max_size = forms.IntegerField(label="Largest group", min_value=2, max_value=10)
    seconds = forms.IntegerField(
        label="Time budget (seconds)",
        min_value=1,
        max_value=600,
        initial=10,
        help_text="More time can find a slightly better grouping; 10 s is plenty for a few hundred people.",
    )
    seed = forms.IntegerField(
        label="Random seed",
        min_value=0,
        initial=1,
        help_text="The same seed and settings give the same proposal.",
    )
    history_penalty = forms.FloatField(
        label="Penalty for meeting a past peer again",
        min_value=0,
        max_value=100,
        initial=2.0,
        help_text="Used in a new cycle: higher values favour new peers over other criteria.",
    )

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.fields["basis"].initial = program.grouping_basis
        self.fields["min_size"].initial = program.min_group_size
        self.fields["max_size"].initial = program.max_group_size
        defaults = {
            c["attribute"]: c
            for c in (
                program.criteria_weights.get("criteria") or default_criteria(program.grouping_basis)
            )
        }
        for attribute, (label, _kind) in ATTRIBUTES.items():
            chosen = defaults.get(attribute)
            self.fields[f"mode_{attribute}"] = forms.ChoiceField(
                label=f"{label}: compare as",
                choices=MODES,
                initial=chosen["mode"] if chosen else "ignore",
            )
            self.fields[f"weight_{attribute}"] = forms.FloatField(
                label=f"{label}: weight",
                min_value=0,
                max_value=10,
                initial=chosen["weight"] if chosen else 1.0,
            )

    def criteria_rows(self):
        return [
            (label, self[f"mode_{attribute}"], self[f"weight_{attribute}"])
            for attribute, (label, _kind) in ATTRIBUTES.items()
        ]

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_size"), cleaned.get("max_size")
        if low and high and low > high:
            self.add_error("min_size", "The smallest group cannot be larger than the largest.")
        criteria = [
            {"attribute": a, "mode": cleaned.get(f"mode_{a}"), "weight": cleaned.get(f"weight_{a}")}
            for a in ATTRIBUTES
            if cleaned.get(f"mode_{a}") not in (None, "ignore") and cleaned.get(f"weight_{a}")
        ]
        if not criteria:
            raise forms.ValidationError(
                "Choose at least one attribute to compare, with a weight above 0."
            )
        cleaned["criteria"] = criteria
        return cleaned

    def parameters(self) -> Parameters:
        data = self.cleaned_data
        return Parameters(
            mode=data["mode"],
            basis=data["basis"],
            criteria=data["criteria"],
            min_size=data["min_size"],
            max_size=data["max_size"],
            seconds=float(data["seconds"]),
            seed=data["seed"],
            history_penalty=float(data["history_penalty"]),
        )
