"""Create (or reset) the demo user that the README and the end-to-end tests log in with."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

USERNAME = "demo"
PASSWORD = "demo-password-123"


class Command(BaseCommand):
    help = "Create or reset the user demo / demo-password-123."

    def handle(self, *args: Any, **options: Any) -> None:
        user, created = get_user_model().objects.get_or_create(username=USERNAME)
        user.set_password(PASSWORD)
        user.save()
        self.stdout.write(f"{'Created' if created else 'Reset'} user {USERNAME!r}.")
