"""Intake, facilitator applications and their review."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST, require_safe

from peergroups.errors import Conflict
from peergroups.organizations.access import OrgAccess, org_render, org_view
from peergroups.organizations.models import Role
from peergroups.people import services
from peergroups.people.forms import (
    FacilitatorApplicationForm,
    FacilitatorReviewForm,
    IntakeForm,
    MemberFilterForm,
)
from peergroups.people.models import FacilitatorProfile, FacilitatorStatus, MemberProfile, NotWith
from peergroups.people.selectors import colleagues, facilitator_profile_for_admin, member_search


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
        colleagues=colleagues(access=access, exclude=request.user),
        not_with_initial=not_with_ids,
    )
    if request.method == "POST" and form.is_valid():
        was_complete = profile.is_complete
        services.member_profile_save(
            profile=form.save(commit=False),
            not_with=list(form.cleaned_data["not_with"]),
            acting_user=request.user,
        )
        messages.success(
            request,
            "Your profile is updated." if was_complete else "Thank you — your intake is complete.",
        )
        return redirect("organizations-dashboard", org_slug=access.organization.slug)
    status = 400 if request.method == "POST" else 200
    return org_render(request, access, "people/intake.html", {"form": form}, status=status)


@org_view()
def facilitator_apply(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    profile = FacilitatorProfile.objects.filter(
        organization=access.organization, user=request.user
    ).first() or FacilitatorProfile(organization=access.organization, user=request.user)
    form = FacilitatorApplicationForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        services.facilitator_apply(profile=form.save(commit=False), acting_user=request.user)
        messages.success(request, "Your application is in. A program admin will review it.")
        return redirect("organizations-dashboard", org_slug=access.organization.slug)
    status = 400 if request.method == "POST" else 200
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
    profiles = (
        FacilitatorProfile.objects.filter(organization=access.organization, status=status)
        .select_related("user")
        .order_by("applied_at")
    )
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
        messages.error(request, "Choose approve or decline.")
    elif form.cleaned_data["decision"] == "approve":
        try:
            services.facilitator_approve(
                profile=profile, acting_user=request.user, note=form.cleaned_data["note"]
            )
        except Conflict as refusal:  # shown on the list the admin returns to
            messages.error(request, f"{profile.user}: {refusal.reason}")
        else:
            messages.success(request, f"{profile.user} is now an approved facilitator.")
    else:
        try:
            services.facilitator_reject(
                profile=profile, acting_user=request.user, note=form.cleaned_data["note"]
            )
        except Conflict as refusal:
            messages.error(request, f"{profile.user}: {refusal.reason}")
        else:
            messages.success(request, f"{profile.user}'s application was declined.")
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
