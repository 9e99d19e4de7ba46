"""The people a run groups, as they were when it started, keyed by user id.

Later profile edits must not change a proposal under review, so a run keeps a copy of
everyone's attributes, the pairs kept apart, who met before, and the facilitators with
free capacity. Stored in `FormationRun.snapshot` as JSON (`Snapshot.as_json`).
"""

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from itertools import combinations

from django.db import connection
from django.db.models import Exists, Max, OuterRef

from peergroups.formation import scoring
from peergroups.formation.criteria import ATTRIBUTES, Measure, profile_attributes
from peergroups.formation.models import FormationRun, SnapshotPerson
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.organizations.models import Program, Role
from peergroups.people.conflicts import conflict_pairs
from peergroups.people.models import FacilitatorProfile, FacilitatorStatus, MemberProfile

Pair = tuple[int, int]  # two user ids, the smaller first


_NOT_ATTRIBUTES = ("user_id", "name", "kept_apart", "met")


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    attributes: dict  # `criteria.profile_attributes`: plain JSON values

    @property
    def region(self) -> str:
        return self.attributes.get("region") or ""

    @property
    def industry(self) -> str:
        return self.attributes.get("industry") or ""

    def as_json(self) -> dict:
        return {"user_id": self.user_id, "name": self.name, **self.attributes}

    @classmethod
    def from_json(cls, data: dict) -> "Person":
        attributes = {k: v for k, v in data.items() if k not in _NOT_ATTRIBUTES}
        return cls(user_id=data["user_id"], name=data["name"], attributes=attributes)


@dataclass(frozen=True)
class FacilitatorOption:
    """An approved facilitator and how many more groups they can lead."""

    user_id: int
    name: str
    free: int
    regions: tuple[str, ...] = ()  # casefolded
    industries: tuple[str, ...] = ()  # casefolded
    expertise: tuple[str, ...] = ()

    def as_json(self) -> dict:
        return {
            "user_id": self.user_id,
            "name": self.name,
            "free": self.free,
            "regions": list(self.regions),
            "industries": list(self.industries),
            "expertise": list(self.expertise),
        }

    @classmethod
    def from_json(cls, data: dict) -> "FacilitatorOption":
        return cls(
            user_id=data["user_id"],
            name=data["name"],
            free=data["free"],
            regions=tuple(data.get("regions", ())),
            industries=tuple(data.get("industries", ())),
            expertise=tuple(data.get("expertise", ())),
        )


@dataclass(frozen=True)
class Snapshot:
    people: tuple[Person, ...]  # in user id order
    kept_apart: dict[Pair, str] = field(default_factory=dict)  # pair -> conflicts.* reason
    history: tuple[Pair, ...] = ()  # pairs that met before, once per cycle shared
    facilitators: tuple[FacilitatorOption, ...] = ()
    # Set on a part of a snapshot (`snapshot_part`): the number spans over everyone,
    # which its few people cannot give, and whether anyone at all met before.
    spans: dict[str, float] | None = field(default=None, compare=False)
    any_history: bool | None = field(default=None, compare=False)

    @cached_property
    def person(self) -> dict[int, Person]:
        return {p.user_id: p for p in self.people}

    @cached_property
    def met(self) -> Counter:
        return Counter(self.history)

    @cached_property
    def facilitator(self) -> dict[int, FacilitatorOption]:
        return {f.user_id: f for f in self.facilitators}

    @property
    def has_history(self) -> bool:
        return bool(self.history) if self.any_history is None else self.any_history

    def number_spans(self) -> dict[str, float]:
        """The range of each number attribute over everyone (`scoring.number_spans`)."""
        if self.spans is not None:
            return self.spans
        return number_spans_of(p.attributes for p in self.people)

    def as_json(self) -> dict:
        return {
            "people": [p.as_json() for p in self.people],
            "conflicts": [[a, b, why] for (a, b), why in sorted(self.kept_apart.items())],
            "history": [list(pair) for pair in self.history],
            "facilitators": [f.as_json() for f in self.facilitators],
        }

    @classmethod
    def from_json(cls, data: dict) -> "Snapshot":
        return cls(
            people=tuple(Person.from_json(p) for p in data.get("people", ())),
            kept_apart={(min(a, b), max(a, b)): why for a, b, why in data.get("conflicts", ())},
            history=tuple((min(a, b), max(a, b)) for a, b in data.get("history", ())),
            facilitators=tuple(
                FacilitatorOption.from_json(f) for f in data.get("facilitators", ())
            ),
        )


