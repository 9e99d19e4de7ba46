"""Outcome pages: the member's trend and pulse, the one-click pulse link, the
facilitator's group health, and the admins' program outcomes (page and CSV).

Views parse, call outcomes.selectors/services and render; refusals are domain errors
that peergroups.http maps to the error page.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from peergroups.charts import bar_chart, line_chart
from peergroups.errors import Invalid
from peergroups.formats import csv_text
from peergroups.goals import selectors as goals
from peergroups.http import csv_response, form_add_invalid, form_status
from peergroups.languages import language_activate_for
from peergroups.meetings.selectors import group_agreement_for_user
from peergroups.organizations.access import OrgAccess, org_render, org_view
from peergroups.organizations.models import Role
from peergroups.outcomes import selectors, services
from peergroups.outcomes.forms import BaselineForm, PulseForm

# --- the member's own ------------------------------------------------------------------


@require_safe
@org_view(Role.MEMBER)
def member(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    trend = selectors.member_trend(user=request.user, access=access)
    charts = [
        {
            **s,
            "chart": line_chart(
                [(date_format(m, "M"), v) for m, v in s["points"]],
                low=s["low"],
                high=s["high"],
                ticks=s["ticks"],
                unit=s["unit"],
                reference=s["baseline"],
            ),
        }
        for s in trend["series"]
    ]
    group = selectors.active_group(user=request.user, organization=access.organization)
    zone = selectors.member_zone(user=request.user, organization=access.organization, group=group)
    month = selectors.month_of(timezone.now(), zone)
    current = selectors.pulse_of_month(
        user=request.user, organization=access.organization, month=month
    )
    return org_render(
        request,
        access,
        "outcomes/member.html",
        {
            "trend": trend,
            "charts": charts,
            "group": group,
            "month": month,
            "current": current,
            "goals": goals.goals_of_member(user=request.user, access=access),
            "rate": goals.member_rate(user=request.user, access=access),
        },
    )


@org_view(Role.MEMBER)
def baseline(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    existing = selectors.baseline_of(user=request.user, organization=access.organization)
    form = BaselineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.baseline_record(
                organization=access.organization, user=request.user, answers=form.answers()
            )
        except Invalid as invalid:
            form_add_invalid(form, invalid)
        else:
            messages.success(
                request, gettext("Baseline recorded. Your monthly pulses compare to it.")
            )
            return redirect("outcomes-member", org_slug=access.organization.slug)
    return org_render(
        request,
        access,
        "outcomes/baseline.html",
        {"form": form, "existing": existing},
        status=form_status(request),
    )


@org_view(Role.MEMBER)
def pulse(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    """This month's pulse, answered on the page (the e-mail's link is the other way)."""
    group = selectors.active_group(user=request.user, organization=access.organization)
    zone = selectors.member_zone(user=request.user, organization=access.organization, group=group)
    month = selectors.month_of(timezone.now(), zone)
    current = selectors.pulse_of_month(
        user=request.user, organization=access.organization, month=month
    )
    form = PulseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pulse_answer_current(
                organization=access.organization,
                user=request.user,
                answers=form.answers(),
                group=group,
                zone=zone,
            )
        except Invalid as invalid:
            form_add_invalid(form, invalid)
        else:
            messages.success(request, gettext("Thank you: your pulse is recorded."))
            return redirect("outcomes-member", org_slug=access.organization.slug)
    return org_render(
        request,
        access,
        "outcomes/pulse.html",
        {"form": form, "group": group, "month": month, "current": current, "link": False},
        status=form_status(request),
    )


@csrf_exempt
def pulse_link(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    """Public but secret: the e-mailed token is the credential, good once and for 14 days.

    GET only shows the pulse (mail scanners open links; that must not answer); the
    POST records it and uses the link up. CSRF guards credentials a browser sends by
    itself (cookies); this one is in the URL, which a forging site does not have.
    """
    link = services.pulse_token_resolve(token)
    if link.pulse.organization.slug != org_slug:
        raise services.PULSE_LINK.invalid()
    language_activate_for(request, user=link.pulse.user, organization=link.pulse.organization)
    form = PulseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pulse_answer_by_token(token=token, answers=form.answers())
        except Invalid as invalid:
            form_add_invalid(form, invalid)
        else:
            return render(
                request,
                "outcomes/pulse_done.html",
                {"pulse": link.pulse, "org_slug": org_slug},
            )
    return render(
        request,
        "outcomes/pulse.html",
        {"form": form, "month": link.pulse.month, "person": link.pulse.user, "link": True},
        status=form_status(request),
    )


# --- the facilitator's -----------------------------------------------------------------


@require_safe
@org_view()
def group_health(request: HttpRequest, access: OrgAccess, group_id: int) -> HttpResponse:
    # The facilitator only (group_health refuses anyone else), agreement or not.
    ctx = group_agreement_for_user(user=request.user, access=access, group_id=group_id)
    health = selectors.group_health(ctx=ctx)
    for row in health["measures"]:
        scale = (
            (1, 7, (1, 4, 7), "") if row["key"] == "meeting_value" else (0, 100, (0, 50, 100), " %")
        )
        if row["key"] == "issues_per_meeting":
            scale = (0, 6, (0, 3, 6), "")
        low, high, ticks, unit = scale
        row["chart"] = bar_chart(
            [(date_format(m["month"], "M"), m["figure"].value) for m in row["months"]],
            low=low,
            high=high,
            ticks=ticks,
            unit=unit,
        )
    return org_render(
        request,
        access,
        "outcomes/group_health.html",
        {"health": health, "group": ctx.group, "ctx": ctx},
    )


# --- the admins' -----------------------------------------------------------------------


def _filters(request: HttpRequest) -> selectors.OutcomeFilters:
    def number(name: str) -> int | None:
        raw = request.GET.get(name, "").strip()
        if not raw:
            return None
        if not raw.isdigit():
            raise Invalid(
                gettext("The %(name)s filter takes a number.") % {"name": name}, field=name
            )
        return int(raw)

    return selectors.OutcomeFilters(program_id=number("program"), cycle=number("cycle"))


@require_safe
@org_view(Role.ADMIN)
def program_outcomes(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    result = selectors.program_outcomes(access=access, filters=_filters(request))
    charts = []
    for key, label, unit, *_rest, (low, high, ticks) in selectors.MEASURES:
        points = []
        for row in result["rows"]:
            figure = row["cells"][f"change_{key}"]
            value = figure.value if figure.shown else None
            points.append(
                (row["label"], value[1], (value[0], value[2])) if value else (row["label"], None)
            )
        charts.append(
            {
                "id": f"change-{key}",
                "label": label,
                "title": gettext(
                    "Change since baseline — %(label)s: median, bar; 25th–75th percentile, line"
                )
                % {"label": label},
                "chart": bar_chart(points, low=low, high=high, ticks=ticks, unit=unit),
            }
        )
    return org_render(
        request,
        access,
        "outcomes/program.html",
        {
            "result": result,
            "charts": charts,
            "query": request.GET.urlencode(),
            "minimum": selectors.aggregates.MIN_PEOPLE,
        },
    )


@require_safe
@org_view(Role.ADMIN)
def program_outcomes_csv(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    result = selectors.program_outcomes(access=access, filters=_filters(request))
    header, lines = selectors.outcome_rows_flat(result)
    return csv_response(csv_text(header, lines), f"{access.organization.slug}-outcomes.csv")
