# The project image: the router CLI, the SDK and the batch worker.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    # litellm's price map ships in the wheel; never fetch it at start-up.
    LITELLM_LOCAL_MODEL_COST_MAP=True \
    HF_HUB_OFFLINE=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY router ./router
COPY workers ./workers
RUN pip install . flower
COPY routes.yaml ./
COPY examples ./examples

# Celery refuses to run as root without a warning; run as an unprivileged user.
RUN useradd --create-home --uid 10001 router && chown -R router /app
USER router

CMD ["router", "worker"]
