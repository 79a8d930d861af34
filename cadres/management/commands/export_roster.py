"""`export_roster PATH [--user NAME]`: every cadre as a roster, .xlsx or .csv (UTF-8 with BOM) by the extension."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cadres.models import Cadre
from cadres.services.roster import roster_export
from orgdept.core.commandline import add_actor_argument, command_actor


class Command(BaseCommand):
    help = "导出干部花名册（全部干部，标准表头），文件扩展名为 .xlsx 或 .csv"

    def add_arguments(self, parser):
        parser.add_argument("path", help="导出到的文件（.xlsx 或 .csv）")
        add_actor_argument(parser)

    def handle(self, *args, **options):
        path = Path(options["path"])
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in ("xlsx", "csv"):
            raise CommandError("文件扩展名应为 .xlsx 或 .csv")
        actor = command_actor(options)
        content, _content_type = roster_export(cadres=Cadre.objects.all(), fmt=fmt, actor=actor)
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"无法写入 {path}：{exc.strerror}") from None
        self.stdout.write(self.style.SUCCESS(f"已导出{Cadre.objects.count()}名干部到 {path}"))
