"""Load, once, the read-only data every routed call needs: litellm, tokenizers, language models.

A Celery prefork parent calls ``preload`` before it forks its children, so the
children share these pages copy-on-write instead of each loading its own copy
(litellm alone is ~150 MB). Nothing here opens a connection, starts a thread
or an event loop, or calls a model, so it is safe to do before ``fork()``.
"""

from __future__ import annotations

import structlog

from router._config._schema import RoutesConfig
from router._pricing import resolve
from router._providers._litellm_import import load_litellm
from router._router import Router
from router._signals._tokens import REFERENCE_ENCODING, count_text
from router._task import Task

log = structlog.get_logger("router.warm")

_SAMPLES = (
    "Summarise the attached meeting notes in three short bullet points.",
    "ok",  # short text: the language detector's second-opinion path
)


def preload(config: RoutesConfig) -> None:
    """Import litellm and load every tokenizer and language model ``config`` will use."""
    load_litellm()
    encodings = {REFERENCE_ENCODING, *(resolve(spec).encoding for spec in config.models)}
    for encoding in sorted(encodings):
        count_text("warm", encoding)
    router = Router(config)
    for sample in _SAMPLES:
        router.measure(Task.build(sample))
    log.info("worker.preloaded", encodings=sorted(encodings), models=len(config.models))
