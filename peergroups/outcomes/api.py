"""JSON API for outcomes: a member's own baseline and pulses, a group's health for its
facilitator, the program outcomes for admins. The same selectors and services as the
pages decide access and bounds; errors are mapped by peergroups.http.
"""

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from peergroups.http import ID_MAX, error_responses
from peergroups.meetings.selectors import group_agreement_for_user
from peergroups.organizations.access import organization_access
from peergroups.organizations.models import Role
from peergroups.outcomes import selectors, services
from peergroups.outcomes.models import HOURS, MARGIN_PERCENT, NOTE_MAX_LENGTH, SCALE, MarginTrend

router = Router(tags=["outcomes"])

ORG = "/organizations/{org_slug}"


class AnswersIn(Schema):
    hours_per_week: int = Field(ge=HOURS.low, le=HOURS.high)
    productivity: int = Field(ge=SCALE.low, le=SCALE.high)
    margin_trend: MarginTrend
    goal_confidence: int = Field(ge=SCALE.low, le=SCALE.high)
    margin_percent: Decimal | None = Field(
        None, ge=MARGIN_PERCENT.low, le=MARGIN_PERCENT.high, max_digits=4, decimal_places=1
    )


class PulseIn(AnswersIn):
    meeting_value: int | None = Field(None, ge=SCALE.low, le=SCALE.high)
    note: str = Field("", max_length=NOTE_MAX_LENGTH)


class BaselineOut(Schema):
    hours_per_week: int | None
    productivity: int | None
    margin_trend: int | None
    margin_percent: Decimal | None
    goal_confidence: int | None
    recorded_at: datetime


class PulseOut(Schema):
    month: date
    answered_at: datetime | None
    hours_per_week: int | None
    productivity: int | None
    margin_trend: int | None
    margin_percent: Decimal | None
    goal_confidence: int | None
    meeting_value: int | None
    note: str


class MyOutcomesOut(Schema):
    baseline: BaselineOut | None
    pulses: list[PulseOut]


class FigureOut(Schema):
    """An aggregate: value and people are null when hidden, and `hidden` says why."""

    value: float | list[float] | None
    people: int | None = Field(
        description="Always null: an exact count that goes up by one tells who just "
        "answered; `people_band` says how many."
    )
    people_band: str = Field("", description='How many people, as a band: "5–9".')
    hidden: str


class HealthMonthOut(Schema):
    month: date
    figure: FigureOut


class HealthMeasureOut(Schema):
    key: str
    label: str
    flag: bool
    months: list[HealthMonthOut]


class GroupHealthOut(Schema):
    group_id: int
    measures: list[HealthMeasureOut]


class OutcomeRowOut(Schema):
    label: str
    program_id: int | None
    cycle: int | None
    figures: dict[str, FigureOut]


class ProgramOutcomesOut(Schema):
    since: date = Field(description="The first day of the first closed month covered.")
    until: date = Field(
        description="The last day covered: the end of the last closed month. The open "
        "month is never counted, so a figure does not move with one new answer."
    )
    minimum_people: int
    rows: list[OutcomeRowOut]


class OutcomeFiltersIn(Schema):
    program: int | None = Field(None, ge=1, le=ID_MAX)
    cycle: int | None = Field(None, ge=0, le=ID_MAX)


def _figure(figure) -> dict:
    value = figure.value
    if isinstance(value, tuple):
        value = list(value)
    elif value is not None and not isinstance(value, bool):
        value = float(value)
    return {
        "value": value,
        "people": figure.people,
        "people_band": figure.people_band,
        "hidden": str(figure.hidden),
    }


def _banded(figure) -> dict:
    """A figure shown to a facilitator: people as a band, never the exact count."""
    return {**_figure(figure), "people": None}


def _answers(payload: AnswersIn) -> services.Answers:
    return services.Answers(
        hours_per_week=payload.hours_per_week,
        productivity=payload.productivity,
        margin_trend=int(payload.margin_trend),
        goal_confidence=payload.goal_confidence,
        margin_percent=payload.margin_percent,
    )


