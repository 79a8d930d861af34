"""Member agenda page under gunicorn: a 常委's view of a meeting with 30 items, each with materials, against a
constant page served by the same server (2 workers, the same settings and middleware), both loaded with wrk.

The meeting is made once through the product's services (the topics entered, given materials, submitted and
approved by the secretary, then put on the agenda) and found again by its place; the member is bench_changwei.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta

from .generate import CHANGWEI_USER, ORGANIZATION_USER
from .harness import PROJECT_DIR, Figure, alternate, median

ITEMS = 30
MATERIALS_PER_ITEM = 2
PLACE = "区委常委会议室（议程页基准）"  # marks the benchmark's meeting, so a later run finds it again
SECRETARY_USER = "bench_h9_shuji"  # the secretary's account, made if the data set gave the secretary none
THREADS, CONNECTIONS = 2, 8


def _pdf(name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


def _secretary_user(term):
    """The serving secretary's user account (topic approval is theirs); one is made and linked if missing."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from committees.models import TermMember
    from orgdept.core import roles

    seat = term.members.filter(role=TermMember.Role.SECRETARY, left_on__isnull=True).select_related("cadre").get()
    if seat.cadre.user_id:
        return seat.cadre.user
    user = get_user_model().objects.create_user(username=SECRETARY_USER, password=None, last_name=seat.cadre.name)
    user.groups.add(Group.objects.get(name=roles.STANDING_MEMBER))
    # the data set has no service for linking an account to a cadre: the tests' factories link it the same way
    seat.cadre.user = user
    seat.cadre.save(update_fields=["user"])
    return user


def ensure_meeting(items: int = ITEMS):
    """The benchmark meeting of the member's term with `items` items on its agenda (made once)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from cadres.models import Unit
    from committees.models import TermMember
    from meetings.models import Meeting, MeetingType, TopicCategory
    from meetings.services.meetings import agenda_item_add, meeting_schedule
    from meetings.services.topics import material_add, topic_approve, topic_create, topic_submit

    User = get_user_model()
    member = User.objects.get(username=CHANGWEI_USER)
    seat = TermMember.objects.select_related("term__committee").get(cadre__user=member, left_on__isnull=True)
    term = seat.term
    existing = Meeting.objects.filter(term=term, place=PLACE).first()
    if existing is not None and existing.items.count() == items:
        return existing, member
    staff = User.objects.get(username=ORGANIZATION_USER)
    with transaction.atomic():
        if existing is not None:  # a half-made one from an interrupted run: start again
            existing.items.all().delete()
            existing.delete()
        secretary = _secretary_user(term)
        standing = MeetingType.objects.get(code="standing")
        category = TopicCategory.objects.get(name="党的建设重大问题")
        units = list(Unit.objects.order_by("pk")[:items])
        meeting = meeting_schedule(
            term=term,
            meeting_type=standing,
            starts_at=timezone.now() + timedelta(days=30),
            place=PLACE,
            actor=staff,
        )
        for n in range(1, items + 1):
            topic = topic_create(
                committee=term.committee,
                title=f"关于{units[(n - 1) % len(units)].name}党建工作的报告（议程页基准第{n}项）",
                summary="议题说明",
                category=category,
                requested_type=standing,
                unit=units[(n - 1) % len(units)],
                actor=staff,
            )
            for m in range(1, MATERIALS_PER_ITEM + 1):
                material_add(topic=topic, upload=_pdf(f"第{n}项材料{m}.pdf"), actor=staff)
            topic_submit(topic=topic, actor=staff)
            topic_approve(topic=topic, actor=secretary)
            agenda_item_add(meeting=meeting, topic=topic, actor=staff)
    return meeting, member


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _session_cookie(user) -> str:
    from django.conf import settings
    from django.test import Client

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _fetch(url: str, cookie: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 - loopback URL built here
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback URL built here
        return response.status, response.read().decode()


def _wrk(url: str, cookie: str, seconds: float, *, warming: bool = False) -> float:
    """Requests per second wrk measured; any non-2xx answer or socket error fails the benchmark."""
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{max(3, round(seconds))}s", "--timeout", "30s"]
    command += ["-H", f"Cookie: {cookie}", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603 - our own command
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    if not warming and ("Non-2xx" in output or "Socket errors" in output or rate <= 0):
        raise RuntimeError(f"wrk saw failed or no requests on {url}:\n{output}")
    return rate


def run(scale) -> list[Figure]:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is missing: scripts/system-packages test installs it")
    meeting, member = ensure_meeting()
    cookie = _session_cookie(member)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.agenda_settings"}
    gunicorn = [sys.executable, "-m", "gunicorn", "orgdept.wsgi", "-b", f"127.0.0.1:{port}", "--workers", "2"]
    server = subprocess.Popen(  # noqa: S603 - our own command
        gunicorn, cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        agenda_url, constant_url = f"{base}/meetings/{meeting.pk}/", f"{base}/bench/constant/"
        deadline = time.monotonic() + 60
        while True:
            try:
                status, html = _fetch(agenda_url, cookie)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start: {server.stderr.read().decode()}") from None
                time.sleep(0.3)
        # the member sees the whole agenda with its materials, not a sign-in page
        shown = html.count('class="agenda-item')
        if status != 200 or shown != ITEMS:
            raise RuntimeError(f"the agenda page answered {status} with {shown} items, not {ITEMS}")
        materials = len(re.findall(r"/meetings/materials/\d+/download/", html))
        # warm both workers (each loads the application and its templates on its first requests)
        for url in (agenda_url, constant_url):
            for _ in range(4):
                _fetch(url, cookie)
        _wrk(agenda_url, cookie, 3, warming=True)
        _wrk(constant_url, cookie, 3, warming=True)
        ours, peer = alternate(
            lambda: _wrk(agenda_url, cookie, scale.http_seconds),
            lambda: _wrk(constant_url, cookie, scale.http_seconds),
            rounds=scale.rounds,
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    return [
        Figure(
            name=f"member agenda page ({ITEMS} items) under gunicorn",
            ours=median(ours),
            peer=median(peer),
            unit="req/s",
            goal=0.5,
            higher_is_better=True,
            peer_name="constant Django page, same server",
            notes=(
                f"gunicorn 2 workers, wrk {THREADS} threads {CONNECTIONS} connections {scale.http_seconds:g} s a "
                f"measurement (3 s at least), as {CHANGWEI_USER}; the page shows {ITEMS} items and {materials} "
                "material links. Every request checks that the member attends and builds the page, its attendance "
                "and navigation afresh; the agenda section is the one rendered by the first reading, while the "
                "stamp of what it shows (checked by one query each request) holds"
            ),
            samples={"ours": ours, "peer": peer},
        )
    ]
