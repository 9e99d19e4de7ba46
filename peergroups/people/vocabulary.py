"""The fixed vocabularies of the intake profile, shared by forms, imports and the engine."""

from django.db import models
from django.utils.translation import gettext_lazy

# Areas of running a business: a member's expertise, a challenge's topic, a facilitator's fields.
AREAS = [
    ("marketing", "Marketing"),
    ("strategic-planning", "Strategic planning"),
    ("hiring", "Hiring"),
    ("leading-change", "Leading change"),
    ("team-building", "Team building"),
    ("finance", "Finance"),
    ("operations", "Operations"),
    ("sales", "Sales"),
    ("product", "Product"),
    ("technology", "Technology"),
    ("customer-service", "Customer service"),
    ("legal-compliance", "Legal and compliance"),
]
AREA_KEYS = {key for key, _ in AREAS}
AREA_LABELS = dict(AREAS)

DAYS = [("mon", "Mon"), ("tue", "Tue"), ("wed", "Wed"), ("thu", "Thu"), ("fri", "Fri")]
PARTS = [("am", "morning"), ("pm", "afternoon"), ("eve", "evening")]
# Availability slots such as "tue-am": the weekday and part of day a member can meet.
AVAILABILITY_SLOTS = [
    (f"{day}-{part}", f"{day_label} {part_label}")
    for day, day_label in DAYS
    for part, part_label in PARTS
]
AVAILABILITY_KEYS = {key for key, _ in AVAILABILITY_SLOTS}


class ManagementLevel(models.TextChoices):
    FIRST_LINE = "first-line", gettext_lazy("First-line manager")
    MIDDLE = "middle", gettext_lazy("Middle manager")
    SENIOR = "senior", gettext_lazy("Senior manager / director")
    EXECUTIVE = "executive", gettext_lazy("Executive")
    OWNER = "owner", gettext_lazy("Owner / CEO")


class CompanySize(models.TextChoices):
    MICRO = "1-9", gettext_lazy("1–9 people")
    SMALL = "10-49", gettext_lazy("10–49 people")
    MEDIUM = "50-249", gettext_lazy("50–249 people")
    LARGE = "250-999", gettext_lazy("250–999 people")
    ENTERPRISE = "1000+", gettext_lazy("1,000+ people")


class CompanyStage(models.TextChoices):
    STARTUP = "startup", gettext_lazy("Start-up")
    GROWTH = "growth", gettext_lazy("Growth")
    MATURE = "mature", gettext_lazy("Mature")
    TURNAROUND = "turnaround", gettext_lazy("Turnaround")
