"""Fold the regions, industries and functions people typed before every path folded them
(issue 20): each spelling joins its organization's list under the spelling most people
used (or the listed one), and profiles read that entry."""

from collections import Counter, defaultdict

from django.db import migrations

KINDS = ("region", "industry", "function")


def key_of(text):
    return " ".join((text or "").split()).casefold()


def fold(apps, schema_editor):
    Category = apps.get_model("people", "Category")
    MemberProfile = apps.get_model("people", "MemberProfile")
    for kind in KINDS:
        listed = defaultdict(dict)
        for organization_id, key, label in Category.objects.values_list(
            "organization_id", "key", "label"
        ).filter(kind=kind):
            listed[organization_id][key] = label
        used = defaultdict(Counter)
        rows = MemberProfile.objects.exclude(**{kind: ""}).values_list("organization_id", kind)
        for organization_id, value in rows.iterator(chunk_size=2000):
            used[organization_id][value] += 1
        for organization_id, counts in used.items():
            by_key = defaultdict(Counter)
            for value, count in counts.items():
                if key_of(value):
                    by_key[key_of(value)][value] += count
            for key, spellings in by_key.items():
                label = listed[organization_id].get(key)
                if label is None:
                    # The spelling most people used; ties go to the first in sort order.
                    label = " ".join(
                        sorted(spellings.items(), key=lambda item: (-item[1], item[0]))[0][
                            0
                        ].split()
                    )
                    Category.objects.create(
                        organization_id=organization_id, kind=kind, label=label, key=key
                    )
                others = [value for value in spellings if value != label]
                if others:
                    MemberProfile.objects.filter(
                        organization_id=organization_id, **{f"{kind}__in": others}
                    ).update(**{kind: label})


class Migration(migrations.Migration):
    dependencies = [("people", "0008_facilitator_qualifications")]

    operations = [migrations.RunPython(fold, migrations.RunPython.noop)]
