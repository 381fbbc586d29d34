"""Street addresses in the formats the European patterns of ``_places`` do not read.

* An address field: a label of any of the router's 30 languages ("Adresa:", "Адрес:",
  "住所：", "地址：", "주소:", "Địa chỉ:", ...) and, on the same line, a value with a number and
  letters. Not after the words of other addresses ("IP address:", "E-Mail-Adresse:"), nor
  where the number goes on as an IP address, a time or a decimal.
* The street word first and the house number last, in the scripts without capitals to tell
  a name by: Cyrillic (``ул. Тверская, д. 12``), Greek (``οδός Ερμού 12``), Arabic, Persian,
  Hebrew and Thai (``شارع التحرير 12``, ``רחוב הרצל 12``, ``ถนนสุขุมวิท 21``).
* The house number after "No"/"Nomor" in Turkish and Indonesian (``Atatürk Cad. No: 12``,
  ``Jl. Sudirman No. 12``); the number first in Vietnamese, Thai and Arabic
  (``123 đường Lê Lợi``).
* East Asian addresses by their units: Japanese 都道府県, 市区町村 then 丁目, 番 or a
  dashed block number (``東京都千代田区千代田1-1``); Chinese 省市区县 then 路街道巷 and the
  number with 号 (``北京市朝阳区建国路88号``); Korean 시도구군 then a road in 로/길 and its
  number (``서울특별시 강남구 테헤란로 123``).

* US military mail: a ship's or unit's line, then ``FPO AE 44941`` (APO, FPO or DPO, the
  AA, AE or AP "state" and the ZIP code), read where "po a" is written at all.

Each but the last is tried at a number that ``_places`` reads, after a test of a character or two around
it (the character before or after the number, a colon before it, any non-ASCII letter
before it), so that prose numbers cost no pattern.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from router._signals._text import keyword_pattern, merged_windows, word_class

__all__ = ["military_addresses", "world_address"]

Span = tuple[str, int, int]

_LABEL_WORDS: Final = (
    "address", "adresa", "adresă", "adress", "adresse", "adres", "adresi", "anschrift", "dirección",
    "domicilio", "indirizzo", "endereço", "morada", "osoite", "katuosoite", "διεύθυνση", "адрес",
    "адреса", "כתובת", "पता", "ที่อยู่", "alamat", "địa chỉ", "lakcím", "住所", "所在地", "地址",
    "住址", "주소", "آدرس", "نشانی",
)  # fmt: skip
# The label, a colon, and up to 40 characters of the value on its line before the number.
_ADDRESS_LABEL: Final = re.compile(
    "(?:" + keyword_pattern(_LABEL_WORDS, word_end=False) + r")[ \t]*:[ \t]*(?P<value>[^\n:@/]{0,40})\Z"
)
_LABEL_LONGEST: Final = max(map(len, _LABEL_WORDS))
# The words before a label that make it another kind of address.
_NOT_POSTAL: Final = re.compile(
    r"(?:(?<![^\W\d_])(?:e-?mail|mail|ip|ipv[46]|mac|web|url|server|memory|wallet|bitcoin|btc|eth|"
    r"contract|e-?posta|correo|courriel|почты|почта|эл|электронной|host|network|gateway|broadcast|"
    r"return|base|hex|pointer)|邮件|邮箱|网络|服务器|メール|이메일)[\s.-]*\Z"
)
# Where an address field's value ends: a line, a cell or a sentence.
_VALUE_END: Final = re.compile(r"[\n\r\t;|。]|\.\s|\s{2}")
_VALUE_REACH: Final = 80
_LETTER: Final = re.compile(r"[^\W\d_]")

# Street words that come before the street's name, in scripts without capitals; then the name
# (no digits, no sentence punctuation), an optional house marker, the number.
# The words are prefixes, so a stem stands for its cases: "на улице Ленина, дом 5" (on the
# street), "στην οδό Ερμού 10" (to the street), "της λεωφόρου Κηφισίας 120".
_WORD_FIRST_WORDS: Final = (
    "ул.", "улиц", "вул.", "вулиц", "просп.", "проспект", "пр-т", "пр-кт", "пер.", "переул",
    "провул", "бул.", "бульвар", "булевард", "наб.", "набережн", "шоссе", "пл.", "площад", "площа",
    "οδό", "οδού", "οδ.", "λεωφόρ", "λεωφ.", "πλατεί", "شارع", "خیابان", "کوچه", "بلوار", "רחוב", "רח'",
    "רח׳", "שדרות", "שד'", "שד׳", "ถนน", "ถ.", "ซอย", "ซ.",
)  # fmt: skip
_HOUSE_MARKS: Final = r"(?:д\.|дом|буд\.|будинок|№|αρ\.|پلاک|מס'|מספר|เลขที่)"
_WORD_FIRST: Final = re.compile(
    "(?:" + keyword_pattern(_WORD_FIRST_WORDS, word_end=False) + r")[ \t]*[^\d\n,.;:()]{1,40}?"
    r"[,،]?[ \t]*(?:" + _HOUSE_MARKS + r"[ \t]*)?\Z"
)
_CYRILLIC_OR_GREEK: Final = re.compile(r"[\u0370-\u052f]")
# A street word in another case is also an ordinary phrase: "на улице холодно, 5 градусов" is
# "outside it is cold, 5 degrees". Written so, the street's name must start with a capital;
# the words as an address line writes them take one in lower case too ("ул. ленина, д. 5").
_ADDRESS_LINE_WORDS: Final = frozenset(
    (
        "ул.", "улица", "вул.", "вулиця", "проспект", "переулок", "провулок", "бульвар",
        "набережная", "площадь", "площа", "οδός", "οδ.", "λεωφόρος", "λεωφ.", "πλατεία",
    )
)  # fmt: skip
_STREET_WORD: Final = re.compile(r"[^\W\d_][\w'׳.-]*")

# "Atatürk Cad. No: 12", "Bağdat Caddesi No:12", "Jl. Sudirman No. 12", "Jl. Jend. Sudirman Kav. 52".
_NUMBER_MARK_ENDINGS: Final = ("no", "no.", "no:", "nomor", "nomor:", "numara", "numara:", "kav", "kav.")
_MARKED_NUMBER: Final = re.compile(
    r"(?:(?<![^\W\d_])(?i:jl|jln|jalan|gg|gang)\.?\s+[^\W\d_][^\n\d,;:()]{1,40}?"
    r"|[^\W\da-z_][^\n\d,;:()]{0,40}?\s(?i:cad|cd|caddesi|cadde|sok|sk|sokak|sokağı|bulvarı|blv|"
    r"bulvar|mah|mahallesi|yolu)\.?)"
    r",?\s*(?i:no|nomor|numara|kav)\s*[.:]?\s*\Z"
)

# The number first: "123 đường Lê Lợi" (a capitalised name follows), "99/1 ถนนสุขุมวิท",
# "12 شارع التحرير".
_NUMBER_FIRST: Final = re.compile(
    r"[0-9]{1,5}[a-z]?(?:/[0-9]{1,4})?,?[ \t]*(?:"
    r"(?P<vi>(?:đường|phố|ngõ|hẻm)[ \t]+)"
    r"|(?:ถนน|ถ\.|ซอย|ซ\.)[ \t]*[^\s\d,;:()]{1,30}"
    r"|شارع[ \t]+[^\s\d,;:()]{2,30})"
)
_NAME_WORD: Final = re.compile(r"[^\W\d_]+")
_NAME_WORDS: Final = 5

# Japanese: a prefecture, city, ward, town or village, then the block (丁目, 番 or "1-1").
_JA_UNITS: Final = re.compile(r"[一-鿿々〆ヶァ-ヺー]{0,12}[都道府県市区町村郡][一-鿿々〆ヶァ-ヺー]{0,12}\Z")
_JA_BLOCK: Final = re.compile(
    r"[0-9]{1,4}(?:丁目|番地?|-(?=[0-9]))[0-9]{0,4}(?:番地?|号|-)?[0-9]{0,4}号?"
    r"(?![0-9月日年時分秒%人歳回件個円台])"
)
_JA_BLOCK_STARTS: Final = frozenset("丁番-")
_KANJI_OR_KATAKANA: Final = re.compile(r"[一-鿿々〆ヶァ-ヺー]")
# Chinese: a province, city, district or county, then a road, street or lane, the number, 号.
_ZH_UNITS: Final = re.compile(
    r"[^\s\d,，。、:：;；()（）]{0,12}[省市区縣县區州][^\s\d,，。、:：;；()（）]{0,16}[路街道巷弄段里]\Z"
)
_ZH_ROAD_ENDS: Final = frozenset("路街道巷弄段里")
_ZH_NUMBER_ENDS: Final = frozenset("号號弄")
# Korean: a city, province, district or county, then a road in 로 or 길 and its number.
_KO_UNITS: Final = re.compile(r"[가-힣]{1,10}(?:시|도|구|군)\s[가-힣0-9 ]{0,30}[로길]\s?\Z")
# The counters written after a number: minutes, people, things, won, days, months, years...
# ("번" also numbers a road: "264번길", whose house number follows).
_KO_COUNTERS: Final = frozenset("분명개원일월년시초세층차회장권대배살위등곳건편종주채평번")


def world_address(text: str, lowered: str, before: str, low: int, start: int, end: int) -> Span | None:
    """The address that ends with (or, in Vietnamese, Thai and Arabic, starts with) the
    number ``text[start:end]``; ``before`` is ``lowered[low:start]``."""
    if ":" in before and (found := _labelled(text, lowered, low, start, end)):
        return found
    stripped = before.rstrip()
    if before.isascii():
        # Of the formats here, only the Latin "No" ones can stand in ASCII before a number.
        if stripped.endswith(_NUMBER_MARK_ENDINGS):
            return _ending_at(_MARKED_NUMBER.search(text, low, start), end) or _number_first(
                text, lowered, start, end
            )
        return _number_first(text, lowered, start, end)
    return _non_ascii_ending_at(text, lowered, stripped, low, start, end) or _number_first(
        text, lowered, start, end
    )


def _non_ascii_ending_at(
    text: str, lowered: str, stripped: str, low: int, start: int, end: int
) -> Span | None:
    """The address ending at the number, where non-ASCII text stands before it."""
    if not stripped:
        return None  # only white space before it ("\x85", a next-line character, is non-ASCII)
    last = stripped[-1]
    following = text[end : end + 1] or "$"
    if last in _ZH_ROAD_ENDS and following in _ZH_NUMBER_ENDS:
        found = _ending_at(_ZH_UNITS.search(text, low, start), end + 1)
    elif last in "로길" and _korean_number_ends(text, end):
        found = _ending_at(_KO_UNITS.search(text, low, start), end)
    elif (
        following in _JA_BLOCK_STARTS
        and _KANJI_OR_KATAKANA.match(text, start - 1)
        and (block := _JA_BLOCK.match(text, start))
    ):
        found = _ending_at(_JA_UNITS.search(text, max(low, start - 25), start), block.end())
    elif stripped.endswith(_NUMBER_MARK_ENDINGS):
        found = _ending_at(_MARKED_NUMBER.search(text, low, start), end)
    else:
        found = None
    return found or _word_first(text, lowered, low, start, end)


def _ending_at(match: re.Match[str] | None, end: int) -> Span | None:
    return None if match is None else ("street_address", match.start(), end)


def _labelled(text: str, lowered: str, low: int, start: int, end: int) -> Span | None:
    """An address field's value holding the number: "Adresa: Václavské náměstí 12, Praha"."""
    # The value holds no colon: the label stands before the last one, its blanks between
    # (searched from 60 characters back, each start tried its 31 words: 5-14 us a number).
    colon = lowered.rfind(":", low, start)
    if colon < 0:
        return None
    label = _ADDRESS_LABEL.search(lowered, max(low, _blanks_before(lowered, colon) - _LABEL_LONGEST), start)
    if label is None or not _label_stands_alone(text, lowered, label.start()):
        return None
    after = text[end : end + 2]
    if (after[:1] in (".", ":") and after[1:].isdigit()) or after[:1] in ("x", "X"):
        return None  # an IP address, a time, a decimal number or a memory address ("0x7ffe")
    value_start = label.start("value")
    reach = min(len(text), end + _VALUE_REACH)
    stop = _VALUE_END.search(text, end, reach)
    # The value's punctuation stripped from its end; only the window is copied, not the text.
    value_end = end + len(text[end : stop.start() if stop else reach].rstrip(" ,.-"))
    has_letter = _LETTER.search(text, value_start, start) or _LETTER.search(text, end, value_end)
    return ("street_address", value_start, value_end) if has_letter else None


