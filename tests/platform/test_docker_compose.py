"""docker-compose.yml and the Dockerfile, checked without a Docker engine.

The static tests read the files. The run tests start each service's own command, with the environment the
compose file gives it, against the test PostgreSQL and Redis, and run its healthcheck: what the containers
would do, minus the containers. Container paths (/srv/orgdept/...) are mapped under a temporary directory.
"""

from __future__ import annotations

import dbm
import os
import re
import shlex
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.db import connection

from tests.platform.procs import (
    PYTHON,
    ROOT,
    VENV_BIN,
    clean_env,
    database_url,
    free_port,
    manage,
    processes,
    wait_until,
)

COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
APP_SERVICES = ("web", "worker", "beat", "migrate")
LONG_RUNNING = ("postgres", "redis", "web", "worker", "beat")
# What an operator's .env holds (the compose file refuses to start without the secrets).
DOT_ENV = {"SECRET_KEY": "compose-test-" + "k" * 51, "POSTGRES_PASSWORD": "compose-test-password"}
PATH_VARS = ("ORGDEPT_VAR_DIR", "MEDIA_ROOT", "STATIC_ROOT")

pytestmark = pytest.mark.skipif(not COMPOSE_FILE.exists(), reason="docker-compose.yml is not written yet")


# ---------------------------------------------------------------------------------------------------------
# Reading the files


_VAR = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


class MissingVariable(ValueError):
    pass


def interpolate(value, variables: dict[str, str]):
    """Compose's variable substitution: $$, ${X}, ${X:-default}, ${X-default}, ${X:?error}, ${X?error}."""
    if isinstance(value, dict):
        return {k: interpolate(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, variables) for v in value]
    if not isinstance(value, str):
        return value

    def sub(match):
        if match.group(0) == "$$":
            return "$"
        name = match.group(1) or match.group(4)
        op, arg = match.group(2), match.group(3)
        current = variables.get(name)
        if op is None:
            return current or ""
        unset = current is None or (op.startswith(":") and current == "")
        if op.endswith("-"):
            return arg if unset else current
        if unset:
            raise MissingVariable(f"{name}: {arg}")
        return current

    return _VAR.sub(sub, value)


def load_compose(variables: dict[str, str] | None = None) -> dict:
    raw = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))  # PyYAML resolves the << merge keys
    return interpolate(raw, DOT_ENV if variables is None else variables)


