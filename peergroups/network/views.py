"""Network pages: the directory, my listing, ask the network, a question and its answers.

Views parse input, resolve questions through selectors.question_for_user (the one
access decision) and call services; domain errors become pages through the mapping.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST, require_safe

from peergroups.errors import Conflict, Invalid, Refused, Throttled
from peergroups.http import FORM_INVALID, form_add_invalid, form_status
from peergroups.network import selectors, services
from peergroups.network.forms import (
    AnswerForm,
    DirectoryEntryForm,
    DirectorySearchForm,
    QuestionForm,
)
from peergroups.network.models import RECIPIENTS_DEFAULT, RECIPIENTS_MAX, RecipientStatus
from peergroups.organizations.access import OrgAccess, org_render, org_view


def _require_network(access: OrgAccess) -> None:
    if not (access.is_member or access.is_facilitator):
        raise Refused(gettext("The network is for members and facilitators."))


@require_safe
@org_view()
def directory(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    form = DirectorySearchForm(request.GET or None)
    values = form.cleaned_data if form.is_valid() else {}
    entries = selectors.directory_search(
        access=access,
        query=values.get("q") or "",
        expertise=values.get("expertise") or "",
        industry=values.get("industry") or "",
        region=values.get("region") or "",
    )
    page = Paginator(entries, selectors.DIRECTORY_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filters": selectors.directory_filters(access=access),
        "mine": selectors.directory_entry_of(user=request.user, access=access),
        "in_network": access.is_member or access.is_facilitator,
    }
    if request.htmx and request.htmx.target == "people":
        return org_render(request, access, "network/_people.html", context)
    return org_render(request, access, "network/directory.html", context)


@org_view()
def directory_me(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    _require_network(access)
    entry = selectors.directory_entry_of(user=request.user, access=access)
    facts = selectors.person_facts(user=request.user, access=access)
    initial = {
        "listed": True,
        "show_expertise": True,
        "show_industry": True,
        "show_region": True,
        "show_role": True,
        "accepts_questions": True,
        "handled_topics": facts.expertise[:3],
    }
    if entry is not None:
        initial = {
            name: getattr(entry, name)
            for name in DirectoryEntryForm.base_fields
            if hasattr(entry, name)
        }
    form = DirectoryEntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.directory_entry_save(
                user=request.user, access=access, **form.cleaned_data
            )
        except Invalid as error:
            form_add_invalid(form, error)
        else:
            messages.success(
                request,
                gettext("You are listed in the directory.")
                if saved.listed
                else gettext("You are not listed in the directory."),
            )
            return redirect("network-directory", org_slug=access.organization.slug)
    return org_render(
        request,
        access,
        "network/directory_me.html",
        {"form": form, "facts": facts, "entry": entry},
        status=form_status(request),
    )


@require_safe
@org_view()
def questions(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    _require_network(access)
    return org_render(
        request,
        access,
        "network/questions.html",
        {
            "asked": selectors.questions_asked(user=request.user, access=access)[:50],
            "received": selectors.questions_received(user=request.user, access=access)[:50],
        },
    )


@org_view()
def ask(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    """Write the question, see who the routing proposes, pick (top five preselected), send."""
    _require_network(access)
    form = QuestionForm(request.POST or None)
    status = form_status(request)
    candidates = []
    chosen: set[int] = set()
    if request.method == "POST" and form.is_valid():
        candidates = selectors.route(
            access=access,
            asker=request.user,
            topics=form.cleaned_data["topics"],
            limit=RECIPIENTS_MAX,
        )
        if request.POST.get("action") == "send":
            picked = [int(v) for v in request.POST.getlist("recipients") if v.isdigit()]
            chosen = set(picked)
            try:
                question = services.question_ask(
                    user=request.user,
                    access=access,
                    recipient_ids=picked or None,
                    **form.cleaned_data,
                )
            except Invalid as error:
                form_add_invalid(form, error)
            except (Conflict, Throttled) as error:
                # Nobody to ask, or asked too often: say so above the form, keep the text.
                form.add_error(None, error.reason)
                status = error.status
            else:
                count = question.recipients.count()
                messages.success(
                    request,
                    ngettext(
                        "Sent to %(count)s peer. You will get an e-mail for every answer.",
                        "Sent to %(count)s peers. You will get an e-mail for every answer.",
                        count,
                    )
                    % {"count": count},
                )
                return redirect(question.get_absolute_url())
        else:
            chosen = {c.user.pk for c in candidates[:RECIPIENTS_DEFAULT]}
    return org_render(
        request,
        access,
        "network/ask.html",
        {
            "form": form,
            "candidates": candidates,
            "chosen": chosen,
            "previewed": request.method == "POST" and form.is_valid(),
        },
        status=status if form.errors else 200,
    )


@require_safe
@org_view()
def question(request: HttpRequest, access: OrgAccess, question_id: int) -> HttpResponse:
    view = selectors.question_for_user(user=request.user, access=access, question_id=question_id)
    answers = selectors.answers_visible(view=view)
    may_answer = (
        view.recipient is not None
        and view.question.is_open
        and not any(a.author_id == request.user.pk for a in answers)
    )
    return org_render(
        request,
        access,
        "network/question.html",
        {
            "view": view,
            "q": view.question,
            "answers": answers,
            "recipients": selectors.recipients_of(view=view),
            "answer_form": AnswerForm() if may_answer else None,
            "may_decline": view.recipient is not None
            and view.recipient.status == RecipientStatus.ASKED,
        },
    )


@require_POST
@org_view()
def answer(request: HttpRequest, access: OrgAccess, question_id: int) -> HttpResponse:
    view = selectors.question_for_user(user=request.user, access=access, question_id=question_id)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.answer_give(user=request.user, view=view, body=form.cleaned_data["body"])
        except Invalid as error:
            form_add_invalid(form, error)
        except Conflict as error:  # closed, or answered already: keep the text on screen
            form.add_error(None, error.reason)
        else:
            messages.success(request, gettext("Thank you: your answer is on its way to the asker."))
            return redirect(view.question.get_absolute_url())
    return org_render(
        request,
        access,
        "network/question.html",
        {
            "view": view,
            "q": view.question,
            "answers": selectors.answers_visible(view=view),
            "recipients": selectors.recipients_of(view=view),
            "answer_form": form,
            "may_decline": False,
        },
        status=FORM_INVALID,
    )


@require_POST
@org_view()
def decline(request: HttpRequest, access: OrgAccess, question_id: int) -> HttpResponse:
    view = selectors.question_for_user(user=request.user, access=access, question_id=question_id)
    if request.POST.get("mute"):
        services.asker_mute(user=request.user, view=view)
        messages.success(
            request, gettext("Declined. You will get no more questions from this asker.")
        )
    else:
        services.question_decline(user=request.user, view=view)
        messages.success(request, gettext("Declined. The asker is not told who declined."))
    return redirect("network-questions", org_slug=access.organization.slug)


@require_POST
@org_view()
def close(request: HttpRequest, access: OrgAccess, question_id: int) -> HttpResponse:
    view = selectors.question_for_user(user=request.user, access=access, question_id=question_id)
    services.question_close(user=request.user, view=view)
    messages.success(request, gettext("Closed: it takes no more answers."))
    return redirect(view.question.get_absolute_url())
