"""CSV import and export of members: validate every row first, then import all or nothing.

The export writes the same columns the import reads, so an exported file re-imports cleanly.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from peergroups.accounts.models import User
from peergroups.audit.services import audit_record
from peergroups.errors import Conflict
from peergroups.formats import FORMULA_STARTS, csv_text
from peergroups.organizations.models import (
    Invitation,
    Organization,
    OrganizationRole,
    Program,
    Role,
)
from peergroups.organizations.services import invitation_create, invitation_refresh
from peergroups.people.forms import IntakeForm, split_list
from peergroups.people.models import CategoryKind, MemberProfile, category_key
from peergroups.people.services import category_lookup, not_with_set
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
# "Not with" declarations are for the grouping only, never for an admin's spreadsheet.
EXPORT_COLUMNS = tuple(column for column in COLUMNS if column != "not_with")
# Plain text columns, copied to the profile (the intake form holds their limits).
TEXT_COLUMNS = ("region", "locale", "industry", "function", "company", "challenges", "goals")
CHOICE_COLUMNS = {
    "management_level": ManagementLevel,
    "company_size": CompanySize,
    "company_stage": CompanyStage,
}
AREA_COLUMNS = ("expertise", "challenge_topics", "goal_topics")
LIST_SEPARATOR = ";"  # what the export writes; the import reads the form's separators


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


CHOICE_LOOKUPS = {name: _lookup(choices.choices) for name, choices in CHOICE_COLUMNS.items()}
LIST_LOOKUPS = {column: _lookup(AREAS) for column in AREA_COLUMNS} | {
    "availability": _lookup(AVAILABILITY_SLOTS)
}


def _read_text(file: IO[bytes] | bytes | str) -> str:
    if isinstance(file, str):
        return file.removeprefix("\ufeff")  # our own export, read back as text
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


def _form_data(row: dict[str, str]) -> dict:
    """A row as the intake form receives it: keys for labels, lists for list columns."""
    data: dict = {}
    for column in TEXT_COLUMNS:
        if column in row:
            data[column] = row[column]
    if "time_zone" in row:
        data["time_zone"] = row["time_zone"].strip() or "UTC"
    for column, lookup in CHOICE_LOOKUPS.items():
        if column in row:
            text = row[column].strip()
            data[column] = lookup.get(_normalise(text), text)
    for column in ("team_size", "years_managing", "competitors"):
        if column in row:
            data[column] = row[column]
    for column, lookup in LIST_LOOKUPS.items():
        if column in row:
            data[column] = [lookup.get(_normalise(item), item) for item in split_list(row[column])]
    return data


class _RowChecker:
    """Validates one organization's import file; collects errors instead of stopping."""

    def __init__(self, organization: Organization):
        self.organization = organization
        self.errors: list[RowError] = []
        self.programs = {
            _normalise(program.name): program
            for program in Program.objects.filter(organization=organization)
        }
        # Pick-lists: a row's region or industry maps onto them in any case or spacing.
        self.pick_lists = {
            kind: category_lookup(organization_id=organization.pk, kind=kind)
            for kind in CategoryKind.values
        }
        # People a row may point at: those of the organization and those it invited.
        self.org_emails = {
            email.lower()
            for email in User.objects.filter(
                organization_roles__organization=organization
            ).values_list("email", flat=True)
        } | set(
            Invitation.objects.filter(
                organization=organization, accepted_at__isnull=True
            ).values_list("email", flat=True)
        )

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
        # The profile's fields are checked by the intake form itself, so a file can hold
        # no value a member could not have typed; only labels are turned into keys first.
        form = IntakeForm.for_import(_form_data(row), columns=row.keys())
        if form.is_valid():
            parsed.values = {name: form.cleaned_data[name] for name in form.fields}
            self._map_pick_lists(line, parsed.values)
        for column, messages in form.errors.items():
            self.error(line, column, " ".join(messages))
        if "reports_to" in row:
            manager = row["reports_to"].strip().lower()
            if manager and manager == email:
                self.error(line, "reports_to", "a person cannot report to themselves.")
            parsed.reports_to = manager
        if "not_with" in row:
            others = [other.lower() for other in split_list(row["not_with"])]
            if email in others:
                self.error(line, "not_with", "lists the person themselves.")
            parsed.not_with = [other for other in others if other != email]
        if "program" in row and row["program"].strip():
            name = row["program"].strip()
            parsed.program = self.programs.get(_normalise(name))
            if parsed.program is None:
                self.error(line, "program", f"no program named “{name}” in this organization.")
        return parsed

    def _map_pick_lists(self, line: int, values: dict) -> None:
        for kind, lookup in self.pick_lists.items():
            value = values.get(kind)
            if not lookup or not value:
                continue
            label = lookup.get(category_key(value))
            if label is None:
                self.error(
                    line,
                    kind,
                    f"“{value}” is not on the organization's list "
                    f"({', '.join(sorted(lookup.values()))}).",
                )
            else:
                values[kind] = label

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
        self._check_programs(rows)
        self._check_cycles(rows)

    def _check_programs(self, rows: list[MemberRow]) -> None:
        """A row names only people of its own program: grouping keeps people apart within
        a program, and naming someone of another program tells the file nothing it can use
        (and the intake never offers them)."""
        stored = dict(
            MemberProfile.objects.filter(organization=self.organization).values_list(
                "user__email", "program_id"
            )
        )
        stored = {email.lower(): program_id for email, program_id in stored.items()}
        for email, program_id in (
            Invitation.objects.filter(organization=self.organization, accepted_at__isnull=True)
            .order_by("created_at")
            .values_list("email", "program_id")
        ):
            stored.setdefault(email.lower(), program_id)
        # The file's program for a row wins; a row without one keeps the stored program.
        program_of = dict(stored)
        for row in rows:
            if row.email and row.program is not None:
                program_of[row.email] = row.program.pk
        # Only people the file or the organization knows; the others are reported already.
        known = self.org_emails | {row.email for row in rows if row.email}
        names = {program.pk: program.name for program in self.programs.values()}
        for row in rows:
            named = {
                "reports_to": [row.reports_to] if row.reports_to else [],
                "not_with": row.not_with or [],
            }
            own = program_of.get(row.email)
            for column, others in named.items():
                others = [o for o in others if o != row.email and o in known]
                if not others:
                    continue
                if own is None:
                    self.error(
                        row.line,
                        column,
                        f"{row.email} is in no program, so the people it names cannot be "
                        "checked against one; give the row a program.",
                    )
                    continue
                for other in others:
                    theirs = program_of.get(other)
                    if theirs != own:
                        where = f"“{names[theirs]}”" if theirs in names else "no program"
                        self.error(
                            row.line,
                            column,
                            f"{other} is in {where}, not in “{names[own]}”: only people of "
                            "the row's own program can be named.",
                        )

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
    """Import every row of the file, or raise ImportInvalid and import none.

    A file is the organization's own records. A row for one of its members updates
    that member's profile; any other row becomes (or refreshes) an invitation that
    carries the row's values until the person accepts it. The import never attaches
    an account nor changes one (its name, its other organizations): whether an address
    has an account elsewhere changes nothing in what it does or answers.
    """
    rows = members_parse(organization=organization, file=file)
    emails = [row.email for row in rows]
    members = {
        profile.user.email.lower(): profile
        for profile in MemberProfile.objects.filter(
            organization=organization,
            user__email__in=emails,
            user__organization_roles__organization=organization,
            user__organization_roles__role=Role.MEMBER,
        ).select_related("user")
    }
    open_invitations = {
        invitation.email: invitation
        for invitation in Invitation.objects.select_for_update()
        .filter(organization=organization, email__in=emails, accepted_at__isnull=True)
        .order_by("created_at")
    }
    created = updated = invited = 0
    for row in rows:
        profile = members.get(row.email)
        if profile is not None:
            for name, value in row.values.items():
                setattr(profile, name, value)
            if row.program is not None:
                profile.program = row.program
            if profile.completed_at is None and _essentials(row.values):
                profile.completed_at = timezone.now()
            profile.save()
            updated += 1
            continue
        intake = {"values": row.values, "complete": _essentials(row.values)}
        if row.reports_to:
            intake["reports_to"] = row.reports_to
        if row.not_with:
            intake["not_with"] = row.not_with
        invitation = open_invitations.get(row.email)
        if invitation is not None and invitation.role == Role.MEMBER:
            # Keep what accepted members' rows left waiting on this invitation.
            for key in ("direct_reports", "not_with_by"):
                if invitation.intake.get(key):
                    intake[key] = invitation.intake[key]
            send = send_invitations and invitation.sent_at is None
            invitation_refresh(
                invitation=invitation,
                acting_user=acting_user,
                full_name=row.full_name,
                intake=intake,
                program=row.program,
                send=send,
            )
            updated += 1
        else:
            # An open invitation for another role is withdrawn by the admin first; the
            # service says so, and the whole file is refused.
            try:
                invitation, _token = invitation_create(
                    organization=organization,
                    email=row.email,
                    role=Role.MEMBER,
                    program=row.program,
                    full_name=row.full_name,
                    intake=intake,
                    acting_user=acting_user,
                    send=send_invitations,
                )
            except Conflict as conflict:
                raise ImportInvalid([RowError(row.line, "email", conflict.reason)]) from None
            open_invitations[row.email] = invitation
            created += 1
            send = send_invitations
        invited += send
    _link_members(organization, rows, members, open_invitations)
    audit_record(
        organization=organization,
        actor=acting_user,
        action="members_import",
        after={"created": created, "updated": updated, "invited": invited},
    )
    return ImportReport(created=created, updated=updated, invited=invited)


