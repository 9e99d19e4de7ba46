"""Function joins the pick-lists; every organization's values in use become its lists.

For each organization and kind that has no list yet, the distinct values members use
become the list, one per normalised key (case folded, spaces collapsed), spelled as most
members spell it; profiles and open invitations' imported values then read that spelling.
A list an admin already curated is left as it is.
"""

from collections import Counter, defaultdict

from django.db import migrations, models

KINDS = ("region", "industry", "function")


def _key(text):
    return " ".join((text or "").split()).casefold()


def _tidy(text):
    return " ".join((text or "").split())


def lists_from_values_in_use(apps, schema_editor):
    Category = apps.get_model("people", "Category")
    MemberProfile = apps.get_model("people", "MemberProfile")
    Invitation = apps.get_model("organizations", "Invitation")
    curated = set(Category.objects.values_list("organization_id", "kind").distinct())
    counts = defaultdict(Counter)  # (organization, kind) -> spelling -> members
    for kind in KINDS:
        rows = (
            MemberProfile.objects.exclude(**{kind: ""})
            .values_list("organization_id", kind)
            .annotate(count=models.Count("pk"))
        )
        for organization_id, value, count in rows:
            if (organization_id, kind) not in curated and _key(value):
                counts[(organization_id, kind)][value] += count
    for (organization_id, kind), spellings in counts.items():
        by_key = defaultdict(Counter)
        for value, count in spellings.items():
            by_key[_key(value)][_tidy(value)] += count
        label_of = {}
        for key, tidy in by_key.items():
            # The spelling most members use; ties go to the first in alphabetical order.
            label = sorted(tidy.items(), key=lambda item: (-item[1], item[0]))[0][0][:100]
            label_of[key] = label
            Category.objects.create(
                organization_id=organization_id, kind=kind, label=label, key=_key(label)
            )
        for value in spellings:
            label = label_of[_key(value)]
            if value != label:
                MemberProfile.objects.filter(
                    organization_id=organization_id, **{kind: value}
                ).update(**{kind: label})
    for invitation in Invitation.objects.filter(accepted_at__isnull=True).exclude(intake={}):
        values = (invitation.intake or {}).get("values")
        if not isinstance(values, dict):
            continue
        changed = False
        for kind in KINDS:
            value = values.get(kind)
            if not value or (invitation.organization_id, kind) in curated:
                continue
            label = " ".join(value.split())
            found = Category.objects.filter(
                organization_id=invitation.organization_id, kind=kind, key=_key(value)
            ).first()
            if found is not None:
                label = found.label
            if label != value:
                values[kind] = label
                changed = True
        if changed:
            invitation.save(update_fields=["intake"])


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0005_invitation_reminded_at"),
        ("people", "0005_organization_categories"),
    ]

    operations = [
        migrations.AlterField(
            model_name="category",
            name="kind",
            field=models.CharField(
                choices=[("region", "Region"), ("industry", "Industry"), ("function", "Function")],
                max_length=20,
            ),
        ),
        migrations.RunPython(lists_from_values_in_use, migrations.RunPython.noop),
    ]
