"""``python -m django_duet.cli._asgi_serve HOST PORT [--noreload]``: uvicorn under Django's
autoreloader.

What ``duet dev --asgi`` runs in place of runserver: Django's own reloader (not uvicorn's)
watches the Python files and the template directories, so edits reload as under runserver.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    import django
    from django.conf import settings
    from django.utils import autoreload
    from django.utils.module_loading import import_string

    host, port, *flags = argv
    django.setup()
    app_path = getattr(settings, "ASGI_APPLICATION", None)
    if not app_path:
        sys.stderr.write("ASGI_APPLICATION is not set: point it at your asgi.py's application.\n")
        return 2

    def serve() -> None:
        import uvicorn

        application = import_string(app_path)
        # Lifespan off: Django's handler does not speak it. uvicorn runs in the reloader's
        # worker thread, where it leaves signal handling to the main thread.
        uvicorn.run(application, host=host, port=int(port), lifespan="off", log_level="info")

    if "--noreload" in flags:
        serve()
    else:
        autoreload.run_with_reloader(serve)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
