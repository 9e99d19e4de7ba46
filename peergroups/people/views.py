"""Intake, facilitator applications and their review."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from peergroups.errors import Conflict, Invalid
from peergroups.http import form_add_invalid, form_status
from peergroups.organizations.access import OrgAccess, org_render, org_view
from peergroups.organizations.models import Role
from peergroups.people import services
from peergroups.people.forms import (
    CategoryAddForm,
    CategoryMergeForm,
    FacilitatorApplicationForm,
    FacilitatorReviewForm,
    IntakeForm,
    MemberFilterForm,
)
from peergroups.people.models import (
    CategoryKind,
    FacilitatorProfile,
    FacilitatorStatus,
    MemberProfile,
    NotWith,
)
from peergroups.people.selectors import (
    PEER_SEARCH_LIMIT,
    PEER_SEARCH_MIN,
    category_usage,
    facilitator_profile_for_admin,
    facilitator_profiles_for_admin,
    member_search,
    pick_lists,
    program_peer_search,
    program_peers,
)


@org_view(Role.MEMBER)
def intake(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    # No write on GET: the profile row exists once the member joined (or is made on save).
    profile = MemberProfile.objects.filter(
        organization=access.organization, user=request.user
    ).first() or MemberProfile(organization=access.organization, user=request.user)
    not_with_ids = NotWith.objects.filter(
        organization=access.organization, user=request.user
    ).values_list("other_id", flat=True)
    form = IntakeForm(
        request.POST or None,
        instance=profile,
        colleagues=program_peers(access=access, user=request.user),
        not_with_initial=not_with_ids,
        pick_lists=pick_lists(organization=access.organization),
    )
    search = _picker_search(request, access) if request.method == "POST" else None
    if search is not None:
        # A picker's search without JavaScript: the page comes back with everything as
        # typed and the matches as choices of that picker; nothing is saved or checked yet.
        form._errors = ErrorDict()
    elif request.method == "POST" and form.is_valid():
        was_complete = profile.is_complete
        try:
            services.member_profile_save(
                profile=form.save(commit=False),
                not_with=list(form.cleaned_data["not_with"]),
                acting_user=request.user,
            )
        except Invalid as error:
            form_add_invalid(form, error)
        else:
            messages.success(
                request,
                gettext("Your profile is updated.")
                if was_complete
                else gettext("Thank you — your intake is complete."),
            )
            return redirect("organizations-dashboard", org_slug=access.organization.slug)
    status = form_status(request) if search is None else 200
    chosen = {name: _chosen(form, name) for name in PICKERS}
    if search is not None:
        taken = {person.pk for person in chosen[search["picker"]]}
        search["people"] = [person for person in search["people"] if person.pk not in taken]
    return org_render(
        request,
        access,
        "people/intake.html",
        {
            "form": form,
            "chosen_manager": chosen["reports_to"],
            "chosen_not_with": chosen["not_with"],
            "search": search,
            "search_min": PEER_SEARCH_MIN,
        },
        status=status,
    )


PICKERS = ("reports_to", "not_with")


def _picker_search(request: HttpRequest, access: OrgAccess) -> dict | None:
    """The picker search a no-JavaScript intake post asks for, or None for a save.

    A picker's Search button names its picker; Enter (the form's first, hidden button:
    `action=enter`) searches when a picker's search box holds text, as it does with
    JavaScript, and saves otherwise.
    """
    picker = request.POST.get("search", "")
    if picker not in PICKERS and request.POST.get("action") == "enter":
        picker = next((name for name in PICKERS if request.POST.get(f"{name}_q", "").strip()), "")
    if picker not in PICKERS:
        return None
    query = request.POST.get(f"{picker}_q", "")[:100]
    return {
        "picker": picker,
        "query": query,
        "people": program_peer_search(access=access, user=request.user, query=query),
        "search_min": PEER_SEARCH_MIN,
        "limit": PEER_SEARCH_LIMIT,
    }


def _chosen(form: IntakeForm, name: str) -> list:
    """The people a picker shows as chosen: what was posted (or saved), among the peers."""
    value = form[name].value()
    ids = value if isinstance(value, list | tuple) else [value]
    ids = [int(pk) for pk in ids if str(pk or "").isdigit()]
    if not ids:
        return []
    return list(form.fields[name].queryset.filter(pk__in=ids))


@require_safe
@org_view(Role.MEMBER)
def intake_people_search(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    """The intake pickers' search: people of the member's own program, by name."""
    picker = request.GET.get("picker", "not_with")
    if picker not in ("not_with", "reports_to"):
        picker = "not_with"
    # The picker's box is named after it (`not_with_q`) so both boxes post with the form.
    query = request.GET.get(f"{picker}_q", request.GET.get("q", ""))[:100]
    return render(
        request,
        "people/_peer_results.html",
        {
            "picker": picker,
            "query": query,
            "people": program_peer_search(access=access, user=request.user, query=query),
            "search_min": PEER_SEARCH_MIN,
            "limit": PEER_SEARCH_LIMIT,
        },
    )


@org_view()
def facilitator_apply(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    profile = FacilitatorProfile.objects.filter(
        organization=access.organization, user=request.user
    ).select_related("organization").first() or FacilitatorProfile(
        organization=access.organization, user=request.user
    )
    form = FacilitatorApplicationForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        services.facilitator_apply(profile=form.save(commit=False), acting_user=request.user)
        messages.success(
            request, gettext("Your application is in. A program admin will review it.")
        )
        return redirect("organizations-dashboard", org_slug=access.organization.slug)
    status = form_status(request)
    return org_render(
        request,
        access,
        "people/facilitator_apply.html",
        {"form": form, "profile": profile if profile.pk else None},
        status=status,
    )


@require_safe
@org_view(Role.ADMIN)
def facilitator_list(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    status = request.GET.get("status", FacilitatorStatus.PENDING)
    if status not in FacilitatorStatus.values:
        status = FacilitatorStatus.PENDING
    profiles = facilitator_profiles_for_admin(access=access, status=status)
    return org_render(
        request,
        access,
        "people/facilitator_list.html",
        {"profiles": profiles, "status": status, "statuses": FacilitatorStatus.choices},
    )


@org_view(Role.ADMIN)
@require_POST
def facilitator_review(request: HttpRequest, access: OrgAccess, profile_id: int) -> HttpResponse:
    profile = facilitator_profile_for_admin(access=access, profile_id=profile_id)
    form = FacilitatorReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose approve or decline."))
    elif form.cleaned_data["decision"] == "approve":
        try:
            services.facilitator_approve(
                profile=profile, acting_user=request.user, note=form.cleaned_data["note"]
            )
        except Conflict as refusal:  # shown on the list the admin returns to
            messages.error(
                request,
                gettext("%(user)s: %(reason)s") % {"user": profile.user, "reason": refusal.reason},
            )
        else:
            messages.success(
                request,
                gettext("%(user)s is now an approved facilitator.") % {"user": profile.user},
            )
    else:
        try:
            services.facilitator_reject(
                profile=profile, acting_user=request.user, note=form.cleaned_data["note"]
            )
        except Conflict as refusal:
            messages.error(
                request,
                gettext("%(user)s: %(reason)s") % {"user": profile.user, "reason": refusal.reason},
            )
        else:
            messages.success(
                request, gettext("%(user)s's application was declined.") % {"user": profile.user}
            )
    return redirect("people-facilitators", org_slug=access.organization.slug)


MEMBERS_PER_PAGE = 50


@require_safe
@org_view(Role.ADMIN)
def member_list(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    base = MemberProfile.objects.filter(organization=access.organization)
    regions = base.exclude(region="").values_list("region", flat=True).distinct().order_by("region")
    industries = (
        base.exclude(industry="").values_list("industry", flat=True).distinct().order_by("industry")
    )
    form = MemberFilterForm(
        request.GET or None,
        regions=list(regions),
        industries=list(industries),
        programs=list(access.organization.programs.all()),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    profiles = member_search(
        access=access,
        query=filters.get("q", ""),
        region=filters.get("region", ""),
        industry=filters.get("industry", ""),
        program_id=filters.get("program"),
        intake=filters.get("intake", ""),
    ).only(  # the columns the list shows: not each program's settings, nor the long texts
        *("user", "program", "region", "industry", "company", "completed_at"),
        *("user__full_name", "user__email", "program__name"),
    )
    page = Paginator(profiles, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return org_render(
        request,
        access,
        "people/member_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@org_view(Role.ADMIN)
def category_list(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    """Pick-lists (region, industry, function): add values, and merge the spellings in use."""
    action = request.POST.get("action", "") if request.method == "POST" else ""
    lists = pick_lists(organization=access.organization)
    kinds = []
    for kind in CategoryKind:
        usage = category_usage(access=access, kind=kind.value)
        merge_form = CategoryMergeForm(
            request.POST if action == f"merge-{kind.value}" else None,
            prefix=f"merge-{kind.value}",
            spellings=[row["value"] for row in usage],
        )
        kinds.append(
            {"kind": kind, "listed": lists[kind.value], "usage": usage, "merge": merge_form}
        )
    add_form = CategoryAddForm(request.POST if action == "add" else None, prefix="add")
    if request.method == "POST":
        try:
            if action == "add" and add_form.is_valid():
                category = services.category_add(
                    access=access, acting_user=request.user, **add_form.cleaned_data
                )
                messages.success(
                    request,
                    gettext("“%(category_label)s” added.") % {"category_label": category.label},
                )
                return redirect("people-categories", org_slug=access.organization.slug)
            for entry in kinds:
                form = entry["merge"]
                if action == f"merge-{entry['kind'].value}" and form.is_valid():
                    changed = services.category_merge(
                        access=access,
                        acting_user=request.user,
                        kind=entry["kind"].value,
                        values=form.cleaned_data["values"],
                        into=form.cleaned_data["into"],
                    )
                    messages.success(
                        request,
                        gettext("Merged into “%(into)s”: %(changed)s changed.")
                        % {"into": form.cleaned_data["into"], "changed": changed},
                    )
                    return redirect("people-categories", org_slug=access.organization.slug)
        except (Invalid, Conflict) as error:
            target = (
                add_form
                if action == "add"
                else next(
                    (e["merge"] for e in kinds if action == f"merge-{e['kind'].value}"), add_form
                )
            )
            form_add_invalid(
                target, error, field_map={"label": "into"} if target is not add_form else None
            )
    status = form_status(request)
    return org_render(
        request,
        access,
        "people/category_list.html",
        {"kinds": kinds, "add_form": add_form},
        status=status,
    )