def _essentials(values: dict) -> bool:
    """Region, industry and expertise: enough of an intake to be grouped."""
    return bool(values.get("region") and values.get("industry") and values.get("expertise"))


def _link_members(organization, rows, members, open_invitations) -> None:
    """References from members' rows: link people of the organization now; for people
    still invited, leave the reference on their invitation until they accept."""
    in_organization = {
        granted.user.email.lower(): granted.user
        for granted in OrganizationRole.objects.filter(
            organization=organization,
            user__email__in={row.reports_to for row in rows if row.reports_to}
            | {other for row in rows for other in row.not_with or []},
        ).select_related("user")
    }
    waiting: dict[str, dict[str, set[str]]] = {}
    for row in rows:
        profile = members.get(row.email)
        if profile is None:
            continue  # an invited person's references travel on their own invitation
        if row.reports_to is not None:
            manager = in_organization.get(row.reports_to)
            if profile.reports_to_id != (manager.pk if manager else None):
                profile.reports_to = manager
                profile.save(update_fields=["reports_to"])
            if row.reports_to and manager is None:
                waiting.setdefault(row.reports_to, {}).setdefault("direct_reports", set()).add(
                    row.email
                )
        if row.not_with is not None:
            not_with_set(
                profile=profile,
                others=[in_organization[o] for o in row.not_with if o in in_organization],
            )
            for other in row.not_with:
                if other not in in_organization:
                    waiting.setdefault(other, {}).setdefault("not_with_by", set()).add(row.email)
    for email, references in waiting.items():
        invitation = open_invitations.get(email)
        if invitation is None:
            continue
        intake = dict(invitation.intake)
        for key, values in references.items():
            intake[key] = sorted(set(intake.get(key) or []) | values)
        invitation.intake = intake
        invitation.save(update_fields=["intake"])


def members_export(*, organization: Organization, acting_user: User | None = None) -> str:
    """Every member of the organization as CSV, in columns `members_import` reads.

    Leaves out the members' "not with" declarations: the intake promises that only the
    grouping uses them.
    """
    profiles = (
        MemberProfile.objects.filter(organization=organization)
        .select_related("user", "reports_to", "program")
        .order_by("user__email")
    )
    rows = []
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
            "program": profile.program.name if profile.program else "",
        }
        for column in TEXT_COLUMNS:
            cells[column] = getattr(profile, column)
        for column in AREA_COLUMNS:
            cells[column] = LIST_SEPARATOR.join(getattr(profile, column))
        rows.append([cells[column] for column in EXPORT_COLUMNS])
    # Who took the organization's people out of the system, and how many.
    audit_record(
        organization=organization,
        actor=acting_user,
        action="members_export",
        after={"rows": len(profiles)},
    )
    return csv_text(EXPORT_COLUMNS, rows)
