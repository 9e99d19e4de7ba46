"""Reads of the network: the directory, routing a question, and who may read a question.

- The directory shows listed people of the viewer's own organization only; someone who
  stops being listed (or loses their role) disappears from every result at once.
- `question_for_user` is the one access decision for a question and its answers: the
  asker and the people it was sent to; anyone else gets 404 (a question's existence is
  private).
- `route` ranks peers by what they declared, what they shared with the whole
  organization and the answers they gave before. It never reads group content: which
  issues someone brought to their group stays in the group.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from peergroups.accounts.models import User
from peergroups.errors import NotFound
from peergroups.network.models import (
    Answer,
    DirectoryEntry,
    Mute,
    Question,
    QuestionRecipient,
    RecipientStatus,
)
from peergroups.organizations.access import OrgAccess
from peergroups.organizations.models import OrganizationRole, Role
from peergroups.people.models import FacilitatorProfile, MemberProfile
from peergroups.people.vocabulary import AREA_LABELS
from peergroups.resources.models import ResourceTopic, Scope

NETWORK_ROLES = (Role.MEMBER, Role.FACILITATOR)
DIRECTORY_PAGE = 30

# Routing weights: what a person declares counts most; what they did counts too.
W_EXPERTISE = 3.0
W_ASK_ME_ABOUT = 3.0
W_HANDLED = 2.0
W_RESOURCE = 1.0
W_ANSWER = 1.0
EVIDENCE_CAP = 3  # resources or answers beyond this many add nothing more


# --- directory -------------------------------------------------------------------------


def _in_network(access: OrgAccess) -> QuerySet[DirectoryEntry]:
    """Listed entries of people who still hold a member or facilitator role."""
    holds_role = OrganizationRole.objects.filter(
        organization=access.organization, user=OuterRef("user"), role__in=NETWORK_ROLES
    )
    return DirectoryEntry.objects.filter(organization=access.organization, listed=True).filter(
        Exists(holds_role)
    )


def directory_search(
    *,
    access: OrgAccess,
    query: str = "",
    expertise: str = "",
    industry: str = "",
    region: str = "",
) -> QuerySet[DirectoryEntry]:
    """The organization's directory as anyone in it sees it; filters by what people show."""
    entries = _in_network(access).select_related("user")
    query = query.strip()
    if query:
        entries = entries.filter(
            Q(user__full_name__icontains=query)
            | Q(ask_me_about__icontains=query)
            | Q(role_line__icontains=query)
        )
    if expertise:
        entries = entries.filter(topic_tags__contains=f" {expertise} ")
    if industry:
        entries = entries.filter(industry__iexact=industry)
    if region:
        entries = entries.filter(region__iexact=region)
    return entries.order_by("user__full_name", "pk")


def directory_filters(*, access: OrgAccess) -> dict[str, list[str]]:
    """The industries and regions people in the directory show, for the filter menus."""
    entries = _in_network(access)
    return {
        "industries": sorted(set(entries.exclude(industry="").values_list("industry", flat=True))),
        "regions": sorted(set(entries.exclude(region="").values_list("region", flat=True))),
    }


def directory_entry_of(*, user: User, access: OrgAccess) -> DirectoryEntry | None:
    return DirectoryEntry.objects.filter(organization=access.organization, user=user).first()


@dataclass(frozen=True)
class PersonFacts:
    expertise: list[str]
    industry: str
    region: str
    role_line: str


def person_facts(*, user: User, access: OrgAccess) -> PersonFacts:
    """What the person told us at intake (or in their facilitator application), which
    they may choose to show in the directory."""
    profile = MemberProfile.objects.filter(organization=access.organization, user=user).first()
    if profile is not None:
        role = ", ".join(
            part for part in [profile.function, profile.get_management_level_display()] if part
        )
        if profile.company:
            role = f"{role} at {profile.company}" if role else profile.company
        return PersonFacts(
            expertise=list(profile.expertise),
            industry=profile.industry,
            region=profile.region,
            role_line=role,
        )
    facilitator = FacilitatorProfile.objects.filter(
        organization=access.organization, user=user
    ).first()
    if facilitator is not None:
        return PersonFacts(
            expertise=list(facilitator.expertise),
            industry=", ".join(facilitator.industries_served[:1]),
            region=", ".join(facilitator.regions_served[:1]),
            role_line=gettext("Facilitator"),
        )
    return PersonFacts(expertise=[], industry="", region="", role_line="")


# --- routing ---------------------------------------------------------------------------


@dataclass
class Candidate:
    user: User
    entry: DirectoryEntry
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)