def pair_history(
    *, program: Program, user_ids: list[int], before_cycle: int
) -> list[tuple[int, int]]:
    """Pairs among `user_ids` that shared a group in an earlier cycle, once per cycle shared."""
    wanted = set(user_ids)
    members_of: dict[int, list[int]] = defaultdict(list)
    for group_id, user_id in GroupMembership.objects.filter(
        program=program, cycle__lt=before_cycle, user_id__in=wanted
    ).values_list("group_id", "user_id"):
        members_of[group_id].append(user_id)
    history = []
    for members in members_of.values():
        history.extend((a, b) for a, b in combinations(sorted(members), 2))
    return history


def current_cycle(program: Program) -> int:
    """The cycle whose groups meet now (0 when none was formed yet)."""
    return PeerGroup.objects.filter(program=program).aggregate(cycle=Max("cycle"))["cycle"] or 0


def waiting_profiles(program: Program, *, cycle: int, everyone: bool = False):
    """Active members of the program with a complete intake (without a group in `cycle`)."""
    profiles = (
        MemberProfile.objects.filter(
            program=program,
            completed_at__isnull=False,
            user__is_active=True,
            user__organization_roles__organization=program.organization,
            user__organization_roles__role=Role.MEMBER,
        )
        .select_related("user")
        .order_by("user_id")
    )
    if not everyone:
        # NOT EXISTS, not NOT IN: PostgreSQL plans an anti join (3x faster at 10,000).
        grouped = GroupMembership.objects.filter(
            program=program, cycle=cycle, user_id=OuterRef("user_id")
        )
        profiles = profiles.filter(~Exists(grouped))
    return profiles


def facilitator_options(program: Program) -> tuple[FacilitatorOption, ...]:
    """Approved facilitators of the organization with free capacity."""
    busy = Counter(
        PeerGroup.objects.filter(
            program__organization=program.organization,
            facilitator__isnull=False,
            closed_at__isnull=True,  # a closed group no longer uses its facilitator's time
        ).values_list("facilitator_id", flat=True)
    )
    options = []
    for profile in FacilitatorProfile.objects.filter(
        organization=program.organization, status=FacilitatorStatus.APPROVED
    ).select_related("user"):
        free = profile.capacity - busy[profile.user_id]
        if free > 0:
            options.append(
                FacilitatorOption(
                    user_id=profile.user_id,
                    name=str(profile.user),
                    free=free,
                    regions=tuple(r.casefold() for r in profile.regions_served),
                    industries=tuple(i.casefold() for i in profile.industries_served),
                    expertise=tuple(profile.expertise),
                )
            )
    return tuple(options)


def snapshot_take(program: Program, *, cycle: int, everyone: bool) -> Snapshot:
    """Everyone this run groups (all members for a new cycle, else the unplaced ones)."""
    profiles = list(waiting_profiles(program, cycle=cycle, everyone=everyone))
    user_ids = [p.user_id for p in profiles]
    return Snapshot(
        people=tuple(
            Person(user_id=p.user_id, name=str(p.user), attributes=profile_attributes(p))
            for p in profiles
        ),
        kept_apart=conflict_pairs(organization=program.organization, user_ids=user_ids),
        history=tuple(pair_history(program=program, user_ids=user_ids, before_cycle=cycle)),
        facilitators=facilitator_options(program),
    )


_NUMBERS = [
    Measure(a, "similar", 1.0, kind) for a, (_, kind) in ATTRIBUTES.items() if kind == "number"
]


