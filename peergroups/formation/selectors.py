"""Reads for formation pages, the API and services: the run as its admin sees it.

`formation_run_for_user` is the one way to a run. Nothing here loads the engine: the
proposal carries the engine's figures, and `proposal_review` only reads them (a run
migrated from before they were stored is scored with `formation.scoring`).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import combinations

from django.utils.translation import gettext

from peergroups.accounts.models import User
from peergroups.errors import Conflict, NotFound, Refused
from peergroups.formation.criteria import ATTRIBUTES, SEGMENT_BY_BASIS, measures
from peergroups.formation.models import FormationRun
from peergroups.formation.naming import group_name_suggest
from peergroups.formation.parameters import Parameters
from peergroups.formation.proposal import (
    Proposal,
    Violation,
    group_figured,
    group_violations,
)
from peergroups.formation.snapshot import (
    Person,
    Snapshot,
    current_cycle,
    snapshot_part,
    waiting_profiles,
)
from peergroups.formats import in_sentence
from peergroups.meetings.services import first_meeting_preview, first_meetings_default
from peergroups.organizations.access import OrgAccess
from peergroups.organizations.models import (
    GroupingBasis,
    Organization,
    OrganizationRole,
    Program,
    Role,
)
from peergroups.people.models import MemberProfile
from peergroups.people.vocabulary import AREA_LABELS, AREA_WORDS, AVAILABILITY_SLOTS, SLOT_WORDS


def require_admin(user: User | None, organization: Organization) -> None:
    """Refuse anyone but an admin of `organization` (None is the system: commands, tests)."""
    if user is None:
        return
    if not OrganizationRole.objects.filter(
        user=user, organization=organization, role=Role.ADMIN
    ).exists():
        raise Refused(gettext("Only the organization's admins run group formation."))


def formation_run_for_user(*, user: User, access: OrgAccess, run_id: int) -> FormationRun:
    """The run, for an admin of its organization; NotFound for another organization's id."""
    access.require(Role.ADMIN)
    run = (
        FormationRun.objects.select_related("program", "organization", "published_by")
        # The JSON of a large run is megabytes: read only when a caller uses it (the
        # edits lock and read the row again anyway).
        .defer("snapshot", "snapshot_facts", "proposal", "undo_stack")
        .filter(organization=access.organization, pk=run_id)
        .first()
    )
    if run is None:
        raise NotFound(gettext("No such formation run."))
    return run


def unplaced_members(
    program: Program, *, limit: int | None = None, cycle: int | None = None
) -> list[MemberProfile]:
    """Members of the program with a complete intake and no group in the current cycle
    (the first `limit` of them, when given). `cycle`: current_cycle(program), if known."""
    cycle = current_cycle(program) if cycle is None else cycle
    # Who they are and where they come from, as the program page lists them: not the
    # intake's long texts and lists.
    profiles = waiting_profiles(program, cycle=max(cycle, 1)).only(
        *("user", "region", "industry", "user__full_name", "user__email")
    )
    return list(profiles if limit is None else profiles[:limit])


def unplaced_count(program: Program, *, cycle: int | None = None) -> int:
    cycle = current_cycle(program) if cycle is None else cycle
    return waiting_profiles(program, cycle=max(cycle, 1)).count()


def placement_candidate(*, access: OrgAccess, program: Program, user_id: int) -> User:
    """A member of `program` (in the viewer's organization) an admin may place in a group."""
    access.require(Role.ADMIN)
    member = User.objects.filter(
        pk=user_id,
        member_profiles__program=program,
        member_profiles__organization=access.organization,
    ).first()
    if member is None:
        raise NotFound(gettext("No such member in this program."))
    return member


