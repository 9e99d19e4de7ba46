"""Formation runs over the API: start, follow, cancel, read the proposal, rerun, publish.
Admins only.

Bounds are documented in the schema and checked by the service (`parameters_check`), so
the API refuses a setting with the same sentence as the start form (422).
"""

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from peergroups.formation import services
from peergroups.formation.criteria import ATTRIBUTES, default_criteria
from peergroups.formation.parameters import (
    HISTORY_PENALTY,
    MIN_GROUP_SIZE,
    MODE_UNPLACED,
    MODES,
    SECONDS,
    SEED_MAX,
    WEIGHT,
    Parameters,
)
from peergroups.formation.selectors import formation_run_for_user, proposal_review
from peergroups.http import error_responses
from peergroups.organizations.access import organization_access
from peergroups.organizations.models import MAX_GROUP_SIZE, GroupingBasis
from peergroups.organizations.selectors import program_for_admin

router = Router(tags=["formation"])


def _bounds(low, high) -> dict:
    return {"json_schema_extra": {"minimum": low, "maximum": high}}


class CriterionIn(Schema):
    attribute: str = Field(description=f"One of: {', '.join(ATTRIBUTES)}")
    mode: str = Field(description="similar or diverse")
    weight: float = Field(**_bounds(*WEIGHT))


class RunIn(Schema):
    mode: str = Field(MODE_UNPLACED, description=f"One of: {', '.join(MODES)}")
    basis: GroupingBasis | None = Field(None, description="Default: the program's basis.")
    criteria: list[CriterionIn] | None = Field(None, description="Default: the basis's criteria.")
    min_size: int | None = Field(None, **_bounds(MIN_GROUP_SIZE, MAX_GROUP_SIZE))
    max_size: int | None = Field(None, **_bounds(MIN_GROUP_SIZE, MAX_GROUP_SIZE))
    open_seats: int | None = Field(
        None,
        description="Seats each group keeps free for late joiners. Default: the program's.",
        **_bounds(0, MAX_GROUP_SIZE - MIN_GROUP_SIZE),
    )
    seconds: float = Field(10, **_bounds(*SECONDS))
    seed: int = Field(1, **_bounds(0, SEED_MAX))
    history_penalty: float = Field(2.0, **_bounds(*HISTORY_PENALTY))


class RemedyOut(Schema):
    remedy: str = Field(description="merge, minimum or set_aside")
    label: str
    key: str = Field(description="What to post to the run's `remedy` route to apply it.")


class DiagnosisOut(Schema):
    segment: str
    people: int
    reason: str
    remedies: list[RemedyOut]


class RemedyIn(Schema):
    remedy: str = Field(max_length=20, description="A remedy's `key` from the run's diagnosis.")


class RunOut(Schema):
    id: int
    program_id: int
    cycle: int
    status: str
    progress: float
    best_objective: float | None
    upper_bound: float | None
    seed: int | None
    iterations: int | None = Field(description="Search steps reached; a rerun repeats them.")
    engine_version: str
    rerun_of_id: int | None
    error: str
    diagnosis: list[DiagnosisOut] = Field(
        description="Why a failed run could not be formed, with one-click remedies."
    )
    publish_progress: float
    publish_error: str
    created_at: datetime
    finished_at: datetime | None
    published_at: datetime | None
    first_meetings_on: date | None = Field(
        None, description="The day the published groups' meetings start from."
    )

    @staticmethod
    def resolve_diagnosis(run) -> list[dict]:
        return [
            {
                **entry,
                "remedies": [
                    {"remedy": c["remedy"], "label": c["label"], "key": f"{e}.{r}"}
                    for r, c in enumerate(entry.get("remedies", ()))
                ],
            }
            for e, entry in enumerate(run.diagnosis or ())
        ]


class ProposedMemberOut(Schema):
    user_id: int
    name: str
    region: str
    industry: str


class ProposedGroupOut(Schema):
    number: int
    score: float
    explanation: str
    size_ok: bool
    conflicts: list[str]
    facilitator_id: int | None
    members: list[ProposedMemberOut]
    first_meeting: date | None = Field(
        None, description="Its first meeting if published now, in the cadence's first period."
    )


class ProposalOut(Schema):
    run: RunOut
    objective: float
    upper_bound: float | None
    random_baseline: float | None
    new_pair_share: float | None
    first_meetings_on: date | None = Field(
        None, description="The day meetings start from if published now (see publish)."
    )
    groups: list[ProposedGroupOut]


