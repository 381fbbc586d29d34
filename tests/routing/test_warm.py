"""Preloading before a fork loads every model routing reads lazily, so no child loads its own."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

from router._warm import freeze_preloaded

ROOT = Path(__file__).resolve().parents[2]

# A fresh process, so that nothing another test loaded counts.
_PROBE = """
import json, sys
from pathlib import Path
from router._config import load_routes
from router._signals import _language, _names, _tokens
from router._warm import load_signals

encodings = load_signals(load_routes(Path(sys.argv[1])))
print(json.dumps({
    "encodings": encodings,
    "fasttext": _language._fasttext_predict.cache_info().currsize,
    "py3langid": _language._langid_rank.cache_info().currsize,
    "names": _names.name_lists.cache_info().currsize,
    "litellm": "litellm" in sys.modules,
}))
"""


def test_load_signals_takes_every_lazy_path_of_the_shipped_routes_without_litellm(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(ROOT / "routes.yaml")],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "ROUTER_HOME": str(tmp_path)},  # the suite's offline switches and cache
        cwd=ROOT,
    )
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    # The Indonesian sample is one fastText is unsure of, so py3langid's second opinion loads
    # (84 MB and 1.5 s that each worker child would otherwise pay on its first unsure text).
    assert (loaded["fasttext"], loaded["py3langid"], loaded["names"]) == (1, 1, 1)
    assert {"o200k_base", "cl100k_base", "claude"} <= set(loaded["encodings"])
    assert loaded["litellm"] is False


def test_freezing_before_a_fork_puts_what_is_alive_out_of_the_collectors_reach() -> None:
    kept = [{"loaded": "before the fork"}]
    try:
        freeze_preloaded()
        assert gc.get_freeze_count() > 0
        assert not any(kept is tracked for tracked in gc.get_objects())
    finally:
        gc.unfreeze()
    assert any(kept is tracked for tracked in gc.get_objects())
