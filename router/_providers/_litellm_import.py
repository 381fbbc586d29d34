"""The one place litellm is imported, offline-safe and configured for the router.

Importing litellm costs seconds and, by default, downloads its price map; counting tokens for
Llama names fetches a Hugging Face tokenizer. The environment switches of
``router._settings.LITELLM_OFFLINE_ENV`` keep both offline; they are set (unless the caller chose
otherwise) right before the first import, never at import time of anything under ``router/``.

litellm is loaded through ``importlib`` rather than an ``import`` statement: the module comes
back as an untyped ``ModuleType``, so mypy does not analyse litellm's 100k+ lines on every run.
"""

from __future__ import annotations

import functools
import importlib
import threading
from types import ModuleType
from typing import Any

from router._settings import set_litellm_offline_defaults


@functools.cache
def load_litellm() -> ModuleType:
    """litellm, imported once per process with offline defaults and its own retries off."""
    set_litellm_offline_defaults()
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
    _defer_default_encoding(litellm)


class _DeferredEncoding:
    """litellm's default encoding (cl100k_base), loaded the first time anything uses it.

    litellm 1.110.2 reads ``litellm.main.encoding`` on every call to a custom provider only to
    hand it to the handler, and the router's simulator never uses it; loading it eagerly costs
    each process about 43 MB (a copy of cl100k_base beside the router's own). Whatever does
    use it (an attribute, a method) gets litellm's own encoding, loaded then, unchanged.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: Any = None

    def _encoding(self) -> Any:
        with self._lock:
            if self._loaded is None:
                from litellm._lazy_imports import get_default_encoding

                self._loaded = get_default_encoding()
            return self._loaded

    def __getattr__(self, name: str) -> Any:
        return getattr(self._encoding(), name)


def _defer_default_encoding(litellm: Any) -> None:
    main: Any = importlib.import_module("litellm.main")
    # Only when litellm has the lazy hook this relies on and has not loaded the encoding yet.
    if "encoding" in vars(main) or not hasattr(main, "_encoding_cache") or main._encoding_cache is not None:
        return
    deferred = _DeferredEncoding()
    main.__dict__["encoding"] = deferred
    main._encoding_cache = deferred
