"""The fixed vocabularies of the intake profile, shared by forms, imports and the engine."""

from django.db import models

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
    FIRST_LINE = "first-line", "First-line manager"
    MIDDLE = "middle", "Middle manager"
    SENIOR = "senior", "Senior manager / director"
    EXECUTIVE = "executive", "Executive"
    OWNER = "owner", "Owner / CEO"


class CompanySize(models.TextChoices):
    MICRO = "1-9", "1–9 people"
    SMALL = "10-49", "10–49 people"
    MEDIUM = "50-249", "50–249 people"
    LARGE = "250-999", "250–999 people"
    ENTERPRISE = "1000+", "1,000+ people"


class CompanyStage(models.TextChoices):
    STARTUP = "startup", "Start-up"
    GROWTH = "growth", "Growth"
    MATURE = "mature", "Mature"
    TURNAROUND = "turnaround", "Turnaround"