@dataclass
class GroupReview:
    index: int
    members: list[Person]
    score: float
    explanation: str
    breakdown: list[tuple[str, str, float]]  # (label, mode, 0..1)
    violations: list[Violation]
    facilitator_id: int | None
    facilitator_name: str
    new_pairs: int
    pairs: int
    segment: str = ""
    first_meeting: date | None = None  # from the day the meetings start, before publish

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def suggested_name(self) -> str:
        """The name publish gives the group ("Boston · Biotech"), before de-duplication."""
        return group_name_suggest(person.attributes for person in self.members)

    @property
    def size_ok(self) -> bool:
        return all(v.kind != "size" for v in self.violations)

    @property
    def rule_breaks(self) -> list[str]:
        """Sentences for the rules other than size that this group breaks."""
        return [v.sentence for v in self.violations if v.kind != "size"]

    @property
    def conflicts(self) -> list[str]:
        """Pairs kept apart that share this group (a private declaration stays unnamed)."""
        return [v.sentence for v in self.violations if v.kind == "kept_apart"]


@dataclass
class ProposalReview:
    groups: list[GroupReview]
    objective: float
    upper_bound: float | None
    random_baseline: float | None
    new_pair_share: float | None
    facilitators: list = field(default_factory=list)
    first_meetings_on: date | None = None  # the day meetings start from if published now

    @property
    def all_ok(self) -> bool:
        return all(g.ok for g in self.groups)


def proposal_review(run: FormationRun, *, detailed: Iterable[int] | None = None) -> ProposalReview:
    """Each proposed group with its score, explanation and the rules it breaks, if any.

    `detailed`: the groups whose members are read (the page shown); the others carry
    their figures only. None: all of them. A proposal that keeps each group's rule
    check and new pairs (`proposal.group_figured`) of an indexed run reads only the
    snapshot rows of those members; an older one is checked against the whole snapshot.
    """
    if not run.proposal:
        raise Conflict(
            gettext("No proposal: the run is %(status)s.")
            % {"status": in_sentence(run.get_status_display())}
        )
    parameters = Parameters.from_json(run.parameters)
    proposal = Proposal.from_json(run.proposal)
    groups = proposal.groups
    wanted = set(range(len(groups)) if detailed is None else detailed)
    stored = bool(run.snapshot_facts.get("indexed")) and all(
        g.violations is not None and g.new_pairs is not None and g.score is not None for g in groups
    )
    if stored:
        snapshot = snapshot_part(
            run,
            None
            if detailed is None
            else (u for g in wanted if 0 <= g < len(groups) for u in groups[g].members),
        )
    else:
        snapshot = Snapshot.from_json(run.snapshot)
        groups = tuple(
            group_figured(snapshot=snapshot, parameters=parameters, index=g, group=group)
            if group.score is None
            else replace(
                group,
                violations=tuple(
                    group_violations(
                        snapshot=snapshot, parameters=parameters, index=g, members=group.members
                    )
                ),
                new_pairs=sum(
                    pair not in snapshot.met for pair in combinations(sorted(group.members), 2)
                ),
            )
            for g, group in enumerate(groups)
        )
    criteria = measures(parameters.criteria)
    segment = SEGMENT_BY_BASIS.get(parameters.basis)
    # Before publishing the admin sees each group's first meeting (it falls in the first
    # period of the program's cadence) and may choose another day to start from.
    starts_on = run.first_meetings_on or first_meetings_default(program=run.program)
    reviews = []
    total_pairs = total_new = 0
    for g, group in enumerate(groups):
        members = [snapshot.person[u] for u in group.members] if g in wanted else []
        size = len(group.members)
        pairs = size * (size - 1) // 2
        facilitator = snapshot.facilitator.get(group.facilitator_id)
        reviews.append(
            GroupReview(
                index=g,
                members=members,
                score=group.score,
                explanation=explanation_in_words(group.explanation or ""),
                breakdown=[
                    (ATTRIBUTES[m.attribute][0], m.mode, group.breakdown.get(m.attribute, 0.0))
                    for m in criteria
                ],
                violations=list(group.violations),
                facilitator_id=group.facilitator_id,
                facilitator_name=facilitator.name if facilitator else "",
                new_pairs=group.new_pairs,
                pairs=pairs,
                segment=members[0].attributes[segment] if segment and members else "",
                first_meeting=first_meeting_preview(
                    program=run.program,
                    availabilities=[m.attributes.get("availability") or [] for m in members],
                    starts_on=starts_on,
                )
                if members
                else None,
            )
        )
        total_pairs += pairs
        total_new += group.new_pairs
    return ProposalReview(
        groups=reviews,
        objective=sum(r.score for r in reviews),
        upper_bound=run.upper_bound,
        random_baseline=run.baselines.get("random"),
        new_pair_share=(total_new / total_pairs) if snapshot.has_history and total_pairs else None,
        facilitators=list(snapshot.facilitators),
        first_meetings_on=starts_on,
    )