def environment_of(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def argv_of(command) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def dockerfile_env() -> dict[str, str]:
    env = {}
    for keyword, rest in dockerfile_instructions():
        if keyword == "ENV":
            for item in shlex.split(rest):
                key, _, value = item.partition("=")
                env[key] = value
    return env


def dockerfile_step(marker: str) -> tuple[dict[str, str], list[str]]:
    """The `&&`-joined shell step of a RUN that contains `marker`: its inline VAR=value and its argv."""
    for keyword, rest in dockerfile_instructions():
        if keyword != "RUN":
            continue
        for step in rest.split("&&"):
            if marker in step:
                words = shlex.split(step)
                assignments = {}
                while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
                    key, _, value = words.pop(0).partition("=")
                    assignments[key] = value
                return assignments, words
    raise AssertionError(f"the Dockerfile has no RUN step with {marker!r}")


# ---------------------------------------------------------------------------------------------------------
# The files


def test_services_exist_and_long_running_ones_have_healthchecks():
    services = load_compose()["services"]
    for name in ("postgres", "redis", *APP_SERVICES):
        assert name in services, f"docker-compose.yml has no {name} service"
    for name in LONG_RUNNING:
        test = (services[name].get("healthcheck") or {}).get("test")
        assert test and not services[name]["healthcheck"].get("disable"), f"{name} has no healthcheck"
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    assert "pg_isready" in " ".join(argv_of(services["postgres"]["healthcheck"]["test"]))
    assert "redis-cli" in " ".join(argv_of(services["redis"]["healthcheck"]["test"]))
    # migrate is a one-shot job, and the web app starts only once it has succeeded.
    assert services["migrate"].get("restart") in ("no", None, False)
    assert argv_of(services["migrate"]["command"])[:3] == ["python", "manage.py", "migrate"]
    for name in APP_SERVICES:
        depends = services[name].get("depends_on") or {}
        for backing in ("postgres", "redis"):
            assert (depends.get(backing) or {}).get("condition") == "service_healthy", (
                f"{name} does not wait for a healthy {backing}"
            )
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_app_services_run_production_settings_with_database_redis_and_secret():
    services = load_compose()["services"]
    for name in APP_SERVICES:
        service = services[name]
        assert service.get("build") or service.get("image"), f"{name} has neither build nor image"
        env = environment_of(service)
        assert env.get("DJANGO_SETTINGS_MODULE") == "orgdept.settings.production", name
        assert env.get("SECRET_KEY") == DOT_ENV["SECRET_KEY"], name
        assert env.get("DATABASE_URL", "").startswith("postgres://") and "@postgres:" in env["DATABASE_URL"], (
            f"{name}'s DATABASE_URL does not point at the postgres service"
        )
        assert env.get("REDIS_URL", "").startswith("redis://redis:"), f"{name}'s REDIS_URL is not the redis service"
    # Documents are written by the worker and served by the web app: one media volume, mounted at MEDIA_ROOT.
    media = {}
    for name in ("web", "worker"):
        root = environment_of(services[name])["MEDIA_ROOT"]
        mounts = [v for v in services[name].get("volumes", []) if str(v).split(":")[1:2] == [root]]
        assert mounts, f"{name} has no volume at MEDIA_ROOT {root}"
        media[name] = str(mounts[0]).split(":")[0]
    assert media["web"] == media["worker"]


def test_secrets_have_no_defaults():
    """Without SECRET_KEY and POSTGRES_PASSWORD in .env, compose refuses to start rather than guessing."""
    for missing in DOT_ENV:
        variables = {k: v for k, v in DOT_ENV.items() if k != missing}
        with pytest.raises(MissingVariable, match=missing):
            load_compose(variables)


def test_commands_exist_in_the_venv_and_their_modules_import(tmp_path):
    services = load_compose()["services"]
    expected = {"web": "gunicorn", "worker": "celery", "beat": "celery", "migrate": "python"}
    for name, executable in expected.items():
        argv = argv_of(services[name]["command"])
        assert argv[0] == executable, f"{name} runs {argv[0]}"
        assert (VENV_BIN / executable).exists(), f".venv/bin/{executable} is missing (requirements.lock?)"
    web = argv_of(services["web"]["command"])
    wsgi = next(a for a in web[1:] if re.fullmatch(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*", a))
    module, _, attribute = wsgi.partition(":")
    celery_apps = {
        argv_of(services[n]["command"])[argv_of(services[n]["command"]).index("-A") + 1] for n in ("worker", "beat")
    }
    assert celery_apps == {"orgdept"}
    env = _runtime_env(
        services["web"], tmp_path, database="postgres://u:p@127.0.0.1:5432/x", redis="redis://127.0.0.1:6379/0"
    )
    code = (
        "import importlib\n"
        f"wsgi = getattr(importlib.import_module({module!r}), {attribute or 'application'!r})\n"
        "assert callable(wsgi)\n"
        "from celery.bin.celery import find_app\n"
        "app = find_app('orgdept')\n"
        "from django.conf import settings\n"
        "print(type(wsgi).__name__, app.main, settings.SETTINGS_MODULE, app.conf.broker_url.split(':')[0])\n"
    )
    result = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["WSGIHandler", "orgdept", "orgdept.settings.production", "redis"]


def test_dockerfile_installs_the_fonts_harfbuzz_and_locked_requirements():
    instructions = dockerfile_instructions()
    assert instructions[0][0] == "FROM" and instructions[0][1].startswith("python:3.11-slim-bookworm")
    runs = " ".join(rest for keyword, rest in instructions if keyword == "RUN")
    for package in ("fonts-noto-cjk", "libharfbuzz-subset0"):
        assert package in runs
    assert re.search(r"pip install .*-r requirements\.lock", runs)
    assert any(k == "COPY" and "requirements.lock" in rest for k, rest in instructions)


# ---------------------------------------------------------------------------------------------------------
# The services, run


def _mapped(path: str, root: Path) -> str:
    return str(root / path.lstrip("/")) if path.startswith("/") else path


def _runtime_env(service: dict, root: Path, *, database: str, redis: str) -> dict[str, str]:
    """The service's container environment: the image's ENV, then compose's, on this machine's services."""
    env = {**dockerfile_env(), **environment_of(service)}
    env["DATABASE_URL"] = database
    env["REDIS_URL"] = redis
    for key in PATH_VARS:
        if key in env:
            env[key] = _mapped(env[key], root)
    return clean_env(**env, PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}", HOSTNAME=socket.gethostname())


def _venv_argv(argv: list[str]) -> list[str]:
    return [str(VENV_BIN / argv[0]) if (VENV_BIN / argv[0]).exists() else argv[0], *argv[1:]]


@pytest.fixture(scope="module")
def image_root(tmp_path_factory):
    """The image's filesystem after the Dockerfile's collectstatic step, with the app at the repository."""
    root = tmp_path_factory.mktemp("image")
    assignments, argv = dockerfile_step("collectstatic")
    env = {**dockerfile_env(), **assignments}
    for key in PATH_VARS:
        if key in env:
            env[key] = _mapped(env[key], root)
    result = subprocess.run(
        _venv_argv(argv), cwd=ROOT, env=clean_env(**env), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"the Dockerfile's collectstatic step fails:\n{result.stderr}"
    return root


@pytest.fixture
def service_env(image_root):
    services = load_compose()["services"]
    # web and migrate need a Redis URL to load the production settings, not a reachable Redis.
    redis = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"

    def env_for(name: str) -> dict[str, str]:
        return _runtime_env(services[name], image_root, database=database_url(connection.settings_dict), redis=redis)

    return services, env_for, image_root


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_NO_REDIRECTS = urllib.request.build_opener(_NoRedirect)


def _run_healthcheck(test, env: dict[str, str], replace: tuple[str, str] | None = None) -> subprocess.CompletedProcess:
    test = argv_of(test)
    if test[0] == "CMD-SHELL":
        argv = ["sh", "-c", " ".join(test[1:])]
    else:
        assert test[0] == "CMD", test
        argv = _venv_argv(test[1:])
    if replace:
        argv = [a.replace(*replace) for a in argv]
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_migrate_service_runs(service_env):
    services, env_for, _root = service_env
    argv = argv_of(services["migrate"]["command"])
    assert argv[:2] == ["python", "manage.py"]
    result = manage(*argv[2:], env=env_for("migrate"))
    assert result.returncode == 0, result.stderr


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_web_service_serves_pages_and_static_files_and_is_healthy(service_env, tmp_path):
    services, env_for, _root = service_env
    env = env_for("web")
    port = free_port()
    argv = argv_of(services["web"]["command"])
    bind = argv.index("--bind") if "--bind" in argv else argv.index("-b")
    argv[bind + 1] = f"127.0.0.1:{port}"
    if "--workers" in argv:
        argv[argv.index("--workers") + 1] = "1"
    host = env["ALLOWED_HOSTS"].split(",")[0].strip().lstrip(".")
    with processes(tmp_path) as start:
        web = start("web", _venv_argv(argv), env)

        def get(path: str, headers: dict) -> tuple[int, str]:
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
            try:
                with _NO_REDIRECTS.open(request, timeout=5) as response:
                    return response.status, response.read().decode("utf-8", "replace")
            except urllib.error.HTTPError as exc:
                return exc.code, exc.read().decode("utf-8", "replace")

        def listening():
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", port)) == 0 or not web.running()

        wait_until(listening, 30, what="gunicorn to listen")
        assert web.running(), "the web command exited"

        # As the TLS-terminating proxy forwards a request.
        proxied = {"Host": host, "X-Forwarded-Proto": "https"}
        status, html = get("/login/", proxied)
        assert status == 200, f"/login/ answered {status}:\n{html[:3000]}\n{web.log()[-3000:]}"
        assert "组织部干部工作系统" in html
        css = re.search(r'href="(/static/css/orgdept\.[0-9a-f]{12}\.css)"', html)
        assert css, "the page does not link the hashed (manifest) stylesheet"
        status, _body = get(css.group(1), proxied)
        assert status == 200, f"{css.group(1)} answered {status}"
        # Plain HTTP is sent to HTTPS.
        status, _body = get("/login/", {"Host": host})
        assert status in (301, 308), f"plain HTTP answered {status}, not a redirect to HTTPS"

        result = _run_healthcheck(services["web"]["healthcheck"]["test"], env, replace=(":8000", f":{port}"))
        assert result.returncode == 0, f"the web healthcheck fails:\n{result.stderr[-3000:]}"


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_worker_and_beat_services_run_and_are_healthy(service_env, tmp_path):
    services, env_for, root = service_env
    worker_argv = argv_of(services["worker"]["command"])
    beat_argv = argv_of(services["beat"]["command"])
    flag = beat_argv.index("--schedule" if "--schedule" in beat_argv else "-s")
    schedule = beat_argv[flag + 1]
    mapped_schedule = beat_argv[flag + 1] = _mapped(schedule, root)
    with processes(tmp_path) as start:
        worker = start("worker", _venv_argv(worker_argv), env_for("worker"))
        beat = start("beat", _venv_argv(beat_argv), env_for("beat"))
        worker.wait_for_log("ready.", timeout=30)
        beat.wait_for_log("beat: Starting...", timeout=30)

        result = _run_healthcheck(services["worker"]["healthcheck"]["test"], env_for("worker"))
        assert result.returncode == 0, f"the worker healthcheck fails:\n{result.stdout}\n{result.stderr}"

        # Beat's healthcheck looks for its schedule file; shelve picks the dbm flavour the Python has (the
        # image's has gdbm: one file of exactly that name), so ask dbm whether the file is there.
        wait_until(lambda: dbm.whichdb(mapped_schedule), 15, what="beat to write its schedule")
        assert schedule in " ".join(argv_of(services["beat"]["healthcheck"]["test"])), (
            "the beat healthcheck does not look at the schedule beat writes"
        )
        time.sleep(1)
        assert worker.running() and beat.running()
