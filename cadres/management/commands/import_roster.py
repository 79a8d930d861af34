"""`import_roster PATH [--dry-run] [--json] [--user NAME]`: the roster import, as the pages do it.

Exit 0: no errors (written unless --dry-run). Exit 1: errors, nothing written. Exit 2: the file cannot
be read at all. With --json one JSON object is printed:
{"dry_run", "total", "new", "updated", "unchanged", "errors", "warnings", "new_units"}.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from cadres.services.roster import ROSTER_IMPORT_KIND, roster_import
from orgdept.core.commandline import add_actor_argument, command_actor
from orgdept.core.imports import ImportReport
from orgdept.core.spreadsheets import SpreadsheetError


def _where(issue: dict) -> str:
    parts = []
    if issue.get("row"):
        parts.append(f"第{issue['row']}行")
    if issue.get("column"):
        parts.append(f"“{issue['column']}”列")
    return "".join(parts) or "文件"


class Command(BaseCommand):
    help = "导入干部花名册（.xlsx 或 .csv）：先检查每一行，没有任何错误时才全部写入"

    def add_arguments(self, parser):
        parser.add_argument("path", help="花名册文件（.xlsx，或UTF-8/GBK编码的.csv）")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")
        parser.add_argument("--json", action="store_true", help="输出一个JSON对象")
        add_actor_argument(parser)

    def handle(self, *args, **options):
        actor = command_actor(options)
        path = Path(options["path"])
        dry_run = options["dry_run"]
        try:
            report = roster_import(source=path, dry_run=dry_run, actor=actor, source_name=path.name)
            code = 1 if report.errors else 0
        except SpreadsheetError as exc:
            report = ImportReport.unreadable(exc.message, dry_run=dry_run, extra=ROSTER_IMPORT_KIND.extra_keys)
            code = 2
        except OSError as exc:  # the path cannot be opened (a folder, no permission, a device that failed)
            message = f"无法读取文件：{path}（{exc.strerror or exc}）"
            report = ImportReport.unreadable(message, dry_run=dry_run, extra=ROSTER_IMPORT_KIND.extra_keys)
            code = 2
        if options["json"]:
            self.stdout.write(json.dumps(report.summary(), ensure_ascii=False))
        else:
            self.print_summary(report, code)
        if code:
            sys.exit(code)

    def print_summary(self, report: ImportReport, code: int) -> None:
        if code == 2:
            self.stdout.write(self.style.ERROR(f"无法读取文件：{report.errors[0]['message']}"))
            return
        if report.errors:
            state = "有错误，未写入任何数据"
        elif report.dry_run:
            state = "检查通过（试运行，未写入）"
        else:
            state = "导入完成"
        self.stdout.write(
            f"花名册{state}：共{report.total}行，新增{report.new}人，更新{report.updated}人，"
            f"无变化{report.unchanged}人，有错误{len({e['row'] for e in report.errors})}行"
        )
        new_units = report.extra.get("new_units") or []
        if new_units:
            verb = "将新建" if report.dry_run or report.errors else "已新建"
            self.stdout.write(f"{verb}单位：{'、'.join(new_units)}")
        for issue in report.errors:
            self.stdout.write(self.style.ERROR(f"  错误 {_where(issue)}：{issue['message']}"))
        for issue in report.warnings:
            self.stdout.write(self.style.WARNING(f"  提示 {_where(issue)}：{issue['message']}"))
