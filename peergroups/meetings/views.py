"""Meeting pages: schedule, agenda, issue queue, run-of-show, agreement, calendar feed.

Views parse input, resolve objects through the selectors (the access decisions live
there) and call services (the rules of each write live there); a refusal from either
is a domain error that the page error mapping renders. Group pages use
`meetings.access.group_view`.
"""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST, require_safe

from peergroups.errors import Invalid, NotFound, Refused, Stale
from peergroups.http import FORM_INVALID, form_add_invalid, form_status, int_or_none
from peergroups.meetings import selectors, services
from peergroups.meetings.access import group_url, group_view, render_group
from peergroups.meetings.forms import (
    AgendaStepFormSet,
    AgreementForm,
    AttendanceForm,
    CheckInForm,
    IssueForm,
    MoveForm,
    NoteForm,
    ScheduleForm,
    default_move_initial,
)
from peergroups.meetings.ical import calendar_ics, feed_ics
from peergroups.meetings.models import (
    DEFAULT_AGREEMENT,
    Attendance,
    CheckIn,
    ConfidentialityAgreement,
    IssueStatus,
    MeetingSeries,
    StepKind,
)
from peergroups.meetings.selectors import GroupContext
from peergroups.organizations.access import OrgAccess, org_render, org_view
from peergroups.organizations.models import Role

INSIGHT_GROUPS_SHOWN = 24  # per program on the insights overview
INSIGHT_GROUPS_PER_PAGE = 50  # one program's groups, paged


def _group_url(ctx: GroupContext, name: str, **kwargs) -> str:
    return group_url(ctx, name, **kwargs)


# --- agreement -------------------------------------------------------------------------


@org_view()
def agreement(request: HttpRequest, access: OrgAccess, group_id: int) -> HttpResponse:
    ctx = selectors.group_agreement_for_user(user=request.user, access=access, group_id=group_id)
    current = selectors.agreement_latest(group=ctx.group)
    if current is None:
        # A group made by a path that skipped group_defaults_create: show the default
        # text, and let accepting it create version 1 (a POST, not this GET).
        current = ConfidentialityAgreement(group=ctx.group, version=1, text=DEFAULT_AGREEMENT)
    form = AgreementForm(initial={"text": current.text})
    if request.method == "POST":
        if request.POST.get("action") == "publish":
            form = AgreementForm(request.POST)
            ctx.require_facilitator()
            if form.is_valid():
                new = services.agreement_publish(
                    group=ctx.group, text=form.cleaned_data["text"], acting_user=request.user
                )
                messages.success(
                    request,
                    gettext("Version %(version)s published; members accept it anew.")
                    % {"version": new.version},
                )
                return redirect(_group_url(ctx, "meetings-agreement"))
        else:
            if current.pk is None:
                current = services.agreement_current(group=ctx.group)
            services.agreement_accept(agreement=current, user=request.user)
            messages.success(request, gettext("Thank you. You can now see your group's content."))
            return redirect(_group_url(ctx, "meetings-list"))
    accepted = selectors.agreement_accepted(group=ctx.group, user=request.user)
    return render_group(
        request,
        ctx,
        "meetings/agreement.html",
        {"agreement": current, "accepted": accepted, "form": form},
        status=form_status(request),
    )


# --- meetings and schedule -------------------------------------------------------------


@require_safe
@group_view()
def meeting_list(request: HttpRequest, ctx: GroupContext) -> HttpResponse:
    series = MeetingSeries.objects.filter(group=ctx.group).first()
    return render_group(
        request,
        ctx,
        "meetings/list.html",
        {
            "series": series,
            "upcoming": selectors.meetings_of_group(ctx=ctx, upcoming=True),
            "past": selectors.meetings_of_group(ctx=ctx, upcoming=False)[:12],
        },
    )


