# orgdept application image: Debian with the CJK font and HarfBuzz subsetting WeasyPrint needs.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 gettext \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /srv/orgdept/app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
# Static files are collected where the production settings serve them from (ORGDEPT_VAR_DIR/static),
# with the production (manifest) storage; the build-time secrets only let the settings load.
RUN python manage.py compilemessages -v0 \
 && DJANGO_SETTINGS_MODULE=orgdept.settings.production ORGDEPT_VAR_DIR=/srv/orgdept/var \
    SECRET_KEY=build-time-only-collectstatic-key-never-used-at-runtime-0000000 \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput -v0 \
 && useradd --system --home /srv/orgdept orgdept && mkdir -p /srv/orgdept/media /srv/orgdept/var \
 && chown -R orgdept /srv/orgdept/media /srv/orgdept/var
USER orgdept
EXPOSE 8000
CMD ["gunicorn", "orgdept.wsgi:application", "--bind", "0.0.0.0:8000"]
