"""Every task that sends e-mail retries it when the mail server is down (`ops.mail`).

Read from the source: a function decorated `@task` that sends (calls `send_mail`,
`send_mass_mail`, or `.send()` on a message), itself or through a function of its own
module, must also be decorated `@retry_email`, unless it is a batch whose every e-mail is
claimed in the transaction that sends it (a failed send releases its claim, and the job's
next run sends it: retrying the batch would add nothing).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "peergroups"

CLAIMED_BATCHES = {
    # Each reminder's claim rolls back with a failed send; the next scheduled run retries.
    "peergroups/goals/tasks.py:goal_reminders_send",
    "peergroups/meetings/tasks.py:meeting_reminders_send",
    "peergroups/outcomes/tasks.py:pulses_send",
    "peergroups/people/tasks.py:invitation_reminders_send",
    "peergroups/meetings/tasks.py:meeting_invitations_send",
    # Calls groups_welcome_send, which retries.
    "peergroups/formation/tasks.py:group_welcome_send",
}
SENDS = {"send_mail", "send_mass_mail", "send", "send_messages", "email_send"}


def _decorator_names(function: ast.FunctionDef) -> set[str]:
    names = set()
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        names.add(target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", ""))
    return names


def _called(function: ast.FunctionDef) -> set[str]:
    called = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            target = node.func
            called.add(
                target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
            )
    return called


def tasks_that_send_without_retry(source: str, where: str) -> list[str]:
    tree = ast.parse(source)
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    sends: dict[str, bool] = {}

    def sending(name: str, seen: frozenset = frozenset()) -> bool:
        if name not in sends:
            calls = _called(functions[name])
            sends[name] = bool(calls & SENDS) or any(
                sending(other, seen | {name})
                for other in calls & set(functions)
                if other not in seen and other != name
            )
        return sends[name]

    missing = []
    for name, function in functions.items():
        decorators = _decorator_names(function)
        key = f"{where}:{name}"
        unguarded = "task" in decorators and "retry_email" not in decorators
        if unguarded and key not in CLAIMED_BATCHES and sending(name):
            missing.append(key)
    return missing


def test_every_task_that_sends_e_mail_retries():
    missing = []
    for path in sorted(ROOT.glob("*/tasks.py")):
        where = str(path.relative_to(ROOT.parent))
        missing += tasks_that_send_without_retry(path.read_text(), where)
    assert missing == []


def test_the_guard_finds_a_task_that_sends_without_retrying():
    planted = """
from django_tasks import task

def _mail(to):
    EmailMessage("s", "b", "f", [to]).send()

@task()
def greeting_send(user_id):
    _mail("x@example.org")

@task()
@retry_email()
def farewell_send(user_id):
    _mail("y@example.org")

@task()
def nothing_sent(user_id):
    return 1
"""
    assert tasks_that_send_without_retry(planted, "planted.py") == ["planted.py:greeting_send"]