def _label_stands_alone(text: str, lowered: str, at: int) -> bool:
    """Whether the label at ``at`` is a word of its own (not the end of "E-Mail-Adresse" or
    "Lieferadresse"; CJK labels join their words: "公司地址") and no word naming another kind
    of address stands before it."""
    if at and word_class(text[at - 1]) is not None and word_class(text[at]) is not None:
        return False
    return _NOT_POSTAL.search(lowered, max(0, at - 16), at) is None


def _korean_number_ends(text: str, end: int) -> bool:
    """Whether the number after a road ends as a house number does: alone, before a particle
    ("12에") or 번지/호, not before a counter ("12분", "3개"). A road number ("264번길 12") is
    left to the house number after it."""
    following = text[end : end + 1]
    return following not in _KO_COUNTERS or text.startswith("번지", end)


def _word_first(text: str, lowered: str, low: int, start: int, end: int) -> Span | None:
    match = _WORD_FIRST.search(lowered, low, start)
    if match is None:
        return None
    at = match.start()
    # "аул. 12" holds "ул.": a Cyrillic or Greek word must start there (Hebrew and Arabic
    # glue their prepositions to it: "ברחוב").
    if at and _CYRILLIC_OR_GREEK.match(text, at - 1) and text[at - 1].isalpha():
        return None
    if _CYRILLIC_OR_GREEK.match(text, at) and not _named_as_a_street(text, lowered, at):
        return None
    return "street_address", at, end


