# The service on the embedded default region. Runs the README's start command.
FROM python:3.11-slim

RUN useradd --create-home doorstep
WORKDIR /app
COPY --chown=doorstep pyproject.toml README.md ./
COPY --chown=doorstep requirements ./requirements
COPY --chown=doorstep scripts ./scripts
COPY --chown=doorstep app ./app
COPY --chown=doorstep geo ./geo
COPY --chown=doorstep solver ./solver
COPY --chown=doorstep data ./data
USER doorstep

# Install the locked versions at build time (the run script installs once per pyproject.toml
# and lock, then only serves), and import the default region into the image so a container
# starts in seconds.
RUN bash -c 'source scripts/_venv.sh ""' \
 && .venv/bin/doorstep region import data/osm/liechtenstein.osm.pbf --name liechtenstein

ENV DOORSTEP_HOST=0.0.0.0 \
    DOORSTEP_PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s \
  CMD .venv/bin/python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["./scripts/run.sh"]
