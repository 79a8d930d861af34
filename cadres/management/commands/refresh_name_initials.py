"""`refresh_name_initials [--user NAME]`: recomputes every cadre's pinyin initials (list search by 拼音首字母)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cadres.services.records import cadres_refresh_name_initials


class Command(BaseCommand):
    help = "重新计算全部干部的姓名拼音首字母（姓氏读音规则更新后运行一次）"

    def add_arguments(self, parser):
        parser.add_argument("--user", help="记入审计日志的操作人（用户名）；不填则记为系统")

    def handle(self, *args, **options):
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"用户“{options['user']}”不存在")
        changed = cadres_refresh_name_initials(actor=actor)
        self.stdout.write(self.style.SUCCESS(f"已更新{changed}名干部的姓名拼音首字母"))
