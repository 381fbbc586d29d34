"""Names after "my name is" and "name:" in scripts without letter case.

Latin, Cyrillic and Greek names go by their capitals (``_people.names``); Arabic, Hebrew,
Persian, Devanagari, Thai, Chinese, Japanese and Korean have none, so a name there is read from
what introduces it: a self-introduction ("اسمي", "मेरा नाम", "私の名前は", "제 이름은") or a form's
label ("姓名：", "氏名：", "이름:"). The name is then the words of the script that follow:

- spaced scripts (Arabic, Hebrew, Persian, Devanagari): the next word, and the one after it
  unless it is a copula or particle ("है", "است", "هو");
- Thai: the run of Thai letters up to the next space, and the surname after one space (after
  a self-introduction or a form's "ชื่อ:");
- Chinese and Japanese: two to four ideographs (or a katakana name) up to a particle or
  punctuation; after the ambiguous "我叫" ("I am called", also "I told ... to") only a run that
  starts with one of the 400 surnames Faker's zh_CN and zh_TW lists give, and the same after a
  form's field for a person ("患者：", "收件人：", "お客様：", with Faker's ja_JP surnames too);
- Korean: the Hangul run after the cue without its ending ("입니다", "이에요", "씨"), two to
  four syllables starting with a surname of Faker's ko_KR list.

Names before an honorific (様, 先生, 씨, 님) are read in ``_honorifics``.

Faker's one-character surnames are read here rather than from ``_names.NameLists``, which keeps
words of two letters or more (a one-letter Latin "name" is an initial).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from router._signals._keyword_search import AS_WRITTEN, Family, KeywordSearch
from router._signals._names import name_lists
from router._signals._text import keyword_pattern

__all__ = ["cued_names", "second_spaced_word", "surnames"]

Span = tuple[str, int, int]

# Cues of the spaced scripts: the name follows after white space.
_SPACED_CUES: Final = (
    "اسمي", "إسمي", "اسمى", "أنا اسمي", "الاسم:", "الاسم :", "اسم:",
    "שמי", "שמי הוא", "קוראים לי", "השם שלי", "השם שלי הוא", "שם:", "שם מלא:",
    "نام من", "اسم من", "نام:", "نام و نام خانوادگی:",
    "मेरा नाम", "मेरा नाम है", "नाम:", "पूरा नाम:",
)  # fmt: skip
# Thai writes words without spaces, so "ชื่อ" (name) alone is inside other words (รายชื่อ, a
# list of names): only whole self-introductions and the form's "name-surname:" label.
_THAI_CUES: Final = ("ชื่อของฉันคือ", "ผมชื่อ", "ฉันชื่อ", "ดิฉันชื่อ", "ชื่อ-นามสกุล:", "ชื่อ:", "ชื่อ :")
# Chinese and Japanese cues whose next words are a name, and "我叫", whose next words may not be.
_CJK_CUES: Final = (
    "我的名字是", "我的名字叫", "我名叫", "姓名：", "姓名:", "名字：", "名字:",
    "私の名前は", "僕の名前は", "名前は", "氏名：", "氏名:", "名前：", "名前:", "申します",
)  # fmt: skip
_AMBIGUOUS_CJK_CUES: Final = ("我叫", "我是")
# A form's field for a person (patient, contact, recipient, customer, applicant, cardholder; in
# Japanese customer, person in charge, addressee): often a name, as often a word ("患者：男性",
# male), so only a run that starts with a known surname.
_CJK_FIELD_CUES: Final = tuple(
    label + colon
    for label in (
        "患者", "病人", "联系人", "聯絡人", "收件人", "收货人", "客户", "客戶", "申请人", "持卡人",
        "お客様", "お客様名", "担当", "担当者", "患者名", "宛名", "宛先", "申込者", "契約者",
    )
    for colon in ("：", ":")
)  # fmt: skip
_KOREAN_CUES: Final = ("제 이름은", "내 이름은", "이름은", "이름:", "이름 :", "성명:", "성명 :")

_CUE_WORDS: Final = (
    _SPACED_CUES + _THAI_CUES + _CJK_CUES + _AMBIGUOUS_CJK_CUES + _CJK_FIELD_CUES + _KOREAN_CUES
)
_CUE: Final = re.compile(keyword_pattern(_CUE_WORDS, word_end=False))
# Every match is one of the cues: tried only where the scan's shared pass over the text as
# written finds one, which spares a pass of the trie (0.3-0.5 ms a 100,000 characters).
_CUE_SEARCH: Final = KeywordSearch(Family(_CUE_WORDS, AS_WRITTEN), _CUE)
_CASELESS: Final = re.compile(
    r"[\u0590-\u06ff\u0900-\u097f\u0e00-\u0e7f\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7a3]"
)

_SPACED_WORD: Final = re.compile(
    r"\s*([\u0621-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc]{2,}|[\u05d0-\u05ea]{2,}"
    r"|[\u0904-\u0939\u0958-\u0961\u0972-\u097f][\u0900-\u0963\u0971-\u097f]+)"
)
# Copulas, particles and pronouns that follow a name or begin what is not one.
_NOT_NAMES: Final = frozenset(
    ("है", "हूँ", "हूं", "था", "और", "का", "की", "के", "है।", "هو", "هي", "است", "هستم", "و", "من", "او",
     "على", "في", "من", "أنا", "אני", "הוא", "היא", "של", "ו", "ما", "چیست", "क्या", "कौन")
)  # fmt: skip
_THAI_WORD: Final = re.compile(r"\s?([\u0e01-\u0e4e]{2,})(?: ([\u0e01-\u0e4e]{2,}))?")
_CJK_RUN: Final = re.compile(r"\s*([\u4e00-\u9fff]{2,4}|[\u30a1-\u30fa\u30fc]{2,12})(?=[^\u4e00-\u9fff]|\Z)")
# "<name>と申します" ("I am called"): a surname and given name of two to four ideographs, whole
# (a longer run is a noun: "不動産査定と申しますのは", "what is called a property valuation").
_JAPANESE_BEFORE_CUE: Final = re.compile(r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff]{2,4})と\Z")
_HANGUL_RUN: Final = re.compile(r"\s*([\uac00-\ud7a3]{2,8})")
_KOREAN_ENDINGS: Final = (
    "입니다",
    "이에요",
    "예요",
    "이고",
    "이며",
    "라고",
    "이라고",
    "씨",
    "님",
    "은",
    "는",
    "이",
    "가",
)


def cued_names(text: str) -> Iterator[Span]:
    """Yield ``("person", start, end)`` for every name a cue introduces in a caseless script."""
    if text.isascii() or _CASELESS.search(text) is None:
        return
    for cue in _CUE_SEARCH.finditer(text):
        found = _name_after(text, cue.group(), cue.start(), cue.end())
        if found is not None:
            yield "person", *found


def _name_after(text: str, cue: str, start: int, end: int) -> tuple[int, int] | None:
    if cue in _SPACED_CUES:
        return _spaced_name(text, cue, start, end)
    if cue in _THAI_CUES:
        name = _THAI_WORD.match(text, end)
        return None if name is None else (name.start(1), name.end(name.lastindex or 1))
    if cue == "申します":
        before = _JAPANESE_BEFORE_CUE.search(text, max(0, start - 6), start)
        return None if before is None else before.span(1)
    if cue in _CJK_CUES or cue in _AMBIGUOUS_CJK_CUES or cue in _CJK_FIELD_CUES:
        name = _CJK_RUN.match(text, end)
        if name is None:
            return None
        if cue in _AMBIGUOUS_CJK_CUES and not _chinese_surname(name.group(1)):
            return None
        if cue in _CJK_FIELD_CUES and not _cjk_surname(name.group(1)):
            return None
        return name.span(1)
    return _korean_name(text, end)


def _spaced_name(text: str, cue: str, start: int, end: int) -> tuple[int, int] | None:
    if (start and _CASELESS.match(text, start - 1)) or (cue[-1] != ":" and _CASELESS.match(text, end)):
        return None  # the cue's letters begin or end another word ("שמידט" is Schmidt)
    first = _SPACED_WORD.match(text, end)
    if first is None or first.group(1) in _NOT_NAMES:
        return None
    second = second_spaced_word(text, first.end())
    return first.start(1), second.end(1) if second is not None else first.end(1)


def second_spaced_word(text: str, end: int) -> re.Match[str] | None:
    """The word after a name's first word (ending at ``end``), as group 1, when it is of a
    spaced script without case, on the same line, and no copula, particle or pronoun: the
    family name of "मेरा नाम राम शर्मा है"; ``None`` otherwise."""
    second = _SPACED_WORD.match(text, end)
    if second is None or second.group(1) in _NOT_NAMES or "\n" in text[end : second.start(1)]:
        return None
    return second


def _korean_name(text: str, end: int) -> tuple[int, int] | None:
    run = _HANGUL_RUN.match(text, end)
    if run is None:
        return None
    word = run.group(1)
    for ending in _KOREAN_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 2:
            word = word[: -len(ending)]
            break
    if not 2 <= len(word) <= 4 or word[0] not in surnames("ko_KR"):
        return None
    return run.start(1), run.start(1) + len(word)


def _cjk_surname(run: str) -> bool:
    """Whether ``run`` starts with a Chinese surname or one of Faker's Japanese ones."""
    return _chinese_surname(run) or run[:2] in surnames("ja_JP")


def _chinese_surname(run: str) -> bool:
    # Each set looked up in turn: their union, built per call, cost 12 us.
    if len(run) > 3:
        return False
    mainland, taiwan = surnames("zh_CN"), surnames("zh_TW")
    return run[0] in mainland or run[0] in taiwan or run[:2] in mainland or run[:2] in taiwan


def surnames(locale: str) -> frozenset[str]:
    """Faker's surnames for ``locale`` (one of ``SURNAME_LOCALES``), from the name lists' cache;
    empty without Faker (cues then find fewer names)."""
    return name_lists().surnames.get(locale, frozenset())
