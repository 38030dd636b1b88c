# syntax=docker/dockerfile:1
# Production image for Zhanwu: gunicorn (web), Celery worker and beat all run from it (docker-compose.yml).

# --- front-end assets from the npm registry (no CDN at run time) ----------------------------------
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
COPY scripts/build-assets.sh scripts/build-assets.sh
RUN bash scripts/build-assets.sh

# --- application ----------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings

# WeasyPrint: Pango for layout, HarfBuzz subsetting, Noto CJK for Chinese text.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .
COPY --from=assets /build/static/vendor/ static/vendor/

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin zhanwu \
    && mkdir -p /app/staticfiles \
    && chown -R zhanwu /app/staticfiles
USER zhanwu

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
