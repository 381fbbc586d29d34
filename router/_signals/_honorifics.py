"""Names before an honorific, in the scripts that write one after a name: Japanese and Chinese
(様, さん, 氏, 先生, 女士, 小姐) and Korean (씨, 님).

A capital tells nothing in these scripts; the honorific does. Japanese and Chinese: one to four
ideographs or katakana right before it, less the words that end in one and name no one (お客様,
the customer; 模様, a pattern; 王様, the king). Korean: a word of three syllables starting with
a surname of Faker's ko_KR list (a surname and a given name of two: "김민수 씨", "김민수님"),
standing alone; "선생님" (teacher) and "고객님" (customer) have two syllables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Final

from router._signals._cued_names import surnames
from router._signals._keyword_search import AS_WRITTEN, Family
from router._signals._text import find_all, merged_windows

__all__ = ["honorific_names"]

Span = tuple[str, int, int]

_CJK_HONORIFICS: Final = ("様", "さん", "さま", "氏", "先生", "女士", "小姐")
# At most this many ideographs or katakana before the honorific.
_CJK_REACH: Final = 4
_CJK_NAME: Final = re.compile(
    rf"[\u4e00-\u9fff\u30a0-\u30ff]{{1,{_CJK_REACH}}}(?:" + "|".join(_CJK_HONORIFICS) + ")"
)
# Words ending in 様 or 氏 that name no one: customers, everyone, pattern, strange, boyfriend.
_CJK_NOT_NAMES: Final = (
    "客",
    "皆",
    "同",
    "異",
    "模",
    "仕",
    "多",
    "彼",
    "神",
    "各",
    "様",
    "一",
    "三",
    "両",
    "列",
    "車",
)
# Words that name no one but begin with a common surname: 王様, the king (王, Wang, is China's
# most common surname: 王小明先生 is a name), so they are turned down only whole.
_CJK_NOT_NAMES_WHOLE: Final = frozenset(("王様", "女王様", "王子様"))
# 씨 and 님, with or without a space before it ("김민수님", "김민수 님", as letters address one).
_KOREAN_HONORIFICS: Final = ("씨", "님")
_HONORIFICS: Final = _CJK_HONORIFICS + _KOREAN_HONORIFICS
_HONORIFIC_FAMILY: Final = Family(_HONORIFICS, AS_WRITTEN)
# Titles and roles of three syllables taken with 님 whose first syllable is also a surname.
_KOREAN_TITLES: Final = frozenset(
    ("부사장", "부회장", "부원장", "부교수", "조교수", "관리자", "간호사", "이사장", "하느님", "하나님",
     "전문의", "운영자", "담당자", "상담사", "기술자", "연구원")
)  # fmt: skip


def honorific_names(text: str) -> Iterator[Span]:
    """Yield ``("person", start, end)`` for every name an honorific follows."""
    if text.isascii():
        return
    # Every such name ends in an honorific: where each honorific stands rules them out where
    # a search for a CJK letter read all the text (1 ms a 100,000 characters without any).
    at = _honorifics_at(text)
    if any(at[word] for word in _CJK_HONORIFICS) if at else any(word in text for word in _CJK_HONORIFICS):
        for cjk in _cjk_names(text, at):
            if cjk.group() in _CJK_NOT_NAMES_WHOLE or cjk.group().startswith(_CJK_NOT_NAMES):
                continue
            if text[cjk.start() - 1 : cjk.start()] not in ("お", "ご"):
                yield "person", cjk.start(), cjk.end()
    for honorific in _KOREAN_HONORIFICS:
        for position in _where(text, honorific, at):
            if (found := _korean_name_before(text, position)) is not None:
                yield "person", *found


def _honorifics_at(text: str) -> dict[str, list[int]] | None:
    """Where each honorific stands in ``text`` (overlapping, in order), from the scan's shared
    pass over the text as written, which spares nine ``str.find`` passes over a text of wide
    characters (0.45 ms a 100,000 characters); ``None`` where the pass does not run."""
    found = _HONORIFIC_FAMILY.occurrences(text)
    if found is None:
        return None
    at: dict[str, list[int]] = {honorific: [] for honorific in _HONORIFICS}
    for start, end in found:
        at[text[start:end]].append(start)
    return at


def _where(text: str, honorific: str, at: dict[str, list[int]] | None) -> Iterable[int]:
    """Where ``honorific`` stands in ``text``, in order: from ``at``, or by ``str.find``."""
    return find_all(text, honorific) if at is None else at[honorific]


def _cjk_names(text: str, at: dict[str, list[int]] | None) -> Iterator[re.Match[str]]:
    """What ``_CJK_NAME.finditer(text)`` yields, read only around the honorifics: a match is
    at most ``_CJK_REACH`` letters and the honorific after them, and has no look-around, so it
    lies within the stretch from ``_CJK_REACH`` before an honorific to the honorific's end;
    those stretches, overlapping ones joined, hold every match, each wholly (0.8 ms a 100,000
    characters of text with CJK letters, where the pattern was tried at each of them)."""
    stretches = sorted(
        (max(0, position - _CJK_REACH), position + len(honorific))
        for honorific in _CJK_HONORIFICS
        for position in _where(text, honorific, at)
    )
    for low, high in merged_windows(stretches):
        yield from _CJK_NAME.finditer(text, low, high)


def _korean_name_before(text: str, at: int) -> tuple[int, int] | None:
    """The three syllables of a full name before the honorific at ``at``, if they are one."""
    end = at - 1 if at and text[at - 1] == " " else at
    start = end - 3
    if start < 0 or not all("\uac00" <= char <= "\ud7a3" for char in text[start:end]):
        return None
    if start and "\uac00" <= text[start - 1] <= "\ud7a3":
        return None  # a longer word: "택배기사님"
    word = text[start:end]
    if word in _KOREAN_TITLES or word[0] not in surnames("ko_KR"):
        return None
    return start, end
