"""E-mails of the network, sent by `manage.py db_worker` once a question or answer commits.

Each e-mail is rendered through `selectors.question_for_user` for its recipient, the
same access decision as the pages: what a person reads in the e-mail is what they would
read on the question's page (an anonymous asker stays anonymous).
"""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_tasks import task

from peergroups.errors import NotFound
from peergroups.formats import lazy_format
from peergroups.network import selectors
from peergroups.network.models import Answer, Question, QuestionRecipient, RecipientStatus
from peergroups.ops.mail import email_language, email_send, retry_email
from peergroups.organizations.access import organization_access
from peergroups.organizations.recipients import may_email

logger = logging.getLogger(__name__)


def _send(*, to, subject: str, template: str, context: dict, organization) -> None:
    email_send(
        to=to.email, subject=subject, template=template, context=context, organization=organization
    )


def question_notify_now(question_id: int) -> int:
    """E-mail each recipient not yet told; returns how many e-mails went out."""
    question = Question.objects.select_related("organization").filter(pk=question_id).first()
    if question is None:
        return 0
    sent = 0
    pending = (
        QuestionRecipient.objects.filter(question=question, notified_at__isnull=True)
        .exclude(status=RecipientStatus.MUTED)  # never delivered, and nobody is told
        .select_related("user")
    )
    for recipient in pending:
        if not may_email(user=recipient.user, organization_id=question.organization_id):
            continue  # deactivated: nothing to tell
        try:
            with transaction.atomic():
                claimed = QuestionRecipient.objects.filter(
                    pk=recipient.pk, notified_at__isnull=True
                ).update(notified_at=timezone.now())
                if not claimed:
                    continue
                access = organization_access(recipient.user, question.organization.slug)
                view = selectors.question_for_user(
                    user=recipient.user, access=access, question_id=question.pk
                )
                with email_language(user=recipient.user, organization=question.organization):
                    _send(
                        to=recipient.user,
                        subject=lazy_format(
                            gettext_lazy("A peer asks for your experience: %(question_title)s"),
                            question_title=question.title,
                        ),
                        template="network/email/question.txt",
                        organization=question.organization,
                        context={
                            "view": view,
                            "person": recipient.user,
                            "link": settings.BASE_URL + question.get_absolute_url(),
                        },
                    )
        except NotFound:
            continue  # no longer in the organization: nothing to tell
        except Exception:
            # One bad address must not stop the others; the claim rolled back.
            logger.exception("question %s: e-mail to user %s failed", question.pk, recipient.pk)
            continue
        sent += 1
    return sent


def answer_notify_now(answer_id: int) -> bool:
    answer = (
        Answer.objects.select_related("question__asker", "question__organization", "author")
        .filter(pk=answer_id)
        .first()
    )
    if answer is None:
        return False
    question = answer.question
    if not may_email(user=question.asker, organization_id=question.organization_id):
        return False
    try:
        access = organization_access(question.asker, question.organization.slug)
        view = selectors.question_for_user(
            user=question.asker, access=access, question_id=question.pk
        )
    except NotFound:
        return False
    with email_language(user=question.asker, organization=question.organization):
        _send(
            to=question.asker,
            subject=lazy_format(
                gettext_lazy("%(author)s answered your question: %(question_title)s"),
                author=answer.author,
                question_title=question.title,
            ),
            template="network/email/answer.txt",
            organization=question.organization,
            context={
                "view": view,
                "answer": answer,
                "person": question.asker,
                "link": settings.BASE_URL + question.get_absolute_url(),
            },
        )
    return True


@task()
@retry_email()
def question_notify(question_id: int) -> int:
    return question_notify_now(question_id)


@task()
@retry_email()
def answer_notify(answer_id: int) -> bool:
    return answer_notify_now(answer_id)
