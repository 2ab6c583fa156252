import os

from django.core.asgi import get_asgi_application

from django_duet.asgi import duet_asgi

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example.settings")
# duet_asgi relays the dev server's HMR WebSocket in development (DEBUG) and nothing else.
application = duet_asgi(get_asgi_application())
