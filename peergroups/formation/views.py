"""Formation pages: start a run, watch it, review and adjust the proposal, publish; place late joiners.

Views parse and render. A refusal is a domain error from the service: the error
middleware shows its sentence (for htmx, as a fragment the page puts beside the control).
"""

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.html import escape, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST, require_safe

from peergroups.errors import DomainError, Invalid
from peergroups.formation import services
from peergroups.formation.forms import FormationStartForm
from peergroups.formation.models import RunStatus
from peergroups.formation.selectors import (
    formation_run_for_user,
    placement_candidate,
    proposal_review,
)
from peergroups.formation.welcome import formation_run_groups, formation_welcome_send
from peergroups.http import form_status
from peergroups.organizations.access import OrgAccess, org_render, org_view
from peergroups.organizations.models import GroupingBasis, Role
from peergroups.organizations.selectors import program_for_admin


@org_view(Role.ADMIN)
def formation_start(request: HttpRequest, access: OrgAccess, program_id: int) -> HttpResponse:
    program = program_for_admin(access=access, program_id=program_id)
    form = FormationStartForm(request.POST or None, program=program, basis=request.GET.get("basis"))
    status = form_status(request)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.formation_run_start(
                program=program, acting_user=request.user, parameters=form.parameters()
            )
        except DomainError as error:  # the form keeps what was typed, with the reason
            form.add_error(None, error.reason)
        else:
            return redirect(run.get_absolute_url())
    return org_render(
        request,
        access,
        "formation/start.html",
        {
            "form": form,
            "program": program,
            "runs": program.formation_runs.all()[:10],
            "bases": GroupingBasis.choices,
        },
        status=status,
    )


@require_safe
@org_view(Role.ADMIN)
def formation_run(request: HttpRequest, access: OrgAccess, run_id: int) -> HttpResponse:
    run = formation_run_for_user(user=request.user, access=access, run_id=run_id)
    context = {"run": run}
    if run.status in (RunStatus.DONE, RunStatus.PUBLISHED, RunStatus.PUBLISHING):
        context |= _review_context(run, request.GET.get("page"))
    if run.status == RunStatus.PUBLISHED and run.welcome_sent_at is None:
        context["published_groups"] = formation_run_groups(run)
    return org_render(request, access, "formation/run.html", context)


@require_safe
@org_view(Role.ADMIN)
def formation_progress(request: HttpRequest, access: OrgAccess, run_id: int) -> HttpResponse:
    run = formation_run_for_user(user=request.user, access=access, run_id=run_id)
    template = "formation/_publishing.html" if run.is_publishing else "formation/_progress.html"
    response = org_render(request, access, template, {"run": run})
    if not run.is_active and not run.is_publishing:
        # htmx follows this header: the finished run's page shows the proposal.
        response["HX-Redirect"] = run.get_absolute_url()
    return response


@org_view(Role.ADMIN)
@require_POST
def formation_cancel(request: HttpRequest, access: OrgAccess, run_id: int) -> HttpResponse:
    run = formation_run_for_user(user=request.user, access=access, run_id=run_id)
    services.formation_run_cancel(run=run, acting_user=request.user)
    messages.info(request, gettext("The run is cancelled."))
    return redirect(run.get_absolute_url())


@org_view(Role.ADMIN)
@require_POST
def formation_rerun(request: HttpRequest, access: OrgAccess, run_id: int) -> HttpResponse:
    run = formation_run_for_user(user=request.user, access=access, run_id=run_id)
    rerun = services.formation_run_rerun(run=run, acting_user=request.user)
    messages.info(
        request, gettext("The run is repeated with the same people, seed and search steps.")
    )
    return redirect(rerun.get_absolute_url())


@org_view(Role.ADMIN)
@require_POST
def formation_remedy(request: HttpRequest, access: OrgAccess, run_id: int) -> HttpResponse:
    run = formation_run_for_user(user=request.user, access=access, run_id=run_id)
    new_run = services.formation_run_remedy(
        run=run, acting_user=request.user, remedy=request.POST.get("remedy", "")
    )
    messages.info(request, gettext("Formed again with the remedy you chose."))
    return redirect(new_run.get_absolute_url())


# Groups per page of the review: each group carries a facilitator select, so a
# 1,000-group proposal on one page was megabytes of <option>s.
REVIEW_GROUPS_PER_PAGE = 20


def _review_context(run, page_number) -> dict:
    # The members of the page's groups only: the others show as numbers in "to group".
    count = len(run.proposal.get("groups", ()))
    shown = Paginator(range(count), REVIEW_GROUPS_PER_PAGE).get_page(page_number).object_list
    review = proposal_review(run, detailed=shown)
    page = Paginator(review.groups, REVIEW_GROUPS_PER_PAGE).get_page(page_number)
    # "to group" lists every group: written here, a thousand options cost a
    # millisecond; through the template's loop and number formatting, a fifth of a second.
    group_word = escape(gettext("Group"))
    group_options = mark_safe(
        "".join(f'<option value="{n}">{group_word} {n}</option>' for n in range(1, count + 1))
    )
    # The people of the page, in the move and both swap selects: written once.
    member_label = gettext("%(name)s (group %(number)s)")
    member_options = format_html_join(
        "",
        '<option value="{}">{}</option>',
        (
            (m.user_id, member_label % {"name": m.name, "number": group.index + 1})
            for group in page
            for m in group.members
        ),
    )
    return {
        "review": review,
        "page": page,
        "group_options": group_options,
        "member_options": member_options,
    }


