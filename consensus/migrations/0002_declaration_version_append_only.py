"""Refuse UPDATE and DELETE on declaration versions in the database itself."""

from django.db import migrations

from positions.append_only import append_only_triggers


class Migration(migrations.Migration):
    dependencies = [("consensus", "0001_initial")]

    operations = [append_only_triggers("consensus_declarationversion")]
