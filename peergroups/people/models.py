"""What a member tells us at intake, the conflicts that keep people apart, facilitators."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from peergroups.organizations.models import Organization, Program
from peergroups.people.vocabulary import AREA_LABELS, CompanySize, CompanyStage, ManagementLevel


class MemberProfile(models.Model):
    """A manager's intake profile in one organization (DESIGN.md part 2)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="member_profiles"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member_profiles"
    )
    program = models.ForeignKey(
        Program, on_delete=models.SET_NULL, null=True, blank=True, related_name="member_profiles"
    )
    region = models.CharField(max_length=100, blank=True)
    locale = models.CharField(
        max_length=20, blank=True, help_text=gettext_lazy("Language, e.g. en or de-CH")
    )
    time_zone = models.CharField(max_length=64, default="UTC")
    industry = models.CharField(max_length=100, blank=True)
    function = models.CharField(max_length=100, blank=True)
    management_level = models.CharField(max_length=20, choices=ManagementLevel.choices, blank=True)
    team_size = models.PositiveIntegerField(null=True, blank=True)
    years_managing = models.PositiveSmallIntegerField(null=True, blank=True)
    company = models.CharField(max_length=200, blank=True)
    company_size = models.CharField(max_length=20, choices=CompanySize.choices, blank=True)
    company_stage = models.CharField(max_length=20, choices=CompanyStage.choices, blank=True)
    expertise = models.JSONField(default=list, blank=True)
    challenges = models.TextField(blank=True)
    challenge_topics = models.JSONField(default=list, blank=True)
    goals = models.TextField(gettext_lazy("key goals"), blank=True)
    goal_topics = models.JSONField(default=list, blank=True)
    availability = models.JSONField(default=list, blank=True)
    reports_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="direct_reports",
        help_text=gettext_lazy("This member's own manager, when they take part too."),
    )
    competitors = models.JSONField(
        default=list,
        blank=True,
        help_text=gettext_lazy("Companies this member must not share a group with."),
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    # Set once, when the one reminder to complete the intake went out.
    intake_reminded_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The account's name, copied here so the Members page and API sort and page through
    # an index (sorting over a join with every account took 50 ms at 10,000 members).
    # Kept by save() and, when an account's name changes, by people.signals.
    sort_name = models.CharField(max_length=150, blank=True, editable=False, db_default="")

    class Meta:
        ordering = ["sort_name", "pk"]
        # The Members page and API filter by these within one organization.
        indexes = [
            models.Index(fields=["organization", "region"], name="member_org_region_idx"),
            models.Index(fields=["organization", "industry"], name="member_org_industry_idx"),
            models.Index(fields=["organization", "program"], name="member_org_program_idx"),
            models.Index(fields=["organization", "completed_at"], name="member_org_intake_idx"),
            models.Index(fields=["organization", "sort_name", "id"], name="member_org_name_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="member_profile_unique"),
            models.CheckConstraint(
                condition=~Q(reports_to=models.F("user")), name="member_not_own_manager"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.organization}"

    def save(self, *args, **kwargs):
        if self.user_id:
            self.sort_name = self.user.full_name
        super().save(*args, **kwargs)

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None

    @property
    def expertise_labels(self) -> list[str]:
        return [AREA_LABELS.get(key, key) for key in self.expertise]


class NotWith(models.Model):
    """A member's declaration that they should not share a group with another person."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="not_with_declarations"
    )
    other = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user", "other"], name="not_with_unique"
            ),
            models.CheckConstraint(condition=~Q(user=models.F("other")), name="not_with_self"),
        ]

    def __str__(self) -> str:
        return f"{self.user} not with {self.other}"


class FacilitatorStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("Awaiting review")
    APPROVED = "approved", gettext_lazy("Approved")
    REJECTED = "rejected", gettext_lazy("Not approved")


MIN_FACILITATOR_AREAS = 2  # "expertise in more than one area of running a business"
FACILITATOR_CAPACITY = (1, 20)  # groups at once: the form, the service and the database agree


class FacilitatorProfile(models.Model):
    """An application to facilitate groups, with the qualifications the field asks for."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="facilitator_profiles"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="facilitator_profiles"
    )
    built_own_business = models.BooleanField(default=False)
    business_description = models.TextField(blank=True)
    trained_feedback_coach = models.BooleanField(default=False)
    coach_training = models.CharField(max_length=200, blank=True)
    expertise = models.JSONField(default=list, blank=True)
    capacity = models.PositiveSmallIntegerField(
        default=2, help_text=gettext_lazy("How many groups at once this facilitator can lead.")
    )
    regions_served = models.JSONField(default=list, blank=True)
    industries_served = models.JSONField(default=list, blank=True)
    bio = models.TextField(blank=True)
    # Where the organization names its own qualifications: those the applicant says they
    # meet, in the organization's words (null where it asks the field's three above).
    qualifications = models.JSONField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=FacilitatorStatus.choices, default=FacilitatorStatus.PENDING
    )
    applied_at = models.DateTimeField(default=timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="facilitator_profile_unique"
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=FACILITATOR_CAPACITY[0])
                & Q(capacity__lte=FACILITATOR_CAPACITY[1]),
                name="facilitator_capacity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} (facilitator at {self.organization})"

    @property
    def expertise_labels(self) -> list[str]:
        return [AREA_LABELS.get(key, key) for key in self.expertise]

    def qualification_gaps(self) -> list[str]:
        """What keeps this application from approval, by the organization's own list of
        qualifications (or the field's three); empty when qualified."""
        asked = self.organization.facilitator_qualifications
        if asked:
            met = set(self.qualifications or [])
            return [
                gettext("does not meet “%(wanted)s”") % {"wanted": wanted}
                for wanted in asked
                if wanted not in met
            ]
        gaps = []
        if not self.built_own_business:
            gaps.append(gettext("has not built their own business"))
        if not self.trained_feedback_coach:
            gaps.append(gettext("is not a trained feedback coach"))
        if len(set(self.expertise)) < MIN_FACILITATOR_AREAS:
            gaps.append(
                gettext("names fewer than %(min_facilitator_areas)s areas of expertise")
                % {"min_facilitator_areas": MIN_FACILITATOR_AREAS}
            )
        return gaps


class CategoryKind(models.TextChoices):
    REGION = "region", gettext_lazy("Region")
    INDUSTRY = "industry", gettext_lazy("Industry")
    FUNCTION = "function", gettext_lazy("Function")


CATEGORY_LABEL_MAX = 100  # the same as MemberProfile.region, .industry and .function


def category_key(text: str) -> str:
    """'  boston ' and 'Boston' are one value: spaces collapsed, case folded."""
    return " ".join((text or "").split()).casefold()


def category_fold_plan(lookup: dict[str, str], values) -> dict[str, str]:
    """Each spelling in `values` -> the list entry it folds into.

    `lookup` is the organization's list (key -> label). A spelling whose key is listed
    takes the list's label; a new one joins under its first spelling (spaces collapsed),
    and later spellings of it fold into that. Pure, so an import's preview shows exactly
    what the write will do.
    """
    labels = dict(lookup)
    plan: dict[str, str] = {}
    for value in values:
        if not value or value in plan:
            continue
        key = category_key(value)
        if not key:
            continue
        labels.setdefault(key, " ".join(value.split()))
        plan[value] = labels[key]
    return plan


class Category(models.Model):
    """One value of an organization's list for a profile field matching uses.

    Every path that sets a region, industry or function (intake, import, invitation,
    merge) folds the value into the list case- and space-insensitively; a value not on
    it yet joins under its first spelling (`people.services.category_fold`).
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="categories"
    )
    kind = models.CharField(max_length=20, choices=CategoryKind.choices)
    label = models.CharField(max_length=CATEGORY_LABEL_MAX)
    key = models.CharField(max_length=CATEGORY_LABEL_MAX, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "key"], name="category_unique_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.label}"

    def save(self, *args, **kwargs):
        self.key = category_key(self.label)
        super().save(*args, **kwargs)
