"""Every word a template shows is marked for translation: a guard over `templates/`.

Django's template lexer splits each template into text, variables and tags; the text
outside `{% translate %}` / `{% blocktranslate %}` (and outside comments, scripts and
styles), with its HTML tags taken off, must hold no word. The attributes people read
(`aria-label`, `title`, `placeholder`, `alt`, a button's `value`) count as text; code
(`<code>`: a column name, a command) does not.
`test_the_guard_*` plants untranslated text in a copy and sees it caught (STYLE.md 15).
"""

import re
import shutil
from pathlib import Path

from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"

# Words that are the same in every language: the product's name and a few formats.
ALLOWED_WORDS = {"Peergroups", "htmx", "CSV", "API", "iCalendar", "OpenAPI", "ics", "min", "x"}
READ_ATTRIBUTES = re.compile(
    r"""\b(?:aria-label|aria-description|title|placeholder|alt|hx-confirm|data-confirm)=(["'])(.*?)\1""",
    re.S,
)
BUTTON_VALUE = re.compile(r"""<(?:input|button)[^>]*type=["'](?:submit|button)["'][^>]*>""", re.S)
HTML_TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.S)
ENTITY = re.compile(r"&#?\w+;")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
# Text inside these pairs of tags is either translated or never shown.
OPENERS = {
    "blocktranslate": "endblocktranslate",
    "blocktrans": "endblocktrans",
    "comment": "endcomment",
}


def _words(text: str) -> list[str]:
    text = ENTITY.sub(" ", text)
    return [word for word in WORD.findall(text) if word not in ALLOWED_WORDS]


def untranslated(template: Path) -> list[str]:
    """The words of `template` shown to people and not marked for translation."""
    source = template.read_text()
    found: list[str] = []
    closing = None
    text_parts: list[str] = []
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if closing:
                if name == closing:
                    closing = None
                continue
            if name in OPENERS:
                closing = OPENERS[name]
            text_parts.append("\x00")  # a tag ends a run of text, as in the template
            continue
        if closing or token.token_type != TokenType.TEXT:
            if token.token_type == TokenType.VAR:
                text_parts.append("\x00")
            continue
        text_parts.append(token.contents)
    text = "".join(text_parts)
    # Code is the same in every language: a column name, a command (<code>); scripts and
    # styles too (a template has none inline, the CSP forbids them, but say so anyway).
    text = re.sub(r"<(script|style|code|kbd)\b.*?</\1>", " ", text, flags=re.S | re.I)
    for match in READ_ATTRIBUTES.finditer(text):
        found += _words(match.group(2).replace("\x00", " "))
    for match in BUTTON_VALUE.finditer(text):
        value = re.search(r"""value=(["'])(.*?)\1""", match.group())
        if value:
            found += _words(value.group(2).replace("\x00", " "))
    found += _words(HTML_TAG.sub(" ", text).replace("\x00", " "))
    return found


def untranslated_templates(root: Path) -> dict[str, list[str]]:
    report = {}
    for template in sorted(root.rglob("*")):
        if template.is_file() and template.suffix in {".html", ".txt"}:
            words = untranslated(template)
            if words:
                report[str(template.relative_to(root))] = words
    return report


def test_every_template_word_is_marked_for_translation():
    report = untranslated_templates(TEMPLATES)
    assert not report, "Text not inside {% translate %} / {% blocktranslate %}:\n" + "\n".join(
        f"  {name}: {' '.join(words[:12])}" for name, words in report.items()
    )


def _planted(tmp_path: Path, name: str, text: str) -> Path:
    root = tmp_path / "templates"
    shutil.copytree(TEMPLATES, root)
    (root / name).write_text(text)
    return root


def test_the_guard_catches_plain_text(tmp_path):
    root = _planted(
        tmp_path, "planted.html", '{% load i18n %}<p>{% translate "Fine" %} Not marked</p>'
    )
    assert untranslated_templates(root)["planted.html"] == ["Not", "marked"]


def test_the_guard_catches_a_label_for_screen_readers(tmp_path):
    root = _planted(tmp_path, "planted.html", '<nav aria-label="Main menu">{{ x }}</nav>')
    assert untranslated_templates(root)["planted.html"] == ["Main", "menu"]


def test_the_guard_catches_text_beside_a_variable_in_an_email(tmp_path):
    root = _planted(tmp_path, "planted.txt", "Hello {{ person.get_short_name }},\n")
    assert untranslated_templates(root)["planted.txt"] == ["Hello"]


def test_the_guard_passes_translated_text_names_code_and_entities(tmp_path):
    root = _planted(
        tmp_path,
        "planted.html",
        "{% load i18n %}<title>{% block title %}Peergroups{% endblock %}</title>"
        "<p><code>manage.py setup_key</code></p>"
        "<p>{% blocktranslate with n=x %}{{ n }} words{% endblocktranslate %} &middot; 42</p>"
        "{# a comment with words #}{% comment %}more words{% endcomment %}",
    )
    assert "planted.html" not in untranslated_templates(root)
