"""CSV import and export of members: validate every row first, then import all or nothing.

The export writes the same columns the import reads, so an exported file re-imports cleanly.
"""

import csv
import io
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from peergroups.accounts.models import User
from peergroups.organizations.models import Organization, Program, Role
from peergroups.organizations.services import audit, invitation_create, role_grant
from peergroups.people.models import MemberProfile, NotWith
from peergroups.people.services import not_with_set
from peergroups.people.vocabulary import (
    AREAS,
    AVAILABILITY_SLOTS,
    CompanySize,
    CompanyStage,
    ManagementLevel,
)

MAX_IMPORT_BYTES = 5 * 1024 * 1024  # a few thousand members fit in far less

REQUIRED_COLUMNS = ("email", "full_name")
COLUMNS = (
    "email",
    "full_name",
    "region",
    "time_zone",
    "locale",
    "industry",
    "function",
    "management_level",
    "team_size",
    "years_managing",
    "company",
    "company_size",
    "company_stage",
    "expertise",
    "challenge_topics",
    "goal_topics",
    "challenges",
    "goals",
    "availability",
    "reports_to",
    "competitors",
    "not_with",
    "program",
)
# Plain text columns copied to the profile as they are, with the model's length limits.
TEXT_COLUMNS = {
    "region": 100,
    "locale": 20,
    "industry": 100,
    "function": 100,
    "company": 200,
    "challenges": None,
    "goals": None,
}
CHOICE_COLUMNS = {
    "management_level": ManagementLevel,
    "company_size": CompanySize,
    "company_stage": CompanyStage,
}
AREA_COLUMNS = ("expertise", "challenge_topics", "goal_topics")
LIST_SEPARATOR = ";"
TIME_ZONES = zoneinfo.available_timezones()
MAX_TEAM_SIZE = 1_000_000
MAX_YEARS_MANAGING = 60
# Spreadsheets run cells starting with these as formulas; the export defuses them with a quote.
FORMULA_STARTS = ("=", "+", "-", "@")


@dataclass(frozen=True)
class RowError:
    """One problem in the file: the line (the header is line 1), the column, and why."""

    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.column}: {self.reason}" if self.column else self.reason


class ImportInvalid(Exception):
    """The file has errors; nothing was imported. `errors` lists every one of them."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} error(s) in the file; nothing was imported.")
        self.errors = errors


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    invited: int

    @property
    def total(self) -> int:
        return self.created + self.updated


@dataclass
class MemberRow:
    """One validated row; `values` holds only the profile fields whose column the file has."""

    line: int
    email: str
    full_name: str
    values: dict = field(default_factory=dict)
    reports_to: str | None = None  # e-mail; None when the file has no reports_to column
    not_with: list[str] | None = None
    program: Program | None = None


def _normalise(text: str) -> str:
    return " ".join(text.replace("–", "-").replace("—", "-").split()).casefold()


def _lookup(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Accept a value or its label, in any case: 'Middle manager' and 'middle' both mean 'middle'."""
    table: dict[str, str] = {}
    for value, label in pairs:
        table[_normalise(label)] = value
        table[_normalise(value)] = value
    return table


AREA_LOOKUP = _lookup(AREAS)
SLOT_LOOKUP = _lookup(AVAILABILITY_SLOTS)
CHOICE_LOOKUPS = {name: _lookup(choices.choices) for name, choices in CHOICE_COLUMNS.items()}


def _split(text: str) -> list[str]:
    return list(dict.fromkeys(part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()))


