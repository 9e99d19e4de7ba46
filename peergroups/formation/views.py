"""Formation pages: start a run, watch it, review and adjust the proposal, publish; place late joiners."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from peergroups.accounts.models import User
from peergroups.formation import services
from peergroups.formation.forms import FormationStartForm
from peergroups.formation.models import RunStatus
from peergroups.formation.selectors import proposal_review, run_for_admin
from peergroups.groups.models import PeerGroup
from peergroups.groups.services import AlreadyGrouped, GroupFull
from peergroups.organizations.access import OrgAccess, org_render, org_view
from peergroups.organizations.models import Role
from peergroups.organizations.selectors import program_for_admin


@org_view(Role.ADMIN)
def formation_start(request: HttpRequest, access: OrgAccess, program_id: int) -> HttpResponse:
    program = program_for_admin(access=access, program_id=program_id)
    form = FormationStartForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.formation_run_start(
                program=program, acting_user=request.user, parameters=form.parameters()
            )
        except services.ProposalRefused as error:
            form.add_error(None, str(error))
        else:
            return redirect(run.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return org_render(
        request,
        access,
        "formation/start.html",
        {"form": form, "program": program, "runs": program.formation_runs.all()[:10]},
        status=status,
    )


@org_view(Role.ADMIN)
def formation_run(request: HttpRequest, access: OrgAccess, run_id: int) -> HttpResponse:
    run = run_for_admin(access=access, run_id=run_id)
    context = {"run": run}
    if run.status in (RunStatus.DONE, RunStatus.PUBLISHED):
        context["review"] = proposal_review(run)
    return org_render(request, access, "formation/run.html", context)


@org_view(Role.ADMIN)
def formation_progress(request: HttpRequest, access: OrgAccess, run_id: int) -> HttpResponse:
    run = run_for_admin(access=access, run_id=run_id)
    response = org_render(request, access, "formation/_progress.html", {"run": run})
    if not run.is_active:
        # htmx follows this header: the finished run's page shows the proposal.
        response["HX-Redirect"] = run.get_absolute_url()
    return response


@org_view(Role.ADMIN)
@require_POST
def formation_cancel(request: HttpRequest, access: OrgAccess, run_id: int) -> HttpResponse:
    run = run_for_admin(access=access, run_id=run_id)
    services.formation_run_cancel(run=run, acting_user=request.user)
    messages.info(request, "The run is cancelled.")
    return redirect(run.get_absolute_url())


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _edit(request: HttpRequest, access: OrgAccess, run_id: int, change) -> HttpResponse:
    """Apply one hand adjustment; htmx gets the re-scored proposal, others a redirect."""
    run = run_for_admin(access=access, run_id=run_id)
    error = None
    try:
        change(run)
    except services.ProposalRefused as refused:
        error = str(refused)
    if request.htmx:
        run.refresh_from_db()
        return org_render(
            request,
            access,
            "formation/_proposal.html",
            {"run": run, "review": proposal_review(run), "edit_error": error},
            status=200 if error is None else 422,
        )
    if error:
        messages.error(request, error)
    return redirect(run.get_absolute_url())


@org_view(Role.ADMIN)
@require_POST
def formation_move(request: HttpRequest, access: OrgAccess, run_id: int) -> HttpResponse:
    user_id, to_group = _int(request.POST.get("user_id")), _int(request.POST.get("to_group"))

    def change(run):
        if user_id is None or to_group is None:
            raise services.ProposalRefused("Choose a person and a group.")
        services.proposal_move(
            run=run, user_id=user_id, to_group=to_group - 1, acting_user=request.user
        )

    return _edit(request, access, run_id, change)


@org_view(Role.ADMIN)
@require_POST
def formation_swap(request: HttpRequest, access: OrgAccess, run_id: int) -> HttpResponse:
    user_a, user_b = _int(request.POST.get("user_a")), _int(request.POST.get("user_b"))

    def change(run):
        if user_a is None or user_b is None:
            raise services.ProposalRefused("Choose two people to swap.")
        services.proposal_swap(run=run, user_a=user_a, user_b=user_b, acting_user=request.user)

    return _edit(request, access, run_id, change)


@org_view(Role.ADMIN)
@require_POST
def formation_undo(request: HttpRequest, access: OrgAccess, run_id: int) -> HttpResponse:
    return _edit(
        request,
        access,
        run_id,
        lambda run: services.proposal_undo(run=run, acting_user=request.user),
    )


@org_view(Role.ADMIN)
@require_POST
def formation_facilitator(request: HttpRequest, access: OrgAccess, run_id: int) -> HttpResponse:
    group = _int(request.POST.get("group"))
    facilitator_id = _int(request.POST.get("facilitator_id"))

    def change(run):
        if group is None:
            raise services.ProposalRefused("Choose a group.")
        services.proposal_set_facilitator(
            run=run, group=group - 1, facilitator_id=facilitator_id, acting_user=request.user
        )

    return _edit(request, access, run_id, change)


@org_view(Role.ADMIN)
@require_POST
def formation_publish(request: HttpRequest, access: OrgAccess, run_id: int) -> HttpResponse:
    run = run_for_admin(access=access, run_id=run_id)
    try:
        groups = services.formation_run_publish(run=run, acting_user=request.user)
    except services.ProposalRefused as error:
        messages.error(request, str(error))
        return redirect(run.get_absolute_url())
    messages.success(
        request, f"Published {len(groups)} groups. Each member is being told their group by e-mail."
    )
    return redirect(run.program.get_absolute_url())


@org_view(Role.ADMIN)
def formation_placement(
    request: HttpRequest, access: OrgAccess, program_id: int, user_id: int
) -> HttpResponse:
    program = program_for_admin(access=access, program_id=program_id)
    member = User.objects.filter(
        pk=user_id,
        member_profiles__program=program,
        member_profiles__organization=access.organization,
    ).first()
    if member is None:
        raise Http404("No such member in this program")
    if request.method == "POST":
        group = PeerGroup.objects.filter(
            program=program, pk=_int(request.POST.get("group_id"))
        ).first()
        if group is None:
            messages.error(request, "Choose one of the suggested groups.")
        else:
            try:
                services.placement_apply(group=group, user=member, acting_user=request.user)
            except (services.ProposalRefused, GroupFull, AlreadyGrouped) as error:
                messages.error(request, str(error))
            else:
                messages.success(request, f"{member} joined {group.name}.")
                return redirect(program.get_absolute_url())
    suggestions = services.placement_suggestions(program=program, user=member)
    return org_render(
        request,
        access,
        "formation/placement.html",
        {"program": program, "member": member, "suggestions": suggestions},
    )
