"""WSGI entry point (gunicorn orgdept.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orgdept.settings.base")
application = get_wsgi_application()
