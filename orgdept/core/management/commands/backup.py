"""`backup [--output DIR]`: the database and the uploaded files into one directory with a checksum manifest."""

import sys

from django.core.management.base import BaseCommand

from orgdept.core.backups import backup_create
from orgdept.core.commandline import add_actor_argument, command_actor
from orgdept.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "备份数据库和上传文件。在 BACKUP_DIR（默认 var/backups，或 --output 指定的目录）下新建一个以 UTC 时间命名的"
        "目录，内含：数据库（PostgreSQL 为 pg_dump 自定义格式的 db.dump，SQLite 为在线备份得到的 db.sqlite3）、"
        "上传文件 media.tar，以及 manifest.json（各文件的 SHA-256、各表行数与校验和、数据库迁移版本）。"
        "备份含干部人事信息：目录权限 0700、文件权限 0600，请存放在安全的位置并异地保存一份。"
        "数据库密码只经环境变量 PGPASSWORD 传给 pg_dump。用 `restore 目录` 恢复。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", metavar="DIR", help="在此目录下新建备份（默认为设置 BACKUP_DIR）")
        add_actor_argument(parser)

    def handle(self, *args, **options):
        try:
            result = backup_create(
                output_dir=options["output"], actor=command_actor(options), progress=self.stdout.write
            )
        except ApplicationError as exc:
            sys.stderr.write(f"备份失败：{exc.message}\n")
            sys.exit(1)
        # the last line is the directory alone, for scripts
        self.stdout.write(str(result.path))
