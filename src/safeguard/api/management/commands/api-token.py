"""`safeguard api-token`: create, list and revoke the tokens programs use for the JSON API."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from safeguard.api import tokens
from safeguard.api.models import ApiToken
from safeguard.audit import log


class Command(BaseCommand):
    help = (
        "API tokens. `create USERNAME --name NAME` prints a new token once (it is not stored: "
        "give it to the program now); `list [USERNAME]` shows tokens by prefix; "
        "`revoke PREFIX` stops a token working."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = sub.add_parser("create", help="create a token for a user; printed once")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="what program the token is for")
        listing = sub.add_parser("list", help="list tokens (prefix, name, user, state)")
        listing.add_argument("username", nargs="?", default="")
        revoke = sub.add_parser("revoke", help="revoke the token with this prefix")
        revoke.add_argument("prefix")

    def handle(self, *args, action: str, **options):
        getattr(self, "_" + action)(**options)

    def _create(self, username: str, name: str, **options) -> None:
        try:
            issued = tokens.issue(username, name)
        except get_user_model().DoesNotExist:
            raise CommandError(f"no user {username!r}") from None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        log.record(
            "write",
            username="console",
            what="api.apitoken",
            object_id=str(issued.record.pk),
            detail={"created": issued.record.prefix, "name": issued.record.name, "for": username},
        )
        self.stdout.write(issued.token)
        self.stderr.write(
            f"token {issued.record.prefix} for {username} ({name}): shown once, not stored; "
            "send it as `Authorization: Bearer <token>`"
        )

    def _list(self, username: str = "", **options) -> None:
        rows = ApiToken.objects.select_related("user")
        if username:
            rows = rows.filter(user__username=username)
        for t in rows:
            state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "live"
            used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
            self.stdout.write(f"{t.prefix}  {t.user.username}  {t.name}  {state}  used {used}")

    def _revoke(self, prefix: str, **options) -> None:
        found = ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True).first()
        if found is None or not tokens.revoke(prefix):
            raise CommandError(f"no live token {prefix!r}")
        log.record(
            "write",
            username="console",
            what="api.apitoken",
            object_id=str(found.pk),
            detail={"revoked": prefix, "for": found.user.username},
        )
        self.stdout.write(f"revoked {prefix}")
