"""One roster-import measurement in a fresh interpreter, so its peak memory is its own.

    python -m bench.import_child ours|import_export|bulk_create PATH

`ours` is what a user's upload does minus HTTP: the upload batch, its preview (dry run) and its commit, run
inline by the very task the worker runs (Celery in eager mode). `import_export` is django-import-export's
default ModelResource for Cadre: dry run, then the import. `bulk_create` reads the same file and inserts the
same cadres with one `bulk_create` in one transaction (the limit). Each times its work from the moment it
opens the file (after Django has started) and prints `child_report(...)` as its last line.
"""

from __future__ import annotations

import os
import sys
import time

# the user's path runs the batch in a Celery task; eager mode runs that same task inline, in this process
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orgdept.settings.base")

import django

django.setup()

from bench.harness import child_report  # noqa: E402

BENCH_USERNAME = "bench-roster-importer"

# the roster's column -> Cadre field, as the product maps them (the peers get the same data under field names)
from cadres.services.roster import FIELDS  # noqa: E402

GENDERS = {"男": "M", "女": "F"}


def bench_user():
    """The importer: a superuser (an import needs to view, add and change cadre files)."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    user = user_model.objects.filter(username=BENCH_USERNAME).first()
    if user is None:
        user = user_model.objects.create_superuser(BENCH_USERNAME, password=None)
    return user


def run_ours(path: str) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from orgdept.core.imports import import_batch_commit, import_batch_create
    from orgdept.core.models import ImportBatch

    user = bench_user()
    start = time.perf_counter()
    with open(path, "rb") as handle:
        upload = SimpleUploadedFile(os.path.basename(path), handle.read())
    batch_id = import_batch_create(kind="roster", upload=upload, actor=user).pk
    del upload
    # the page would show the stored preview; this process only needs its outcome, not all its rows in memory
    status, errors, preview_new = (
        ImportBatch.objects.filter(pk=batch_id).values_list("status", "preview__errors", "preview__new").get()
    )
    if status != ImportBatch.Status.PREVIEWED or errors:
        raise SystemExit(f"preview failed: {status} {(errors or [])[:5]}")
    import_batch_commit(batch=ImportBatch.objects.defer("preview", "result").get(pk=batch_id), actor=user)
    seconds = time.perf_counter() - start
    status, error, new, updated = (
        ImportBatch.objects.filter(pk=batch_id).values_list("status", "error", "result__new", "result__updated").get()
    )
    if status != ImportBatch.Status.COMMITTED:
        raise SystemExit(f"commit failed: {status} {error}")
    return {"seconds": seconds, "rows": new + updated, "preview_new": preview_new}


def _peer_dataset(path: str):
    """The file as tablib reads it (the library's documented path), headers renamed to the model's fields.

    The renaming (and 男/女 to the stored M/F) is part of the timed work: it is what a user of the library
    would have to do to this file.
    """
    import tablib

    with open(path, "rb") as handle:
        dataset = tablib.Dataset().load(handle, format="xlsx")
    headers = [FIELDS.get(h, h) for h in dataset.headers]
    gender = headers.index("gender")
    renamed = tablib.Dataset(headers=headers)
    for row in dataset:
        row = list(row)
        row[gender] = GENDERS.get(row[gender], row[gender])
        renamed.append(row)
    return renamed


def run_import_export(path: str) -> dict:
    from import_export import fields, resources, widgets

    from cadres.models import Cadre, Unit

    class CadreResource(resources.ModelResource):
        # the unit column holds the unit's name: the library's documented way to map it
        unit = fields.Field(attribute="unit", column_name="unit", widget=widgets.ForeignKeyWidget(Unit, field="name"))

        class Meta:
            model = Cadre
            fields = tuple(FIELDS.values())
            # the file has no id column: cadres are matched by ID number, as the roster import matches them
            import_id_fields = ("id_number",)

    start = time.perf_counter()
    dataset = _peer_dataset(path)
    resource = CadreResource()
    preview = resource.import_data(dataset, dry_run=True)
    if preview.has_errors() or preview.has_validation_errors():
        raise SystemExit(f"import-export dry run failed: {_first_error(preview)}")
    result = resource.import_data(dataset, dry_run=False)
    seconds = time.perf_counter() - start
    if result.has_errors() or result.has_validation_errors():
        raise SystemExit(f"import-export import failed: {_first_error(result)}")
    totals = result.totals
    return {"seconds": seconds, "rows": totals.get("new", 0) + totals.get("update", 0)}


def _first_error(result) -> str:
    for error in result.base_errors:
        return repr(error.error)
    for _, errors in result.row_errors():
        return repr(errors[0].error)
    for invalid in result.invalid_rows:
        return repr(invalid.error_dict)
    return "?"


def run_bulk_create(path: str) -> dict:
    from datetime import datetime

    from django.db import transaction
    from openpyxl import load_workbook

    from cadres.models import Cadre, Unit

    start = time.perf_counter()
    workbook = load_workbook(path, read_only=True, data_only=True)
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    headers = [FIELDS.get(h) for h in next(rows)]
    units = dict(Unit.objects.values_list("name", "pk"))
    cadres = []
    for values in rows:
        fields = {}
        for name, value in zip(headers, values, strict=False):
            if name is None:
                continue
            if isinstance(value, datetime):
                value = value.date()
            elif value is None:
                value = None if name.endswith("_month") else ""
            fields[name] = value
        fields["unit_id"] = units[fields.pop("unit")]
        fields["gender"] = GENDERS[fields["gender"]]
        cadres.append(Cadre(**fields))
    workbook.close()
    parsed = time.perf_counter()
    with transaction.atomic():
        Cadre.objects.bulk_create(cadres)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": len(cadres), "read_seconds": parsed - start}


RUNNERS = {"ours": run_ours, "import_export": run_import_export, "bulk_create": run_bulk_create}


def main(argv: list[str]) -> None:
    kind, path = argv
    child_report(**RUNNERS[kind](path))


if __name__ == "__main__":
    main(sys.argv[1:])
