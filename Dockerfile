# orgdept application image: Debian with the CJK font and HarfBuzz subsetting WeasyPrint needs.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 STATIC_ROOT=/srv/orgdept/static
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 gettext \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /srv/orgdept/app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN python manage.py compilemessages -v0 \
 && ORGDEPT_VAR_DIR=/tmp/build python manage.py collectstatic --noinput -v0 \
 && useradd --system --home /srv/orgdept orgdept && mkdir -p /srv/orgdept/media /srv/orgdept/var \
 && chown -R orgdept /srv/orgdept/media /srv/orgdept/var
USER orgdept
EXPOSE 8000
CMD ["gunicorn", "orgdept.wsgi:application", "--bind", "0.0.0.0:8000"]
