"""``api-token USERNAME``: print the user's API token, creating it if missing.

Only the token goes to standard output, so that a script can capture it; what was done is
said on standard error. ``--rotate`` replaces the token, and the old one stops working.
"""

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

logger = logging.getLogger("ventanilla.security")


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        # Translated when the parser is built, since argparse cannot take lazy strings.
        return _("Print a user's API token (Authorization: Token ...), creating it if missing.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help=_("The login name of the user."))
        parser.add_argument(
            "--rotate",
            action="store_true",
            help=_("Replace the user's token with a new one; the old token stops working."),
        )

    def handle(self, *args: Any, username: str, rotate: bool, **options: Any) -> None:
        user_model = get_user_model()
        user = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(_("No user with the login name “%(name)s”.") % {"name": username})
        if not user.is_active:
            raise CommandError(
                _("The user “%(name)s” is inactive: a token would not let them in.")
                % {"name": username}
            )
        with transaction.atomic():
            if rotate:
                Token.objects.filter(user=user).delete()
            token, created = Token.objects.get_or_create(user=user)
        if rotate:
            message = _("Replaced the API token of “%(name)s”.")
        elif created:
            message = _("Created an API token for “%(name)s”.")
        else:
            message = _("The existing API token of “%(name)s”.")
        # Who received a token is recorded; the token itself never is.
        if rotate or created:
            logger.info("API token %s for user %s", "rotated" if rotate else "created", username)
        if options["verbosity"] >= 1:
            self.stderr.write(message % {"name": username})
        self.stdout.write(token.key)
