"""The network: an opt-in directory of peers across groups, and "ask the network".

Nothing here is group content. Routing a question reads what people chose to declare
(expertise, "ask me about" topics, topics they have handled), the resources they shared
with the whole organization and the answers they gave before; never a group's issues.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from peergroups.organizations.models import Organization
from peergroups.people.vocabulary import AREA_LABELS

# Bounds, defined once for forms, API schemas and services.
ASK_ME_ABOUT_MAX = 200
TOPICS_MAX = 6
QUESTION_TITLE_MAX = 160
QUESTION_BODY_MAX = 4000
ANSWER_MAX = 4000
RECIPIENTS_MAX = 10
RECIPIENTS_DEFAULT = 5
QUESTION_OPEN_DAYS = 30


class DirectoryEntry(models.Model):
    """A person's choice to be listed in the organization's directory, and what to show."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="directory_entries"
    )
    listed = models.BooleanField(default=False)
    show_expertise = models.BooleanField(default=True)
    show_industry = models.BooleanField(default=True)
    show_region = models.BooleanField(default=True)
    show_role = models.BooleanField(default=True)
    ask_me_about = models.CharField(max_length=ASK_ME_ABOUT_MAX, blank=True)
    ask_me_about_topics = models.JSONField(default=list, blank=True)
    handled_topics = models.JSONField(default=list, blank=True)
    # Off: not proposed for questions (still listed, if listed).
    accepts_questions = models.BooleanField(default=True)
    # Denormalised from the intake (or the facilitator profile) when the entry is saved,
    # so the directory filters in SQL; only the parts the person chose to show.
    expertise = models.JSONField(default=list, blank=True)
    industry = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    role_line = models.CharField(max_length=200, blank=True)
    # " key key " of expertise, ask-me-about and handled topics: filterable on every database.
    topic_tags = models.CharField(max_length=600, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="directory_entry_unique")
        ]
        indexes = [models.Index(fields=["organization", "listed"], name="directory_listed")]

    def __str__(self) -> str:
        return f"{self.user} in the directory of {self.organization_id}"

    @property
    def expertise_labels(self) -> list[str]:
        return [AREA_LABELS.get(k, k) for k in self.expertise]

    @property
    def ask_me_about_labels(self) -> list[str]:
        return [AREA_LABELS.get(k, k) for k in self.ask_me_about_topics]

    @property
    def handled_labels(self) -> list[str]:
        return [AREA_LABELS.get(k, k) for k in self.handled_topics]


def question_closes_at():
    return timezone.now() + timedelta(days=QUESTION_OPEN_DAYS)


class Question(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="questions_asked"
    )
    title = models.CharField(max_length=QUESTION_TITLE_MAX)
    body = models.TextField(max_length=QUESTION_BODY_MAX)
    topics = models.JSONField(default=list)
    anonymous = models.BooleanField(default=False)
    # The asker allows everyone the question went to to read all answers.
    share_answers = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    closes_at = models.DateTimeField(default=question_closes_at)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["asker", "created_at"], name="question_asker_recent")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "network-question",
            kwargs={"org_slug": self.organization.slug, "question_id": self.pk},
        )

    @property
    def is_open(self) -> bool:
        return self.closed_at is None and timezone.now() < self.closes_at

    @property
    def topic_labels(self) -> list[str]:
        return [AREA_LABELS.get(k, k) for k in self.topics]


class RecipientStatus(models.TextChoices):
    ASKED = "asked", gettext_lazy("Asked")
    ANSWERED = "answered", gettext_lazy("Answered")
    DECLINED = "declined", gettext_lazy("Declined")
    # The recipient had muted the asker: the question is never delivered to them, but the
    # row stays so that what the asker sees is the same as if nobody had muted anyone.
    MUTED = "muted", gettext_lazy("Not delivered")


class QuestionRecipient(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="questions_received"
    )
    status = models.CharField(
        max_length=10, choices=RecipientStatus.choices, default=RecipientStatus.ASKED
    )
    # Why the routing proposed this person, as the asker saw it: ["Expertise: Hiring", …].
    reasons = models.JSONField(default=list, blank=True)
    score = models.FloatField(default=0)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "user"], name="question_recipient_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} asked {self.question_id}"


class Answer(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="network_answers"
    )
    body = models.TextField(max_length=ANSWER_MAX)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "author"], name="answer_one_per_person")
        ]

    def __str__(self) -> str:
        return f"Answer of {self.author_id} to {self.question_id}"


class Mute(models.Model):
    """A recipient's wish to get no more questions from one asker (even anonymous ones)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    muted = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user", "muted"], name="mute_unique"),
            models.CheckConstraint(condition=~Q(user=models.F("muted")), name="mute_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} mutes {self.muted_id}"
