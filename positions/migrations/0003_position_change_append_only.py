"""Refuse UPDATE and DELETE on the position history in the database itself."""

from django.db import migrations

from positions.append_only import append_only_triggers


class Migration(migrations.Migration):
    dependencies = [("positions", "0002_load_states")]

    operations = [append_only_triggers("positions_positionchange")]
