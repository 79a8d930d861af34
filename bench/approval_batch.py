"""任免审批表: a batch of forms in one PDF against WeasyPrint alone on the same HTML; a worker's memory over renders.

Ours is the function the document task calls for a batch (`document_render` → the kind's `render`), given a
Document that is not saved: the benchmark database is only read. The peer is the limit: the HTML string ours hands
to WeasyPrint, captured once, rendered again by `HTML(...).write_pdf(...)` with the very arguments ours passes
(base URL, URL fetcher, font configuration and stylesheets, whatever they are), so only our preparation differs.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from .harness import Figure, alternate, median, run_child, timed
from .scale import Scale

# What every form of the batch states beyond the cadre file; dates are fixed so that every run prints the same.
SHARED_OPTIONS = {
    "proposed_post": "区委组织部副部长",
    "removed_post": "区委组织部干部科科长",
    "reason": "工作需要",
    "reporting_unit": "中共某区委组织部",
    "filled_by": "组织科",
    "age_on": date(2026, 11, 1),
    "filled_on": date(2026, 11, 1),
}
MADE_AT = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def form_cadre_ids(count: int) -> list[int]:
    """The first `count` cadres by id whose files are full (education, resume and family): the same every run."""
    from django.db.models import Exists, OuterRef

    from cadres.models import Cadre, Education, FamilyMember, ResumeLine

    full = Cadre.objects.filter(
        Exists(Education.objects.filter(cadre=OuterRef("pk"))),
        Exists(ResumeLine.objects.filter(cadre=OuterRef("pk"))),
        Exists(FamilyMember.objects.filter(cadre=OuterRef("pk"))),
    )
    return list(full.order_by("pk").values_list("pk", flat=True)[:count])


def forms_document(ids: list[int]):
    """An unsaved Document asking for the forms of `ids`, as the batch page's request makes it."""
    from cadres.approval_form import DOCUMENT_KIND, FormOptions, document_params
    from orgdept.core.models import Document

    shared = FormOptions(**SHARED_OPTIONS)
    params = document_params([(pk, shared) for pk in ids], shared)
    return Document(kind=DOCUMENT_KIND, params=params, title="干部任免审批表", created_at=MADE_AT)


def render_ours(document) -> bytes:
    """What `document_render` runs for the document (the saving of the file aside)."""
    from orgdept.core.documents import document_kind

    content, _filename = document_kind(document.kind).render(document)
    return content


class _Captured:
    """The arguments of the one WeasyPrint render ours makes: HTML(...), then write_pdf(...) or render(...) and the
    document's write_pdf(...), gathered as the keyword arguments of one `HTML(...).write_pdf(...)`."""

    def __init__(self):
        self.html_kwargs: dict = {}
        self.write_kwargs: dict = {}
        self.renders = 0


def _bound(method, args, kwargs) -> dict:
    """`method`'s arguments by name, its **options spread out, `self` left out."""
    import inspect

    bound = inspect.signature(method).bind(None, *args, **kwargs)
    named = {}
    for name, value in bound.arguments.items():
        kind = inspect.signature(method).parameters[name].kind
        if kind is inspect.Parameter.VAR_KEYWORD:
            named.update(value)
        elif name != "self":
            named[name] = value
    return named


def capture_render(document) -> tuple[_Captured, bytes]:
    """Runs ours once with WeasyPrint's HTML class wrapped, recording exactly what it was given."""
    from unittest import mock

    import weasyprint

    from orgdept.core import pdf

    captured = _Captured()
    real_html = weasyprint.HTML

    class RecordingHTML(real_html):
        def __init__(self, *args, **kwargs):
            captured.html_kwargs = _bound(real_html.__init__, args, kwargs)
            super().__init__(*args, **kwargs)

        def write_pdf(self, *args, **kwargs):
            captured.write_kwargs.update(_bound(real_html.write_pdf, args, kwargs))
            return super().write_pdf(*args, **kwargs)

        def render(self, *args, **kwargs):
            captured.renders += 1
            captured.write_kwargs.update(_bound(real_html.render, args, kwargs))
            rendered = super().render(*args, **kwargs)
            document_write = rendered.write_pdf

            def write_pdf(*args, **kwargs):
                captured.write_kwargs.update(_bound(type(rendered).write_pdf, args, kwargs))
                return document_write(*args, **kwargs)

            rendered.write_pdf = write_pdf
            return rendered

    with mock.patch.object(pdf, "HTML", RecordingHTML):
        content = render_ours(document)
    if captured.renders != 1:
        raise RuntimeError(f"bench: expected one WeasyPrint render of the batch, saw {captured.renders}")
    # what HTML.write_pdf fills in by itself need not be passed: only what differs from its defaults
    captured.write_kwargs = {
        key: value
        for key, value in captured.write_kwargs.items()
        if value is not _default_of(real_html.write_pdf, key) and key in _write_pdf_names(real_html)
    }
    return captured, content