def route(*, access: OrgAccess, asker: User, topics: list[str], limit: int = 10) -> list[Candidate]:
    """The peers most likely to help with a question on `topics`, best first.

    Score: declared expertise (when shown), "ask me about" topics and topics handled,
    then organization-wide resources shared and earlier answers on those topics (each
    capped). Ties: more evidence, then name. Four queries whatever the size of the network.
    """
    wanted = set(topics)
    if not wanted:
        return []
    # Mutes do not count here: the proposals an asker sees never change because someone
    # muted them (that would tell them who); question_ask simply does not deliver.
    entries = list(
        _in_network(access)
        .filter(accepts_questions=True)
        .exclude(user=asker)
        .select_related("user")
    )
    if not entries:
        return []
    user_ids = [e.user_id for e in entries]
    # Resources shared with the whole organization on these topics; a group's
    # resources are its own business and do not count.
    resources = dict(
        ResourceTopic.objects.filter(
            organization=access.organization,
            topic__in=wanted,
            resource__scope=Scope.ORGANIZATION,
            resource__withdrawn_at__isnull=True,
            resource__shared_by_id__in=user_ids,
        )
        .values_list("resource__shared_by_id")
        .annotate(n=Count("resource", distinct=True))
    )
    answers: dict[int, int] = defaultdict(int)
    for author_id, question_topics in Answer.objects.filter(
        question__organization=access.organization, author_id__in=user_ids
    ).values_list("author_id", "question__topics"):
        if wanted.intersection(question_topics or []):
            answers[author_id] += 1
    candidates = []
    for entry in entries:
        candidate = Candidate(user=entry.user, entry=entry)
        for label, weight, keys in (
            (
                gettext("Expertise: %(topics)s"),
                W_EXPERTISE,
                entry.expertise if entry.show_expertise else [],
            ),
            (gettext("Ask me about: %(topics)s"), W_ASK_ME_ABOUT, entry.ask_me_about_topics),
            (gettext("Has handled: %(topics)s"), W_HANDLED, entry.handled_topics),
        ):
            hits = [k for k in keys if k in wanted]
            if hits:
                candidate.score += weight * len(hits)
                candidate.reasons.append(
                    label % {"topics": ", ".join(str(AREA_LABELS.get(k, k)) for k in hits)}
                )
        shared = resources.get(entry.user_id, 0)
        if shared:
            candidate.score += W_RESOURCE * min(shared, EVIDENCE_CAP)
            candidate.reasons.append(
                ngettext("Shared %(count)s resource", "Shared %(count)s resources", shared)
                % {"count": shared}
            )
        answered = answers.get(entry.user_id, 0)
        if answered:
            candidate.score += W_ANSWER * min(answered, EVIDENCE_CAP)
            candidate.reasons.append(
                ngettext(
                    "Answered %(count)s question on this",
                    "Answered %(count)s questions on this",
                    answered,
                )
                % {"count": answered}
            )
        if candidate.score > 0:
            candidates.append(candidate)
    candidates.sort(key=lambda c: (-c.score, -len(c.reasons), c.user.full_name.lower(), c.user.pk))
    return candidates[:limit]


# --- questions -------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionView:
    """A question as one viewer may see it."""

    question: Question
    viewer: User
    recipient: QuestionRecipient | None  # the viewer's own row, when they were asked

    @property
    def is_asker(self) -> bool:
        return self.question.asker_id == self.viewer.pk

    @property
    def asker_label(self) -> str:
        if self.question.anonymous and not self.is_asker:
            return "A peer (anonymous)"
        return str(self.question.asker)


def question_for_user(*, user: User, access: OrgAccess, question_id: int) -> QuestionView:
    question = (
        Question.objects.select_related("asker", "organization")
        .filter(organization=access.organization, pk=question_id)
        .first()
    )
    if question is None:
        raise NotFound(gettext("No such question."))
    recipient = (
        QuestionRecipient.objects.filter(question=question, user=user)
        .exclude(status=RecipientStatus.MUTED)
        .first()
    )
    if question.asker_id != user.pk and recipient is None:
        raise NotFound(gettext("No such question."))
    return QuestionView(question=question, viewer=user, recipient=recipient)


def answers_visible(*, view: QuestionView) -> list[Answer]:
    """The asker reads every answer; a recipient their own, and the others' when the
    asker allowed it."""
    answers = Answer.objects.filter(question=view.question).select_related("author")
    if not view.is_asker and not view.question.share_answers:
        answers = answers.filter(author=view.viewer)
    return list(answers)


def muters_of(*, organization, asker: User, user_ids: list[int]) -> set[int]:
    """Which of `user_ids` muted `asker`: for delivery only, never shown to the asker."""
    return set(
        Mute.objects.filter(
            organization=organization, muted=asker, user_id__in=user_ids
        ).values_list("user_id", flat=True)
    )


def recipients_of(*, view: QuestionView) -> list[QuestionRecipient]:
    """Who the question went to and where each stands: for the asker only."""
    if not view.is_asker:
        return []
    return list(
        view.question.recipients.select_related("user").order_by("-score", "user__full_name")
    )


def questions_asked(*, user: User, access: OrgAccess) -> QuerySet[Question]:
    return (
        Question.objects.filter(organization=access.organization, asker=user)
        .annotate(
            answer_count=Count("answers", distinct=True),
            recipient_count=Count("recipients", distinct=True),
        )
        .order_by("-created_at")
    )


def questions_received(*, user: User, access: OrgAccess) -> QuerySet[QuestionRecipient]:
    return (
        QuestionRecipient.objects.filter(question__organization=access.organization, user=user)
        .exclude(status=RecipientStatus.MUTED)
        .select_related("question__asker")
        .order_by("-question__created_at")
    )


def questions_since(*, user: User, access: OrgAccess, since: datetime) -> list[datetime]:
    """When the user asked questions since `since`, oldest first (for the rate limit)."""
    return list(
        Question.objects.filter(organization=access.organization, asker=user, created_at__gte=since)
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )


def window_start(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)
