"""The Celery application; configured from the Django settings (``CELERY_*``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consensus.settings")

app = Celery("consensus")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
