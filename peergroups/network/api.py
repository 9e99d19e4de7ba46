"""JSON API for the network: directory search, my listing, questions and answers.

Handlers parse, call the selectors and services the pages use, and return; domain
errors become JSON through the API's error mapping (429 with Retry-After when a person
has asked too many questions).
"""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from peergroups.errors import Refused
from peergroups.http import error_responses
from peergroups.network import selectors, services
from peergroups.network.models import (
    ANSWER_MAX,
    ASK_ME_ABOUT_MAX,
    QUESTION_BODY_MAX,
    QUESTION_TITLE_MAX,
    RECIPIENTS_MAX,
    TOPICS_MAX,
)
from peergroups.organizations.access import OrgAccess, organization_access

router = Router(tags=["network"])

ORG = "/organizations/{org_slug}"
ONE = ORG + "/questions/{question_id}"
DIRECTORY_MAX = 100


def _network_access(request: HttpRequest, org_slug: str) -> OrgAccess:
    access = organization_access(request.auth, org_slug)
    if not (access.is_member or access.is_facilitator):
        raise Refused(gettext("The network is for members and facilitators."))
    return access


class DirectoryEntryOut(Schema):
    user_id: int
    name: str
    role_line: str
    industry: str
    region: str
    expertise: list[str]
    ask_me_about: str
    ask_me_about_topics: list[str]
    handled_topics: list[str]


class DirectoryPageOut(Schema):
    count: int
    items: list[DirectoryEntryOut]


class DirectoryFilters(Schema):
    q: str = Field("", max_length=100)
    expertise: str = Field("", max_length=40)
    industry: str = Field("", max_length=100)
    region: str = Field("", max_length=100)
    limit: int = Field(50, ge=1, le=DIRECTORY_MAX)
    offset: int = Field(0, ge=0)


class ListingIn(Schema):
    listed: bool
    show_expertise: bool = True
    show_industry: bool = True
    show_region: bool = True
    show_role: bool = True
    ask_me_about: str = Field("", max_length=ASK_ME_ABOUT_MAX)
    ask_me_about_topics: list[str] = Field([], max_length=TOPICS_MAX)
    handled_topics: list[str] = Field([], max_length=TOPICS_MAX)
    accepts_questions: bool = True


class ListingOut(ListingIn):
    expertise: list[str]
    industry: str
    region: str
    role_line: str


class ProposalIn(Schema):
    topics: list[str] = Field(min_length=1, max_length=TOPICS_MAX)


class CandidateOut(Schema):
    user_id: int
    name: str
    score: float
    reasons: list[str]


class QuestionIn(Schema):
    title: str = Field(min_length=1, max_length=QUESTION_TITLE_MAX)
    body: str = Field(min_length=1, max_length=QUESTION_BODY_MAX)
    topics: list[str] = Field(min_length=1, max_length=TOPICS_MAX)
    recipients: list[int] | None = Field(
        None,
        max_length=RECIPIENTS_MAX,
        description="User ids from the proposals; leave out to ask the top five.",
    )
    anonymous: bool = False
    share_answers: bool = False


class AnswerIn(Schema):
    body: str = Field(min_length=1, max_length=ANSWER_MAX)


class AnswerOut(Schema):
    id: int
    author: str
    author_id: int
    body: str
    created_at: datetime


class QuestionOut(Schema):
    id: int
    title: str
    body: str
    topics: list[str]
    asker: str = Field(description="'A peer (anonymous)' to recipients of anonymous questions.")
    anonymous: bool
    share_answers: bool
    is_open: bool
    closes_at: datetime
    created_at: datetime
    role: Literal["asker", "recipient"]
    my_status: str | None = Field(None, description="asked, answered or declined (recipients).")
    recipients: list[str] = Field([], description="Who it went to (the asker only).")
    answers: list[AnswerOut]


class QuestionSummaryOut(Schema):
    id: int
    title: str
    role: Literal["asker", "recipient"]
    is_open: bool
    created_at: datetime


def _person(entry) -> dict:
    return {
        "user_id": entry.user_id,
        "name": str(entry.user),
        "role_line": entry.role_line,
        "industry": entry.industry,
        "region": entry.region,
        "expertise": entry.expertise,
        "ask_me_about": entry.ask_me_about,
        "ask_me_about_topics": entry.ask_me_about_topics,
        "handled_topics": entry.handled_topics,
    }


def _question(view) -> dict:
    q = view.question
    return {
        "id": q.pk,
        "title": q.title,
        "body": q.body,
        "topics": q.topics,
        "asker": view.asker_label,
        "anonymous": q.anonymous,
        "share_answers": q.share_answers,
        "is_open": q.is_open,
        "closes_at": q.closes_at,
        "created_at": q.created_at,
        "role": "asker" if view.is_asker else "recipient",
        "my_status": view.recipient.status if view.recipient else None,
        "recipients": [str(r.user) for r in selectors.recipients_of(view=view)],
        "answers": [
            {
                "id": a.pk,
                "author": str(a.author),
                "author_id": a.author_id,
                "body": a.body,
                "created_at": a.created_at,
            }
            for a in selectors.answers_visible(view=view)
        ],
    }


def _view(request: HttpRequest, org_slug: str, question_id: int):
    access = organization_access(request.auth, org_slug)
    return selectors.question_for_user(user=request.auth, access=access, question_id=question_id)