def _default_of(method, name):
    import inspect

    parameter = inspect.signature(method).parameters.get(name)
    if parameter is not None and parameter.default is not inspect.Parameter.empty:
        return parameter.default
    from weasyprint import DEFAULT_OPTIONS

    return DEFAULT_OPTIONS.get(name, inspect.Parameter.empty)


def _write_pdf_names(html_class) -> set[str]:
    import inspect

    from weasyprint import DEFAULT_OPTIONS

    return set(inspect.signature(html_class.write_pdf).parameters) | set(DEFAULT_OPTIONS)


def render_peer(captured: _Captured) -> bytes:
    from weasyprint import HTML

    return HTML(**captured.html_kwargs).write_pdf(**captured.write_kwargs)


def count_queries(fn) -> tuple[int, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        result = fn()
    return len(queries), result


def count_queries_unrendered(document) -> int:
    """The queries ours makes for `document`, with WeasyPrint left out (they all come before it)."""
    from unittest import mock

    from orgdept.core import pdf

    with mock.patch.object(pdf, "html_to_pdf", lambda html: b""):
        return count_queries(lambda: render_ours(document))[0]


def page_count(content: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(content)).pages)


def batch_figure(scale: Scale, ids: list[int]) -> Figure:
    document = forms_document(ids)
    # the first run also warms both up: fonts, templates, static files
    queries, (captured, ours_pdf) = count_queries(lambda: capture_render(document))
    small_queries = count_queries_unrendered(forms_document(ids[:2]))
    last = {}

    def ours_once() -> float:
        return timed(lambda: last.__setitem__("ours", render_ours(document)))

    def peer_once() -> float:
        return timed(lambda: last.__setitem__("peer", render_peer(captured)))

    ours, peer = alternate(ours_once, peer_once, rounds=scale.rounds)
    pages = (page_count(ours_pdf), page_count(last["peer"]))
    if pages[0] != pages[1] or pages[0] < len(ids):
        raise RuntimeError(f"bench: ours printed {pages[0]} pages, the peer {pages[1]}, for {len(ids)} forms")
    return Figure(
        name=f"任免审批表 batch PDF ({len(ids)} forms)",
        ours=median(ours),
        peer=median(peer),
        unit="s",
        goal=1.3,
        higher_is_better=False,
        peer_name="WeasyPrint alone on the same HTML",
        notes=(
            f"ours: the approval-form document's render (what the document task runs) for the first {len(ids)} "
            f"cadres by id with education, resume and family, {pages[0]} pages, {len(ours_pdf) // 1024} KB; "
            f"{queries} queries for {len(ids)} forms ({small_queries} for 2). Peer: the HTML string ours handed "
            f"to WeasyPrint ({len(captured.html_kwargs['string']) // 1024} KB), rendered by "
            f"`HTML(...).write_pdf(...)` with the same base URL, URL fetcher and write_pdf arguments "
            f"({', '.join(sorted(captured.write_kwargs)) or 'none'}, the very objects ours passed)."
        ),
        samples={"ours": ours, "peer": peer},
    )


def memory_figure(scale: Scale, ids: list[int]) -> Figure:
    # the reading is after the first 10 renders; the smoke run renders fewer in all
    first = min(10, max(1, scale.renders_long // 3))
    child = run_child(
        "bench.approval_memory_child", str(first), str(scale.renders_long), ",".join(str(pk) for pk in ids)
    )
    report = child.output
    return Figure(
        name=f"任免审批表 worker memory after {scale.renders_long} renders",
        ours=report["rss_after_long"],
        peer=report["rss_after_first"],
        unit="bytes",
        goal=1.2,
        higher_is_better=False,
        peer_name=f"the same process after {first}",
        notes=(
            f"one fresh interpreter's resident memory (/proc/self/statm) after render {first} and after render "
            f"{scale.renders_long}, each a single form through the document kind's render, cycling over the "
            f"{len(ids)} cadres; one process, one run (not alternated); "
            f"{report['seconds_per_render'] * 1000:.0f} ms per render, peak {report['peak_rss_bytes'] / 2**20:.0f} MB."
        ),
    )


def run(scale: Scale) -> list[Figure]:
    ids = form_cadre_ids(scale.approval_forms)
    if len(ids) < scale.approval_forms:
        raise RuntimeError(f"bench: only {len(ids)} cadres with full files, {scale.approval_forms} wanted")
    return [batch_figure(scale, ids), memory_figure(scale, ids)]
