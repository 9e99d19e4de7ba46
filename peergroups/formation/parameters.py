"""What an admin asks a formation run for, with its bounds, defined once.

The start form, the API schema and the service read the bounds from here; the service
checks them (`parameters_check`) and its sentences are what the form and the API show.
"""

from dataclasses import asdict, dataclass

from django.utils.translation import gettext

from peergroups.errors import Invalid
from peergroups.formation.criteria import ATTRIBUTES, SEGMENT_BY_BASIS
from peergroups.groupsize import MAX_GROUP_SIZE as MAX_GROUP_SIZE
from peergroups.groupsize import MIN_GROUP_SIZE as MIN_GROUP_SIZE
from peergroups.groupsize import group_size_check
from peergroups.organizations.models import GroupingBasis

# Engine runs take minutes of CPU, so they have their own queue (and worker): e-mail and
# reminders on the default queue never wait behind them.
FORMATION_QUEUE = "formation"

MODE_UNPLACED = "unplaced"
MODE_NEW_CYCLE = "new_cycle"
MODES = (MODE_UNPLACED, MODE_NEW_CYCLE)
CRITERION_MODES = ("similar", "diverse")

SECONDS = (1, 600)
WEIGHT = (0, 10)
HISTORY_PENALTY = (0, 100)
SEED_MAX = 2**31 - 1

# The segment a run forms from the people of `merge_segments` together (a remedy for
# segments too small to form a group of their own).
MIXED_SEGMENT = "Mixed"  # a segment label in the snapshot (data), not translated
NO_SEGMENT = "—"  # people without a value for the segment's attribute

# At most one run per program at a time, and this many per organization: a run holds a
# worker of the formation queue for up to SECONDS[1], so one organization cannot take
# every formation worker of the site.
ACTIVE_RUNS_PER_ORGANIZATION = 2


@dataclass(frozen=True)
class Parameters:
    """A run's settings. `open_seats` seats per group stay free for late joiners.

    `max_iterations` is set only by "rerun exactly": the search then stops after that
    many steps (per segment, a list, when the run has segments) instead of after
    `seconds`, so the same seed repeats the same search.
    """

    mode: str
    basis: str
    criteria: list[dict]
    min_size: int
    max_size: int
    seconds: float
    seed: int
    history_penalty: float
    open_seats: int = 0
    max_iterations: int | list[int] | None = None
    # Remedies of a run that could not be formed (`formation.diagnosis`): segments whose
    # people form mixed groups together, and segments left out of this run, their people
    # placed later.
    merge_segments: tuple[str, ...] = ()
    set_aside_segments: tuple[str, ...] = ()

    @property
    def segment(self) -> str | None:
        """The attribute no group of this run crosses (region, industry), or None."""
        return SEGMENT_BY_BASIS.get(self.basis)

    def segment_of(self, attributes: dict) -> str:
        """The segment a person is grouped in: their value, or the mixed segment."""
        label = attributes.get(self.segment) or NO_SEGMENT
        return MIXED_SEGMENT if label in self.merge_segments else label

    @property
    def fill_size(self) -> int:
        """The largest group this run forms: the size bound less the open seats."""
        return self.max_size - self.open_seats

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Parameters":
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        for name in ("merge_segments", "set_aside_segments"):
            if name in known:
                known[name] = tuple(known[name])
        return cls(**known)


def parameters_check(parameters: Parameters) -> None:
    """Raise `Invalid` (naming the field) for the first setting out of bounds."""
    p = parameters
    if p.mode not in MODES:
        raise Invalid(gettext("Choose whom to group."), field="mode")
    if p.basis not in GroupingBasis.values:
        raise Invalid(gettext("Choose what the groups share."), field="basis")
    group_size_check(
        smallest=p.min_size,
        largest=p.max_size,
        open_seats=p.open_seats,
        fields=("min_size", "max_size", "open_seats"),
    )
    if not SECONDS[0] <= p.seconds <= SECONDS[1]:
        raise Invalid(
            gettext("The time budget is between %(low)s and %(high)s seconds.")
            % {"low": SECONDS[0], "high": SECONDS[1]},
            field="seconds",
        )
    if not 0 <= p.seed <= SEED_MAX:
        raise Invalid(
            gettext("The seed is a whole number from 0 to %(seed_max)s.") % {"seed_max": SEED_MAX},
            field="seed",
        )
    if not HISTORY_PENALTY[0] <= p.history_penalty <= HISTORY_PENALTY[1]:
        raise Invalid(
            gettext("The penalty is between %(low)s and %(high)s.")
            % {"low": HISTORY_PENALTY[0], "high": HISTORY_PENALTY[1]},
            field="history_penalty",
        )
    unknown = sorted({str(c.get("attribute")) for c in p.criteria} - ATTRIBUTES.keys())
    if unknown:
        raise Invalid(
            gettext("Unknown attribute(s): %(items)s.") % {"items": ", ".join(unknown)},
            field="criteria",
        )
    for criterion in p.criteria:
        if criterion.get("mode") not in CRITERION_MODES:
            raise Invalid(
                gettext("Compare each attribute as similar or diverse."), field="criteria"
            )
        if not WEIGHT[0] <= float(criterion.get("weight", -1)) <= WEIGHT[1]:
            raise Invalid(
                gettext("Weights are between %(low)s and %(high)s.")
                % {"low": WEIGHT[0], "high": WEIGHT[1]},
                field="criteria",
            )
    if not any(float(c["weight"]) > 0 for c in p.criteria):
        raise Invalid(
            gettext("Choose at least one attribute to compare, with a weight above 0."),
            field="criteria",
        )
