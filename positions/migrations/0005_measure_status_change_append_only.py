"""Refuse UPDATE and DELETE on the measure status history in the database itself."""

from django.db import migrations

from positions.append_only import append_only_triggers


class Migration(migrations.Migration):
    dependencies = [("positions", "0004_state_updated_at_measure_status_change")]

    operations = [append_only_triggers("positions_measurestatuschange")]
