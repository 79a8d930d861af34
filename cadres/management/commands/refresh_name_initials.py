"""`refresh_name_initials [--user NAME]`: recomputes every cadre's pinyin initials (list search by 拼音首字母)."""

from django.core.management.base import BaseCommand

from cadres.services.records import cadres_refresh_name_initials
from orgdept.core.commandline import add_actor_argument, command_actor


class Command(BaseCommand):
    help = "重新计算全部干部的姓名拼音首字母（姓氏读音规则更新后运行一次）"

    def add_arguments(self, parser):
        add_actor_argument(parser)

    def handle(self, *args, **options):
        actor = command_actor(options)
        changed = cadres_refresh_name_initials(actor=actor)
        self.stdout.write(self.style.SUCCESS(f"已更新{changed}名干部的姓名拼音首字母"))
