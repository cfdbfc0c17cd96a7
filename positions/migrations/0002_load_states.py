"""Load the 36 states (32 allies, 4 EU states outside NATO) into every new database."""

import csv
from pathlib import Path

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

CSV = Path(__file__).resolve().parent.parent / "data" / "states.csv"
SOURCE = (
    "ISO 3166-1 codes; NATO accession years; EU population: Eurostat, "
    "1 January 2024, rounded to the nearest 100 (released July 2024)."
)


def load_states(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    State = apps.get_model("positions", "State")
    with CSV.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            State.objects.update_or_create(
                code=row["code"],
                defaults={
                    "alpha2": row["alpha2"],
                    "name": row["name"],
                    "nato_member": row["nato_member"] == "true",
                    "nato_joined": int(row["nato_joined"]) if row["nato_joined"] else None,
                    "eu_member": row["eu_member"] == "true",
                    "eu_population": int(row["eu_population"]) if row["eu_population"] else None,
                    "source": SOURCE,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("positions", "0001_initial")]

    operations = [migrations.RunPython(load_states, migrations.RunPython.noop)]
