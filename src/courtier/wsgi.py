"""WSGI entry point for the production server."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from courtier.core import checkpoint

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "courtier.settings")
application = get_wsgi_application()
# On SQLite the server checkpoints the WAL from a thread, not from its requests.
checkpoint.start(settings.DATABASES["default"])
