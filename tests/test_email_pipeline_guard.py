"""Every e-mail of the product goes through the one pipeline (`ops.mail.email_message`):
no module builds or sends a message itself. Read from the source (AST): a call of
Django's `send_mail`, `send_mass_mail`, `EmailMessage` or `EmailMultiAlternatives`
anywhere but `ops/mail.py` fails, so a new e-mail cannot skip the text part without
entities, the HTML part, the organization's sender and Reply-To."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "peergroups"
BUILDERS = {"send_mail", "send_mass_mail", "EmailMessage", "EmailMultiAlternatives"}
THE_PIPELINE = {"ops/mail.py"}


def messages_built_outside_the_pipeline(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        where = path.relative_to(root).as_posix()
        if where in THE_PIPELINE or "/tests/" in f"/{where}" or "/migrations/" in where:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Call):
                target = node.func
                name = (
                    target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
                )
                if name in BUILDERS:
                    found.append(f"{where}:{node.lineno} {name}()")
    return found


def test_every_e_mail_goes_through_the_pipeline():
    assert messages_built_outside_the_pipeline(ROOT) == []


def test_the_guard_catches_a_message_built_by_hand(tmp_path):
    planted = tmp_path / "peergroups"
    (planted / "goals").mkdir(parents=True)
    (planted / "goals" / "tasks.py").write_text(
        "from django.core.mail import EmailMessage\n\n"
        "def nudge(user):\n"
        "    EmailMessage('Hi', 'body', to=[user.email]).send()\n"
    )
    (planted / "ops").mkdir()
    (planted / "ops" / "mail.py").write_text(
        "from django.core.mail import EmailMultiAlternatives\n"
        "def email_message():\n    return EmailMultiAlternatives()\n"
    )
    assert messages_built_outside_the_pipeline(planted) == ["goals/tasks.py:4 EmailMessage()"]
