"""Coordinators' group (if it exists already) may keep the asset registry in the admin."""

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["view_asset", "add_asset", "change_asset"]


def grant(apps: Any, schema_editor: Any) -> None:
    # Permissions are made after all migrations; make this app's now (the stub
    # app config needs ``models_module`` set to be treated as having models).
    config = apps.get_app_config("assets")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="coordinators").first()
    if group is not None:
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="assets", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
