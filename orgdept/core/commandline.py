"""What management commands share: the user a command's writes are audited as."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def add_actor_argument(parser) -> None:
    parser.add_argument("--user", help="记入审计日志的操作人（用户名）；不填则记为系统")


def command_actor(options: dict):
    """The user named by --user (None for the system); CommandError when there is no such user."""
    username = options.get("user")
    if not username:
        return None
    actor = get_user_model().objects.filter(username=username).first()
    if actor is None:
        raise CommandError(f"用户“{username}”不存在")
    return actor
