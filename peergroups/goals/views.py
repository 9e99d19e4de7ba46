"""Goal and commitment pages: the member's dashboard, the group's commitments and partners,
a meeting's commitments (included in the run-of-show), the one-click check-in link,
and the admins' aggregate rates.

Views parse input, resolve objects through goals.selectors (group content through
meetings.access.group_view) and call services, where the rules are; a refusal is a
domain error that the page error mapping renders (a member who has not accepted the
group's agreement is sent to it).
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from peergroups.accounts.models import NotificationKind
from peergroups.accounts.notifications import notification_choice, notification_choice_set
from peergroups.charts import bar_chart
from peergroups.errors import Invalid, Refused
from peergroups.goals import selectors, services
from peergroups.goals.forms import (
    CheckInForm,
    CommitmentForm,
    GoalForm,
    MeetingCommitmentForm,
    ProgressForm,
    ReminderPreferenceForm,
)
from peergroups.goals.models import CheckInStatus
from peergroups.http import FORM_INVALID, form_add_invalid, form_status
from peergroups.languages import language_activate_for
from peergroups.meetings.access import group_url, group_view, render_group
from peergroups.meetings.selectors import (
    MIN_AGGREGATE_PEOPLE,
    GroupContext,
    group_roster_users,
    issue_for_user,
    meeting_for_user,
)
from peergroups.organizations.access import OrgAccess, org_render, org_view
from peergroups.organizations.models import Role


def _chosen_group(form, groups):
    """The group the member chose on the form, or the default (the one they meet in next)."""
    chosen = form.cleaned_data.get("group")
    return next((g for g in groups if g.pk == chosen), groups[0] if groups else None)


def _chart(points) -> dict:
    return bar_chart([(date_format(p["month"], "M"), p["rate"].percent) for p in points])


# --- the member's own ------------------------------------------------------------------


@require_safe
@org_view(Role.MEMBER)
def dashboard(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    user = request.user
    group = selectors.member_group(user=user, access=access)
    commitments = list(selectors.commitments_of_member(user=user, access=access))
    rate, monthly = selectors.member_rates_of(commitments)
    partners = selectors.partners_of(user=user, group=group) if group else []
    return org_render(
        request,
        access,
        "goals/dashboard.html",
        {
            "group": group,
            "goals": selectors.goals_of_member(user=user, access=access),
            "open_commitments": [c for c in commitments if selectors.is_open(c)],
            "rate": rate,
            "monthly": monthly,
            "chart": _chart(monthly),
            "partners": partners,
            "partner_commitments": (
                selectors.partner_commitments(
                    user=user, group=group, partners=partners, access=access
                )
                if group
                else []
            ),
            "today": timezone.localdate(),
        },
    )


@org_view(Role.MEMBER)
def goal_create(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    groups = selectors.member_groups(user=request.user, access=access)
    form = GoalForm(request.POST or None, groups=groups)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "group"}
        try:
            goal = services.goal_create(
                organization=access.organization,
                owner=request.user,
                group=_chosen_group(form, groups),
                **fields,
            )
        except Invalid as error:
            form_add_invalid(form, error)
        else:
            messages.success(
                request, gettext("Goal “%(goal_title)s” added.") % {"goal_title": goal.title}
            )
            return redirect(goal.get_absolute_url())
    return org_render(
        request,
        access,
        "goals/goal_form.html",
        {"form": form},
        status=form_status(request),
    )


@require_safe
@org_view()
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
@org_view()
def goal_progress(request: HttpRequest, access: OrgAccess, goal_id: int) -> HttpResponse:
    """The owner records progress (action=progress) or drops the goal (action=drop)."""
    goal = selectors.goal_for_user(user=request.user, access=access, goal_id=goal_id)
    if request.POST.get("action") == "drop":
        services.goal_drop(goal=goal, acting_user=request.user)
        messages.success(request, gettext("Goal dropped. It stays in your history."))
        return redirect(goal.get_absolute_url())
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            services.goal_progress_add(goal=goal, acting_user=request.user, **form.cleaned_data)
        except Invalid as error:
            form_add_invalid(form, error)
        else:
            messages.success(request, gettext("Progress recorded."))
            return redirect(goal.get_absolute_url())
    return org_render(
        request,
        access,
        "goals/goal_detail.html",
        {
            "goal": goal,
            "updates": goal.updates.all()[:50],
            "is_owner": goal.owner_id == request.user.pk,
            "form": form,
        },
        status=FORM_INVALID,
    )


@org_view(Role.MEMBER)
def commitments(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    """The member's commitments, and a form to make one outside a meeting."""
    groups = selectors.member_groups(user=request.user, access=access)
    form = CommitmentForm(request.POST or None, groups=groups)
    if request.method == "POST" and form.is_valid():
        group = _chosen_group(form, groups)
        try:
            commitment = services.commitment_make(
                group=group,
                member=request.user,
                text=form.cleaned_data["text"],
                due_on=form.cleaned_data["due_on"],
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except Invalid as error:
            form_add_invalid(form, error)
        else:
            messages.success(
                request,
                gettext("Commitment made, due %(due_on)s.")
                % {"due_on": date_format(commitment.due_on, "DATE_FORMAT")},
            )
            return redirect("goals-commitments", org_slug=access.organization.slug)
    return org_render(
        request,
        access,
        "goals/commitments.html",
        {
            "group": groups[0] if groups else None,
            "groups": groups,
            "form": form,
            "commitments": selectors.commitments_of_member(user=request.user, access=access),
            "today": timezone.localdate(),
        },
        status=form_status(request),
    )


@org_view()
def commitment_check_in(request: HttpRequest, access: OrgAccess, commitment_id: int):
    commitment = selectors.commitment_for_user(
        user=request.user, access=access, commitment_id=commitment_id
    )
    if commitment.member_id != request.user.pk:  # the form is the owner's; the service agrees
        raise Refused(gettext(services.ONLY_COMMITMENT_OWNER))
    form = CheckInForm(request.POST or None, initial={"status": CheckInStatus.DONE})
    if request.method == "POST" and form.is_valid():
        services.commitment_check_in(
            commitment=commitment, acting_user=request.user, **form.cleaned_data
        )
        messages.success(request, gettext("Check-in recorded."))
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
        status=form_status(request),
    )


