"""Export an organization's resource library: JSON lines, and optionally the files.

    manage.py export_resources acme > library.jsonl
    manage.py export_resources acme --output library.jsonl --files exported-files/

Only organization-wide resources: a group's resources are group content and never
leave the group, whoever runs the export.
"""

import json
import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from peergroups.formats import count_of
from peergroups.organizations.models import Organization
from peergroups.resources.selectors import resources_for_export


class Command(BaseCommand):
    help = "Export the organization's resource library (organization-wide resources only)."

    def add_arguments(self, parser):
        parser.add_argument("organization", help="The organization's slug.")
        parser.add_argument("--output", help="Write JSON lines here instead of stdout.")
        parser.add_argument("--files", help="Copy the attached files into this folder.")

    def handle(self, *args, organization: str, output: str | None, files: str | None, **kw):
        org = Organization.objects.filter(slug=organization).first()
        if org is None:
            raise CommandError(f"No organization with the slug {organization!r}.")
        folder = Path(files) if files else None
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        stream = open(output, "w", encoding="utf-8") if output else self.stdout  # noqa: SIM115
        count = 0
        try:
            for resource in resources_for_export(organization=org).iterator(chunk_size=500):
                row = {
                    "id": resource.pk,
                    "kind": resource.kind,
                    "title": resource.title,
                    "summary": resource.summary,
                    "url": resource.url,
                    "topics": resource.topics,
                    "shared_by": resource.shared_by.email,
                    "useful_count": resource.useful_count,
                    "created_at": resource.created_at.isoformat(),
                    "file": None,
                }
                if resource.file and folder is not None:
                    target = folder / f"{resource.pk}-{resource.file_name}"
                    with resource.file.open("rb") as source, open(target, "wb") as copy:
                        shutil.copyfileobj(source, copy)
                    row["file"] = target.name
                elif resource.file:
                    row["file"] = resource.file_name
                stream.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
        finally:
            if output:
                stream.close()
        self.stderr.write(f"Exported {count_of(count, 'resource')} of {org.name}.")
