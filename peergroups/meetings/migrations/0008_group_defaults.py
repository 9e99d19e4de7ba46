"""Every existing group gets the default agenda protocol and agreement version 1.

Until now pages created them on first view (a write on GET); new groups get them from
services.group_defaults_create. The texts are copied here as they were at this point.
"""

from django.db import migrations

PROTOCOL = [
    ("checkin", "Check-in round", 30),
    ("issues", "Issue processing", 150),
    ("commitments", "Commitments review", 30),
    ("resources", "Resource share", 15),
    ("close", "Close", 15),
]

AGREEMENT = """What is said in this group stays in this group.

1. I keep confidential everything members share: their issues, their companies, their people.
2. I do not repeat what I hear to anyone outside the group, including my own organization's
   program staff, and I do not use it for business advantage.
3. I speak for myself and share experience, not advice I have not lived.
4. I come prepared, on time, and I keep the commitments I make here."""


def create_defaults(apps, schema_editor):
    PeerGroup = apps.get_model("groups", "PeerGroup")
    AgendaStep = apps.get_model("meetings", "AgendaStep")
    Agreement = apps.get_model("meetings", "ConfidentialityAgreement")
    with_steps = set(AgendaStep.objects.values_list("group_id", flat=True).distinct())
    with_agreement = set(Agreement.objects.values_list("group_id", flat=True).distinct())
    steps, agreements = [], []
    for group_id in PeerGroup.objects.values_list("pk", flat=True).iterator():
        if group_id not in with_steps:
            steps += [
                AgendaStep(group_id=group_id, position=i, kind=kind, title=title, minutes=minutes)
                for i, (kind, title, minutes) in enumerate(PROTOCOL)
            ]
        if group_id not in with_agreement:
            agreements.append(Agreement(group_id=group_id, version=1, text=AGREEMENT))
    AgendaStep.objects.bulk_create(steps, batch_size=500)
    Agreement.objects.bulk_create(agreements, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0001_initial"),
        ("meetings", "0007_issue_idempotency_key"),
    ]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