def _read_text(file: IO[bytes] | bytes | str) -> str:
    if isinstance(file, str):
        return file
    data = file if isinstance(file, bytes) else file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportInvalid(
            [RowError(0, "", f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB.")]
        )
    try:
        return data.decode("utf-8-sig")  # Excel writes a byte-order mark; accept both
    except UnicodeDecodeError as error:
        raise ImportInvalid(
            [
                RowError(
                    0,
                    "",
                    f"The file is not UTF-8 text (byte {error.start}). Save it as "
                    "“CSV UTF-8” and try again.",
                )
            ]
        ) from None


def _delimiter(header_line: str) -> str:
    # Spreadsheets in many European locales save CSV with semicolons.
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _undefuse(value: str) -> str:
    if value.startswith("'") and value[1:2] in FORMULA_STARTS:
        return value[1:]
    return value


def _defuse(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class _RowChecker:
    """Validates one organization's import file; collects errors instead of stopping."""

    def __init__(self, organization: Organization):
        self.organization = organization
        self.errors: list[RowError] = []
        self.programs = {
            _normalise(program.name): program
            for program in Program.objects.filter(organization=organization)
        }
        self.org_emails = {
            email.lower()
            for email in User.objects.filter(
                organization_roles__organization=organization
            ).values_list("email", flat=True)
        }

    def error(self, line: int, column: str, reason: str) -> None:
        self.errors.append(RowError(line, column, reason))

    def check_header(self, header: list[str]) -> list[str] | None:
        columns = [name.strip().casefold() for name in header]
        unknown = [
            name or f"(unnamed column {position})"
            for position, name in enumerate(columns, start=1)
            if name not in COLUMNS
        ]
        if unknown:
            self.error(
                1,
                "",
                f"Unknown column{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
                f"Known columns: {', '.join(COLUMNS)}.",
            )
        repeated = sorted({name for name in columns if columns.count(name) > 1})
        if repeated:
            self.error(1, "", f"Column named twice: {', '.join(repeated)}.")
        missing = [name for name in REQUIRED_COLUMNS if name not in columns]
        if missing:
            self.error(1, "", f"Missing required column: {', '.join(missing)}.")
        return None if self.errors else columns

    def check_row(self, line: int, row: dict[str, str]) -> MemberRow:
        email = row["email"].strip().lower()
        if not email:
            self.error(line, "email", "is required.")
        else:
            try:
                validate_email(email)
            except ValidationError:
                self.error(line, "email", f"“{email}” is not a valid e-mail address.")
        full_name = row["full_name"].strip()
        if not full_name:
            self.error(line, "full_name", "is required.")
        elif len(full_name) > 150:
            self.error(line, "full_name", "is longer than 150 characters.")
        parsed = MemberRow(line=line, email=email, full_name=full_name)
        values = parsed.values
        for column, limit in TEXT_COLUMNS.items():
            if column in row:
                value = row[column].strip()
                if limit and len(value) > limit:
                    self.error(line, column, f"is longer than {limit} characters.")
                values[column] = value
        if "time_zone" in row:
            zone = row["time_zone"].strip() or "UTC"
            if zone not in TIME_ZONES:
                self.error(
                    line, "time_zone", f"“{zone}” is not a time zone name like Europe/Zurich."
                )
            values["time_zone"] = zone
        for column, lookup in CHOICE_LOOKUPS.items():
            if column in row:
                text = row[column].strip()
                value = lookup.get(_normalise(text), None) if text else ""
                if value is None:
                    allowed = ", ".join(CHOICE_COLUMNS[column].values)
                    self.error(line, column, f"“{text}” is not one of: {allowed}.")
                values[column] = value or ""
        for column, low, high in (
            ("team_size", 0, MAX_TEAM_SIZE),
            ("years_managing", 0, MAX_YEARS_MANAGING),
        ):
            if column in row:
                values[column] = self._integer(line, column, row[column], low, high)
        for column in AREA_COLUMNS:
            if column in row:
                values[column] = self._keys(line, column, row[column], AREA_LOOKUP, "area")
        if "availability" in row:
            values["availability"] = self._keys(
                line, "availability", row["availability"], SLOT_LOOKUP, "time slot (like tue-am)"
            )
        if "competitors" in row:
            values["competitors"] = _split(row["competitors"])
        if "reports_to" in row:
            manager = row["reports_to"].strip().lower()
            if manager and manager == email:
                self.error(line, "reports_to", "a person cannot report to themselves.")
            parsed.reports_to = manager
        if "not_with" in row:
            others = [other.lower() for other in _split(row["not_with"])]
            if email in others:
                self.error(line, "not_with", "lists the person themselves.")
            parsed.not_with = [other for other in others if other != email]
        if "program" in row and row["program"].strip():
            name = row["program"].strip()
            parsed.program = self.programs.get(_normalise(name))
            if parsed.program is None:
                self.error(line, "program", f"no program named “{name}” in this organization.")
        return parsed

    def _integer(self, line: int, column: str, text: str, low: int, high: int) -> int | None:
        text = text.strip()
        if not text:
            return None
        try:
            number = int(text)
        except ValueError:
            self.error(line, column, f"“{text}” is not a whole number.")
            return None
        if not low <= number <= high:
            self.error(line, column, f"{number} is not between {low} and {high:,}.")
            return None
        return number

    def _keys(self, line: int, column: str, text: str, lookup: dict, what: str) -> list[str]:
        keys = []
        for item in _split(text):
            key = lookup.get(_normalise(item))
            if key is None:
                self.error(line, column, f"“{item}” is not a known {what}.")
            elif key not in keys:
                keys.append(key)
        return keys

    def check_references(self, rows: list[MemberRow]) -> None:
        """E-mails that point at other people: duplicates, unknown people, reporting loops."""
        first_line: dict[str, int] = {}
        for row in rows:
            if not row.email:
                continue
            if row.email in first_line:
                self.error(
                    row.line,
                    "email",
                    f"{row.email} appears already on line {first_line[row.email]}.",
                )
            else:
                first_line[row.email] = row.line
        known = self.org_emails | set(first_line)
        for row in rows:
            if row.reports_to and row.reports_to != row.email and row.reports_to not in known:
                self.error(
                    row.line,
                    "reports_to",
                    f"{row.reports_to} is neither in this file nor in the organization.",
                )
            for other in row.not_with or []:
                if other not in known:
                    self.error(
                        row.line,
                        "not_with",
                        f"{other} is neither in this file nor in the organization.",
                    )
        self._check_cycles(rows)

    def _check_cycles(self, rows: list[MemberRow]) -> None:
        # The file's lines override the stored ones for the people it names.
        manager_of = {
            email.lower(): manager.lower()
            for email, manager in MemberProfile.objects.filter(
                organization=self.organization, reports_to__isnull=False
            ).values_list("user__email", "reports_to__email")
        }
        for row in rows:
            if row.reports_to is not None and row.email:
                manager_of[row.email] = row.reports_to
        for row in rows:
            if not row.reports_to or row.reports_to == row.email:
                continue
            chain = [row.email]
            current = row.reports_to
            while current and current not in chain and len(chain) <= len(manager_of):
                chain.append(current)
                current = manager_of.get(current)
            if current == row.email:
                loop = " → ".join([*chain, row.email])
                self.error(row.line, "reports_to", f"the reporting line loops back: {loop}.")


def members_parse(*, organization: Organization, file: IO[bytes] | bytes | str) -> list[MemberRow]:
    """Read and validate the whole file; raise ImportInvalid listing every error found."""
    text = _read_text(file)
    first_line = text.split("\n", 1)[0]
    if not text.strip():
        raise ImportInvalid([RowError(1, "", "The file is empty.")])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    checker = _RowChecker(organization)
    try:
        columns = checker.check_header(next(reader))
        if columns is None:
            raise ImportInvalid(checker.errors)
        rows: list[MemberRow] = []
        line = reader.line_num + 1
        for cells in reader:
            # A quoted cell may span lines; the row is named by the line where it starts.
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(columns):
                checker.error(
                    start,
                    "",
                    f"Line {start} has {len(cells)} cells; the header has {len(columns)}.",
                )
                continue
            cells = [_undefuse(cell) for cell in cells]
            rows.append(checker.check_row(start, dict(zip(columns, cells, strict=True))))
    except csv.Error as error:
        checker.error(reader.line_num, "", f"The file is not valid CSV: {error}.")
        raise ImportInvalid(checker.errors) from None
    if not rows and not checker.errors:
        checker.error(2, "", "The file has a header but no members.")
    checker.check_references(rows)
    if checker.errors:
        raise ImportInvalid(sorted(checker.errors, key=lambda error: error.line))
    return rows


@transaction.atomic
def members_import(
    *,
    organization: Organization,
    file: IO[bytes] | bytes | str,
    acting_user: User | None,
    send_invitations: bool,
) -> ImportReport:
    """Import every row of the file, or raise ImportInvalid and import none."""
    rows = members_parse(organization=organization, file=file)
    emails = [row.email for row in rows]
    users = {user.email.lower(): user for user in User.objects.filter(email__in=emails)}
    profiles = {
        profile.user_id: profile
        for profile in MemberProfile.objects.filter(
            organization=organization, user__in=users.values()
        )
    }
    created = updated = invited = 0
    to_invite: list[MemberRow] = []
    saved: dict[str, MemberProfile] = {}
    for row in rows:
        user = users.get(row.email)
        if user is None:
            user = User.objects.create_user(email=row.email, password=None, full_name=row.full_name)
            users[row.email] = user
        elif not user.has_usable_password() and user.full_name != row.full_name:
            # Until they sign in, the admin's file is the best source for the name.
            user.full_name = row.full_name
            user.save(update_fields=["full_name"])
        role_grant(organization=organization, user=user, role=Role.MEMBER, acting_user=acting_user)
        profile = profiles.get(user.pk)
        if profile is None:
            profile = MemberProfile(organization=organization, user=user)
            created += 1
            if not user.has_usable_password():
                to_invite.append(row)
        else:
            updated += 1
        for name, value in row.values.items():
            setattr(profile, name, value)
        if row.program is not None:
            profile.program = row.program
        if (
            profile.completed_at is None
            and profile.region
            and profile.industry
            and profile.expertise
        ):
            profile.completed_at = timezone.now()
        profile.save()
        saved[row.email] = profile
    # Second pass: the people a row points at may come later in the file.
    everyone = {
        user.email.lower(): user
        for user in User.objects.filter(
            email__in={row.reports_to for row in rows if row.reports_to}
            | {other for row in rows for other in row.not_with or []}
        )
    }
    for row in rows:
        profile = saved[row.email]
        if row.reports_to is not None:
            manager = everyone.get(row.reports_to) if row.reports_to else None
            if profile.reports_to_id != (manager.pk if manager else None):
                profile.reports_to = manager
                profile.save(update_fields=["reports_to"])
        if row.not_with is not None:
            not_with_set(profile=profile, others=[everyone[other] for other in row.not_with])
    if send_invitations:
        for row in to_invite:
            invitation_create(
                organization=organization,
                email=row.email,
                role=Role.MEMBER,
                program=row.program,
                acting_user=acting_user,
                send=True,
            )
            invited += 1
    audit(
        organization=organization,
        acting_user=acting_user,
        action="members_import",
        created=created,
        updated=updated,
        invited=invited,
    )
    return ImportReport(created=created, updated=updated, invited=invited)


def members_export(*, organization: Organization) -> str:
    """Every member of the organization as CSV, in the columns `members_import` reads."""
    profiles = (
        MemberProfile.objects.filter(organization=organization)
        .select_related("user", "reports_to", "program")
        .order_by("user__email")
    )
    not_with: dict[int, list[str]] = {}
    for user_id, other_email in (
        NotWith.objects.filter(organization=organization)
        .order_by("other__email")
        .values_list("user_id", "other__email")
    ):
        not_with.setdefault(user_id, []).append(other_email)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for profile in profiles:
        cells = {
            "email": profile.user.email,
            "full_name": profile.user.full_name,
            "time_zone": profile.time_zone,
            "management_level": profile.management_level,
            "team_size": "" if profile.team_size is None else str(profile.team_size),
            "years_managing": "" if profile.years_managing is None else str(profile.years_managing),
            "company_size": profile.company_size,
            "company_stage": profile.company_stage,
            "availability": LIST_SEPARATOR.join(profile.availability),
            "reports_to": profile.reports_to.email if profile.reports_to else "",
            "competitors": LIST_SEPARATOR.join(profile.competitors),
            "not_with": LIST_SEPARATOR.join(not_with.get(profile.user_id, [])),
            "program": profile.program.name if profile.program else "",
        }
        for column in TEXT_COLUMNS:
            cells[column] = getattr(profile, column)
        for column in AREA_COLUMNS:
            cells[column] = LIST_SEPARATOR.join(getattr(profile, column))
        writer.writerow(_defuse(cells[column]) for column in COLUMNS)
    return out.getvalue()