def _named_as_a_street(text: str, lowered: str, at: int) -> bool:
    """Whether the Cyrillic or Greek street word at ``at`` is one an address line writes, or
    the name after it starts with a capital (see ``_ADDRESS_LINE_WORDS``)."""
    word = _STREET_WORD.match(lowered, at)
    if word is None or word.group() in _ADDRESS_LINE_WORDS:
        return True
    after = text[word.end() : word.end() + 3]
    name = word.end() + len(after) - len(after.lstrip())
    return name < len(text) and not text[name].islower()


def _number_first(text: str, lowered: str, start: int, end: int) -> Span | None:
    if text[end : end + 12].isascii():
        return None  # every street word of the pattern has a non-ASCII letter
    match = _NUMBER_FIRST.match(lowered, start)
    if match is None:
        return None
    if match.group("vi") is None:
        return "street_address", start, match.end()
    # The street's name: its capitalised words ("Lê Lợi", "Nguyễn Thị Minh Khai").
    name_end = position = match.end()
    for _ in range(_NAME_WORDS):
        word = _NAME_WORD.match(text, position)
        # Title case: "2 ngõ SATA" counts ports, and "ngõ" is a port as well as a lane.
        if (
            word is None
            or not word.group()[0].isupper()
            or (len(word.group()) > 1 and word.group().isupper())
        ):
            break
        name_end = word.end()
        position = name_end + (text[name_end : name_end + 1] == " ")
    return None if name_end == match.end() else ("street_address", start, name_end)


