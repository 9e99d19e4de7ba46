"""A formation run: the engine's proposal for a program's groups, reviewed and published."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from peergroups.organizations.models import Organization, Program


class RunStatus(models.TextChoices):
    QUEUED = "queued", gettext_lazy("Waiting for a worker")
    RUNNING = "running", gettext_lazy("Running")
    DONE = "done", gettext_lazy("Proposal ready")
    FAILED = "failed", gettext_lazy("Failed")
    CANCELLED = "cancelled", gettext_lazy("Cancelled")
    PUBLISHING = "publishing", gettext_lazy("Publishing")
    PUBLISHED = "published", gettext_lazy("Published")


class FormationRun(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="formation_runs")
    cycle = models.PositiveSmallIntegerField(
        help_text=gettext_lazy("The cycle whose groups this run forms.")
    )
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED)
    # What the admin asked for: `formation.parameters.Parameters.as_json()`.
    parameters = models.JSONField(default=dict)
    # The people and their attributes as they were when the run started, so that
    # later profile edits do not change a proposal under review: `snapshot.Snapshot`.
    snapshot = models.JSONField(default=dict, blank=True)
    # What an edit needs of the snapshot besides its people, small enough to read on
    # every edit (`snapshot.snapshot_facts`): number spans, whether anyone met before,
    # the facilitators. Empty until the task indexes the snapshot (`SnapshotPerson`);
    # then edits and the review page read those instead of the whole snapshot.
    snapshot_facts = models.JSONField(default=dict, db_default={}, blank=True)
    # `proposal.Proposal`: groups of user ids with a facilitator and figures each.
    proposal = models.JSONField(default=dict, blank=True)
    undo_stack = models.JSONField(default=list, blank=True)
    progress = models.FloatField(default=0.0)
    best_objective = models.FloatField(null=True, blank=True)
    upper_bound = models.FloatField(null=True, blank=True)
    baselines = models.JSONField(default=dict, blank=True)
    # What repeats the search exactly: the seed (in `parameters`), the search steps the
    # run reached, and the engine that took them.
    iterations = models.PositiveBigIntegerField(null=True, blank=True)
    # The steps of each segment's search (one entry when the run has no segments).
    part_iterations = models.JSONField(default=list, db_default=[], blank=True)
    # A large run "by region" (or industry) is searched as one task per segment
    # (`FormationPart`), on however many workers run; the last to finish assembles the
    # proposal. 0 parts: one task searches the whole run.
    parts_total = models.PositiveIntegerField(default=0, db_default=0)
    parts_done = models.PositiveIntegerField(default=0, db_default=0)
    engine_version = models.CharField(max_length=40, blank=True, db_default="")
    stopped = models.CharField(
        max_length=20,
        blank=True,
        db_default="",
        help_text=gettext_lazy("budget, iterations, cancelled"),
    )
    rerun_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reruns"
    )
    cancel_requested = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    # Why a failed run could not be formed, per segment, with the remedies the run page
    # offers (`formation.diagnosis.formation_diagnose`); null when it did not fail so.
    diagnosis = models.JSONField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Publishing runs as a task on the formation queue: its share done (committed
    # stages; the groups themselves are written in one transaction) and, when it was
    # refused, why (the run is back to DONE, nothing written).
    publish_progress = models.FloatField(default=0.0, db_default=0.0)
    publish_error = models.TextField(blank=True, db_default="")
    # The day the published groups' meetings start from, as the admin chose it when
    # publishing; None: the program's default (`meetings.services.first_meetings_default`).
    first_meetings_on = models.DateField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The welcome e-mails wait for the admin to confirm the group names (or until
    # `welcome_due_at`, GROUP_WELCOME_DELAY_HOURS after publish); `welcome_sent_at` is
    # when they were queued (formation.welcome). Both null: published before they waited.
    welcome_due_at = models.DateTimeField(null=True, blank=True)
    welcome_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Formation of {self.program} (cycle {self.cycle}) — {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return reverse(
            "formation-run", kwargs={"org_slug": self.organization.slug, "run_id": self.pk}
        )

    @property
    def seed(self) -> int | None:
        return self.parameters.get("seed")

    @property
    def can_rerun_exactly(self) -> bool:
        return self.iterations is not None and bool(self.proposal)

    @property
    def people_count(self) -> int:
        facts = self.snapshot_facts  # the snapshot itself is megabytes at 10,000 people
        return facts["people"] if "people" in facts else len(self.snapshot.get("people", ()))

    @property
    def kept_apart_count(self) -> int:
        facts = self.snapshot_facts
        if "kept_apart" in facts:
            return facts["kept_apart"]
        return len(self.snapshot.get("conflicts", ()))

    @property
    def is_active(self) -> bool:
        return self.status in {RunStatus.QUEUED, RunStatus.RUNNING}

    @property
    def is_publishing(self) -> bool:
        return self.status == RunStatus.PUBLISHING

    @property
    def seconds_used(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class SnapshotPerson(models.Model):
    """One person of a run's snapshot with the pairs they are part of (kept apart, met
    before): an edit reads the rows of the people it touches, not the whole snapshot
    (megabytes at 10,000 people). Written by the task from `FormationRun.snapshot`,
    which stays the record; never changed after."""

    run = models.ForeignKey(FormationRun, on_delete=models.CASCADE, related_name="+")
    user_id = models.IntegerField()
    # `snapshot.Person.as_json()` with "kept_apart" ({other user id: reason}) and
    # "met" ({other user id: times}).
    data = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "user_id"], name="snapshot_person_once")
        ]

    def __str__(self) -> str:
        return f"{self.data.get('name', self.user_id)} in run {self.run_id}"


class PartStatus(models.TextChoices):
    QUEUED = "queued", gettext_lazy("Waiting for a worker")
    RUNNING = "running", gettext_lazy("Running")
    DONE = "done", gettext_lazy("Done")
    STOPPED = "stopped", gettext_lazy("Stopped")  # the run failed or was cancelled meanwhile


class FormationPart(models.Model):
    """One segment of a run searched by its own task: its people's groups and figures."""

    run = models.ForeignKey(FormationRun, on_delete=models.CASCADE, related_name="parts")
    index = models.PositiveIntegerField()  # the segment's place in the run's order
    label = models.CharField(max_length=200)  # the segment's value, e.g. the region
    people = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=PartStatus.choices, default=PartStatus.QUEUED)
    groups = models.JSONField(default=list, blank=True)  # lists of user ids
    scores = models.JSONField(default=list, blank=True)  # one per group, float64
    iterations = models.PositiveBigIntegerField(null=True, blank=True)
    stopped = models.CharField(max_length=20, blank=True)
    baseline = models.FloatField(null=True, blank=True)  # a random grouping's score
    seconds = models.FloatField(null=True, blank=True)  # wall time of its search

    class Meta:
        ordering = ["run", "index"]
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="formation_part_once")]

    def __str__(self) -> str:
        return f"Part {self.index} ({self.label}) of run {self.run_id}"
