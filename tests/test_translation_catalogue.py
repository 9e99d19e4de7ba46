"""The German catalogue is complete and compiled: a guard for every string marked.

`makemessages` is run on a copy of the project (templates and Python code); every msgid
it finds must be in the committed `locale/de/LC_MESSAGES/django.po`, translated and not
fuzzy, and the committed `django.mo` must hold exactly what `msgfmt` makes of the .po
(the .mo is committed, so an install needs no gettext tools; `manage.py compilemessages`
remakes it). `test_the_guard_*` plant each kind of gap and see it caught (STYLE.md 15).

Needs GNU gettext (`xgettext`, `msgmerge`, `msgfmt`): `make test` installs Debian's
`gettext` as root; elsewhere these tests skip with a message, and in CI they fail.
"""

import ast
import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from peergroups.env import env_bool

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = Path("locale/de/LC_MESSAGES")
# What makemessages reads: the templates and the project package; nothing else is ours
# to translate (the engine speaks no language, tests and benchmarks are not shown).
COPIED = ("manage.py", "peergroups", "templates", "locale")
IGNORED = (".venv", "var", "benchmarks", "grouping", "tests", "deploy", "static")


@pytest.fixture(autouse=True)
def _gettext_tools():
    missing = [tool for tool in ("xgettext", "msgmerge", "msgfmt") if not shutil.which(tool)]
    if missing:
        message = (
            f"GNU gettext not found ({', '.join(missing)}): install Debian's 'gettext' "
            "package (make test does so when run as root)"
        )
        if env_bool("CI", False):
            pytest.fail(message + " — the catalogue check is required in CI.")
        pytest.skip(message)


def _entries(po: Path) -> list[dict]:
    """The entries of a .po file: msgid (with msgid_plural), msgstr(s), fuzzy."""
    entries, current, field = [], None, None
    for line in po.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if current is not None:
                entries.append(current)
            current = None
            continue
        if current is None:
            current = {"msgid": "", "plural": None, "msgstr": {}, "fuzzy": False}
        if line.startswith("#,") and "fuzzy" in line:
            current["fuzzy"] = True
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            keyword, rest = field, line
        else:
            field = keyword
        value = ast.literal_eval(rest)
        if keyword == "msgid":
            current["msgid"] += value
        elif keyword == "msgid_plural":
            current["plural"] = (current["plural"] or "") + value
        elif keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if "[" in keyword else 0
            current["msgstr"][index] = current["msgstr"].get(index, "") + value
    return [entry for entry in entries if entry["msgid"]]  # not the header


def _regenerated(root: Path, work: Path) -> Path:
    """The catalogue makemessages makes of `root`'s code, merged into its committed .po."""
    copy = work / "project"
    copy.mkdir()
    for name in COPIED:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy / name)
    command = [sys.executable, "manage.py", "makemessages", "-l", "de", "--no-location"]
    command += [f"--ignore={name}" for name in IGNORED]
    subprocess.run(command, cwd=copy, check=True, capture_output=True, text=True, timeout=120)
    return copy / CATALOGUE / "django.po"


def catalogue_problems(root: Path, work: Path) -> list[str]:
    """Each msgid of `root`'s code that the committed .po lacks, leaves untranslated or
    marks fuzzy, as a sentence."""
    committed = {entry["msgid"] for entry in _entries(root / CATALOGUE / "django.po")}
    problems = []
    for entry in _entries(_regenerated(root, work)):
        msgid = entry["msgid"]
        if msgid not in committed:
            problems.append(f"missing: {msgid!r}")
        elif entry["fuzzy"]:
            problems.append(f"fuzzy: {msgid!r}")
        elif not entry["msgstr"] or not all(entry["msgstr"].values()):
            problems.append(f"untranslated: {msgid!r}")
    return problems


def compiled_problems(root: Path, work: Path) -> list[str]:
    """Where the committed .mo differs from what msgfmt makes of the committed .po."""
    fresh = work / "fresh.mo"
    subprocess.run(
        ["msgfmt", "--check", "-o", str(fresh), str(root / CATALOGUE / "django.po")],
        check=True,
        capture_output=True,
        text=True,
    )
    committed_mo = root / CATALOGUE / "django.mo"
    if not committed_mo.exists():
        return ["django.mo is missing: run manage.py compilemessages"]
    with fresh.open("rb") as made, committed_mo.open("rb") as kept:
        made_catalog = gettext.GNUTranslations(made)._catalog
        kept_catalog = gettext.GNUTranslations(kept)._catalog
    differing = sorted(
        str(key)
        for key in made_catalog.keys() | kept_catalog.keys()
        if made_catalog.get(key) != kept_catalog.get(key)
    )
    return [f"django.mo out of date for {key}" for key in differing]


def test_every_marked_string_has_a_german_translation(tmp_path):
    problems = catalogue_problems(ROOT, tmp_path)
    assert not problems, (
        "locale/de/LC_MESSAGES/django.po is behind the code; run `manage.py makemessages "
        "-l de --no-location` (ignoring .venv, var, benchmarks, grouping, tests, deploy, "
        "static), translate, then `manage.py compilemessages`:\n  " + "\n  ".join(problems)
    )


def test_the_compiled_catalogue_matches_the_po_file(tmp_path):
    problems = compiled_problems(ROOT, tmp_path)
    assert not problems, "Run `manage.py compilemessages -l de`:\n  " + "\n  ".join(problems)


def _planted_root(tmp_path: Path) -> Path:
    root = tmp_path / "planted"
    root.mkdir()
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, root / name)
    (tmp_path / "work").mkdir()
    return root


def test_the_guard_catches_a_new_string_without_translation(tmp_path):
    root = _planted_root(tmp_path)
    (root / "templates" / "planted.html").write_text(
        '{% load i18n %}<p>{% translate "A sentence nobody translated" %}</p>'
    )
    problems = catalogue_problems(root, tmp_path / "work")
    assert problems == ["missing: 'A sentence nobody translated'"]


def test_the_guard_catches_an_empty_and_a_fuzzy_translation(tmp_path):
    root = _planted_root(tmp_path)
    po = root / CATALOGUE / "django.po"
    text = po.read_text(encoding="utf-8")
    text = text.replace(
        'msgid "Skip to content"\nmsgstr "Zum Inhalt springen"',
        'msgid "Skip to content"\nmsgstr ""',
    )
    text = text.replace(
        'msgid "Sign out"\nmsgstr "Abmelden"', '#, fuzzy\nmsgid "Sign out"\nmsgstr "Abmelden"'
    )
    po.write_text(text, encoding="utf-8")
    problems = catalogue_problems(root, tmp_path / "work")
    assert sorted(problems) == ["fuzzy: 'Sign out'", "untranslated: 'Skip to content'"]


def test_the_guard_catches_a_stale_compiled_catalogue(tmp_path):
    root = _planted_root(tmp_path)
    po = root / CATALOGUE / "django.po"
    po.write_text(
        po.read_text(encoding="utf-8").replace('msgstr "Abmelden"', 'msgstr "Ausloggen"'),
        encoding="utf-8",
    )
    assert compiled_problems(root, tmp_path / "work") == ["django.mo out of date for Sign out"]
