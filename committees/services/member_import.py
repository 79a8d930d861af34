"""Import of a term's member list (being built)."""

from orgdept.core.imports import ImportKind, ImportReport


def _run(*, source, dry_run, actor, progress, preview=None, params=None):
    return ImportReport(dry_run=dry_run)


MEMBER_IMPORT_KIND = ImportKind(name="term_members", label="委员名单", run=_run, may_import=lambda user: False)