@org_view(Role.MEMBER)
def reminder_preferences(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    kind = NotificationKind.COMMITMENT_REMINDER
    current = notification_choice(
        user=request.user, kind=kind, organization_id=access.organization.pk
    )
    form = ReminderPreferenceForm(request.POST or None, initial={"frequency": current})
    if request.method == "POST" and form.is_valid():
        notification_choice_set(
            user=request.user,
            kind=kind,
            choice=form.cleaned_data["frequency"],
            organization_id=access.organization.pk,
        )
        messages.success(request, gettext("Reminder preference saved."))
        return redirect("goals-dashboard", org_slug=access.organization.slug)
    return org_render(
        request,
        access,
        "goals/reminders.html",
        {"form": form},
        status=form_status(request),
    )


# --- the group's -----------------------------------------------------------------------


@require_safe
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
    cycle = (selectors.partner_cycle(group=ctx.group) or 0) + 1  # the service checks the role
    services.partners_assign(
        group=ctx.group,
        cycle=cycle,
        seed=timezone.now().toordinal() + ctx.group.pk,
        acting_user=request.user,
    )
    messages.success(request, gettext("Partners assigned for cycle %(cycle)s.") % {"cycle": cycle})
    return redirect(
        reverse(
            "goals-group",
            kwargs={"org_slug": ctx.access.organization.slug, "group_id": ctx.group.pk},
        )
    )


@group_view()
def meeting_commitments(request: HttpRequest, ctx: GroupContext, meeting_id: int) -> HttpResponse:
    """A meeting's commitments: the presenter's (recorded by the facilitator) and the
    review of earlier ones. The run-of-show includes it with htmx; without htmx it is
    a page of its own. The form posts here and returns to the run-of-show."""
    meeting = meeting_for_user(ctx=ctx, meeting_id=meeting_id)
    form = None
    if ctx.is_facilitator and meeting.is_open:
        form = MeetingCommitmentForm(
            request.POST or None,
            members=group_roster_users(group=ctx.group),
            prefix="commitment",
            # The presenter of the issue in progress is who usually commits.
            initial={"member": meeting.current_issue.author_id} if meeting.current_issue else None,
        )
    if request.method == "POST":
        if form is None:
            ctx.require_facilitator()
            services.meeting_open_require(meeting=meeting)
        if form.is_valid():
            issue_id = request.POST.get("issue")
            issue = meeting.current_issue if str(meeting.current_issue_id) == issue_id else None
            try:
                services.commitment_record(
                    meeting=meeting,
                    member_id=form.cleaned_data["member"],
                    text=form.cleaned_data["text"],
                    due_on=form.cleaned_data["due_on"],
                    issue=issue,
                    acting_user=request.user,
                    idempotency_key=form.cleaned_data["idempotency_key"],
                )
            except Invalid as error:
                form_add_invalid(form, error)
            else:
                messages.success(request, gettext("Commitment recorded."))
                return redirect(
                    # Back to the run of show the facilitator came from; they had
                    # confirmed running it (early=1 is moot on the meeting's day).
                    group_url(ctx, "meetings-run", meeting_id=meeting.pk) + "?early=1#commitment"
                )
    context = {
        "meeting": meeting,
        "form": form,
        "commitments": selectors.commitments_of_meeting(ctx=ctx, meeting=meeting),
        "to_review": selectors.commitments_for_review(ctx=ctx, meeting=meeting)[:30],
    }
    status = form_status(request)
    template = (
        "goals/_meeting_commitments.html" if request.htmx else "goals/meeting_commitments.html"
    )
    return render_group(request, ctx, template, context, status=status)


@require_safe
@group_view()
def issue_commitments(request: HttpRequest, ctx: GroupContext, issue_id: int) -> HttpResponse:
    """The commitments made on an issue, for the issue's page (included with htmx)."""
    issue = issue_for_user(ctx=ctx, issue_id=issue_id)
    return render(
        request,
        "goals/_issue_commitments.html",
        {"commitments": selectors.commitments_of_issue(ctx=ctx, issue_id=issue.pk)},
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
            raise services.CheckInLinkInvalid(gettext("This check-in link is not valid."))
    except services.CheckInLinkInvalid as invalid:
        return render(request, "goals/token_invalid.html", {"reason": str(invalid)}, status=410)
    language_activate_for(
        request, user=link.commitment.member, organization=link.commitment.group.organization
    )
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
        status=form_status(request),
    )


# --- admin aggregates ------------------------------------------------------------------


@require_safe
@org_view(Role.ADMIN)
def insights(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    return org_render(
        request,
        access,
        "goals/insights.html",
        {"programs": selectors.goal_insights(access=access), "minimum": MIN_AGGREGATE_PEOPLE},
    )
