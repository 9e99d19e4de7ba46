"""The fixed vocabularies of the intake profile, shared by forms, imports and the engine."""

from django.db import models
from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy

from peergroups.formats import lazy_format

# Areas of running a business: a member's expertise, a challenge's topic, a facilitator's fields.
# The English words are also data (the search index, a formation's stored explanations), so
# they are kept as they are (`AREA_WORDS`); pages show `AREAS`/`AREA_LABELS`, translated.
AREA_WORDS = {
    "marketing": gettext_noop("Marketing"),
    "strategic-planning": gettext_noop("Strategic planning"),
    "hiring": gettext_noop("Hiring"),
    "leading-change": gettext_noop("Leading change"),
    "team-building": gettext_noop("Team building"),
    "finance": gettext_noop("Finance"),
    "operations": gettext_noop("Operations"),
    "sales": gettext_noop("Sales"),
    "product": gettext_noop("Product"),
    "technology": gettext_noop("Technology"),
    "customer-service": gettext_noop("Customer service"),
    "legal-compliance": gettext_noop("Legal and compliance"),
}
AREAS = [(key, gettext_lazy(word)) for key, word in AREA_WORDS.items()]
AREA_KEYS = {key for key, _ in AREAS}
AREA_LABELS = dict(AREAS)

DAYS = [
    ("mon", gettext_noop("Mon")),
    ("tue", gettext_noop("Tue")),
    ("wed", gettext_noop("Wed")),
    ("thu", gettext_noop("Thu")),
    ("fri", gettext_noop("Fri")),
]
PARTS = [
    ("am", gettext_noop("morning")),
    ("pm", gettext_noop("afternoon")),
    ("eve", gettext_noop("evening")),
]
# Availability slots such as "tue-am": the weekday and part of day a member can meet.
SLOT_WORDS = {
    f"{day}-{part}": f"{day_word} {part_word}"
    for day, day_word in DAYS
    for part, part_word in PARTS
}
AVAILABILITY_SLOTS = [
    (
        f"{day}-{part}",
        lazy_format(
            pgettext_lazy("availability slot", "%(day)s %(part)s"),
            day=gettext_lazy(day_word),
            part=gettext_lazy(part_word),
        ),
    )
    for day, day_word in DAYS
    for part, part_word in PARTS
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
