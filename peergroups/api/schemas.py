"""What the API returns; only fields an admin may see on the pages, never a secret."""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from peergroups.http import ID_MAX, ErrorOut  # noqa: F401  (re-exported for the routers)


class OrganizationOut(Schema):
    slug: str
    name: str
    roles: list[str]


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    organizations: list[OrganizationOut]


class PersonOut(Schema):
    id: int
    email: str
    full_name: str


class ProgramRefOut(Schema):
    id: int
    name: str


class MemberOut(Schema):
    """An intake profile as the admin's member list shows it.

    Free-text challenges and goals, conflicts (reports-to, competitors, "not with")
    and availability stay out: they serve group formation, not a directory.
    """

    id: int
    user: PersonOut
    program: ProgramRefOut | None
    region: str
    locale: str
    time_zone: str
    industry: str
    function: str
    management_level: str
    team_size: int | None
    years_managing: int | None
    company: str
    company_size: str
    company_stage: str
    expertise: list[str]
    challenge_topics: list[str]
    goal_topics: list[str]
    intake_complete: bool
    completed_at: datetime | None

    @staticmethod
    def resolve_intake_complete(profile) -> bool:
        return profile.is_complete


# The columns MemberOut reads, for `.only()`: a page of 200 profiles does not load each
# program's settings or the profiles' long texts to leave them out of the answer.
MEMBER_OUT_FIELDS = (
    *("user", "program", "region", "locale", "time_zone", "industry", "function"),
    *("management_level", "team_size", "years_managing", "company", "company_size"),
    *("company_stage", "expertise", "challenge_topics", "goal_topics", "completed_at"),
    *("user__email", "user__full_name", "program__name"),
)


class MemberFilters(Schema):
    q: str = Field("", max_length=200, description="Part of a name, e-mail or company.")
    region: str = Field("", max_length=100)
    industry: str = Field("", max_length=100)
    program: int | None = Field(None, ge=1, le=ID_MAX, description="A program id.")
    intake: Literal["complete", "pending", ""] = Field(
        "", description="`complete`: intake filled in; `pending`: not yet."
    )