@router.get(
    ORG + "/directory",
    response={200: DirectoryPageOut, **error_responses(404)},
    url_name="api-directory",
)
def directory(request: HttpRequest, org_slug: str, filters: Query[DirectoryFilters]):
    """People of this organization who chose to be listed, with what they chose to show."""
    access = organization_access(request.auth, org_slug)
    entries = selectors.directory_search(
        access=access,
        query=filters.q,
        expertise=filters.expertise,
        industry=filters.industry,
        region=filters.region,
    )
    window = entries[filters.offset : filters.offset + filters.limit]
    return {"count": entries.count(), "items": [_person(e) for e in window]}


@router.get(
    ORG + "/directory/me",
    response={200: ListingOut, **error_responses(403, 404)},
    url_name="api-directory-me",
)
def listing(request: HttpRequest, org_slug: str):
    access = _network_access(request, org_slug)
    entry = selectors.directory_entry_of(user=request.auth, access=access)
    if entry is None:
        return {"listed": False, "expertise": [], "industry": "", "region": "", "role_line": ""}
    return entry


@router.put(
    ORG + "/directory/me",
    response={200: ListingOut, **error_responses(403, 404)},
    url_name="api-directory-me-update",
)
def listing_update(request: HttpRequest, org_slug: str, payload: ListingIn):
    """List or unlist yourself; unlisted, you disappear from every search at once."""
    access = organization_access(request.auth, org_slug)
    return services.directory_entry_save(user=request.auth, access=access, **payload.dict())


@router.post(
    ORG + "/questions/proposals",
    response={200: list[CandidateOut], **error_responses(403, 404)},
    url_name="api-questions-proposals",
)
def proposals(request: HttpRequest, org_slug: str, payload: ProposalIn):
    """Who a question on these topics would go to, best placed first, with the reasons."""
    access = _network_access(request, org_slug)
    return [
        {"user_id": c.user.pk, "name": str(c.user), "score": c.score, "reasons": c.reasons}
        for c in selectors.route(
            access=access, asker=request.auth, topics=payload.topics, limit=RECIPIENTS_MAX
        )
    ]


@router.get(
    ORG + "/questions",
    response={200: list[QuestionSummaryOut], **error_responses(403, 404)},
    url_name="api-questions",
)
def question_list(request: HttpRequest, org_slug: str):
    """Questions you asked and questions asked of you, newest first (50 of each)."""
    access = _network_access(request, org_slug)
    asked = [
        {
            "id": q.pk,
            "title": q.title,
            "role": "asker",
            "is_open": q.is_open,
            "created_at": q.created_at,
        }
        for q in selectors.questions_asked(user=request.auth, access=access)[:50]
    ]
    received = [
        {
            "id": r.question_id,
            "title": r.question.title,
            "role": "recipient",
            "is_open": r.question.is_open,
            "created_at": r.question.created_at,
        }
        for r in selectors.questions_received(user=request.auth, access=access)[:50]
    ]
    return sorted(asked + received, key=lambda q: q["created_at"], reverse=True)


@router.post(
    ORG + "/questions",
    response={201: QuestionOut, **error_responses(403, 404, 409, 429)},
    url_name="api-questions-create",
)
def question_create(request: HttpRequest, org_slug: str, payload: QuestionIn):
    """Ask the network. 429 (with Retry-After) past the per-person limits."""
    access = organization_access(request.auth, org_slug)
    question = services.question_ask(
        user=request.auth,
        access=access,
        title=payload.title,
        body=payload.body,
        topics=payload.topics,
        recipient_ids=payload.recipients,
        anonymous=payload.anonymous,
        share_answers=payload.share_answers,
    )
    return Status(201, _question(_view(request, org_slug, question.pk)))


@router.get(ONE, response={200: QuestionOut, **error_responses(404)}, url_name="api-question")
def question_detail(request: HttpRequest, org_slug: str, question_id: int):
    """A question you asked or were asked, with the answers you may read."""
    return _question(_view(request, org_slug, question_id))


@router.post(
    ONE + "/answers",
    response={201: AnswerOut, **error_responses(403, 404, 409)},
    url_name="api-question-answer",
)
def answer_create(request: HttpRequest, org_slug: str, question_id: int, payload: AnswerIn):
    view = _view(request, org_slug, question_id)
    answer = services.answer_give(user=request.auth, view=view, body=payload.body)
    return Status(
        201,
        {
            "id": answer.pk,
            "author": str(answer.author),
            "author_id": answer.author_id,
            "body": answer.body,
            "created_at": answer.created_at,
        },
    )


@router.post(
    ONE + "/decline",
    response={200: QuestionOut, **error_responses(403, 404, 409)},
    url_name="api-question-decline",
)
def decline(request: HttpRequest, org_slug: str, question_id: int, mute: bool = False):
    """Decline a question asked of you; `mute=true` also stops questions from its asker."""
    view = _view(request, org_slug, question_id)
    if mute:
        services.asker_mute(user=request.auth, view=view)
    else:
        services.question_decline(user=request.auth, view=view)
    return _question(_view(request, org_slug, question_id))


@router.post(
    ONE + "/close",
    response={200: QuestionOut, **error_responses(403, 404, 409)},
    url_name="api-question-close",
)
def close(request: HttpRequest, org_slug: str, question_id: int):
    view = _view(request, org_slug, question_id)
    services.question_close(user=request.auth, view=view)
    return _question(_view(request, org_slug, question_id))
