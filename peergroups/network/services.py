"""Writes on the network: directory listing, asking, answering, declining, muting.

Each service checks its own rules and raises a domain error with a readable sentence;
e-mails go out through tasks queued once the transaction commits.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from peergroups.accounts.models import User
from peergroups.audit.services import audit_record
from peergroups.errors import Conflict, Invalid, Refused, Throttled
from peergroups.network import selectors
from peergroups.network.models import (
    ANSWER_MAX,
    ASK_ME_ABOUT_MAX,
    QUESTION_BODY_MAX,
    QUESTION_TITLE_MAX,
    RECIPIENTS_DEFAULT,
    RECIPIENTS_MAX,
    TOPICS_MAX,
    Answer,
    DirectoryEntry,
    Mute,
    Question,
    QuestionRecipient,
    RecipientStatus,
)
from peergroups.network.selectors import QuestionView
from peergroups.network.tasks import answer_notify, question_notify
from peergroups.organizations.access import OrgAccess
from peergroups.people.vocabulary import AREA_KEYS
from peergroups.textlimits import text_check


def _in_network(access: OrgAccess) -> None:
    if not (access.is_member or access.is_facilitator):
        raise Refused(gettext("The network is for members and facilitators."))


def _topics(topics: list[str], *, required: bool) -> list[str]:
    unknown = [t for t in topics if t not in AREA_KEYS]
    if unknown:
        raise Invalid(
            gettext("Unknown topic: %(items)s.") % {"items": ", ".join(unknown)}, field="topics"
        )
    cleaned = list(dict.fromkeys(topics))
    if required and not cleaned:
        raise Invalid(gettext("Choose at least one topic."), field="topics")
    if len(cleaned) > TOPICS_MAX:
        raise Invalid(
            gettext("Choose at most %(topics_max)s topics.") % {"topics_max": TOPICS_MAX},
            field="topics",
        )
    return cleaned


# --- directory -------------------------------------------------------------------------


@transaction.atomic
def directory_entry_save(
    *,
    user: User,
    access: OrgAccess,
    listed: bool,
    show_expertise: bool = True,
    show_industry: bool = True,
    show_region: bool = True,
    show_role: bool = True,
    ask_me_about: str = "",
    ask_me_about_topics: list[str] | None = None,
    handled_topics: list[str] | None = None,
    accepts_questions: bool = True,
) -> DirectoryEntry:
    """List (or unlist) the person with what they chose to show.

    The shown facts are copied from the intake as they are now: the person sees exactly
    what the directory will show when they save, and saving again refreshes it.
    """
    _in_network(access)
    ask_topics = _topics(ask_me_about_topics or [], required=False)
    handled = _topics(handled_topics or [], required=False)
    ask_line = text_check(ask_me_about, field="ask_me_about", limit=ASK_ME_ABOUT_MAX)
    facts = selectors.person_facts(user=user, access=access)
    entry, created = DirectoryEntry.objects.select_for_update().get_or_create(
        organization=access.organization, user=user
    )
    before = {} if created else {"listed": entry.listed}
    entry.listed = listed
    entry.show_expertise = show_expertise
    entry.show_industry = show_industry
    entry.show_region = show_region
    entry.show_role = show_role
    entry.ask_me_about = ask_line
    entry.ask_me_about_topics = ask_topics
    entry.handled_topics = handled
    entry.accepts_questions = accepts_questions
    entry.expertise = facts.expertise if show_expertise else []
    entry.industry = facts.industry if show_industry else ""
    entry.region = facts.region if show_region else ""
    entry.role_line = facts.role_line if show_role else ""
    tags = set(entry.expertise) | set(ask_topics) | set(handled)
    entry.topic_tags = " " + " ".join(sorted(tags)) + " " if tags else ""
    entry.updated_at = timezone.now()
    entry.save()
    audit_record(
        organization=access.organization,
        actor=user,
        action="directory_entry_save",
        target=entry,
        before=before,
        after={"listed": listed},
    )
    return entry


# --- questions -------------------------------------------------------------------------


def _rate_limit(*, user: User, access: OrgAccess) -> None:
    now = timezone.now()
    for days, allowed, refusal in (
        (
            1,
            settings.NETWORK_QUESTIONS_PER_DAY,
            gettext(
                "You can ask the network %(allowed)s questions in a day; you can ask again on "
                "%(day)s at %(time)s UTC."
            ),
        ),
        (
            30,
            settings.NETWORK_QUESTIONS_PER_MONTH,
            gettext(
                "You can ask the network %(allowed)s questions in 30 days; you can ask again "
                "on %(day)s at %(time)s UTC."
            ),
        ),
    ):
        asked = selectors.questions_since(
            user=user, access=access, since=now - timedelta(days=days)
        )
        if len(asked) >= allowed:
            # The oldest question in the window leaves it first.
            free_at = asked[len(asked) - allowed] + timedelta(days=days)
            raise Throttled(
                refusal
                % {
                    "allowed": allowed,
                    "day": date_format(free_at, "SHORT_DATE_FORMAT"),
                    "time": date_format(free_at, "TIME_FORMAT"),
                },
                retry_after=int((free_at - now).total_seconds()) + 1,
            )


@transaction.atomic
def question_ask(
    *,
    user: User,
    access: OrgAccess,
    title: str,
    body: str,
    topics: list[str],
    recipient_ids: list[int] | None = None,
    anonymous: bool = False,
    share_answers: bool = False,
) -> Question:
    """Send a question to peers the routing proposes: those the asker picked, or the
    top five. Each recipient gets an e-mail with a link once this commits."""
    _in_network(access)
    title = text_check(
        title, field="title", limit=QUESTION_TITLE_MAX, blank=gettext("Write a short question.")
    )
    body = text_check(
        body, field="body", limit=QUESTION_BODY_MAX, blank=gettext("Write some context.")
    )
    topics = _topics(topics, required=True)
    # Serialise one person's questions so two at once cannot both slip under the limit.
    User.objects.select_for_update().filter(pk=user.pk).first()
    _rate_limit(user=user, access=access)
    proposed = selectors.route(access=access, asker=user, topics=topics, limit=RECIPIENTS_MAX * 3)
    by_id = {c.user.pk: c for c in proposed}
    if recipient_ids:
        chosen_ids = list(dict.fromkeys(recipient_ids))
        if len(chosen_ids) > RECIPIENTS_MAX:
            raise Invalid(
                gettext("Ask at most %(recipients_max)s people.")
                % {"recipients_max": RECIPIENTS_MAX},
                field="recipients",
            )
        outside = [uid for uid in chosen_ids if uid not in by_id]
        if outside:
            raise Invalid(
                gettext("Pick from the people proposed for these topics."), field="recipients"
            )
        chosen = [by_id[uid] for uid in chosen_ids]
    else:
        chosen = proposed[:RECIPIENTS_DEFAULT]
    if not chosen:
        raise Conflict(
            gettext(
                "Nobody in the directory has said they can help with these topics yet; "
                "try other topics, or search the resources."
            )
        )
    question = Question.objects.create(
        organization=access.organization,
        asker=user,
        title=title,
        body=body,
        topics=topics,
        anonymous=anonymous,
        share_answers=share_answers,
    )
    muters = selectors.muters_of(
        organization=access.organization, asker=user, user_ids=[c.user.pk for c in chosen]
    )
    QuestionRecipient.objects.bulk_create(
        [
            QuestionRecipient(
                question=question,
                user=c.user,
                reasons=c.reasons,
                score=c.score,
                status=RecipientStatus.MUTED if c.user.pk in muters else RecipientStatus.ASKED,
            )
            for c in chosen
        ]
    )
    audit_record(
        organization=access.organization,
        actor=user,
        action="question_ask",
        target=question,
        before={},
        after={"recipients": len(chosen)},
        # Admins never see questions (asked anonymously or not): nor who asks them.
        actor_withheld=True,
    )
    transaction.on_commit(lambda: question_notify.enqueue(question.pk))
    return question


def _open(view: QuestionView) -> None:
    if not view.question.is_open:
        raise Conflict(gettext("This question is closed; it takes no more answers."))


@transaction.atomic
def answer_give(*, user: User, view: QuestionView, body: str) -> Answer:
    """A recipient answers; the asker gets an e-mail with a link."""
    if view.recipient is None or view.viewer.pk != user.pk:
        raise Refused(gettext("Only the people the question was sent to can answer it."))
    _open(view)
    body = text_check(body, field="body", limit=ANSWER_MAX, blank=gettext("Write your answer."))
    try:
        with transaction.atomic():
            answer = Answer.objects.create(question=view.question, author=user, body=body)
    except IntegrityError:
        raise Conflict(gettext("You have answered this question already.")) from None
    QuestionRecipient.objects.filter(pk=view.recipient.pk).update(status=RecipientStatus.ANSWERED)
    transaction.on_commit(lambda: answer_notify.enqueue(answer.pk))
    return answer


@transaction.atomic
def question_decline(*, user: User, view: QuestionView) -> QuestionRecipient:
    if view.recipient is None or view.viewer.pk != user.pk:
        raise Refused(gettext("Only the people the question was sent to can decline it."))
    updated = QuestionRecipient.objects.filter(
        pk=view.recipient.pk, status=RecipientStatus.ASKED
    ).update(status=RecipientStatus.DECLINED)
    if not updated:
        raise Conflict(gettext("You have answered or declined this question already."))
    view.recipient.refresh_from_db()
    return view.recipient


@transaction.atomic
def asker_mute(*, user: User, view: QuestionView) -> None:
    """No more questions from this asker (they are not told, even when not anonymous);
    this question is declined unless already answered."""
    if view.recipient is None or view.viewer.pk != user.pk:
        raise Refused(gettext("Only the people the question was sent to can mute its asker."))
    Mute.objects.get_or_create(
        organization=view.question.organization, user=user, muted=view.question.asker
    )
    QuestionRecipient.objects.filter(pk=view.recipient.pk, status=RecipientStatus.ASKED).update(
        status=RecipientStatus.DECLINED
    )


@transaction.atomic
def question_close(*, user: User, view: QuestionView) -> Question:
    if not view.is_asker or view.viewer.pk != user.pk:
        raise Refused(gettext("Only the person who asked can close the question."))
    updated = Question.objects.filter(pk=view.question.pk, closed_at__isnull=True).update(
        closed_at=timezone.now()
    )
    if not updated:
        raise Conflict(gettext("This question is closed already."))
    view.question.refresh_from_db(fields=["closed_at"])
    return view.question
