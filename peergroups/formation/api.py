"""Formation runs over the API: start, follow, read the proposal, publish. Program admins only."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from peergroups.api.schemas import ErrorOut
from peergroups.formation import services
from peergroups.formation.criteria import ATTRIBUTES, default_criteria
from peergroups.formation.selectors import proposal_review, run_for_admin
from peergroups.organizations.access import organization_access
from peergroups.organizations.models import GroupingBasis
from peergroups.organizations.selectors import program_for_admin

router = Router(tags=["formation"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class CriterionIn(Schema):
    attribute: str = Field(description=f"One of: {', '.join(ATTRIBUTES)}")
    mode: str = Field(pattern="^(similar|diverse)$")
    weight: float = Field(ge=0, le=10)


class RunIn(Schema):
    mode: str = Field(services.MODE_UNPLACED, pattern="^(unplaced|new_cycle)$")
    basis: GroupingBasis | None = Field(None, description="Default: the program's basis.")
    criteria: list[CriterionIn] | None = Field(None, description="Default: the basis's criteria.")
    min_size: int | None = Field(None, ge=2, le=10)
    max_size: int | None = Field(None, ge=2, le=10)
    seconds: float = Field(10, gt=0, le=600)
    seed: int = Field(1, ge=0)
    history_penalty: float = Field(2.0, ge=0, le=100)


class RunOut(Schema):
    id: int
    program_id: int
    cycle: int
    status: str
    progress: float
    best_objective: float | None
    upper_bound: float | None
    error: str
    created_at: datetime
    finished_at: datetime | None


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


class ProposalOut(Schema):
    run: RunOut
    objective: float
    upper_bound: float | None
    random_baseline: float | None
    new_pair_share: float | None
    groups: list[ProposedGroupOut]


class PublishedOut(Schema):
    group_ids: list[int]


@router.post(
    "/organizations/{slug}/programs/{program_id}/formation-runs",
    response={201: RunOut, 400: ErrorOut, **ERRORS},
    url_name="api-formation-start",
)
def run_start(request: HttpRequest, slug: str, program_id: int, payload: RunIn):
    """Start a formation run; a worker solves it. Poll the run for its status."""
    access = organization_access(request.auth, slug)
    program = program_for_admin(access=access, program_id=program_id)
    unknown = [c.attribute for c in payload.criteria or [] if c.attribute not in ATTRIBUTES]
    if unknown:
        return Status(400, {"detail": f"Unknown attribute(s): {', '.join(unknown)}."})
    basis = payload.basis or program.grouping_basis
    low = payload.min_size or program.min_group_size
    high = payload.max_size or program.max_group_size
    if low > high:
        return Status(400, {"detail": "min_size cannot be larger than max_size."})
    parameters = services.Parameters(
        mode=payload.mode,
        basis=basis,
        criteria=[c.dict() for c in payload.criteria]
        if payload.criteria
        else default_criteria(basis),
        min_size=low,
        max_size=high,
        seconds=payload.seconds,
        seed=payload.seed,
        history_penalty=payload.history_penalty,
    )
    try:
        run = services.formation_run_start(
            program=program, acting_user=request.auth, parameters=parameters
        )
    except services.ProposalRefused as error:
        return Status(400, {"detail": str(error)})
    return Status(201, run)


@router.get(
    "/organizations/{slug}/formation-runs/{run_id}",
    response={200: RunOut, **ERRORS},
    url_name="api-formation-status",
)
def run_status(request: HttpRequest, slug: str, run_id: int):
    """Status, progress (0..1) and the best score found so far."""
    return run_for_admin(access=organization_access(request.auth, slug), run_id=run_id)


@router.get(
    "/organizations/{slug}/formation-runs/{run_id}/proposal",
    response={200: ProposalOut, 409: ErrorOut, **ERRORS},
    url_name="api-formation-proposal",
)
def run_proposal(request: HttpRequest, slug: str, run_id: int):
    """The proposed groups with their scores, explanations and constraint checks."""
    run = run_for_admin(access=organization_access(request.auth, slug), run_id=run_id)
    if not run.proposal:
        return Status(
            409, {"detail": f"No proposal: the run is {run.get_status_display().lower()}."}
        )
    review = proposal_review(run)
    return {
        "run": run,
        "objective": review.objective,
        "upper_bound": review.upper_bound,
        "random_baseline": review.random_baseline,
        "new_pair_share": review.new_pair_share,
        "groups": [
            {
                "number": group.index + 1,
                "score": group.score,
                "explanation": group.explanation,
                "size_ok": group.size_ok,
                "conflicts": group.conflicts,
                "facilitator_id": group.facilitator_id,
                "members": group.members,
            }
            for group in review.groups
        ],
    }


@router.post(
    "/organizations/{slug}/formation-runs/{run_id}/publish",
    response={200: PublishedOut, 409: ErrorOut, **ERRORS},
    url_name="api-formation-publish",
)
def run_publish(request: HttpRequest, slug: str, run_id: int):
    """Create the proposal's groups in one transaction; refused (409) if not possible."""
    run = run_for_admin(access=organization_access(request.auth, slug), run_id=run_id)
    try:
        groups = services.formation_run_publish(run=run, acting_user=request.auth)
    except services.ProposalRefused as error:
        return Status(409, {"detail": str(error)})
    return {"group_ids": [group.pk for group in groups]}
