"""Preloading before a fork loads every model routing reads lazily, so no child loads its own."""

from __future__ import annotations

import ast
import gc
import importlib.util
import json
import os
import re
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
from router._signals import _keyword_search, _language, _names, _national_ids, _tokens
from router._warm import load_signals

encodings = load_signals(load_routes(Path(sys.argv[1])))
print(json.dumps({
    "encodings": encodings,
    "fasttext": _language._fasttext_predict.cache_info().currsize,
    "py3langid": _language._langid_rank.cache_info().currsize,
    "names": _names.name_lists.cache_info().currsize,
    "litellm": "litellm" in sys.modules,
    "automata": [p._automaton is not None for p in (_keyword_search.LOWER_CASED, _keyword_search.AS_WRITTEN)],
    "numpy": {"numpy", "encodings.utf_16_le", "encodings.utf_32_le"} <= set(sys.modules),
    "stdnum": sorted(m for m in _national_ids._STDNUM_MODULES if "stdnum." + m not in sys.modules),
    "surnames": sorted(_names.name_lists().surnames),
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
    # (52 MB with numpy and 1 s that each worker child would otherwise pay on its first unsure text).
    assert (loaded["fasttext"], loaded["py3langid"], loaded["names"]) == (1, 1, 1)
    assert {"o200k_base", "cl100k_base", "claude"} <= set(loaded["encodings"])
    assert loaded["litellm"] is False
    # What only a long text reaches: without it a process's first long prompt paid 150-180 ms.
    assert (loaded["automata"], loaded["numpy"], loaded["stdnum"]) == ([True, True], True, [])
    # Faker's, read by the Chinese, Japanese and Korean name cues: in the name lists' cache.
    assert loaded["surnames"] == ["ja_JP", "ko_KR", "zh_CN", "zh_TW"]


def test_freezing_before_a_fork_puts_what_is_alive_out_of_the_collectors_reach() -> None:
    kept = [{"loaded": "before the fork"}]
    try:
        freeze_preloaded()
        assert gc.get_freeze_count() > 0
        assert not any(kept is tracked for tracked in gc.get_objects())
    finally:
        gc.unfreeze()
    assert any(kept is tracked for tracked in gc.get_objects())


def _probe(code: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=os.environ
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_preload_drops_litellms_parsed_claude_tokenizer_and_keeps_the_text_litellm_reads() -> None:
    loaded = _probe(
        "import json, sys\n"
        "from router._providers._litellm_import import load_litellm\n"
        "from router._warm import _drop_litellm_leftovers\n"
        "load_litellm()\n"
        "utils = sys.modules['litellm.utils']\n"
        "before = isinstance(getattr(utils, 'json_data', None), dict)\n"
        "_drop_litellm_leftovers()\n"
        "print(json.dumps({'before': before, 'after': hasattr(utils, 'json_data'),"
        " 'text': len(utils.claude_json_str)}))\n"
    )
    assert loaded["before"] is True
    assert loaded["after"] is False
    assert isinstance(loaded["text"], int)
    assert loaded["text"] > 1_000_000


def test_nothing_in_litellm_reads_the_parsed_copy_that_preload_drops() -> None:
    spec = importlib.util.find_spec("litellm")
    assert spec is not None
    assert spec.origin is not None
    package = Path(spec.origin).parent
    # In litellm/utils.py the name is read only at the module's top level, to make claude_json_str.
    tree = ast.parse((package / "utils.py").read_text(encoding="utf-8"))
    functions = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
    assert not any(
        isinstance(name, ast.Name) and name.id == "json_data" for node in functions for name in ast.walk(node)
    )
    # No other module reaches it: no "utils.json_data", no import of the name.
    reach = re.compile(r"\butils\.json_data\b|\bimport\b[^\n]*\bjson_data\b|[\"']json_data[\"']\s*:\s*[\"']")
    assert [
        path.name for path in package.rglob("*.py") if reach.search(path.read_text(errors="replace"))
    ] == []


def test_freezing_hands_heap_memory_freed_at_start_up_back_to_the_system() -> None:
    measured = _probe(
        "import json\n"
        "from router._warm import freeze_preloaded\n"
        "def rss():\n"
        "    return int(open('/proc/self/statm').read().split()[1]) * 4096\n"
        # Freeing a large block raises glibc's thresholds, as a model's temporary copy does;
        # the medium blocks freed after it then stay in the heap.
        "del_me = bytearray(24 << 20); del del_me\n"
        "blocks = [bytearray(b'x' * (256 << 10)) for _ in range(160)]\n"
        "del blocks\n"
        "before = rss(); freeze_preloaded(); after = rss()\n"
        "print(json.dumps({'returned': before - after}))\n"
    )
    returned = measured["returned"]
    assert isinstance(returned, int)
    assert returned > 8 << 20
