"""A run's proposal: groups of user ids with their figures, and the rules a group must keep.

Stored in `FormationRun.proposal` as JSON (`Proposal.as_json`). The task fills each
group's score, breakdown and explanation with the engine's own figures; edits
recompute the groups they touch with `formation.scoring` (equal to the engine's).

`group_violations` is the check the engine's `grouping.checks.violations` makes (size
bounds, pairs kept apart, one segment per group), over user ids and in sentences an
admin reads; `tests/test_proposal.py` holds the two to the same verdicts. The review
page, every edit and publish use it.
"""

from dataclasses import dataclass, field, replace
from itertools import combinations
from typing import NamedTuple

from django.utils.translation import gettext, ngettext

from peergroups.formation import scoring
from peergroups.formation.criteria import (
    ATTRIBUTES,
    SEGMENT_BY_BASIS,
    display_attributes,
    measures,
    worded_measures,
)
from peergroups.formation.parameters import Parameters
from peergroups.formation.snapshot import Snapshot
from peergroups.formats import in_sentence
from peergroups.people.conflicts import kept_apart_sentence


@dataclass(frozen=True)
class ProposedGroup:
    members: tuple[int, ...]  # user ids
    facilitator_id: int | None = None
    score: float | None = None
    breakdown: dict[str, float] = field(default_factory=dict)  # attribute -> 0..1
    explanation: str | None = None
    # The rules the group breaks and its pairs that never met, kept with the group
    # (`group_figured`) so that the review page needs no snapshot; None on a group
    # stored before they were.
    violations: tuple["Violation", ...] | None = None
    new_pairs: int | None = None

    def as_json(self) -> dict:
        data = {
            "members": list(self.members),
            "facilitator_id": self.facilitator_id,
            "score": self.score,
            "breakdown": self.breakdown,
            "explanation": self.explanation,
        }
        if self.violations is not None:
            data["violations"] = [list(v) for v in self.violations]
        if self.new_pairs is not None:
            data["new_pairs"] = self.new_pairs
        return data

    @classmethod
    def from_json(cls, data: dict) -> "ProposedGroup":
        return cls(
            members=tuple(data["members"]),
            facilitator_id=data.get("facilitator_id"),
            score=data.get("score"),
            breakdown=data.get("breakdown") or {},
            explanation=data.get("explanation"),
            violations=None
            if data.get("violations") is None
            else tuple(Violation(*v) for v in data["violations"]),
            new_pairs=data.get("new_pairs"),
        )


@dataclass(frozen=True)
class Proposal:
    groups: tuple[ProposedGroup, ...]

    def where(self) -> dict[int, int]:
        """Group index of each user id."""
        return {u: g for g, group in enumerate(self.groups) for u in group.members}

    def with_group(self, index: int, group: ProposedGroup) -> "Proposal":
        groups = list(self.groups)
        groups[index] = group
        return Proposal(groups=tuple(groups))

    def as_json(self) -> dict:
        return {"groups": [g.as_json() for g in self.groups]}

    @classmethod
    def from_json(cls, data: dict) -> "Proposal":
        return cls(groups=tuple(ProposedGroup.from_json(g) for g in data.get("groups", ())))


class Violation(NamedTuple):
    kind: str  # "size" | "kept_apart" | "segment"
    sentence: str


def group_violations(
    *, snapshot: Snapshot, parameters: Parameters, index: int, members: tuple[int, ...]
) -> list[Violation]:
    """Every rule group number `index + 1` breaks with these members, in plain words."""
    out = []
    low, high = parameters.min_size, parameters.fill_size
    if not low <= len(members) <= high:
        out.append(
            Violation(
                "size",
                ngettext(
                    "Group %(number)s would have %(count)s member: groups of this run have "
                    "%(low)s to %(high)s.",
                    "Group %(number)s would have %(count)s members: groups of this run have "
                    "%(low)s to %(high)s.",
                    len(members),
                )
                % {"number": index + 1, "count": len(members), "low": low, "high": high},
            )
        )
    person = snapshot.person
    for a, b in combinations(sorted(members), 2):
        reason = snapshot.kept_apart.get((a, b))
        if reason:
            out.append(
                Violation("kept_apart", kept_apart_sentence(person[a].name, person[b].name, reason))
            )
    segment = SEGMENT_BY_BASIS.get(parameters.basis)
    if segment and members:
        first = person[members[0]]
        for other in members[1:]:
            # People of merged segments share the mixed one (a remedy the admin chose).
            if parameters.segment_of(person[other].attributes) != parameters.segment_of(
                first.attributes
            ):
                none = gettext("none")
                out.append(
                    Violation(
                        "segment",
                        gettext(
                            "Groups of this run stay within one %(attribute)s: %(person)s is in "
                            "%(value)s, %(other)s in %(other_value)s."
                        )
                        % {
                            "attribute": in_sentence(ATTRIBUTES[segment][0]),
                            "person": person[other].name,
                            "value": person[other].attributes[segment] or none,
                            "other": first.name,
                            "other_value": first.attributes[segment] or none,
                        },
                    )
                )
                break
    return out


def group_refigured(
    *, snapshot: Snapshot, parameters: Parameters, group: ProposedGroup
) -> ProposedGroup:
    """The group with its score, breakdown and explanation computed for its members now."""
    criteria = measures(parameters.criteria)
    attributes = [snapshot.person[u].attributes for u in group.members]
    spans = snapshot.number_spans()
    met = sum(snapshot.met[pair] for pair in combinations(sorted(group.members), 2))
    worded = worded_measures(parameters.criteria, parameters.basis)
    return replace(
        group,
        score=scoring.group_score(
            attributes, criteria, spans, met=met, history_penalty=parameters.history_penalty
        ),
        breakdown=scoring.breakdown(attributes, criteria),
        explanation=scoring.explanation([display_attributes(p) for p in attributes], worded)
        if worded
        else "",
    )


def group_figured(
    *, snapshot: Snapshot, parameters: Parameters, index: int, group: ProposedGroup
) -> ProposedGroup:
    """`group_refigured`, with the rules group number `index + 1` breaks and its new pairs."""
    met = snapshot.met
    return replace(
        group_refigured(snapshot=snapshot, parameters=parameters, group=group),
        violations=tuple(
            group_violations(
                snapshot=snapshot, parameters=parameters, index=index, members=group.members
            )
        ),
        new_pairs=sum(pair not in met for pair in combinations(sorted(group.members), 2)),
    )
