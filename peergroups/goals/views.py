"""Goal and commitment pages: the member's dashboard, the group's commitments and partners,
the one-click check-in link, and the admins' aggregate rates.

Views parse input, resolve objects through goals.selectors (group content through
meetings' group_view, which also sends members to the agreement first) and call services.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from peergroups.charts import bar_chart
from peergroups.goals import selectors, services
from peergroups.goals.forms import (
    CheckInForm,
    CommitmentForm,
    GoalForm,
    ProgressForm,
    ReminderPreferenceForm,
)
from peergroups.goals.models import CheckInStatus
from peergroups.meetings.selectors import MIN_AGGREGATE_PEOPLE, AgreementRequired, GroupContext
from peergroups.meetings.views import group_view, render_group
from peergroups.organizations.access import OrgAccess, org_render, org_view
from peergroups.organizations.models import Role


def member_view(*roles: str) -> Callable:
    """org_view, plus: reading group content without the agreement leads to the agreement."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @org_view(*roles)
        @wraps(view)
        def wrapper(request: HttpRequest, access: OrgAccess, *args, **kwargs):
            try:
                return view(request, access, *args, **kwargs)
            except AgreementRequired as refused:
                messages.info(request, str(refused))
                return redirect(
                    "meetings-agreement",
                    org_slug=access.organization.slug,
                    group_id=refused.group.pk,
                )

        return wrapper

    return decorator


def _chart(points) -> dict:
    return bar_chart([(p["month"].strftime("%b"), p["rate"].percent) for p in points])


# --- the member's own ------------------------------------------------------------------


