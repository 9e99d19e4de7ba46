"""Resource pages: the library with search as you type, sharing, a resource's page,
its file, votes, and the meeting agenda's resource share fragment.

Views parse input, resolve resources through selectors.resource_for_user (the one
access decision) and call services; services raise domain errors that the error
mapping turns into pages.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from peergroups.errors import Invalid, Refused
from peergroups.http import FORM_INVALID, form_add_invalid, form_status
from peergroups.meetings.selectors import group_content_for_user, meeting_for_user
from peergroups.organizations.access import OrgAccess, org_render, org_view
from peergroups.resources import selectors, services
from peergroups.resources.download import file_response
from peergroups.resources.forms import MeetingShareForm, ResourceForm, SearchForm
from peergroups.resources.models import Scope

FIELD_OF = {"scope": "share_with"}


@require_safe
@org_view()
def library(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    """The library; with `q`, search results best first. htmx asks for the results only."""
    form = SearchForm(request.GET or None)
    values = form.cleaned_data if form.is_valid() else {}
    search_error = form.errors.get("q", [""])[0] if form.is_bound else ""
    # A search with no word (only spaces) shows the form and its message, not the
    # whole library as if it were the results.
    page = (
        None
        if search_error
        else selectors.library(
            user=request.user,
            access=access,
            query=values.get("q") or "",
            topic=values.get("topic") or "",
            scope=values.get("scope") or "",
            page=values.get("page") or 1,
        )
    )
    context = {
        "form": form,
        "page": page,
        "search_error": search_error,
        "may_share": access.is_member or access.is_facilitator,
    }
    if request.htmx and request.htmx.target == "results":
        return org_render(request, access, "resources/_results.html", context)
    return org_render(request, access, "resources/library.html", context)


@org_view()
def share(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    groups = selectors.readable_groups(user=request.user, access=access)
    if not (access.is_member or access.is_facilitator):
        raise Refused(gettext("Members and facilitators share resources; program admins do not."))
    form = ResourceForm(request.POST or None, request.FILES or None, groups=groups)
    if request.method == "POST" and form.is_valid():
        scope, group_id = form.scope_and_group()
        try:
            resource = services.resource_share(
                user=request.user,
                access=access,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                summary=form.cleaned_data["summary"],
                topics=form.cleaned_data["topics"],
                scope=scope,
                group_id=group_id,
                url=form.cleaned_data["url"],
                upload=form.cleaned_data["file"],
            )
        except Invalid as error:
            form_add_invalid(form, error, field_map=FIELD_OF)
        else:
            messages.success(request, gettext("Shared. Thank you."))
            return redirect(resource.get_absolute_url())
    return org_render(
        request,
        access,
        "resources/form.html",
        {"form": form, "editing": None},
        status=form_status(request),
    )


@require_safe
@org_view()
def detail(request: HttpRequest, access: OrgAccess, resource_id: int) -> HttpResponse:
    resource = selectors.resource_for_user(
        user=request.user, access=access, resource_id=resource_id
    )
    return org_render(
        request,
        access,
        "resources/detail.html",
        {
            "resource": resource,
            "may_edit": selectors.may_edit(resource, request.user),
            "may_withdraw": selectors.may_withdraw(resource, request.user, access),
        },
    )


@org_view()
def edit(request: HttpRequest, access: OrgAccess, resource_id: int) -> HttpResponse:
    resource = selectors.resource_for_user(
        user=request.user, access=access, resource_id=resource_id
    )
    if not selectors.may_edit(resource, request.user):
        raise Refused(gettext("Only the person who shared a resource can edit it."))
    groups = [resource.group] if resource.group else []
    share_with = f"group:{resource.group_id}" if resource.scope == Scope.GROUP else "organization"
    form = ResourceForm(
        request.POST or None,
        request.FILES or None,
        groups=groups,
        edit=True,
        initial={
            "title": resource.title,
            "kind": resource.kind,
            "summary": resource.summary,
            "url": resource.url,
            "topics": resource.topics,
            "share_with": share_with,
        },
    )
    if request.method == "POST" and form.is_valid():
        scope, _group_id = form.scope_and_group()
        try:
            services.resource_edit(
                user=request.user,
                access=access,
                resource=resource,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                summary=form.cleaned_data["summary"],
                topics=form.cleaned_data["topics"],
                url=form.cleaned_data["url"],
                scope=scope,
                upload=form.cleaned_data["file"],
            )
        except Invalid as error:
            form_add_invalid(form, error, field_map=FIELD_OF)
        else:
            messages.success(request, gettext("Saved."))
            return redirect(resource.get_absolute_url())
    return org_render(
        request,
        access,
        "resources/form.html",
        {"form": form, "editing": resource},
        status=form_status(request),
    )


@require_POST
@org_view()
def withdraw(request: HttpRequest, access: OrgAccess, resource_id: int) -> HttpResponse:
    resource = selectors.resource_for_user(
        user=request.user, access=access, resource_id=resource_id
    )
    services.resource_withdraw(user=request.user, access=access, resource=resource)
    messages.success(
        request,
        gettext("“%(resource_title)s” was withdrawn from the library.")
        % {"resource_title": resource.title},
    )
    return redirect("resources-library", org_slug=access.organization.slug)


@require_POST
@org_view()
def vote(request: HttpRequest, access: OrgAccess, resource_id: int) -> HttpResponse:
    resource = selectors.resource_for_user(
        user=request.user, access=access, resource_id=resource_id
    )
    services.resource_vote_set(
        user=request.user, resource=resource, useful=request.POST.get("useful") != "0"
    )
    if request.htmx:
        return org_render(request, access, "resources/_vote.html", {"resource": resource})
    return redirect(resource.get_absolute_url())


@require_safe
@org_view()
def download(request: HttpRequest, access: OrgAccess, resource_id: int) -> HttpResponse:
    """The attached file, for those who may see the resource; never a public URL."""
    resource = selectors.resource_for_user(
        user=request.user, access=access, resource_id=resource_id
    )
    return file_response(resource)


@org_view()
def meeting_share(
    request: HttpRequest, access: OrgAccess, group_id: int, meeting_id: int
) -> HttpResponse:
    """The agenda's resource share step: what the group shared since its last meeting,
    and a form to add one on the spot. A fragment the meeting pages load with htmx."""
    ctx = group_content_for_user(user=request.user, access=access, group_id=group_id)
    meeting = meeting_for_user(ctx=ctx, meeting_id=meeting_id)
    form = MeetingShareForm(request.POST or None, request.FILES or None, group=ctx.group)
    if request.method == "POST" and form.is_valid():
        scope, _group_id = form.scope_and_group()
        try:
            services.resource_share(
                user=request.user,
                access=access,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                summary=form.cleaned_data["summary"],
                topics=form.cleaned_data["topics"],
                scope=scope,
                group_id=ctx.group.pk,
                url=form.cleaned_data["url"],
                upload=form.cleaned_data["file"],
            )
        except Invalid as error:
            form_add_invalid(form, error, field_map=FIELD_OF)
        else:
            if not request.htmx:
                messages.success(request, gettext("Shared with the group."))
                return redirect(request.path)
            form = MeetingShareForm(group=ctx.group)
    since, shared = selectors.shared_since_last_meeting(meeting=meeting)
    return org_render(
        request,
        access,
        # htmx loads the fragment into the meeting page; without it, a page of its own.
        "resources/_meeting_share.html" if request.htmx else "resources/meeting_share.html",
        {
            "group": ctx.group,
            "meeting": meeting,
            "since": since,
            "shared": shared,
            "form": form,
            "action": reverse(
                "resources-meeting-share",
                kwargs={
                    "org_slug": access.organization.slug,
                    "group_id": ctx.group.pk,
                    "meeting_id": meeting.pk,
                },
            ),
        },
        # htmx swaps only 2xx answers: the fragment with its errors comes back as 200.
        status=FORM_INVALID if form.errors else 200,
    )
