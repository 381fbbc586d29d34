"""Load, once, the read-only data every routed call needs: litellm, tokenizers, language models.

A Celery prefork parent calls ``preload`` before it forks its children, so the
children share these pages copy-on-write instead of each loading its own copy
(litellm alone is ~150 MB). Nothing here opens a connection, starts a thread
or an event loop, or calls a model, so it is safe to do before ``fork()``.
"""

from __future__ import annotations

import ctypes
import gc
import sys

import structlog

from router._config._schema import RoutesConfig
from router._pricing import resolve
from router._providers._litellm_import import load_litellm
from router._router import Router
from router._signals._sensitivity import warm_up as warm_up_sensitivity
from router._signals._tokens import REFERENCE_ENCODING, count_text
from router._task import Task

log = structlog.get_logger("router.warm")

_SAMPLES = (
    "Summarise the attached meeting notes in three short bullet points.",
    # fastText is unsure of this Indonesian (0.41): py3langid's second opinion loads (52 MB with numpy, 1 s).
    "Saya mau makan nasi goreng.",
    # A name and a street address: the name lists load.
    "Mrs Helena Shaw of 12 Rue Mouffetard, born 3 March 1961",
)


def preload(config: RoutesConfig) -> None:
    """Load every tokenizer and language model ``config`` will use, and import litellm.

    The signals first: loading the language models passes through ~75 MB more than they keep,
    and done before litellm that peak stays below the process's final size (a Celery parent's
    peak RSS 374 MB rather than 450)."""
    encodings = load_signals(config)
    load_litellm()
    _drop_litellm_leftovers()
    log.info("worker.preloaded", encodings=encodings, models=len(config.models))


def load_signals(config: RoutesConfig) -> list[str]:
    """Load the tokenizers and the models the signals of ``config`` read; returns the encodings.

    The samples take each lazy path of routing (tests check that they still do), so the first
    real task of a process, or of each process forked after this, loads nothing.
    """
    encodings = sorted({REFERENCE_ENCODING, *(resolve(spec).encoding for spec in config.models)})
    for encoding in encodings:
        count_text("warm", encoding)
    router = Router(config)
    for sample in _SAMPLES:
        router.measure(Task.build(sample))
    # What only a long text reaches (the keyword automata, numpy, stdnum): 150-180 ms of the
    # first 100,000-character prompt otherwise.
    warm_up_sensitivity()
    return encodings


def freeze_preloaded() -> None:
    """Move every object alive now (what ``preload`` loaded) out of the garbage collector's reach.

    Two callers, two reasons. Before a fork: a collection in a child writes to the header of
    every object it examines, so without this each child's first full collection copies most of
    the pages it shares with the parent (litellm, the tokenizers, the language models): about
    90 MB per pool child (Python's ``gc.freeze`` documentation recommends it before ``fork()``).
    In a server: start-up builds about 400,000 objects, and a full collection walking them took
    about 200 ms of whichever request was running. The cost: a reference cycle among them is
    never freed, and what is alive at start-up is read-only data that lives as long as the
    process anyway. The heap memory start-up freed goes back to the system first, so that no
    child maps it.
    """
    gc.collect()
    _return_freed_heap()
    gc.freeze()


def _drop_litellm_leftovers() -> None:
    # litellm.utils parses Anthropic's tokenizer file at import only to keep its text
    # (claude_json_str, which litellm's Claude token counter reads), and leaves the parsed
    # form behind as a module global that nothing reads: 14 MB of Python objects in every
    # worker process. The router counts Claude's tokens itself, from the same file.
    utils = sys.modules.get("litellm.utils")
    if (
        utils is not None
        and hasattr(utils, "claude_json_str")
        and isinstance(vars(utils).get("json_data"), dict)
    ):
        del utils.json_data


def _return_freed_heap() -> None:
    # Loading the models frees large temporary copies (py3langid's dense DFA, parsed tokenizer
    # files), and glibc keeps most of that in its heap once its adaptive thresholds have risen:
    # about 20 MB that a child forked now would map and count. malloc_trim hands the free
    # pages back. Only glibc has it; elsewhere this does nothing.
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
    if trim is not None:
        trim(0)