_MORE = re.compile(r" \(\+(\d+) more\)$")


def explanation_in_words(text: str) -> str:
    """A group's explanation in the reader's language. The engine (no Django) and the
    scoring that mirrors it write "shares: Boston, Hiring (4/6); brings: Finance (+2 more)"
    in English, stored with the proposal; here, at the edge, the frame words and the
    vocabulary's words are translated. Other values (a region, an industry) are the
    organization's own words and stay as they are."""
    if not text:
        return text
    if text == "no criteria":
        return gettext("no criteria")
    words = {word: AREA_LABELS[key] for key, word in AREA_WORDS.items()}
    words.update({SLOT_WORDS[key]: label for key, label in AVAILABILITY_SLOTS})
    frames = {"shares": gettext("shares: %(items)s"), "brings": gettext("brings: %(items)s")}
    parts = []
    for part in text.split("; "):
        head, colon, listed = part.partition(": ")
        if head not in frames or not colon:
            parts.append(part)
            continue
        more = _MORE.search(listed)
        if more:
            listed = listed[: more.start()]
        items = []
        for item in listed.split(", "):
            word, space, share = item.partition(" (")
            items.append(str(words.get(word, word)) + space + share)
        listed = ", ".join(items)
        if more:
            listed += " " + gettext("(+%(count)s more)") % {"count": more[1]}
        parts.append(frames[head] % {"items": listed})
    return "; ".join(parts)


def formation_in_words(parameters: Parameters) -> str:
    """How a run formed its groups, as the program page says it: the basis, the sizes,
    what was compared and any remedy ("by industry, Automotive and Retail merged")."""
    basis = in_sentence(GroupingBasis(parameters.basis).label)
    parts = [
        basis,
        gettext("groups of %(smallest)s–%(largest)s")
        % {"smallest": parameters.min_size, "largest": parameters.max_size},
    ]
    modes = {"similar": gettext("similar"), "diverse": gettext("diverse")}
    compared = [
        f"{in_sentence(ATTRIBUTES[c['attribute']][0])} {modes.get(c['mode'], c['mode'])} "
        f"×{float(c['weight']):g}"
        for c in parameters.criteria
        if float(c["weight"]) > 0
    ]
    if compared:
        parts.append(gettext("comparing %(criteria)s") % {"criteria": ", ".join(compared)})
    if parameters.merge_segments:
        parts.append(
            gettext("mixed groups for %(segments)s")
            % {"segments": ", ".join(parameters.merge_segments)}
        )
    if parameters.set_aside_segments:
        parts.append(
            gettext("%(segments)s left to place later")
            % {"segments": ", ".join(parameters.set_aside_segments)}
        )
    return "; ".join(parts)


def published_formations(program) -> list[dict]:
    """How each cycle's published groups of the program were formed (newest first): the
    run's own settings, which may differ from the program's."""
    runs = (
        FormationRun.objects.filter(program=program, published_at__isnull=False)
        .select_related("organization")
        .only("pk", "cycle", "published_at", "parameters", "organization__slug")
        .order_by("-published_at")[:5]
    )
    return [
        {
            "run": run,
            "cycle": run.cycle,
            "published_at": run.published_at,
            "words": formation_in_words(Parameters.from_json(run.parameters)),
        }
        for run in runs
    ]
