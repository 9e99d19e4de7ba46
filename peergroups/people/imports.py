"""Import (CSV or Excel .xlsx) and CSV export of members: read the file people have,
validate every row, show what will happen, then import all or nothing.

Headers are read in the spellings spreadsheets use ("E-mail", "Email address",
"Region/Area"); columns the import does not know are ignored and named in a warning.
Region, industry and function fold into the organization's lists
(`people.services.categories_fold`): the preview shows which spelling becomes which
entry before anything is written. The export writes the columns the import reads, so an
exported file re-imports cleanly.
"""

import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from peergroups.accounts.models import User
from peergroups.audit.services import audit_record
from peergroups.errors import Conflict
from peergroups.formats import FORMULA_STARTS, csv_text
from peergroups.organizations.access import admin_require
from peergroups.organizations.models import (
    Invitation,
    Organization,
    OrganizationRole,
    Program,
    Role,
)
from peergroups.organizations.services import invitation_create, invitation_refresh
from peergroups.people.forms import MAX_IMPORT_BYTES, IntakeForm, split_list
from peergroups.people.models import (
    CategoryKind,
    MemberProfile,
    category_fold_plan,
    category_key,
)
from peergroups.people.selectors import category_lookup
from peergroups.people.services import categories_fold, enrolment_conflict, not_with_set
from peergroups.people.vocabulary import (
    AREAS,
    AVAILABILITY_SLOTS,
    CompanySize,
    CompanyStage,
    ManagementLevel,
)

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
XLSX_MAGIC = b"PK\x03\x04"  # an .xlsx workbook is a zip archive
XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and encrypted workbooks)

# The spellings spreadsheets give our columns; each column's own name (with spaces for
# underscores) is accepted too. Compared by `_header_key`: case, spaces, "_" and a
# trailing ":" or "*" do not matter.
HEADER_ALIASES = {
    "email": ("e-mail", "email address", "e-mail address", "mail", "work email", "work e-mail"),
    "full_name": ("name", "full name", "employee name", "participant", "participant name"),
    "region": ("region/area", "region / area", "area", "location", "territory", "geography"),
    "time_zone": ("timezone", "tz"),
    "locale": ("language",),
    "industry": ("sector", "industry/sector", "industry / sector"),
    "function": ("department", "function/department", "business function"),
    "management_level": ("level", "manager level", "management level"),
    "team_size": ("team", "people managed", "headcount managed"),
    "years_managing": ("years as manager", "years as a manager", "management experience"),
    "company": ("company name", "employer", "organisation", "organization"),
    "company_stage": ("stage",),
    "expertise": ("areas of expertise", "skills"),
    "challenges": ("current challenges",),
    "goals": ("key goals",),
    "reports_to": ("manager", "manager email", "manager e-mail", "line manager", "reports to"),
    "not_with": ("not with",),
    "program": ("programme", "cohort"),
}
FIRST_NAME_HEADERS = ("first name", "given name", "firstname")
LAST_NAME_HEADERS = ("last name", "surname", "family name", "lastname")


def _header_key(name: str) -> str:
    name = " ".join(str(name or "").replace("_", " ").split()).casefold()
    return name.rstrip(":*").strip()


HEADER_LOOKUP = {_header_key(column): column for column in COLUMNS} | {
    _header_key(alias): column for column, aliases in HEADER_ALIASES.items() for alias in aliases
}


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
        super().__init__(
            ngettext(
                "%(count)s error in the file; nothing was imported.",
                "%(count)s errors in the file; nothing was imported.",
                len(errors),
            )
            % {"count": len(errors)}
        )
        self.errors = errors


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    invited: int
    warnings: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return self.created + self.updated


@dataclass(frozen=True)
class Fold:
    """Spellings of a region, industry or function in a file and the list entry they fold
    into; `new` when the entry joins the organization's list with this import."""

    kind: str
    label: str
    spellings: tuple[str, ...]
    new: bool

    @property
    def kind_label(self) -> str:
        return CategoryKind(self.kind).label


@dataclass
class ImportPlan:
    """What an import of a valid file will do, before it is written (the preview)."""

    rows: list
    warnings: list[str]
    folds: list[Fold]
    created: int = 0
    updated: int = 0

    @property
    def total(self) -> int:
        return len(self.rows)


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