@member_view(Role.MEMBER)
def dashboard(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    user = request.user
    group = selectors.member_group(user=user, access=access)
    monthly = selectors.monthly_rates(user=user, access=access)
    commitments = selectors.commitments_of_member(user=user, access=access)
    return org_render(
        request,
        access,
        "goals/dashboard.html",
        {
            "group": group,
            "goals": selectors.goals_of_member(user=user, access=access),
            "open_commitments": [c for c in commitments if selectors.is_open(c)],
            "rate": selectors.member_rate(user=user, access=access),
            "monthly": monthly,
            "chart": _chart(monthly),
            "partners": selectors.partners_of(user=user, group=group) if group else [],
            "partner_commitments": (
                selectors.partner_commitments(user=user, group=group) if group else []
            ),
            "today": timezone.localdate(),
        },
    )


@member_view(Role.MEMBER)
def goal_create(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            goal = services.goal_create(
                organization=access.organization,
                owner=request.user,
                group=selectors.member_group(user=request.user, access=access),
                **form.cleaned_data,
            )
        except ValidationError as invalid:
            form.add_error(None, invalid)
        else:
            messages.success(request, f"Goal “{goal.title}” added.")
            return redirect(goal.get_absolute_url())
    return org_render(
        request,
        access,
        "goals/goal_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@member_view()
def goal_detail(request: HttpRequest, access: OrgAccess, goal_id: int) -> HttpResponse:
    goal = selectors.goal_for_user(user=request.user, access=access, goal_id=goal_id)
    return org_render(
        request,
        access,
        "goals/goal_detail.html",
        {
            "goal": goal,
            "updates": goal.updates.all()[:50],
            "is_owner": goal.owner_id == request.user.pk,
            "form": ProgressForm(),
        },
    )


@require_POST
@member_view()
def goal_progress(request: HttpRequest, access: OrgAccess, goal_id: int) -> HttpResponse:
    """The owner records progress (action=progress) or drops the goal (action=drop)."""
    goal = selectors.goal_for_user(user=request.user, access=access, goal_id=goal_id)
    selectors.require_goal_owner(goal, request.user)
    if request.POST.get("action") == "drop":
        services.goal_drop(goal=goal)
        messages.success(request, "Goal dropped. It stays in your history.")
        return redirect(goal.get_absolute_url())
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            services.goal_progress_add(goal=goal, **form.cleaned_data)
            messages.success(request, "Progress recorded.")
            return redirect(goal.get_absolute_url())
        except ValidationError as invalid:
            form.add_error(None, invalid)
    return org_render(
        request,
        access,
        "goals/goal_detail.html",
        {"goal": goal, "updates": goal.updates.all()[:50], "is_owner": True, "form": form},
        status=400,
    )


@member_view(Role.MEMBER)
def commitments(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    """The member's commitments, and a form to make one outside a meeting."""
    group = selectors.member_group(user=request.user, access=access)
    form = CommitmentForm(request.POST or None)
    if request.method == "POST":
        if group is None:
            raise PermissionDenied("You make commitments to your group; you are not in one yet.")
        if form.is_valid():
            try:
                commitment = services.commitment_make(
                    group=group, member=request.user, **form.cleaned_data
                )
            except ValidationError as invalid:
                form.add_error(None, invalid)
            else:
                messages.success(request, f"Commitment made, due {commitment.due_on:%a %d %b %Y}.")
                return redirect("goals-commitments", org_slug=access.organization.slug)
    return org_render(
        request,
        access,
        "goals/commitments.html",
        {
            "group": group,
            "form": form,
            "commitments": selectors.commitments_of_member(user=request.user, access=access),
            "today": timezone.localdate(),
        },
        status=400 if request.method == "POST" else 200,
    )


@member_view()
def commitment_check_in(request: HttpRequest, access: OrgAccess, commitment_id: int):
    commitment, _ctx = selectors.commitment_for_user(
        user=request.user, access=access, commitment_id=commitment_id
    )
    if commitment.member_id != request.user.pk:
        raise PermissionDenied("Only the member who made the commitment checks in on it.")
    form = CheckInForm(request.POST or None, initial={"status": CheckInStatus.DONE})
    if request.method == "POST" and form.is_valid():
        services.commitment_check_in(
            commitment=commitment, acting_user=request.user, **form.cleaned_data
        )
        messages.success(request, "Check-in recorded.")
        return redirect("goals-commitments", org_slug=access.organization.slug)
    return org_render(
        request,
        access,
        "goals/check_in.html",
        {
            "commitment": commitment,
            "form": form,
            "check_ins": selectors.check_ins_of(commitment),
        },
        status=400 if request.method == "POST" else 200,
    )


@member_view(Role.MEMBER)
def reminder_preferences(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    current = selectors.reminder_frequency(
        user=request.user, organization_id=access.organization.pk
    )
    form = ReminderPreferenceForm(request.POST or None, initial={"frequency": current})
    if request.method == "POST" and form.is_valid():
        services.reminder_preference_set(
            organization=access.organization,
            user=request.user,
            frequency=form.cleaned_data["frequency"],
        )
        messages.success(request, "Reminder preference saved.")
        return redirect("goals-dashboard", org_slug=access.organization.slug)
    return org_render(
        request,
        access,
        "goals/reminders.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- the group's -----------------------------------------------------------------------


@group_view()
def group_commitments(request: HttpRequest, ctx: GroupContext) -> HttpResponse:
    context = {
        "commitments": selectors.commitments_of_group(ctx=ctx),
        "goals": selectors.group_goals(ctx=ctx),
        "partner_sets": selectors.partner_sets(group=ctx.group),
        "partner_cycle": selectors.partner_cycle(group=ctx.group),
        "today": timezone.localdate(),
    }
    if ctx.is_facilitator:
        context["health"] = selectors.group_health(ctx=ctx)
        context["chart"] = _chart(selectors.group_monthly_rates(ctx=ctx))
    return render_group(request, ctx, "goals/group.html", context)


@require_POST
@group_view(facilitator=True)
def partners(request: HttpRequest, ctx: GroupContext) -> HttpResponse:
    """Rotate the group's accountability partners: a new cycle avoids last cycle's pairs."""
    cycle = (selectors.partner_cycle(group=ctx.group) or 0) + 1
    services.partners_assign(
        group=ctx.group,
        cycle=cycle,
        seed=timezone.now().toordinal() + ctx.group.pk,
        acting_user=request.user,
    )
    messages.success(request, f"Partners assigned for cycle {cycle}.")
    return redirect(
        reverse(
            "goals-group",
            kwargs={"org_slug": ctx.access.organization.slug, "group_id": ctx.group.pk},
        )
    )


# --- the one-click link ----------------------------------------------------------------


@csrf_exempt
def token_check_in(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    """Public but secret: the e-mailed token is the credential, good once and for 14 days.

    GET only shows the choice (mail scanners open links; that must not check in);
    the POST records it and uses the link up. CSRF protection guards credentials a
    browser sends by itself (cookies); this one is in the URL, which a forging site
    does not have, so a POST straight from a mail client is accepted.
    """
    try:
        link = services.check_in_token_resolve(token)
        if link.commitment.group.organization.slug != org_slug:
            raise services.CheckInLinkInvalid("This check-in link is not valid.")
    except services.CheckInLinkInvalid as invalid:
        return render(request, "goals/token_invalid.html", {"reason": str(invalid)}, status=410)
    initial = {"status": request.GET.get("status") or CheckInStatus.DONE}
    form = CheckInForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.check_in_by_token(token=token, **form.cleaned_data)
        except services.CheckInLinkInvalid as invalid:
            return render(request, "goals/token_invalid.html", {"reason": str(invalid)}, status=410)
        return render(
            request,
            "goals/token_done.html",
            {"commitment": link.commitment, "status": CheckInStatus(form.cleaned_data["status"])},
        )
    return render(
        request,
        "goals/token_check_in.html",
        {"commitment": link.commitment, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- admin aggregates ------------------------------------------------------------------


@org_view(Role.ADMIN)
def insights(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    return org_render(
        request,
        access,
        "goals/insights.html",
        {"programs": selectors.goal_insights(access=access), "minimum": MIN_AGGREGATE_PEOPLE},
    )