def number_spans_of(people: Iterable[dict]) -> dict[str, float]:
    """`scoring.number_spans` of every number attribute the people all have."""
    people = list(people)
    present = [m for m in _NUMBERS if all(m.attribute in p for p in people)]
    return scoring.number_spans(people, present)


def snapshot_facts(snapshot: Snapshot, *, indexed: bool = False) -> dict:
    """`FormationRun.snapshot_facts`: what pages and edits need of the snapshot beyond its
    people; `indexed` once its `SnapshotPerson` rows are written."""
    return {
        "indexed": indexed,
        "people": len(snapshot.people),
        "kept_apart": len(snapshot.kept_apart),
        "spans": snapshot.number_spans(),
        "history": bool(snapshot.history),
        "facilitators": [f.as_json() for f in snapshot.facilitators],
    }


def snapshot_index(run: FormationRun, snapshot: Snapshot) -> dict:
    """Write one `SnapshotPerson` row per person of `run` (replacing any); returns the
    run's `snapshot_facts`, which the caller saves with the run."""
    kept: dict[int, dict[str, str]] = defaultdict(dict)
    for (a, b), why in snapshot.kept_apart.items():
        kept[a][str(b)] = why
        kept[b][str(a)] = why
    met: dict[int, Counter] = defaultdict(Counter)
    for a, b in snapshot.history:
        met[a][str(b)] += 1
        met[b][str(a)] += 1
    SnapshotPerson.objects.filter(run=run).delete()
    rows = (
        (p.user_id, {**p.as_json(), "kept_apart": kept[p.user_id], "met": dict(met[p.user_id])})
        for p in snapshot.people
    )
    if connection.vendor == "postgresql":
        # COPY: bulk_create's UNNEST path sends the JSON as one jsonb[] literal that
        # psycopg escapes quote by quote (3 of 4 CPU seconds at 10,000 people).
        table = SnapshotPerson._meta.db_table
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f'COPY "{table}" (run_id, user_id, data) FROM STDIN') as copy,
        ):
            for user_id, data in rows:
                copy.write_row((run.pk, user_id, json.dumps(data)))
    else:
        SnapshotPerson.objects.bulk_create(
            (SnapshotPerson(run=run, user_id=user_id, data=data) for user_id, data in rows),
            batch_size=2000,
        )
    return snapshot_facts(snapshot, indexed=True)


def snapshot_part(run: FormationRun, user_ids: Iterable[int] | None) -> Snapshot:
    """The run's snapshot as far as these people go: them, the pairs among them kept
    apart or met before, the facilitators and the spans over everyone.

    Reads their `SnapshotPerson` rows when the run is indexed (a few rows, however
    large the run), else the whole snapshot (a run from before the index). None: everyone.
    """
    facts = run.snapshot_facts
    if not facts.get("indexed"):
        return Snapshot.from_json(run.snapshot)
    rows = SnapshotPerson.objects.filter(run=run)
    wanted = None
    if user_ids is not None:
        wanted = set(user_ids)
        rows = rows.filter(user_id__in=wanted)
    people, kept_apart, history = [], {}, []
    for data in rows.values_list("data", flat=True):
        user_id = data["user_id"]
        for other, why in data.get("kept_apart", {}).items():
            other = int(other)
            if wanted is None or other in wanted:
                kept_apart[(min(user_id, other), max(user_id, other))] = why
        for other, times in data.get("met", {}).items():
            other = int(other)
            if (wanted is None or other in wanted) and user_id < other:
                history.extend([(user_id, other)] * times)
        people.append(Person.from_json(data))
    return Snapshot(
        people=tuple(sorted(people, key=lambda p: p.user_id)),
        kept_apart=kept_apart,
        history=tuple(sorted(history)),
        facilitators=tuple(FacilitatorOption.from_json(f) for f in facts["facilitators"]),
        spans=facts["spans"],
        any_history=facts["history"],
    )