@router.get(
    ORG + "/outcomes/me",
    response={200: MyOutcomesOut, **error_responses(403, 404)},
    url_name="api-outcomes-me",
)
def my_outcomes(request: HttpRequest, org_slug: str):
    """The caller's own baseline and pulses of the last 12 months (notes included:
    they are the caller's). Members only."""
    access = organization_access(request.auth, org_slug)
    access.require(Role.MEMBER)
    baseline = selectors.baseline_of(user=request.auth, organization=access.organization)
    pulses = selectors.pulses_of(user=request.auth, organization=access.organization)
    return {"baseline": baseline, "pulses": pulses}


@router.post(
    ORG + "/outcomes/me/baseline",
    response={201: BaselineOut, **error_responses(403, 404, 409)},
    url_name="api-outcomes-baseline",
)
def baseline_create(request: HttpRequest, org_slug: str, payload: AnswersIn):
    """Record the caller's baseline, once (409 when it exists)."""
    access = organization_access(request.auth, org_slug)
    access.require(Role.MEMBER)
    baseline = services.baseline_record(
        organization=access.organization, user=request.auth, answers=_answers(payload)
    )
    return Status(201, baseline)


@router.post(
    ORG + "/outcomes/me/pulse",
    response={201: PulseOut, **error_responses(403, 404, 409)},
    url_name="api-outcomes-pulse",
)
def pulse_answer(request: HttpRequest, org_slug: str, payload: PulseIn):
    """Answer this month's pulse (the caller's time zone decides the month); once.
    Members of an active group only (403 otherwise); 409 when answered already."""
    access = organization_access(request.auth, org_slug)
    access.require(Role.MEMBER)
    group = selectors.active_group(user=request.auth, organization=access.organization)
    zone = selectors.member_zone(user=request.auth, organization=access.organization, group=group)
    answers = services.PulseAnswers(
        **_answers(payload).__dict__, meeting_value=payload.meeting_value, note=payload.note
    )
    pulse = services.pulse_answer_current(
        organization=access.organization, user=request.auth, answers=answers, group=group, zone=zone
    )
    return Status(201, pulse)


@router.get(
    ORG + "/groups/{group_id}/health",
    response={200: GroupHealthOut, **error_responses(403, 404)},
    url_name="api-outcomes-group-health",
)
def group_health(request: HttpRequest, org_slug: str, group_id: int):
    """The group's health by month (each figure over 5+ people) and its flags. The
    group's facilitator only. A month is shown once it is over, from what was recorded
    before it ended, and people as a band, so no figure moves with one new answer."""
    access = organization_access(request.auth, org_slug)
    ctx = group_agreement_for_user(user=request.auth, access=access, group_id=group_id)
    health = selectors.group_health(ctx=ctx)
    return {
        "group_id": ctx.group.pk,
        "measures": [
            {
                "key": m["key"],
                "label": m["label"],
                "flag": m["flag"],
                "months": [
                    {"month": cell["month"], "figure": _banded(cell["figure"])}
                    for cell in m["months"]
                ],
            }
            for m in health["measures"]
        ],
    }


@router.get(
    ORG + "/outcomes",
    response={200: ProgramOutcomesOut, **error_responses(403, 404)},
    url_name="api-outcomes-program",
)
def program_outcomes(request: HttpRequest, org_slug: str, filters: Query[OutcomeFiltersIn]):
    """Outcomes per program and cycle, as on the Program outcomes page: aggregates only,
    each over 5+ distinct people with complementary suppression. `program` (and then
    `cycle`) select rows of the organization's table. Only closed months count, from
    what was recorded before the open month began; people come as bands. Admins only."""
    access = organization_access(request.auth, org_slug)
    access.require(Role.ADMIN)
    result = selectors.program_outcomes(
        access=access,
        filters=selectors.OutcomeFilters(program_id=filters.program, cycle=filters.cycle),
    )
    return {
        "since": result["since"],
        "until": result["until"],
        "minimum_people": selectors.aggregates.MIN_PEOPLE,
        "rows": [
            {
                "label": row["label"],
                "program_id": row["program_id"],
                "cycle": row["cycle"],
                "figures": {key: _banded(figure) for key, figure in row["cells"].items()},
            }
            for row in result["rows"]
        ],
    }
