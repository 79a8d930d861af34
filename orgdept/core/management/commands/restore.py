"""`restore DIR [--database-url URL] [--media-root DIR] [--replace]`: a backup back, verified against its manifest.

The target is RESTORE_DATABASE_URL (else the configured database); a --database-url holding a password is refused,
as every user of the machine can read a command line."""

import os
import sys

from django.core.management.base import BaseCommand

from orgdept.core.backups import RESTORE_URL_VARIABLE, backup_restore, url_has_password
from orgdept.core.commandline import add_actor_argument, command_actor
from orgdept.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "从 `backup` 生成的备份目录恢复数据库和上传文件。先核对每个文件的 SHA-256，有任何不符即拒绝并指出文件，"
        "不写入任何数据；目标数据库已有本系统的数据表时拒绝覆盖，除非加 --replace。"
        "PostgreSQL 用 pg_restore 在单个事务中恢复（目标库须已建好，可为空库：createdb -O 用户 库名）；"
        "SQLite 复制到目标文件。恢复后重新统计各表行数与校验和并与清单逐表比较，打印对照表，有任何差异时退出码非零。"
        "备份的数据库迁移版本比当前代码旧时，恢复后请运行 `migrate`。"
        f"目标数据库取自环境变量 {RESTORE_URL_VARIABLE}（写法同 DATABASE_URL），未设置时为当前系统的数据库；"
        "--database-url 只接受不含密码的地址（命令行参数本机所有用户都能用 ps 看到），"
        "密码请用 PGPASSWORD 或 ~/.pgpass。"
        "上传文件先解包到 MEDIA_ROOT 旁的临时目录并逐一核对，数据库恢复后再整体替换 MEDIA_ROOT（不与旧文件合并）；"
        "MEDIA_ROOT 已有文件时同样须加 --replace。备份不含登录会话（django_session 只有表结构）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="DIR", help="备份目录（含 manifest.json）")
        parser.add_argument(
            "--database-url",
            metavar="URL",
            help="恢复到此数据库，写法同 DATABASE_URL 但不得含密码，如 postgres://用户@主机:5432/库名 或 "
            f"sqlite:////路径/文件（默认取环境变量 {RESTORE_URL_VARIABLE}，再默认为当前系统的数据库）",
        )
        parser.add_argument("--media-root", metavar="DIR", help="上传文件恢复到此目录（默认为设置 MEDIA_ROOT）")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="目标数据库或上传文件目录已有数据时，以备份替换之（旧的上传文件删除）",
        )
        add_actor_argument(parser)

    def fail(self, message: str):
        sys.stderr.write(message + "\n")
        sys.exit(1)

    def handle(self, *args, **options):
        database_url = options["database_url"]
        if database_url and url_has_password(database_url):
            self.fail(
                "恢复失败：--database-url 中含有密码，而命令行参数本机所有用户都能用 ps 看到，拒绝执行。"
                f"请把完整地址放在环境变量 {RESTORE_URL_VARIABLE} 中，"
                "或去掉地址中的密码，由环境变量 PGPASSWORD 或 ~/.pgpass 文件提供密码"
            )
        database_url = database_url or os.environ.get(RESTORE_URL_VARIABLE) or None
        actor = command_actor(options) if options.get("user") else None
        try:
            result = backup_restore(
                path=options["path"],
                database_url=database_url,
                media_root=options["media_root"],
                replace=options["replace"],
                actor=actor,
                progress=self.stdout.write,
            )
        except ApplicationError as exc:
            self.fail(f"恢复失败：{exc.message}")
        self.stdout.write(self.table(result))
        if result.code_migrations_differ:
            self.stdout.write("提示：备份的数据库迁移版本与当前代码不同，请运行 python manage.py migrate")
        if not result.ok:
            self.fail("恢复后的数据与备份清单不一致，请检查上表中标为“不一致”的项")
        self.stdout.write("恢复完成：各表行数和校验和与备份清单一致")

    def table(self, result) -> str:
        width = max([len(t.table) for t in result.tables] + [10])
        lines = ["数据表、备份时行数、恢复后行数、校验和、结果："]
        for t in result.tables:
            actual = "-" if t.actual_rows is None else str(t.actual_rows)
            checksum = "相同" if t.expected_checksum == t.actual_checksum else "不同"
            verdict = "一致" if t.ok else "不一致"
            lines.append(f"{t.table:<{width}}  {t.expected_rows:>9}  {actual:>9}  {checksum}  {verdict}")
        lines += [f"迁移版本不一致：{d}" for d in result.migration_differences]
        lines += [f"上传文件不一致：{d}" for d in result.media_differences]
        return "\n".join(lines)