# A ship's or unit's line ("USNS Saibara", "PSC 1234, Box 5678", "Unit 2050 Box 4190"), then on
# it or the next line the military post office, its "state" and the ZIP code.
_MILITARY: Final = re.compile(
    r"(?i:(?:\b(?:uss|usns|usnv|uscgc|psc|unit|cmr)\b[^\n]{1,40}?[ \t]*(?:\n[ \t]*|,[ \t]*|[ \t]+))?"
    r"\b[adf]po[ \t]+a[aep][ \t]+[0-9]{5})(?![0-9])"
)


# The post office, its "state" and the ZIP code: what every military address ends with. In
# the lower-cased text, from its "po" (a literal start, which ``re`` skips ahead to in C).
_MILITARY_OFFICE: Final = re.compile(r"(?i:[adf]po[ \t]+a[aep][ \t]+[0-9]{5})(?![0-9])")
_MILITARY_OFFICE_LOWER: Final = re.compile(r"po[ \t]+a[aep][ \t]+[0-9]{5}(?![0-9])")
# The longest ship's or unit's line before the separator: "uscgc" and 40 characters.
_MILITARY_LINE: Final = 46


def military_addresses(text: str, lowered: str) -> Iterator[Span]:
    """US military addresses (``USNS Saibara\\nFPO AP 12428``): the military post office and
    the line before it that names the ship or unit."""
    if "po a" not in lowered:
        return
    # ``_MILITARY`` over the whole text tries its optional first line at every position
    # (10 ms a 100,000 characters); it is run only around the post offices instead, over
    # windows that hold every start a match ending at one could have.
    windows = ((_military_reach(text, start), end) for start, end in _post_offices(text, lowered))
    for low, high in merged_windows(windows):
        # One character past the ZIP code (not a digit) for its look-ahead to see.
        for match in _MILITARY.finditer(text, low, high + 1):
            yield "street_address", match.start(), match.end()


def _post_offices(text: str, lowered: str) -> Iterator[tuple[int, int]]:
    """The spans of "FPO AE 12345" (any case); a few more do no harm."""
    if lowered is text:  # lower-casing changed the text's length: no lower-cased copy
        for office in _MILITARY_OFFICE.finditer(text):
            yield office.span()
        return
    for office in _MILITARY_OFFICE_LOWER.finditer(lowered):
        # No other letter lower-cases to (or matches, ignoring case) "a", "d" or "f".
        if office.start() and lowered[office.start() - 1] in "adf":
            yield office.start() - 1, office.end()


def _military_reach(text: str, office: int) -> int:
    """The earliest start of a military address whose post office starts at ``office``: the
    unit's line, then blanks, a line break or comma, and blanks."""
    before = _blanks_before(text, office)
    if before and text[before - 1] in "\n,":
        before = _blanks_before(text, before - 1)
    return max(0, before - _MILITARY_LINE)


def _blanks_before(text: str, end: int) -> int:
    """Where the run of spaces and tabs ending at ``end`` starts (read 64 characters at a time:
    a run may be as long as the text)."""
    start = end
    while start:
        low = max(0, start - 64)
        kept = len(text[low:start].rstrip(" \t"))
        start = low + kept
        if kept:
            break
    return start
