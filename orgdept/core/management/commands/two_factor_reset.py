"""`two_factor_reset USERNAME --reason "..."`: removes a user's authenticator (a lost or replaced phone)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from orgdept.core.exceptions import ApplicationError
from orgdept.core.twofactor import two_factor_disable


class Command(BaseCommand):
    help = "停用某个用户的双因素登录（手机丢失或更换时），原因记入审计日志"

    def add_arguments(self, parser):
        parser.add_argument("username", help="用户名")
        parser.add_argument("--reason", required=True, help="停用原因，记入审计日志")

    def handle(self, *args, username, reason, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户名为 {username} 的用户")
        try:
            removed = two_factor_disable(user=user, actor=None, reason=reason)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"已停用 {username} 的双因素登录" if removed else f"{username} 没有启用双因素登录")
