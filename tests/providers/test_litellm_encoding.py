"""litellm's default encoding is loaded only when something uses it, and is then litellm's own."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def test_the_deferred_encoding_counts_as_litellm_s_own(litellm: ModuleType) -> None:
    from litellm._lazy_imports import get_default_encoding

    text = "Wie viele Tage hat der Monat Februar? 29, in a leap year."
    assert litellm.main.encoding.encode(text) == get_default_encoding().encode(text)
    assert litellm.main.encoding.decode(litellm.main.encoding.encode(text)) == text


def test_a_simulated_call_does_not_load_litellm_s_copy_of_cl100k_base() -> None:
    code = textwrap.dedent(
        """
        import asyncio
        from router._providers._simulator import register_handler
        from router._providers._litellm_import import load_litellm
        register_handler()
        litellm = load_litellm()
        reply = asyncio.run(litellm.acompletion(model="router-sim/gemini-2.5-flash-lite",
            messages=[{"role": "user", "content": "What is 2 squared?"}], max_tokens=16))
        import litellm.main as main
        print(reply.usage.prompt_tokens > 0, main._encoding_cache._loaded is None)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["True", "True"], "the call answered and the encoding stayed unloaded"