@group_view(facilitator=True)
def schedule(request: HttpRequest, ctx: GroupContext) -> HttpResponse:
    series = MeetingSeries.objects.filter(group=ctx.group).first()
    # Without a series yet, start from what suits the group (cadence, slot, time zone).
    initial = services.schedule_proposal(group=ctx.group) or {"time_zone": ctx.group.time_zone}
    if series is not None:
        initial = {
            name: getattr(series, name)
            for name in ScheduleForm.base_fields
            if hasattr(series, name)
        }
    form = ScheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_series_set(
                group=ctx.group, acting_user=request.user, **form.cleaned_data
            )
        except Invalid as error:
            form_add_invalid(form, error)
        else:
            messages.success(
                request, gettext("Schedule saved; the next meetings are in everyone's calendar.")
            )
            return redirect(_group_url(ctx, "meetings-list"))
    return render_group(
        request,
        ctx,
        "meetings/schedule.html",
        {"form": form, "series": series},
        status=form_status(request),
    )


@require_safe
@group_view()
def meeting_detail(request: HttpRequest, ctx: GroupContext, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_for_user(ctx=ctx, meeting_id=meeting_id)
    context = {
        "meeting": meeting,
        "steps": selectors.agenda_steps_of(group=ctx.group),
        "agenda_issues": selectors.meeting_agenda_issues(meeting=meeting),
        "my_check_in": CheckIn.objects.filter(meeting=meeting, member=request.user).first(),
    }
    if ctx.is_facilitator and meeting.is_open:
        context["queue"] = selectors.issue_queue(ctx=ctx).filter(
            status__in=[IssueStatus.OPEN, IssueStatus.SCHEDULED]
        )
    return render_group(request, ctx, "meetings/detail.html", context)


@group_view(facilitator=True)
def meeting_edit(request: HttpRequest, ctx: GroupContext, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_for_user(ctx=ctx, meeting_id=meeting_id)
    zone = ZoneInfo(ctx.group.time_zone)
    form = MoveForm(
        request.POST if request.POST.get("action") == "move" else None,
        initial=default_move_initial(meeting, zone),
        time_zone=ctx.group.time_zone,
    )
    cancel_error = ""
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            try:
                services.meeting_cancel(
                    meeting=meeting,
                    acting_user=request.user,
                    version=int_or_none(request.POST.get("version")),
                )
            except Stale as stale:
                cancel_error = stale.reason
                meeting.refresh_from_db()
            else:
                messages.success(
                    request, gettext("Meeting cancelled; calendars will show it as cancelled.")
                )
                return redirect(_group_url(ctx, "meetings-list"))
        elif form.is_valid():
            try:
                services.meeting_move(
                    meeting=meeting,
                    starts_at=form.cleaned_data["starts_at"],
                    ends_at=form.cleaned_data["ends_at"],
                    location=form.cleaned_data["location"],
                    video_url=form.cleaned_data["video_url"],
                    acting_user=request.user,
                    version=form.cleaned_data["version"],
                )
            except Stale as stale:
                form_add_invalid(form, stale)
                meeting.refresh_from_db()
            else:
                messages.success(request, gettext("Meeting moved."))
                return redirect(meeting.get_absolute_url())
    return render_group(
        request,
        ctx,
        "meetings/edit.html",
        {"meeting": meeting, "form": form, "cancel_error": cancel_error},
        status=form_status(request),
    )


@require_safe
@group_view()
def meeting_ics(request: HttpRequest, ctx: GroupContext, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_for_user(ctx=ctx, meeting_id=meeting_id)
    body = calendar_ics([meeting], name=f"{ctx.group.name} meeting")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="meeting-{meeting.starts_at:%Y-%m-%d}.ics"'
    )
    return response


@group_view(facilitator=True)
def agenda_template(request: HttpRequest, ctx: GroupContext) -> HttpResponse:
    steps = selectors.agenda_steps_of(group=ctx.group)
    initial = [{"kind": s.kind, "title": s.title, "minutes": s.minutes} for s in steps]
    formset = AgendaStepFormSet(request.POST or None, initial=initial, prefix="steps")
    if request.method == "POST" and formset.is_valid():
        kept = [
            {key: form.cleaned_data[key] for key in ("kind", "title", "minutes")}
            for form in formset.forms
            if form.has_changed() or form.initial
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        services.agenda_steps_replace(group=ctx.group, steps=kept, acting_user=request.user)
        messages.success(request, gettext("Agenda protocol saved."))
        return redirect(_group_url(ctx, "meetings-list"))
    return render_group(
        request,
        ctx,
        "meetings/agenda_template.html",
        {"formset": formset},
        status=form_status(request),
    )


@require_POST
@group_view(facilitator=True)
def agenda_pick(request: HttpRequest, ctx: GroupContext, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_for_user(ctx=ctx, meeting_id=meeting_id)
    ids = [int(value) for value in request.POST.getlist("issues") if value.isdigit()]
    issues = list(selectors.issue_queue(ctx=ctx).filter(pk__in=ids))
    services.agenda_issues_pick(meeting=meeting, issues=issues, acting_user=request.user)
    messages.success(
        request,
        ngettext("%(count)s issue on the agenda.", "%(count)s issues on the agenda.", len(issues))
        % {"count": len(issues)},
    )
    return redirect(meeting.get_absolute_url())


@group_view()
def check_in(request: HttpRequest, ctx: GroupContext, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_for_user(ctx=ctx, meeting_id=meeting_id)
    if not ctx.is_member:  # the page holds the member's own form; the service says the same
        raise Refused(services.ONLY_MEMBERS_CHECK_IN)
    existing = CheckIn.objects.filter(meeting=meeting, member=request.user).first()
    initial = (
        {"work": existing.work, "personal": existing.personal, "rating": existing.rating}
        if existing
        else None
    )
    form = CheckInForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.check_in_save(meeting=meeting, member=request.user, **form.cleaned_data)
        messages.success(request, gettext("Check-in saved."))
        return redirect(meeting.get_absolute_url())
    return render_group(
        request,
        ctx,
        "meetings/check_in.html",
        {"meeting": meeting, "form": form},
        status=form_status(request),
    )


# --- issues ----------------------------------------------------------------------------


@require_safe
@group_view()
def issue_list(request: HttpRequest, ctx: GroupContext) -> HttpResponse:
    return render_group(
        request,
        ctx,
        "meetings/issues.html",
        {
            "queue": selectors.issue_queue(ctx=ctx),
            "processed": selectors.issues_processed(ctx=ctx)[:20],
        },
    )


@group_view()
def issue_create(request: HttpRequest, ctx: GroupContext) -> HttpResponse:
    if not ctx.is_member:  # the page holds the member's form; the service says the same
        raise Refused(services.ONLY_MEMBERS_ISSUES)
    form = IssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.issue_submit(group=ctx.group, author=request.user, **form.cleaned_data)
        except Invalid as error:
            form_add_invalid(form, error)
        else:
            messages.success(
                request, gettext("Your issue is in the queue. Your group can now vote on it.")
            )
            return redirect(_group_url(ctx, "meetings-issues"))
    return render_group(
        request,
        ctx,
        "meetings/issue_form.html",
        {"form": form},
        status=form_status(request),
    )


@require_safe
@group_view()
def issue_detail(request: HttpRequest, ctx: GroupContext, issue_id: int) -> HttpResponse:
    issue = selectors.issue_for_user(ctx=ctx, issue_id=issue_id)
    return render_group(
        request,
        ctx,
        "meetings/issue_detail.html",
        {"issue": issue, "notes": issue.notes.select_related("author")},
    )


@require_POST
@group_view()
def issue_vote(request: HttpRequest, ctx: GroupContext, issue_id: int) -> HttpResponse:
    issue = selectors.issue_for_user(ctx=ctx, issue_id=issue_id)
    services.issue_vote_set(issue=issue, voter=request.user, vote=request.POST.get("vote") != "0")
    if request.htmx:
        issue = selectors.issue_for_user(ctx=ctx, issue_id=issue_id)
        html = render_to_string(
            "meetings/_vote.html", {"issue": issue, "group": ctx.group, "ctx": ctx}, request
        )
        return HttpResponse(html)
    return redirect(_group_url(ctx, "meetings-issues"))


# --- run of show -----------------------------------------------------------------------


RUN_ACTIONS = {"attendance", "note", "step", "issue-start", "issue-done", "close"}


@group_view(facilitator=True)
def run(request: HttpRequest, ctx: GroupContext, meeting_id: int) -> HttpResponse:
    """The facilitator's page during the meeting; each form posts one `action` here.

    The commitments part (record the presenter's commitment, review earlier ones) is
    the goals app's: the page includes it from a goals URL with htmx.
    """
    meeting = selectors.meeting_for_user(ctx=ctx, meeting_id=meeting_id)
    if meeting.is_cancelled:
        raise NotFound(gettext("This meeting is cancelled."))
    early = meeting.is_open and selectors.meeting_is_before_its_day(meeting=meeting)
    if request.method == "GET" and early and request.GET.get("early") != "1":
        return render_group(request, ctx, "meetings/run_early.html", {"meeting": meeting})
    members = selectors.group_roster_users(group=ctx.group)
    recorded = dict(Attendance.objects.filter(meeting=meeting).values_list("member_id", "status"))
    action = request.POST.get("action") if request.method == "POST" else None
    data = request.POST if action else None
    attendance_form = AttendanceForm(
        data if action == "attendance" else None,
        members=members,
        recorded=recorded,
        prefix="attendance",
    )
    note_form = NoteForm(data if action == "note" else None, prefix="note")
    agenda_issues = list(selectors.meeting_agenda_issues(meeting=meeting))
    steps = selectors.agenda_steps_of(group=ctx.group)
    if action is not None:
        if action not in RUN_ACTIONS:
            return HttpResponse(gettext("Unknown action"), status=400)
        issue = next((i for i in agenda_issues if str(i.pk) == request.POST.get("issue")), None)
        if _run_action(request, meeting, action, issue, steps, attendance_form, note_form):
            again = _group_url(ctx, "meetings-run", meeting_id=meeting.pk)
            # Confirmed once: an early meeting's page does not ask again after each action.
            return redirect(again + ("?early=1" if early else "") + "#" + action)
    return render_group(
        request,
        ctx,
        "meetings/run.html",
        {
            "meeting": meeting,
            "steps": steps,
            "current_step": steps[min(meeting.current_step, len(steps) - 1)] if steps else None,
            "agenda_issues": agenda_issues,
            "attendance_form": attendance_form,
            "note_form": note_form,
            # What the lists show, not each note's author or each issue's texts.
            "notes": meeting.notes.select_related("issue").only(
                "meeting", "kind", "text", "issue__title"
            ),
            "check_ins": meeting.check_ins.select_related("member").only(
                "meeting", "work", "personal", "rating", "member__full_name", "member__email"
            ),
            "recorded": len(recorded),
            "StepKind": StepKind,
            "early": early,
            "unprocessed": [i for i in agenda_issues if i.status == IssueStatus.SCHEDULED],
        },
        status=FORM_INVALID if action else 200,
    )


def _run_action(request, meeting, action, issue, steps, attendance_form, note_form) -> bool:
    """Apply one run-of-show action; False when its form has errors to show."""
    user = request.user
    if action == "attendance":
        if not attendance_form.is_valid():
            return False
        services.attendance_record(
            meeting=meeting, statuses=attendance_form.statuses(), acting_user=user
        )
        messages.success(request, gettext("Attendance recorded."))
    elif action == "note":
        if not note_form.is_valid():
            return False
        services.meeting_note_add(
            meeting=meeting, author=user, issue=issue, **note_form.cleaned_data
        )
        messages.success(request, gettext("Note added."))
    elif action == "step":
        step = request.POST.get("step", "")
        services.meeting_step_set(
            meeting=meeting,
            step=int(step) if step.isdigit() else 0,
            issue=meeting.current_issue,
            acting_user=user,
        )
    elif action == "issue-start":
        if issue is None:
            raise NotFound(gettext("No such issue on this agenda."))
        # Starting an issue means the meeting is in its issue-processing step.
        step = next(
            (i for i, s in enumerate(steps) if s.kind == StepKind.ISSUES), meeting.current_step
        )
        services.meeting_step_set(meeting=meeting, step=step, issue=issue, acting_user=user)
    elif action == "issue-done":
        if issue is None:
            raise NotFound(gettext("No such issue on this agenda."))
        services.issue_mark_processed(meeting=meeting, issue=issue, acting_user=user)
        messages.success(
            request, gettext("“%(issue_title)s” processed.") % {"issue_title": issue.title}
        )
    elif action == "close":
        carried = services.meeting_close(meeting=meeting, acting_user=user)
        messages.success(
            request,
            ngettext(
                "Meeting closed. %(count)s unprocessed issue carried over.",
                "Meeting closed. %(count)s unprocessed issues carried over.",
                carried,
            )
            % {"count": carried},
        )
    return True


# --- calendar feed ---------------------------------------------------------------------


@org_view(Role.MEMBER, Role.FACILITATOR)
def calendar(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    token = None
    if request.method == "POST":
        if request.POST.get("action") in ("invitations-on", "invitations-off"):
            on = services.calendar_invitations_set(
                user=request.user,
                organization=access.organization,
                on=request.POST["action"] == "invitations-on",
            )
            messages.success(
                request,
                gettext("Each meeting of your groups now comes as a calendar invitation by e-mail.")
                if on
                else gettext("Calendar invitations turned off; your feed (if any) keeps working."),
            )
            return redirect("meetings-calendar", org_slug=access.organization.slug)
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(user=request.user, organization=access.organization)
            messages.success(
                request, gettext("Feed turned off. Calendar apps using it will stop updating.")
            )
            return redirect("meetings-calendar", org_slug=access.organization.slug)
        _, token = services.calendar_feed_issue(user=request.user, organization=access.organization)
        messages.success(
            request, gettext("New feed address made; the previous one no longer works.")
        )
    feed = selectors.calendar_feed_live(user=request.user, organization=access.organization)
    feed_url = None
    if token:
        feed_url = request.build_absolute_uri(
            reverse("meetings-feed", kwargs={"org_slug": access.organization.slug, "token": token})
        )
    return org_render(
        request,
        access,
        "meetings/calendar.html",
        {
            "feed": feed,
            "feed_url": feed_url,
            "invitations": selectors.calendar_invitations_chosen(
                user=request.user, organization=access.organization
            ),
            "upcoming": selectors.upcoming_meetings_for_user(user=request.user, access=access),
            "zone": selectors.member_time_zone(
                user=request.user, organization_id=access.organization.pk
            ),
        },
    )


@require_safe
def feed(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    """Public but secret: calendar apps cannot sign in, so the token is the credential."""
    live = selectors.calendar_feed_by_token(token)
    if live.organization.slug != org_slug:
        raise NotFound(gettext("No such calendar feed."))
    body, etag = feed_ics(live)
    quoted = f'"{etag}"'
    response = get_conditional_response(request, etag=quoted)  # 304 to a client that has it
    if response is None:
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["ETag"] = quoted
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- admin aggregates ------------------------------------------------------------------


@require_safe
@org_view(Role.ADMIN)
def insights(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    """Each program's figures with its first groups; `?program=` pages through all of one
    program's groups. Suppression is decided over every group either way: paging only
    chooses which of the decided rows are written (1,200 groups made a 40 KB page)."""
    programs = selectors.meeting_insights(access=access)
    chosen = int_or_none(request.GET.get("program"))
    if chosen is not None:
        programs = [row for row in programs if row["program"].pk == chosen]
        if not programs:
            raise NotFound(gettext("No such program with groups."))
    for row in programs:
        row["group_total"] = len(row["groups"])
        if chosen is None:
            row["groups"] = row["groups"][:INSIGHT_GROUPS_SHOWN]
        else:
            page = Paginator(row["groups"], INSIGHT_GROUPS_PER_PAGE).get_page(
                request.GET.get("page")
            )
            row["groups"], row["page"] = list(page.object_list), page
    # The attendance counts of the groups written, not of every group.
    selectors.insight_attendance_add([entry for row in programs for entry in row["groups"]])
    return org_render(
        request,
        access,
        "meetings/insights.html",
        {
            "programs": programs,
            "chosen": chosen,
            "minimum": selectors.MIN_AGGREGATE_PEOPLE,
        },
    )
