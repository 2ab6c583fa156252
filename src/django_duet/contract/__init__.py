"""The typed contract between Django and the frontend: ``manage.py duet types``.

``routes`` reads the URLconf the way ``reverse()`` does; ``typescript`` writes it as a TypeScript
module whose ``reverse()`` returns what Django's returns; ``output`` keeps the generated files
per frontend and tells when they are stale (``checks``: duet.W120).
"""
