"""The one place litellm is imported, offline-safe and configured for the router.

Importing litellm costs seconds and, by default, downloads its price map; counting tokens for
Llama names fetches a Hugging Face tokenizer. The environment switches below keep both offline,
and they are set (unless the caller chose otherwise) right before the first import, never at
import time of anything under ``router/``.

litellm is loaded through ``importlib`` rather than an ``import`` statement: the module comes
back as an untyped ``ModuleType``, so mypy does not analyse litellm's 100k+ lines on every run.
"""

from __future__ import annotations

import functools
import importlib
import os
from types import ModuleType
from typing import Any

# Read by litellm at import (and by huggingface_hub): use the price map shipped in the wheel, and
# never fetch a tokenizer or catalogue on its own.
_OFFLINE_ENV = {
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "LITELLM_OFFLINE_MODE": "true",
    "HF_HUB_OFFLINE": "1",
}


@functools.cache
def load_litellm() -> ModuleType:
    """litellm, imported once per process with offline defaults and its own retries off."""
    for name, value in _OFFLINE_ENV.items():
        os.environ.setdefault(name, value)
    litellm = importlib.import_module("litellm")
    _configure(litellm)
    return litellm


def _configure(litellm: Any) -> None:
    # The banner litellm prints to stdout on every mapped exception is noise in a CLI's output.
    litellm.suppress_debug_info = True
    # Older releases phone home unless told not to; 1.110.2 has no such switch.
    if hasattr(litellm, "telemetry"):
        litellm.telemetry = False
    # The router does its own retries (backoff, Retry-After, fallback): a hidden litellm retry
    # would multiply attempts and bill them without an Attempt record. Each call also passes
    # num_retries=0 and max_retries=0, since the OpenAI client retries twice by default.
    litellm.num_retries = 0
