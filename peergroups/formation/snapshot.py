"""The people a run groups, as they were when it started, keyed by user id.

Later profile edits must not change a proposal under review, so a run keeps a copy of
everyone's attributes, the pairs kept apart, who met before, and the facilitators with
free capacity. Stored in `FormationRun.snapshot` as JSON (`Snapshot.as_json`).
"""

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Exists, Max, OuterRef

from peergroups.formation.conflicts import conflict_pairs, pair_history
from peergroups.formation.criteria import profile_attributes
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.organizations.models import Program, Role
from peergroups.people.models import FacilitatorProfile, FacilitatorStatus, MemberProfile

Pair = tuple[int, int]  # two user ids, the smaller first


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
        attributes = {k: v for k, v in data.items() if k not in ("user_id", "name")}
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

    @cached_property
    def person(self) -> dict[int, Person]:
        return {p.user_id: p for p in self.people}

    @cached_property
    def met(self) -> Counter:
        return Counter(self.history)

    @cached_property
    def facilitator(self) -> dict[int, FacilitatorOption]:
        return {f.user_id: f for f in self.facilitators}

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