@router.post(
    "/organizations/{org_slug}/programs/{program_id}/formation-runs",
    response={201: RunOut, **error_responses(403, 404, 409)},
    url_name="api-formation-start",
)
def run_start(request: HttpRequest, org_slug: str, program_id: int, payload: RunIn):
    """Start a formation run; a worker solves it. Poll the run for its status.

    409 while this program has a run queued or running, or the organization has its
    share of runs active.
    """
    access = organization_access(request.auth, org_slug)
    program = program_for_admin(access=access, program_id=program_id)
    basis = payload.basis or program.grouping_basis
    parameters = Parameters(
        mode=payload.mode,
        basis=basis,
        criteria=[c.dict() for c in payload.criteria]
        if payload.criteria
        else default_criteria(basis),
        min_size=program.min_group_size if payload.min_size is None else payload.min_size,
        max_size=program.max_group_size if payload.max_size is None else payload.max_size,
        open_seats=program.open_seats if payload.open_seats is None else payload.open_seats,
        seconds=payload.seconds,
        seed=payload.seed,
        history_penalty=payload.history_penalty,
    )
    run = services.formation_run_start(
        program=program, acting_user=request.auth, parameters=parameters
    )
    return Status(201, run)


@router.get(
    "/organizations/{org_slug}/formation-runs/{run_id}",
    response={200: RunOut, **error_responses(403, 404)},
    url_name="api-formation-status",
)
def run_status(request: HttpRequest, org_slug: str, run_id: int):
    """Status, progress (0..1), the best score found so far, and what reproduces the run."""
    access = organization_access(request.auth, org_slug)
    return formation_run_for_user(user=request.auth, access=access, run_id=run_id)


@router.get(
    "/organizations/{org_slug}/formation-runs/{run_id}/proposal",
    response={200: ProposalOut, **error_responses(403, 404, 409)},
    url_name="api-formation-proposal",
)
def run_proposal(request: HttpRequest, org_slug: str, run_id: int):
    """The proposed groups with their scores, explanations and constraint checks."""
    access = organization_access(request.auth, org_slug)
    run = formation_run_for_user(user=request.auth, access=access, run_id=run_id)
    review = proposal_review(run)
    return {
        "run": run,
        "objective": review.objective,
        "upper_bound": review.upper_bound,
        "random_baseline": review.random_baseline,
        "new_pair_share": review.new_pair_share,
        "first_meetings_on": review.first_meetings_on,
        "groups": [
            {
                "number": group.index + 1,
                "score": group.score,
                "explanation": group.explanation,
                "size_ok": group.size_ok,
                "conflicts": group.conflicts,
                "facilitator_id": group.facilitator_id,
                "members": group.members,
                "first_meeting": group.first_meeting,
            }
            for group in review.groups
        ],
    }


@router.post(
    "/organizations/{org_slug}/formation-runs/{run_id}/cancel",
    response={200: RunOut, **error_responses(403, 404)},
    url_name="api-formation-cancel",
)
def run_cancel(request: HttpRequest, org_slug: str, run_id: int):
    """Stop a queued or running run (admins): a queued one is cancelled at once, a running
    one at the worker's next progress report (follow `status`). A finished run is left
    as it is."""
    access = organization_access(request.auth, org_slug)
    run = formation_run_for_user(user=request.auth, access=access, run_id=run_id)
    services.formation_run_cancel(run=run, acting_user=request.auth)
    return formation_run_for_user(user=request.auth, access=access, run_id=run_id)


@router.post(
    "/organizations/{org_slug}/formation-runs/{run_id}/rerun",
    response={201: RunOut, **error_responses(403, 404, 409)},
    url_name="api-formation-rerun",
)
def run_rerun(request: HttpRequest, org_slug: str, run_id: int):
    """Repeat a finished run exactly (same people, seed and search steps): the same groups."""
    access = organization_access(request.auth, org_slug)
    run = formation_run_for_user(user=request.auth, access=access, run_id=run_id)
    return Status(201, services.formation_run_rerun(run=run, acting_user=request.auth))


@router.post(
    "/organizations/{org_slug}/formation-runs/{run_id}/remedy",
    response={201: RunOut, **error_responses(403, 404, 409, 422)},
    url_name="api-formation-remedy",
)
def run_remedy(request: HttpRequest, org_slug: str, run_id: int, payload: RemedyIn):
    """Form a failed run again with one of the remedies in its `diagnosis` (by `key`)."""
    access = organization_access(request.auth, org_slug)
    run = formation_run_for_user(user=request.auth, access=access, run_id=run_id)
    new_run = services.formation_run_remedy(
        run=run, acting_user=request.auth, remedy=payload.remedy
    )
    return Status(201, new_run)


@router.post(
    "/organizations/{org_slug}/formation-runs/{run_id}/publish",
    response={202: RunOut, **error_responses(403, 404, 409, 422)},
    url_name="api-formation-publish",
)
def run_publish(
    request: HttpRequest, org_slug: str, run_id: int, first_meetings_on: date | None = None
):
    """Publish the proposal: checked now (409 if it cannot be), then a worker creates
    its groups in one transaction. Follow the run: `status` turns `published`, or back
    to `done` with the reason in `publish_error`. `?first_meetings_on=` (optional): the
    day the groups' meetings start from (default two weeks ahead); each group's first falls in the first period of the
    program's cadence."""
    access = organization_access(request.auth, org_slug)
    run = formation_run_for_user(user=request.auth, access=access, run_id=run_id)
    return Status(
        202,
        services.formation_run_publish_request(
            run=run,
            acting_user=request.auth,
            first_meetings_on=first_meetings_on,
        ),
    )
