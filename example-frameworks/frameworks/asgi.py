import os

from django.core.asgi import get_asgi_application

from django_duet.asgi import duet_asgi

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frameworks.settings")
# duet_asgi serves static files before Django and relays the HMR WebSocket in development.
application = duet_asgi(get_asgi_application())
