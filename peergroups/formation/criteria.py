"""What the engine compares: intake attributes, their kinds, and defaults per grouping basis.

Pure data (no engine import): web pages read it; the task turns it into engine criteria.
"""

import math
from typing import NamedTuple

from django.utils.translation import gettext_lazy

from peergroups.organizations.models import GroupingBasis
from peergroups.people.models import MemberProfile
from peergroups.people.vocabulary import AREA_WORDS, SLOT_WORDS, ManagementLevel

# attribute -> (label, kind)
ATTRIBUTES: dict[str, tuple[str, str]] = {
    "region": (gettext_lazy("Region"), "category"),
    "industry": (gettext_lazy("Industry"), "category"),
    "function": (gettext_lazy("Function"), "category"),
    "management_level": (gettext_lazy("Management level"), "number"),
    "team_size": (gettext_lazy("Team size"), "number"),
    "years_managing": (gettext_lazy("Years managing"), "number"),
    "company_size": (gettext_lazy("Company size"), "category"),
    "company_stage": (gettext_lazy("Company stage"), "category"),
    "expertise": (gettext_lazy("Areas of expertise"), "set"),
    "challenge_topics": (gettext_lazy("Challenge topics"), "set"),
    "availability": (gettext_lazy("Availability"), "set"),
}

DEFAULT_CRITERIA: dict[str, list[tuple[str, str, float]]] = {
    # Grouped by region: the region is a segment no group crosses.
    GroupingBasis.REGION: [
        ("industry", "similar", 2.0),
        ("management_level", "similar", 1.0),
        ("availability", "similar", 2.0),
        ("expertise", "diverse", 2.0),
        ("function", "diverse", 1.0),
    ],
    GroupingBasis.INDUSTRY: [
        ("region", "similar", 2.0),
        ("management_level", "similar", 1.0),
        ("availability", "similar", 2.0),
        ("expertise", "diverse", 2.0),
        ("function", "diverse", 1.0),
    ],
    GroupingBasis.MIXED: [
        ("region", "similar", 3.0),
        ("industry", "similar", 3.0),
        ("management_level", "similar", 1.0),
        ("availability", "similar", 2.0),
        ("expertise", "diverse", 2.0),
    ],
}

SEGMENT_BY_BASIS = {GroupingBasis.REGION: "region", GroupingBasis.INDUSTRY: "industry"}

_LEVEL_RANK = {level: rank for rank, level in enumerate(ManagementLevel.values, start=1)}


def default_criteria(basis: str) -> list[dict]:
    return [
        {"attribute": attribute, "mode": mode, "weight": weight}
        for attribute, mode, weight in DEFAULT_CRITERIA[basis]
    ]


class Measure(NamedTuple):
    """One criterion as the engine reads it (`grouping.Criterion` has the same fields)."""

    attribute: str
    mode: str  # "similar" | "diverse"
    weight: float
    kind: str  # "category" | "number" | "set"


def measures(criteria: list[dict]) -> list[Measure]:
    """The admin's criteria with a weight above 0, with each attribute's kind."""
    return [
        Measure(
            item["attribute"], item["mode"], float(item["weight"]), ATTRIBUTES[item["attribute"]][1]
        )
        for item in criteria
        if float(item["weight"]) > 0
    ]


def worded_measures(criteria: list[dict], basis: str) -> list[Measure]:
    """What a group's explanation names: values in words ("Hiring", "Tue morning").

    Numbers show in the breakdown instead. The segment is a hard rule, not a criterion,
    but it is what the group shares first.
    """
    worded = [m for m in measures(criteria) if m.kind != "number"]
    segment = SEGMENT_BY_BASIS.get(basis)
    if segment and all(m.attribute != segment for m in worded):
        worded.insert(0, Measure(segment, "similar", 1.0, "category"))
    return worded


def program_criteria(program) -> list[dict]:
    """The program's saved criteria, or the defaults of its grouping basis."""
    return program.criteria_weights.get("criteria") or default_criteria(program.grouping_basis)


def profile_attributes(profile: MemberProfile) -> dict:
    """A profile as the engine sees it: plain values, JSON-serialisable for the snapshot."""
    return {
        "region": profile.region.strip(),
        "industry": profile.industry.strip(),
        "function": profile.function.strip().casefold(),
        "management_level": _LEVEL_RANK.get(profile.management_level),
        # Team sizes compare on a log scale: 5 vs 10 differ as much as 50 vs 100.
        "team_size": math.log2(1 + profile.team_size) if profile.team_size is not None else None,
        "years_managing": profile.years_managing,
        "company_size": profile.company_size,
        "company_stage": profile.company_stage,
        "expertise": sorted(profile.expertise),
        "challenge_topics": sorted(profile.challenge_topics),
        "availability": sorted(profile.availability),
    }


def display_attributes(person: dict) -> dict:
    """The same attributes with keys such as "tue-am" turned into words for explanations."""

    def word(value):
        if isinstance(value, list):
            return [word(item) for item in value]
        if isinstance(value, str):
            # English: explanations are stored with the proposal (the words are data here).
            return AREA_WORDS.get(value) or SLOT_WORDS.get(value) or value
        return value

    return {key: word(value) for key, value in person.items()}
