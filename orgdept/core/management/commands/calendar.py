"""`calendar add-workdays YYYY-MM-DD N`, `calendar import FILE.csv`, `calendar export YEAR`, `calendar years`."""

import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from orgdept.core.exceptions import ApplicationError
from orgdept.core.workdays import add_workdays, calendar_export, calendar_import, scheduled_years


class Command(BaseCommand):
    help = "工作日历：计算工作日、导入或导出节假日安排"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add-workdays", help="输出 DATE 之后第 N 个工作日（DATE 当天不计）")
        add.add_argument("start", help="YYYY-MM-DD")
        add.add_argument("n", type=int)
        imp = sub.add_parser("import", help="导入 CSV（表头 date,type；type 为 holiday 或 workday）")
        imp.add_argument("file")
        exp = sub.add_parser("export", help="导出某年的节假日安排为 CSV")
        exp.add_argument("year", type=int)
        sub.add_parser("years", help="列出已有节假日安排的年份")

    def fail(self, message: str):
        sys.stderr.write(message + "\n")
        sys.exit(1)

    def handle(self, *args, **options):
        action = options["action"]
        if action == "add-workdays":
            try:
                start = date.fromisoformat(options["start"])
            except ValueError:
                self.fail(f"日期“{options['start']}”无效，应为 YYYY-MM-DD")
            try:
                result = add_workdays(start, options["n"])
            except ApplicationError as exc:
                self.fail(exc.message)
            self.stdout.write(result.isoformat())
        elif action == "import":
            path = Path(options["file"])
            try:
                raw = path.read_bytes()
            except OSError as exc:
                self.fail(f"无法读取文件 {path}：{exc.strerror}")
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                try:
                    text = raw.decode("gb18030")
                except UnicodeDecodeError:
                    self.fail("文件不是 UTF-8 或 GBK 编码的文本")
            try:
                result = calendar_import(text=text, actor=None)
            except ApplicationError as exc:
                self.fail(f"导入失败，未做任何修改：{exc.message}")
            years = "、".join(str(y) for y in result.years)
            self.stdout.write(
                f"已导入 {years} 年：新增 {result.added}，修改 {result.changed}，删除 {result.removed}，"
                f"未变 {result.unchanged}"
            )
        elif action == "export":
            self.stdout.write(calendar_export(options["year"]), ending="")
        elif action == "years":
            self.stdout.write(" ".join(str(y) for y in scheduled_years()))
        else:  # pragma: no cover - argparse enforces the choices
            raise CommandError(action)
