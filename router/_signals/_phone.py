"""Telephone numbers in free text, told apart from dates, prices, versions and order numbers.

Google's libphonenumber (the ``phonenumbers`` package) was measured first: its
``PhoneNumberMatcher`` takes about 135 µs on a 1,000-character prompt, the whole budget of
the routing decision, and it needs a region to read national numbers. So a number is found
here in two steps instead:

1. one pattern finds runs of digit groups joined by single spaces, dots, dashes or
   brackets (``+41 (0)38 549 02 90``, ``(579)888-3058x12``, ``0490 75 40 81``), or by a
   slash after the area code (``030/12345678``, ``030 / 123 456 78``);
2. the run's shape decides. International (``+CC``/``00CC``), North-American
   (``(555) 123-4567``) and trunk-zero national numbers (``07700 900 123``) stand on their
   own. Any other grouping of 7-12 digits (``467 3395``, ``28-64-66-98``) or a bare run of
   10-11 digits is only a phone number when a phone word (phone, call, mobile, fax, …) is
   near it, because on shape alone it could as well be a quantity, a postcode pair or an id.

Dates, IPv4-shaped runs and numbers right after "order", "invoice", "#" and the like are
never phone numbers.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["PHONE_PATTERN", "phone_at"]

# A group is a bracketed area/country code or a run of digits; groups are joined by one
# space, dot or dash, or directly after a closing bracket. The body is atomic so a run that
# fails the trailing check is rejected whole instead of being shortened into a fragment.
PHONE_PATTERN: Final = re.compile(
    r"""
    (?<![0-9A-Za-z_+$€£¥#)])(?<![0-9][ .,:/-])
    (?>
      \+?(?:\(\+?[0-9]{1,4}\)|[0-9]{1,12})
      (?:(?:[ .-]|(?<=\))|(?=\(0\))|[ ]?/[ ]?)(?:\([0-9]{1,4}\)|[0-9]{1,12})){0,6}
    )
    (?P<ext>[ ]?(?:x|ext\.?|extension)[ ]?[0-9]{1,6})?
    (?![\w+]|[.,:/-]?[0-9])
    """,
    re.VERBOSE | re.ASCII,
)

_NANP: Final = re.compile(r"(?:\+?1[ .-]?)?\(?[2-9][0-9]{2}\)?[ .-]?[0-9]{3}[ .-][0-9]{4}", re.ASCII)
_DATE: Final = re.compile(
    r"(?:[0-9]{4}[ ./-][0-9]{1,2}[ ./-][0-9]{1,2}|[0-9]{1,2}[ ./-][0-9]{1,2}[ ./-](?:[0-9]{4}|[0-9]{2}))",
    re.ASCII,
)
_DOTTED_QUAD: Final = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}", re.ASCII)
# German, Austrian, Swiss and Balkan numbers set the area code off with a slash
# ("030/12345678", "0664 / 123 45 67", "+49 30/1234567"): one slash, right after a trunk-zero
# or international area code, then a group of three digits or more. Any other slash is a
# date, a fraction or a path ("03/12 4567890" is a month and a number).
_AREA_SLASH: Final = re.compile(
    r"(?:0[0-9]{1,4}|\+[0-9]{1,3} (?:\(0\) ?)?[1-9][0-9]{0,4}) ?/ ?[0-9]{3}", re.ASCII
)
_GROUP: Final = re.compile(r"[0-9]+", re.ASCII)

# Words that make an ambiguous digit run a phone number, in the 30 languages of the
# language signal: phone, mobile, call (me), contact, fax and the like. Matched as word
# prefixes ("call" covers "called", "calling"); looked for shortly before or right after
# the run. All context patterns are matched against lower-cased slices: ``re.IGNORECASE``
# makes each search several times slower. Word edges are ASCII (``re.ASCII``), so that a
# label written against Japanese or Russian text ("お問い合わせはphone:") still has its edge;
# the words of other scripts, and Latin words whose first letters are not ASCII, are listed
# apart, without an edge test, because kana, ideographs and Hangul are written without spaces.
# A cue that is also a common word takes the word after it ("ring me", "bel me", "rufen
# Sie"): "ring", "bel" and "ruf" alone are a circle, a bell and a reputation.
_PHONE_WORDS: Final = re.compile(
    r"\b(?:phone|tel|call|mobil|cell|fax|contact|reach|sms|text|whatsapp|dial|answering|"
    r"landline|hotline|message|voicemail|gsm|viber|"
    # A person's "number" is their phone's: "my number is 07700900123", "mon numéro : 06…".
    r"(?:my|our|his|her|your) number|(?:mon|notre|votre) num|(?:meine|unsere|ihre) nummer|"
    r"mi n[uú]mero|(?:il )?mio numero|meu n[uú]mero|mijn nummer|m[oó]j numer|"
    r"ring (?:me|us|mig|meg|oss|os|til|till|på)\b|"  # en, da, nb, sv
    r"handy|anruf|rufnummer|rufen sie|ruf mich|ruf uns|ruf an|durchwahl|festnetz|erreichbar|"  # de
    r"portable|appel|"  # fr
    r"llam|movil|celular|cellulare|chiama|contatt|ligue|ligar|contat|"  # es, it, pt
    r"mobiel|bel (?:me|mij|ons|naar|op)\b|bellen|"  # nl
    r"zadzwo|dzwo|zavol|volej|"  # pl, cs
    r"puhelin|matkapuh|soita|soitt|hubungi|ponsel|suna|arayin|zalo|"  # fi, id, ro, tr, vi
    # "My number" in the other languages the router routes, where it is the phone's too.
    r"(?:mitt|mit|vores|v[aå]rt) nummer|numeroni|moje [cč][ií]slo|nomor (?:saya|aku|hp)|nomorku|"
    r"numaram|sz[aá]mom)"
    r"|tél|móvil|llám|rückruf|komórk|kännyk|hívj|hívás|sună|arayın|numărul meu|mé číslo|"
    r"телефон|тел\.|моб|звон|сотов|обад|дзвон|"  # ru, bg, uk
    r"мой номер|мій номер|моят номер|номер мой|"
    r"τηλ|κινητ|καλέστε|κάλεσ|νούμερό μου|αριθμό μου|"  # el
    r"電話|携帯|連絡先|ファックス|ファクス|电话|手机|手機|联系|聯繫|聯絡|致电|拨打|撥打|传真|傳真|"  # ja, zh
    r"私の番号|僕の番号|我的号码|我的號碼|"
    r"전화|휴대|연락처|핸드폰|팩스|내 번호|제 번호|โทร|มือถือ|ติดต่อ|เบอร์|"  # ko, th
    r"फ़ोन|फोन|मोबाइल|कॉल|संपर्क|मेरा नंबर|मेरा नम्बर|"  # hi
    r"هاتف|جوال|اتصل|موبايل|تليفون|واتس|رقمي|تلفن|موبایل|تماس|شماره من|شماره‌ام|"  # ar, fa
    r"טלפון|נייד|התקשר|חייג|המספר שלי|"  # he
    r"điện thoại|sđt|gọi|di động|liên hệ|số của tôi",  # vi
    re.ASCII,
)
# Where a number is reached ("office", "desk", "home") is a phone label only right next to
# it: "Office: 467 3395", "416 60 039 office"; "our office is at 17031 2202 …" is an address.
_LABEL_BEFORE: Final = re.compile(r"\b(?:office|desk|home|work)\s*:\s*\Z", re.ASCII)
_LABEL_AFTER: Final = re.compile(r"\A[\s-]*(?:office|desk|home|work)\b", re.ASCII)
# A number followed on its line by a street word is a house number and a postcode.
_STREET_AFTER: Final = re.compile(
    r"\A[^\n]{0,30}?(?<![a-z])(?:st|street|rd|road|ave|avenue|blvd|boulevard|lane|ln|drive|dr|way|rue|"
    r"strasse|straße|apt|suite|unit|box|hwy|highway|court|ct|place|pl|square|sq)(?![a-z])"
)
_CONTEXT_BEFORE: Final = 40
_CONTEXT_AFTER: Final = 16

# A run right after one of these labels is an identifier, not a phone number.
_ID_LABEL: Final = re.compile(
    r"(?:\b(?:order|invoice|ref|reference|tracking|ticket|case|account|acct|sku|serial|part|"
    r"model|id|po)(?:\s*(?:number|num|no\.?|#))?|#|\bno\.?)\s*[:.]?\s*\Z",
    re.ASCII,
)

# What the window before the number ends with where ``_ID_LABEL`` finds its label: a word, a
# "#" (or "no." without its dot), once the blanks, colons and dots after it are stripped.
_ID_LABEL_ENDINGS: Final = (
    "order", "invoice", "ref", "reference", "tracking", "ticket", "case", "account", "acct", "sku", "serial",
    "part", "model", "id", "po", "number", "num", "no", "#",
)  # fmt: skip


def _after_id_label(window: str) -> bool:
    """``_ID_LABEL.search(window)``, searched (every start tried, 16 us) only where the
    window ends as it needs."""
    return window.rstrip(" \t\n\r\f\v:.").endswith(_ID_LABEL_ENDINGS) and _ID_LABEL.search(window) is not None


def phone_at(text: str, match: re.Match[str]) -> bool:
    """Whether a ``PHONE_PATTERN`` match is a telephone number in its context."""
    start, end = match.span()
    body = text[start : match.start("ext")] if match.group("ext") else match.group()
    kind = _shape(body)
    if kind is None or _after_id_label(text[max(0, start - 24) : start].lower()):
        return False
    if "/" in body and text[start - 1 : start] == "/":
        return False  # a path's directories: "/srv/030/12345678"
    return kind == "strong" or _near_phone_word(text, start, end)


def _shape(body: str) -> str | None:
    """``"strong"`` for a number that is a phone by its format alone, ``"weak"`` when it
    needs a phone word nearby, ``None`` when it is not a phone number at all."""
    if "/" in body and (body.count("/") > 1 or not _AREA_SLASH.match(body)):
        return None
    groups = _GROUP.findall(body)
    digits = "".join(groups)
    if not 7 <= len(digits) <= 15 or _DATE.fullmatch(body) or _DOTTED_QUAD.fullmatch(body):
        return None
    if body.startswith(("+", "(+")):
        return "strong" if len(digits) >= 8 else "weak"
    if _NANP.fullmatch(body):
        return "strong"
    if len(groups) == 1:
        # A bare run: 9-12 digits is a national number written without spaces (a Spanish or
        # Portuguese mobile has 9, a German one 11-12), anything else is far more often a
        # quantity or an id; and these only count next to a phone word.
        return "weak" if 9 <= len(digits) <= 12 else None
    if len(digits) > 12 and not digits.startswith("00"):
        return None
    if _short_groups(groups):
        return "weak"
    if digits.startswith("00") and len(digits) >= 10:
        return "strong"  # international call prefix: 00 44 20 7946 0958, 001-253-366-9781
    if digits.startswith("0") and 10 <= len(digits) <= 11:
        return "strong"  # trunk-zero national number: 0490 75 40 81, (08) 8747 6301
    return "weak"


def _short_groups(groups: list[str]) -> bool:
    """Whether a single-digit group appears after the first: '1 2 3 4 5 6 7' is a list, not a
    phone number (the first group may be one digit: a trunk or country code)."""
    return any(len(group) == 1 for group in groups[1:])


def _near_phone_word(text: str, start: int, end: int) -> bool:
    """Whether a phone word stands shortly before the run or on its line right after it,
    and no street name follows it."""
    following = text[end : end + 40].lower()
    if _STREET_AFTER.match(following):
        return False
    before = text[max(0, start - _CONTEXT_BEFORE) : start].lower()
    after = following[:_CONTEXT_AFTER].split("\n", 1)[0]
    return bool(
        _PHONE_WORDS.search(before)
        or _PHONE_WORDS.search(after)
        or _LABEL_BEFORE.search(before)
        or _LABEL_AFTER.match(after)
    )