def _date_or_none(text: str):
    """A YYYY-MM-DD date from a form, None when left empty; Invalid when not a date."""
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(
            gettext("Give the day as a date, e.g. 2027-01-11."), field="first_meetings_on"
        ) from None


def _int(request: HttpRequest, name: str, message: str) -> int:
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        raise Invalid(message, field=name) from None


def _edited(request: HttpRequest, access: OrgAccess, run) -> HttpResponse:
    """htmx gets the re-scored proposal; a plain form post goes back to the run's page.

    `run` is the one the edit returned, as it saved it (read again, it would be the
    proposal decoded twice per edit)."""
    if request.htmx:
        return org_render(
            request,
            access,
            "formation/_proposal.html",
            {"run": run, **_review_context(run, request.POST.get("page"))},
        )
    return redirect(run.get_absolute_url())


@org_view(Role.ADMIN)
@require_POST
def formation_move(request: HttpRequest, access: OrgAccess, run_id: int) -> HttpResponse:
    run = formation_run_for_user(user=request.user, access=access, run_id=run_id)
    run = services.proposal_move(
        run=run,
        user_id=_int(request, "user_id", gettext("Choose a person and a group.")),
        to_group=_int(request, "to_group", gettext("Choose a person and a group.")) - 1,
        acting_user=request.user,
    )
    return _edited(request, access, run)


@org_view(Role.ADMIN)
@require_POST
def formation_swap(request: HttpRequest, access: OrgAccess, run_id: int) -> HttpResponse:
    run = formation_run_for_user(user=request.user, access=access, run_id=run_id)
    run = services.proposal_swap(
        run=run,
        user_a=_int(request, "user_a", gettext("Choose two people to swap.")),
        user_b=_int(request, "user_b", gettext("Choose two people to swap.")),
        acting_user=request.user,
    )
    return _edited(request, access, run)


@org_view(Role.ADMIN)
@require_POST
def formation_undo(request: HttpRequest, access: OrgAccess, run_id: int) -> HttpResponse:
    run = formation_run_for_user(user=request.user, access=access, run_id=run_id)
    run = services.proposal_undo(run=run, acting_user=request.user)
    return _edited(request, access, run)


@org_view(Role.ADMIN)
@require_POST
def formation_facilitator(request: HttpRequest, access: OrgAccess, run_id: int) -> HttpResponse:
    run = formation_run_for_user(user=request.user, access=access, run_id=run_id)
    chosen = request.POST.get("facilitator_id", "")
    run = services.proposal_set_facilitator(
        run=run,
        group=_int(request, "group", gettext("Choose a group.")) - 1,
        facilitator_id=_int(request, "facilitator_id", gettext("Choose a facilitator."))
        if chosen
        else None,
        acting_user=request.user,
    )
    return _edited(request, access, run)


@org_view(Role.ADMIN)
@require_POST
def formation_publish(request: HttpRequest, access: OrgAccess, run_id: int) -> HttpResponse:
    run = formation_run_for_user(user=request.user, access=access, run_id=run_id)
    services.formation_run_publish_request(
        run=run,
        acting_user=request.user,
        first_meetings_on=_date_or_none(request.POST.get("first_meetings_on", "")),
    )
    messages.info(
        request,
        gettext(
            "Publishing: this page follows it. Check the group names: the welcome e-mails "
            "wait for you to confirm them."
        ),
    )
    return redirect(run.get_absolute_url())


@org_view(Role.ADMIN)
@require_POST
def formation_welcome(request: HttpRequest, access: OrgAccess, run_id: int) -> HttpResponse:
    run = formation_run_for_user(user=request.user, access=access, run_id=run_id)
    count = formation_welcome_send(run=run, acting_user=request.user)
    messages.info(
        request,
        ngettext(
            "Names confirmed: the welcome e-mails of %(count)s group are on their way.",
            "Names confirmed: the welcome e-mails of %(count)s groups are on their way.",
            count,
        )
        % {"count": count},
    )
    return redirect(run.get_absolute_url())


@org_view(Role.ADMIN)
def formation_placement(
    request: HttpRequest, access: OrgAccess, program_id: int, user_id: int
) -> HttpResponse:
    program = program_for_admin(access=access, program_id=program_id)
    member = placement_candidate(access=access, program=program, user_id=user_id)
    error, status = "", 200
    if request.method == "POST":
        group_id = request.POST.get("group_id", "")
        try:
            group = services.placement_apply(
                program=program,
                group_id=int(group_id) if group_id.isdigit() else None,
                user=member,
                acting_user=request.user,
            )
        except DomainError as refused:  # the page shows the reason beside the suggestions
            error, status = refused.reason, form_status(request)
        else:
            messages.success(
                request,
                gettext("%(member)s joined %(group_name)s.")
                % {"member": member, "group_name": group.name},
            )
            return redirect(program.get_absolute_url())
    suggestions = services.placement_suggestions(program=program, user=member)
    return org_render(
        request,
        access,
        "formation/placement.html",
        {"program": program, "member": member, "suggestions": suggestions, "error": error},
        status=status,
    )