def _read_bytes(file: IO[bytes] | bytes | str) -> bytes | str:
    if isinstance(file, str):
        return file.removeprefix("\ufeff")  # our own export, read back as text
    data = file if isinstance(file, bytes) else file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportInvalid(
            [
                RowError(
                    0,
                    "",
                    gettext("The file is larger than %(megabytes)s MB.")
                    % {"megabytes": MAX_IMPORT_BYTES // (1024 * 1024)},
                )
            ]
        )
    return data


def _read_text(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")  # Excel writes a byte-order mark; accept both
    except UnicodeDecodeError as error:
        raise ImportInvalid(
            [
                RowError(
                    0,
                    "",
                    gettext(
                        "The file is not UTF-8 text (byte %(start)s). Save it as “CSV UTF-8” or as "
                        "an Excel workbook (.xlsx) and try again."
                    )
                    % {"start": error.start},
                )
            ]
        ) from None


def _cell_text(value) -> str:
    """An Excel cell as the text a CSV would hold: 12.0 is "12", a date is 2027-01-31."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _read_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    """The first sheet's rows as (Excel row number, cells as text)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises zip, XML and key errors alike for a broken file
        raise ImportInvalid(
            [RowError(0, "", gettext("The file is not a readable Excel workbook (.xlsx)."))]
        ) from None
    try:
        sheet = workbook.worksheets[0]
        return [
            (number, [_cell_text(cell) for cell in cells])
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()


def _read_csv(text: str) -> tuple[list[tuple[int, list[str]]], list[RowError]]:
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for cells in reader:
            # A quoted cell may span lines; the row is named by the line where it starts.
            start, line = line, reader.line_num + 1
            rows.append((start, [_undefuse(cell) for cell in cells]))
    except csv.Error as error:
        return rows, [
            RowError(
                reader.line_num,
                "",
                gettext("The file is not valid CSV: %(error)s.") % {"error": error},
            )
        ]
    return rows, []


def _read_table(file: IO[bytes] | bytes | str) -> tuple[list, list[RowError], bool]:
    """Every row of a CSV file or an .xlsx workbook's first sheet as (line, cells),
    numbered as the spreadsheet numbers them; any error that stopped the reading; and
    whether it came from a workbook."""
    data = _read_bytes(file)
    if isinstance(data, bytes) and data.startswith(XLSX_MAGIC):
        return _read_xlsx(data), [], True
    if isinstance(data, bytes) and data.startswith(XLS_MAGIC):
        raise ImportInvalid(
            [
                RowError(
                    0,
                    "",
                    gettext(
                        "This is an old-style Excel file (.xls) or a password-protected workbook. "
                        "Save it as an Excel workbook (.xlsx) or as “CSV UTF-8” and try again."
                    ),
                )
            ]
        )
    rows, errors = _read_csv(_read_text(data))
    return rows, errors, False


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
        self.warnings: list[str] = []
        self.first_last: dict[str, int] = {}
        self.spellings: dict[str, list[str]] = {kind: [] for kind in CategoryKind.values}
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

    def map_header(self, header: list[str]) -> list[str | None] | None:
        """Each header cell's column (None: ignored); None when rows cannot be read."""
        mapped: list[str | None] = []
        ignored: list[str] = []
        first_last: dict[str, int] = {}
        for position, name in enumerate(header):
            key = _header_key(name)
            column = HEADER_LOOKUP.get(key)
            if column is None and key in FIRST_NAME_HEADERS:
                first_last.setdefault("first", position)
            elif column is None and key in LAST_NAME_HEADERS:
                first_last.setdefault("last", position)
            elif column is None and key:
                ignored.append(f"“{str(name).strip()}”")
            mapped.append(column)
        self.first_last = first_last if len(first_last) == 2 else {}
        if len(first_last) == 1:
            ignored.append(
                gettext("“%(column)s” (a name column needs both first and last name)")
                % {"column": str(header[next(iter(first_last.values()))]).strip()}
            )
        if ignored:
            self.warnings.append(
                ngettext(
                    "Ignored a column the import does not use: %(columns)s.",
                    "Ignored columns the import does not use: %(columns)s.",
                    len(ignored),
                )
                % {"columns": ", ".join(ignored)}
            )
        for column in dict.fromkeys(c for c in mapped if c):
            spellings = [str(header[i]).strip() for i, c in enumerate(mapped) if c == column]
            if len(spellings) > 1:
                self.error(
                    1,
                    "",
                    gettext("Columns %(spellings)s all mean %(column)s; keep one.")
                    % {
                        "spellings": gettext(" and ").join(f"“{s}”" for s in spellings),
                        "column": column,
                    },
                )
        missing = [
            name
            for name in REQUIRED_COLUMNS
            if name not in mapped and not (name == "full_name" and self.first_last)
        ]
        if missing:
            self.error(
                1,
                "",
                gettext("Missing required column: %(columns)s (the first line names the columns).")
                % {"columns": ", ".join(missing)},
            )
        return None if self.errors else mapped

    def check_row(self, line: int, row: dict[str, str]) -> MemberRow:
        email = row["email"].strip().lower()
        if not email:
            self.error(line, "email", gettext("is required."))
        else:
            try:
                validate_email(email)
            except ValidationError:
                self.error(
                    line,
                    "email",
                    gettext("“%(email)s” is not a valid e-mail address.") % {"email": email},
                )
        full_name = row["full_name"].strip()
        if not full_name:
            self.error(line, "full_name", gettext("is required."))
        elif len(full_name) > 150:
            self.error(line, "full_name", gettext("is longer than 150 characters."))
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
                self.error(line, "reports_to", gettext("a person cannot report to themselves."))
            parsed.reports_to = manager
        if "not_with" in row:
            others = [other.lower() for other in split_list(row["not_with"])]
            if email in others:
                self.error(line, "not_with", gettext("lists the person themselves."))
            parsed.not_with = [other for other in others if other != email]
        if "program" in row and row["program"].strip():
            name = row["program"].strip()
            parsed.program = self.programs.get(_normalise(name))
            if parsed.program is None:
                self.error(
                    line,
                    "program",
                    gettext("no program named “%(name)s” in this organization.") % {"name": name},
                )
        return parsed

    def _map_pick_lists(self, line: int, values: dict) -> None:
        for kind in self.pick_lists:
            if values.get(kind):
                self.spellings[kind].append(values[kind])

    def fold(self, rows: list["MemberRow"]) -> list[Fold]:
        """Fold every row's region, industry and function into the organization's lists
        (without writing: the list entries are added when the import is written)."""
        folds: list[Fold] = []
        for kind, lookup in self.pick_lists.items():
            plan = category_fold_plan(lookup, self.spellings[kind])
            for row in rows:
                if row.values.get(kind):
                    row.values[kind] = plan[row.values[kind]]
            by_label: dict[str, list[str]] = {}
            for spelling, label in plan.items():
                by_label.setdefault(label, [])
                if spelling != label:
                    by_label[label].append(spelling)
            for label, spellings in sorted(
                by_label.items(), key=lambda item: category_key(item[0])
            ):
                folds.append(
                    Fold(
                        kind=kind,
                        label=label,
                        spellings=tuple(spellings),
                        new=category_key(label) not in lookup,
                    )
                )
        return folds

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
        # A member is in one program at a time: a row cannot move one enrolled elsewhere
        # (the admin removes them from that program first, which frees their seat). The
        # members are those whose rows update their profile (`_members_by_email`).
        enrolled = {
            email.lower(): program_id
            for email, program_id in MemberProfile.objects.filter(
                organization=self.organization,
                program__isnull=False,
                user__organization_roles__organization=self.organization,
                user__organization_roles__role=Role.MEMBER,
            ).values_list("user__email", "program_id")
        }
        by_pk = {program.pk: program for program in self.programs.values()}
        for row in rows:
            current = enrolled.get(row.email) if row.email and row.program else None
            if current is not None and (
                reason := enrolment_conflict(
                    person=row.email, enrolled=by_pk[current], program=row.program
                )
            ):
                self.error(row.line, "program", reason)
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
                        where = f"“{names[theirs]}”" if theirs in names else gettext("no program")
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
                self.error(
                    row.line,
                    "reports_to",
                    gettext("the reporting line loops back: %(loop)s.") % {"loop": loop},
                )


def members_parse(*, organization: Organization, file: IO[bytes] | bytes | str) -> ImportPlan:
    """Read and validate the whole file; raise ImportInvalid listing every error found.

    Returns what the import would do (nothing is written): the rows with their values
    folded into the organization's lists, the folds, and warnings (ignored columns).
    """
    table, read_errors, from_sheet = _read_table(file)
    while table and not any(cell.strip() for cell in table[0][1]):
        table.pop(0)  # blank lines above the header
    if not table:
        raise ImportInvalid(read_errors or [RowError(1, "", gettext("The file is empty."))])
    checker = _RowChecker(organization)
    header_line, header = table[0]
    columns = checker.map_header(header)
    if columns is None:
        raise ImportInvalid(checker.errors + read_errors)
    rows: list[MemberRow] = []
    for line, cells in table[1:]:
        if not any(cell.strip() for cell in cells):
            continue
        # A sheet's row ends at its last filled cell; a CSV line with a cell too many or
        # too few has lost or gained a separator.
        extra = [cell for cell in cells[len(columns) :] if cell.strip()]
        if extra or (not from_sheet and len(cells) != len(columns)):
            checker.error(
                line,
                "",
                gettext("Line %(line)s has %(count)s cells; the header has %(count2)s.")
                % {"line": line, "count": len(cells), "count2": len(columns)},
            )
            continue
        cells = cells + [""] * (len(columns) - len(cells))
        row = {column: cell for column, cell in zip(columns, cells, strict=False) if column}
        if checker.first_last:
            first = cells[checker.first_last["first"]].strip()
            last = cells[checker.first_last["last"]].strip()
            row.setdefault("full_name", f"{first} {last}".strip())
        rows.append(checker.check_row(line, row))
    checker.errors.extend(read_errors)
    if not rows and not checker.errors:
        checker.error(header_line + 1, "", gettext("The file has a header but no members."))
    checker.check_references(rows)
    if checker.errors:
        raise ImportInvalid(sorted(checker.errors, key=lambda error: error.line))
    folds = checker.fold(rows)
    created, updated = _counts(organization, rows)
    return ImportPlan(
        rows=rows, warnings=checker.warnings, folds=folds, created=created, updated=updated
    )


def _members_by_email(organization: Organization, emails) -> dict[str, MemberProfile]:
    return {
        profile.user.email.lower(): profile
        for profile in MemberProfile.objects.filter(
            organization=organization,
            user__email__in=emails,
            user__organization_roles__organization=organization,
            user__organization_roles__role=Role.MEMBER,
        ).select_related("user", "program")
    }


def _counts(organization: Organization, rows: list[MemberRow]) -> tuple[int, int]:
    """How many rows will invite someone new, and how many update a member or an
    invitation (as `members_import` decides)."""
    emails = [row.email for row in rows]
    members = set(_members_by_email(organization, emails))
    invited = set(
        Invitation.objects.filter(
            organization=organization,
            email__in=emails,
            accepted_at__isnull=True,
            role=Role.MEMBER,
        ).values_list("email", flat=True)
    )
    updated = sum(row.email in members or row.email in invited for row in rows)
    return len(rows) - updated, updated


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
    admin_require(
        organization=organization,
        user=acting_user,
        reason=gettext("Only the organization's admins import members."),
    )
    plan = members_parse(organization=organization, file=file)
    rows = plan.rows
    # The list entries the preview showed join the lists now, by the one folding rule.
    for kind in CategoryKind.values:
        folded = categories_fold(
            organization_id=organization.pk,
            kind=kind,
            values=[row.values[kind] for row in rows if row.values.get(kind)],
        )
        for row in rows:
            if row.values.get(kind):
                row.values[kind] = folded[row.values[kind]]
    emails = [row.email for row in rows]
    members = _members_by_email(organization, emails)
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
                # Checked with the file (`_check_programs`), again on the row as it is now.
                if reason := enrolment_conflict(
                    person=row.email, enrolled=profile.program, program=row.program
                ):
                    raise ImportInvalid([RowError(row.line, "program", reason)])
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
        before={},
        after={"created": created, "updated": updated, "invited": invited},
    )
    return ImportReport(
        created=created, updated=updated, invited=invited, warnings=tuple(plan.warnings)
    )


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
        before={},  # an export changes nothing: the row says who took how many
        after={"rows": len(profiles)},
    )
    return csv_text(EXPORT_COLUMNS, rows)
