"""``python -m django_duet.cli._asgi_serve HOST PORT [--noreload]``: uvicorn under Django's
autoreloader, serving ``ASGI_APPLICATION`` or else the asgi.py beside the settings module.

What ``duet dev --asgi`` runs in place of runserver: Django's own reloader (not uvicorn's)
watches the Python files and the template directories, so edits reload as under runserver.
The dev server's files are not in uvicorn's access log unless they fail (``dev.access_log``).
"""

from __future__ import annotations

import logging
import sys
from importlib.util import find_spec


def application_path(configured: object, settings_module: str) -> str | None:
    """``ASGI_APPLICATION``, else the ``application`` of the asgi module beside the settings
    (``mysite.settings`` -> ``mysite.asgi``, as startproject lays it out), else None."""
    if configured:
        return str(configured)
    package = settings_module.rpartition(".")[0]
    module = f"{package}.asgi" if package else "asgi"
    try:
        found = find_spec(module) is not None
    except (ImportError, ValueError):  # the package itself cannot be found
        found = False
    return f"{module}.application" if found else None


def missing_application(settings_module: str) -> str:
    package = settings_module.rpartition(".")[0]
    module = f"{package}.asgi" if package else "asgi"
    return (
        f"--asgi needs the project's ASGI application: ASGI_APPLICATION is not set and there is "
        f"no {module} module beside the settings ({settings_module}). Set ASGI_APPLICATION = "
        f"'{module}.application', or add {module.replace('.', '/')}.py with application = "
        "duet_asgi(get_asgi_application())."
    )


def main(argv: list[str]) -> int:
    import django
    from django.conf import settings
    from django.utils import autoreload
    from django.utils.module_loading import import_string

    host, port, *flags = argv
    django.setup()
    app_path = application_path(
        getattr(settings, "ASGI_APPLICATION", None), str(settings.SETTINGS_MODULE)
    )
    if app_path is None:
        sys.stderr.write(missing_application(str(settings.SETTINGS_MODULE)) + "\n")
        return 2

    def serve() -> None:
        import uvicorn

        from django_duet.contract.output import refresh_opted_in
        from django_duet.dev.access_log import UvicornAccessFilter, log_every_line

        refresh_opted_in(print)  # at each (re)start: the URLconf or the props may have changed

        application = import_string(app_path)
        # uvicorn's logging configuration replaces the handlers and keeps this filter.
        log_every_line(flags)
        logging.getLogger("uvicorn.access").addFilter(UvicornAccessFilter())
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
