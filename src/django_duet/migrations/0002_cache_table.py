"""The table of ``django_duet.sessions.throttle_cache.DuetDatabaseCache``, made by ``migrate``.

Made by Django's own ``createcachetable`` (the table of a ``DatabaseCache``: ``cache_key``
varchar(255) primary key, ``value`` text, ``expires`` datetime with an index), on the databases
the router lets the cache use, so that no deploy needs a ``createcachetable`` step. The name is
written out here, as a migration must not change when the code does.
"""

from typing import Any

from django.core.cache.backends.db import BaseDatabaseCache
from django.core.management import call_command
from django.db import migrations, router

TABLE = "django_duet_cache"


def create_table(apps: Any, schema_editor: Any) -> None:
    # Skips a database the router keeps the cache off, and a table that is already there.
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop_table(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    cache = BaseDatabaseCache(TABLE, {})
    if not router.allow_migrate_model(connection.alias, cache.cache_model_class):
        return
    if TABLE in connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("django_duet", "0001_initial")]

    operations = [migrations.RunPython(create_table, drop_table)]
