"""Base settings: every value comes from the environment; with none set, the embedded default runs.

The embedded default needs no services: SQLite under var/, and Celery on a filesystem broker
under var/ (a worker with embedded beat is started by `make run`).
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("ORGDEPT_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The embedded default is meant for one machine; production settings require a real secret.
SECRET_KEY = env.str("SECRET_KEY", default="embedded-default-not-secret-change-me-in-production-0123456789")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "axes",
    "django_htmx",
    "import_export",
    "orgdept.core",
    "cadres",
    "committees",
    "meetings",
    "training",
    "appraisal",
    "orgdept.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "orgdept.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "orgdept.core.language.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "orgdept.core.middleware.AuditContextMiddleware",
    "orgdept.core.middleware.IdleSessionTimeoutMiddleware",
    "orgdept.core.middleware.TwoFactorRequiredMiddleware",
    # Axes goes last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "orgdept.urls"
WSGI_APPLICATION = "orgdept.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "orgdept.core.context_processors.shell",
            ],
        },
    },
]

# Database: DATABASE_URL, else a SQLite file under var/ tuned for a web process plus a worker.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'orgdept.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"

# Sessions: an absolute lifetime plus an idle timeout enforced by IdleSessionTimeoutMiddleware.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# Scripts and style sheets only from our own origin: no inline script, no event-handler attribute, no eval.
# Inline style *attributes* stay allowed (computed widths and heights in a few pages); <style> elements do not.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SESSION_COOKIE_SAMESITE = "Lax"

# Lockout: keyed on the username *and* the client address, so one attacker cannot lock out
# every account (nor can one account be locked from every address by a stranger).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

ANONYMOUS_USER_NAME = None  # guardian: no anonymous object permissions
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing root
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"  # never served directly: documents go through permission-checked views
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(VAR_DIR / "backups")))  # `manage.py backup`: database + media
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Email: EMAIL_URL (smtp://user:pass@host:25, smtp+tls://..., consolemail://).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="orgdept@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis in production (REDIS_URL or CELERY_BROKER_URL); with neither, a filesystem broker
# under var/ so the worker and beat run with no server at all.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    _processed_dir = VAR_DIR / "celery" / "processed"
    _control_dir = VAR_DIR / "celery" / "control"
    for _dir in (_queue_dir, _processed_dir, _control_dir):
        _dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "store_processed": False,
        "control_folder": str(_control_dir),
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A message a worker took and never acknowledged (the worker was killed) goes back to the queue after this
        # many seconds. It must outlast the longest task and the longest retry countdown (e-mail retries back off
        # up to 10 minutes), or a task still running would be handed out again. Lost documents, imports and
        # e-mails are queued again sooner by their periodic sweeps, so an hour is only the last resort.
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        # With Redis unreachable, publishing after a commit gives up within seconds (the work is left to the
        # sweeps, see orgdept.core.queueing) instead of holding the request.
        "socket_connect_timeout": 3,
        "socket_timeout": 10,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# One quick retry covers a Redis restart; a longer outage is not waited for.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0.2, "interval_step": 0.2, "interval_max": 0.2}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# PDF documents: fonts are looked up by fontconfig; these families are tried in order.
ORGDEPT_PDF_FONT_FAMILIES = ["Noto Serif CJK SC", "Noto Sans CJK SC", "WenQuanYi Zen Hei"]
ORGDEPT_SITE_NAME = env.str("ORGDEPT_SITE_NAME", default="组织部干部工作系统")

# Two-factor sign-in (a one-time code from an authenticator app after the password): offered to these roles;
# with ORGDEPT_TWO_FACTOR_REQUIRED they must set it up before they can work. Resetting someone else's (a lost
# phone) is for the roles in ORGDEPT_TWO_FACTOR_RESETTERS.
ORGDEPT_TWO_FACTOR_ROLES = ["系统管理员", "部领导"]
ORGDEPT_TWO_FACTOR_REQUIRED = env.bool("ORGDEPT_TWO_FACTOR_REQUIRED", default=False)
ORGDEPT_TWO_FACTOR_RESETTERS = ["系统管理员"]

# Spreadsheet imports (rosters and later kinds): files beyond these limits are refused before parsing.
ORGDEPT_IMPORT_MAX_BYTES = env.int("ORGDEPT_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
ORGDEPT_IMPORT_MAX_ROWS = env.int("ORGDEPT_IMPORT_MAX_ROWS", default=200_000)
ORGDEPT_IMPORT_MAX_UNZIPPED_BYTES = env.int("ORGDEPT_IMPORT_MAX_UNZIPPED_BYTES", default=300 * 1024 * 1024)
# Uploads with more data rows than this are checked and imported by a Celery task, with progress shown.
ORGDEPT_IMPORT_INLINE_ROWS = env.int("ORGDEPT_IMPORT_INLINE_ROWS", default=2000)
# Uploaded files (and the rows of their reports) of imports done or abandoned this many days ago are deleted.
ORGDEPT_IMPORT_RETENTION_DAYS = env.int("ORGDEPT_IMPORT_RETENTION_DAYS", default=7)
# Meeting materials (PDF/DOCX attached to topics): uploads beyond this size are refused before any parsing.
ORGDEPT_MATERIAL_MAX_BYTES = env.int("ORGDEPT_MATERIAL_MAX_BYTES", default=30 * 1024 * 1024)

# Rotation watch: years in the same post after which a cadre should be exchanged, per Position.RotationKind.
# leader: the central 10-year rule; key posts and department staff are local rules. ORGDEPT_ROTATION_YEARS
# overrides some or all of them, e.g. "key=4;staff=3".
ORGDEPT_ROTATION_YEARS = {
    "leader": 10,
    "key": 5,
    "staff": 3,
    **env.dict("ORGDEPT_ROTATION_YEARS", cast={"value": int}, default={}),
}
# Team structure: cadres younger than this count as young cadres (年轻干部).
ORGDEPT_YOUNG_CADRE_AGE = env.int("ORGDEPT_YOUNG_CADRE_AGE", default=40)
# Qualification checks warn when fewer than this many months remain before the statutory retirement age.
ORGDEPT_RETIREMENT_WARNING_MONTHS = env.int("ORGDEPT_RETIREMENT_WARNING_MONTHS", default=24)
# Standing members are reminded this many days before a quarter ends to report on their areas (seed 001).
ORGDEPT_QUARTERLY_REPORT_REMINDER_DAYS = env.int("ORGDEPT_QUARTERLY_REPORT_REMINDER_DAYS", default=14)
# days a decision's follow-up (督办) is given by default
ORGDEPT_FOLLOW_UP_DAYS = env.int("ORGDEPT_FOLLOW_UP_DAYS", default=30)
# Attending members are reminded of a meeting this many days before it (and again the day before).
ORGDEPT_MEETING_NOTICE_DAYS = env.int("ORGDEPT_MEETING_NOTICE_DAYS", default=3)
# The responsible member and 组织科 are reminded this many days before a follow-up's deadline.
ORGDEPT_FOLLOW_UP_REMINDER_DAYS = env.int("ORGDEPT_FOLLOW_UP_REMINDER_DAYS", default=7)
# the appointment procedure (选拔任用条例): central numbers, kept as settings with these defaults
ORGDEPT_NOTICE_WORKDAYS = env.int("ORGDEPT_NOTICE_WORKDAYS", default=5)
ORGDEPT_RECOMMENDATION_VALID_MONTHS = env.int("ORGDEPT_RECOMMENDATION_VALID_MONTHS", default=12)
ORGDEPT_PROBATION_MONTHS = env.int("ORGDEPT_PROBATION_MONTHS", default=12)
ORGDEPT_PROBATION_REMINDER_DAYS = env.int("ORGDEPT_PROBATION_REMINDER_DAYS", default=30)
# a proposal in one stage longer than this many working days is flagged on the work queue
ORGDEPT_PROPOSAL_STALLED_WORKDAYS = env.int("ORGDEPT_PROPOSAL_STALLED_WORKDAYS", default=20)
# 干部科 are reminded this many days before a recommendation result, not yet decided on, stops being valid.
ORGDEPT_RECOMMENDATION_REMINDER_DAYS = env.int("ORGDEPT_RECOMMENDATION_REMINDER_DAYS", default=30)
# The appointment procedure's documents (任前公示, 任免通知): the issuing committee and department as their
# documents name them, e.g. 中共云岭区委 and 中共云岭区委组织部; by default from the district's name below
# (ORGDEPT_HOME_AREA_NAMES). The 公示's phone and address for objections are printed as blanks to fill in
# until set; the 通知's number prefix (e.g. 云委干) likewise.
ORGDEPT_COMMITTEE_NAME = env.str("ORGDEPT_COMMITTEE_NAME", default="")
ORGDEPT_DEPARTMENT_NAME = env.str("ORGDEPT_DEPARTMENT_NAME", default="")
ORGDEPT_NOTICE_PHONE = env.str("ORGDEPT_NOTICE_PHONE", default="")
ORGDEPT_NOTICE_ADDRESS = env.str("ORGDEPT_NOTICE_ADDRESS", default="")
ORGDEPT_APPOINTMENT_NOTICE_PREFIX = env.str("ORGDEPT_APPOINTMENT_NOTICE_PREFIX", default="")
# to whom the 任免通知 is addressed (主送)
ORGDEPT_APPOINTMENT_NOTICE_TO = env.str(
    "ORGDEPT_APPOINTMENT_NOTICE_TO", default="各镇党委、街道党工委，区委各部委，区级国家机关各部门党组（党委）"
)
# 乡科级 promotions (正科/副科 posts): the 条例 sets its numbers for 县处级 only, so these are local rules.
# deputy_to_head_months: time at 副科级 before a 正科级 post, by default the central 县处级 number (2 years);
# work_months: years of work (3 by default); grassroots_months: grassroots experience (off by default);
# education: the lowest accepted education (大专 by default; 研究生, 大学, 大专, 中专, or blank for none).
# 0 turns a number off. (The other time rule, lower head → higher deputy, has no 乡科级 case: no level below
# 副科级 is kept.) ORGDEPT_SECTION_LEVEL_RULES overrides, e.g. "deputy_to_head_months=36,grassroots_months=24".
ORGDEPT_SECTION_LEVEL_RULES = {
    "deputy_to_head_months": 24,
    "work_months": 36,
    "grassroots_months": 0,
    "education": "大专",
    **env.dict("ORGDEPT_SECTION_LEVEL_RULES", default={}),
}
# 任职回避: a post whose unit name or title has one of these words does 组织/人事/纪检/监察/审计/财务 work; a cadre
# may not hold one in a body that a close relative leads.
ORGDEPT_AVOIDANCE_SENSITIVE_KEYWORDS = env.list(
    "ORGDEPT_AVOIDANCE_SENSITIVE_KEYWORDS",
    default=["组织", "人事", "人力资源", "纪检", "纪委", "监察", "监委", "审计", "财务", "财政", "会计"],
)
# 地域回避: the district's name(s) as 籍贯 and 出生地 write them (add a former county name after 撤县设区).
ORGDEPT_HOME_AREA_NAMES = env.list("ORGDEPT_HOME_AREA_NAMES", default=["云岭区"])
# 地域回避: a 县处级 post whose unit name followed by its title matches one of these is taken for the head of the
# district's party committee, government, discipline commission, organization department, court, procuratorate or
# police, besides the posts marked so (Position.home_area_avoidance). An empty list leaves only the marked posts.
ORGDEPT_HOME_AREA_HEAD_PATTERNS = env.list(
    "ORGDEPT_HOME_AREA_HEAD_PATTERNS",
    default=[
        r"(?<!副)[区县]委书记",
        r"(?<!副)[区县]长(?!助理)",
        r"纪委(监委)?书记",
        r"监委主任",
        r"组织部部?长",
        r"法院院长",
        r"(?<!副)检察长",
        r"公安(分)?局局长",
    ],
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
ORGDEPT_SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Training
# 干部教育培训工作条例 (2023), the credit-hour requirement per rank group: "county" is 县处级 and above
# (cadres.models.COUNTY_LEVEL_RANKS), "section" every other rank (乡科级 and below). "rolling": `hours` in the
# `years` ending on the day asked about (from the day after the same date `years` earlier); "calendar_year":
# `hours` in each calendar year, due on 31 December.
ORGDEPT_TRAINING_REQUIREMENTS = {
    "county": {
        "label": "县处级以上领导干部",
        "period": "rolling",
        "years": env.int("ORGDEPT_TRAINING_COUNTY_YEARS", default=5),
        "hours": env.int("ORGDEPT_TRAINING_COUNTY_HOURS", default=550),
    },
    "section": {
        "label": "乡科级及以下干部",
        "period": "calendar_year",
        "hours": env.int("ORGDEPT_TRAINING_SECTION_HOURS", default=90),
    },
}
# Cadres called up to a class are told this many days before it starts.
ORGDEPT_TRAINING_CLASS_NOTICE_DAYS = env.int("ORGDEPT_TRAINING_CLASS_NOTICE_DAYS", default=3)
# From this day of the year (MM-DD, the fourth quarter by default) cadres short of the year's hours are reminded
# weekly, and 培训科 get the shortfalls per unit.
ORGDEPT_TRAINING_SHORTFALL_REMINDERS_FROM = env.str("ORGDEPT_TRAINING_SHORTFALL_REMINDERS_FROM", default="10-01")

# Appraisal
# 优秀 at most this percent of each group appraised, rounded down (公务员考核规定: 20%, up to 25% with approval).
ORGDEPT_APPRAISAL_EXCELLENT_PERCENT = env.int("ORGDEPT_APPRAISAL_EXCELLENT_PERCENT", default=20)
if not 0 <= ORGDEPT_APPRAISAL_EXCELLENT_PERCENT <= 25:
    raise ImproperlyConfigured("ORGDEPT_APPRAISAL_EXCELLENT_PERCENT 应在0到25之间（优秀等次最多20%，经批准可至25%）")
# How many of each group, from the lowest democratic-evaluation rank up, are listed for a reminder talk (提醒谈话).
ORGDEPT_APPRAISAL_LOWEST_RANKED = env.int("ORGDEPT_APPRAISAL_LOWEST_RANKED", default=1)
