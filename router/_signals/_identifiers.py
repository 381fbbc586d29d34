"""Identifiers named as such in the text, and credentials written in it.

"passport number XG9382049", "patient ID AHC-0933289", "policy #88291-LK": the value has no
checksum and no fixed shape, but the words before it say what it is, so a value shaped like
an identifier (5-30 letters, digits and dashes with at least two digits) right after such
a label is a finding of the label's type, checksum or not. Labels are listed in English,
German, French, Spanish, Italian, Portuguese and Dutch, with the names national numbers go
by in other countries (CPF, personnummer, マイナンバー, 身份证号). A number after a generic label
("ID:", "Nr.", "n°") counts when it passes a national check (``_national_ids``).

Credentials: a value after "password", "passcode", "PIN" and their equivalents in the
language signal's languages (also as the end of a setting's name, ``DB_PASSWORD=``, and as a
quoted key, ``"password": "..."``), after "pass" as a setting or a field (``DB_PASS=``,
``pass: ...``), the words after "passphrase:", the codes that open a door or an alarm
("door code 4821"), a wallet's 12-24 recovery words after "seed phrase" or "mnemonic", and the
login pair ``jane@example.com / W!nter2024`` (an e-mail address, a slash, colon or bar, and
a password-like token), the password after a login as a pair (``login: admin / P@ssw0rd1``)
and "pass" after a user's name (``user admin pass hunter22``) are ``password`` findings.

A login named as one ("username: hshaw", "her login is helena.shaw", ``DB_USERNAME=``) is a
``record_id``, as a user id is: the name of a person's account.

The labels are found in one pass of one pattern over the lower-cased text (``re`` skips to
the characters labels start with); each value is then matched right after its label.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from operator import itemgetter
from typing import Final

from router._signals._digit_runs import run_starts
from router._signals._identifier_labels import KEY_LABELS, NOT_WORD_PASSWORDS, WORD_PASSWORD_LABELS
from router._signals._identifier_labels import LABELS as _LABELS
from router._signals._keyword_search import Family, KeywordSearch
from router._signals._national_ids import national_ids, stdnum_check, valid_national_number
from router._signals._text import continues_word, keyword_pattern, lower_same_length

__all__ = ["IDENTIFIER_TYPES", "IdentifierDetector"]

IDENTIFIER_TYPES: Final = ("national_id", "driver_license", "account_number", "record_id", "password")

Span = tuple[str, int, int]

_GENERIC_LABELS: Final = ("id", "nr", "no", "n°", "nº", "number", "nummer", "numéro", "número", "numero", "#")
# Short names of national numbers that are also words elsewhere (Spanish "sin", "without"):
# like the generic labels, the number after one counts only when it passes a national check
# (a Canadian SIN's Luhn digit, an NHS number's modulus 11, a National Insurance number's form).
_CHECKED_LABELS: Final = ("sin", "nhs", "ni number", "pan")
# Written in capitals, "SIN", "NHS" and "PAN" are the numbers' names (the Spanish word is so
# written only in a heading, as are "pan", bread, and the verb): a number in the printed layout
# after one counts with a mistyped check digit too ("SIN 046-454-286", "PAN: ABCDE1234F").
_CAPITALS_LAYOUTS: Final = {
    "sin": re.compile(r"[0-9]{3}([ -]?)[0-9]{3}\1[0-9]{3}"),
    "nhs": re.compile(r"[0-9]{3}([ -]?)[0-9]{3}\1[0-9]{4}"),
    "pan": re.compile(r"[A-Z]{5}[0-9]{4}[A-Z]"),
}


_KIND_OF: Final = {word: kind for kind, labels in _LABELS.items() for word in labels} | dict.fromkeys(
    (*_GENERIC_LABELS, *_CHECKED_LABELS), "generic"
)
# The start-of-word test is made on each match: a look-behind in front would stop ``re``
# from skipping ahead.
# Labels are split by the script of their first letter: ``re`` tries each first letter of a
# trie in turn at every position where any of them could start, so the 80 first letters of
# other scripts' labels would double the cost of every Latin position; ASCII text skips them.
# The kinds whose values need no digit.
_SECRET_KINDS: Final = ("password", "pass", "passphrase", "seed")
# The kinds whose values need no digit: their labels have passes of their own, not
# ``_ID_LABEL``'s, and may end a setting's name (``DB_PASSWORD=``, ``DB_USERNAME=``).
_SETTING_KINDS: Final = (*_SECRET_KINDS, "login")
_ID_WORDS: Final = [word for word, kind in _KIND_OF.items() if kind not in _SETTING_KINDS]
_ID_LABEL: Final = re.compile(keyword_pattern(w for w in _ID_WORDS if w[0] < "\u0250"))
_ID_LABEL_OTHER_SCRIPTS: Final = re.compile(keyword_pattern(w for w in _ID_WORDS if w[0] >= "\u0250"))
# Passwords need no digit, so their labels are looked for in every text, split the same way;
# the three Latin words whose first letters no other password word has ("a", "j", "l") cost
# a third more on every text, so they are looked for only where one is written.
_PASSWORD_WORDS: Final = [word for word, kind in _KIND_OF.items() if kind in _SECRET_KINDS]
_RARE_PASSWORD_WORDS: Final = ("adgangskode", "jelszó", "lösenord")
_PASSWORD_LABEL: Final = re.compile(
    keyword_pattern(w for w in _PASSWORD_WORDS if w[0] < "\u0250" and w not in _RARE_PASSWORD_WORDS)
)
_PASSWORD_LABEL_OTHER_SCRIPTS: Final = re.compile(
    keyword_pattern(w for w in _PASSWORD_WORDS if w[0] >= "\u0250")
)
_RARE_PASSWORD_LABEL: Final = re.compile(keyword_pattern(_RARE_PASSWORD_WORDS))
# The ID tries and the password trie are matched only where one of their words occurs
# (``KeywordSearch``): the words are found in one Aho-Corasick pass, shared with the other
# detectors, where ``re`` tried each trie at every letter (near a digit, for the ID labels:
# most of a text dense with numbers).
_ID_SEARCHES: Final = tuple(
    KeywordSearch(Family(words), pattern)
    for words, pattern in (
        ([word for word in _ID_WORDS if word[0] < "\u0250"], _ID_LABEL),
        ([word for word in _ID_WORDS if word[0] >= "\u0250"], _ID_LABEL_OTHER_SCRIPTS),
    )
)
_PASSWORD_SEARCH: Final = KeywordSearch(
    Family(w for w in _PASSWORD_WORDS if w[0] < "\u0250" and w not in _RARE_PASSWORD_WORDS), _PASSWORD_LABEL
)
_PASSWORD_SEARCH_OTHER_SCRIPTS: Final = KeywordSearch(
    Family(w for w in _PASSWORD_WORDS if w[0] >= "\u0250"), _PASSWORD_LABEL_OTHER_SCRIPTS
)
_RARE_PASSWORD_FAMILY: Final = Family(_RARE_PASSWORD_WORDS)


def _has_rare_password_word(lowered: str) -> bool:
    """Whether one of ``_RARE_PASSWORD_WORDS`` occurs: from the shared keyword pass, where a
    ``str.find`` each read the text three times (0.4 ms a 100,000 characters)."""
    found = _RARE_PASSWORD_FAMILY.occurrences(lowered)
    if found is None:
        return any(word in lowered for word in _RARE_PASSWORD_WORDS)
    return bool(found)


# A login's label is looked for only just before a ":", "=" or "：" (``_before_signs``), where
# form fields, settings and JSON keys put their values: a pass over the whole text would cost
# as much as the password labels'. The English "login is" / "username is" is looked for by name.
_LOGIN_LABEL: Final = re.compile(keyword_pattern(_LABELS["login"]))
_SIGNS: Final = (":", "=", "：")
_LOGIN_REACH: Final = max(map(len, _LABELS["login"])) + 4  # the label, a closing quote, spaces
_LOGIN_IS: Final = ("login is", "username is", "user name is")
# A name of letters, digits, "_", and "." or "-" between them, starting with an ASCII one
# ("jürgen.m"; "用户名：请输入" is a prompt to type one); not one an "@" goes on (an address,
# the e-mail detector's) or a bracket (``Optional[str]``, ``str(...)``: code).
_LOGIN_VALUE: Final = re.compile(r"[A-Za-z0-9](?:\w|[.-](?=[^\W_])){1,63}(?![\w@(\[<])")
# Values after "username:" that are a field's type or state, not a name: code and logs.
_NOT_LOGINS: Final = frozenset(
    (
        "str", "string", "int", "integer", "text", "varchar", "char", "bool", "boolean", "any",
        "none", "null", "nil", "true", "false", "optional", "required", "unknown", "undefined",
        "yes", "no", "ok", "failed", "fail", "success", "successful", "error", "invalid",
        "disabled", "enabled", "user", "username", "login", "email", "name", "the", "your", "my",
        "his", "her", "their", "our", "not", "and", "or",
    )
)  # fmt: skip

_POSSESSIVES: Final = frozenset(("my", "his", "her", "your", "their", "our"))
# What follows "my login is" when it says how the login is, not what it is.
_LOGIN_STATES: Final = frozenset(
    (
        "locked", "blocked", "wrong", "correct", "incorrect", "right", "too", "taken", "already",
        "still", "missing", "empty", "blank", "different", "same", "case", "gone", "expired",
        "suspended", "broken", "working", "rejected", "shown", "visible", "hidden", "below",
        "above", "attached", "just", "also", "now", "probably", "definitely", "actually", "a", "an",
        "in", "on", "at", "for", "being", "was", "has", "been", "very", "so", "set", "listed",
    )
)  # fmt: skip
# How far before its value's first digit a label can start: the longest label, what may join
# it to the value (``_value_after`` reads 24 characters), and the letters a value may start
# with before its digits (``_ID_VALUE``: at most 30 characters in all).
_LABEL_REACH: Final = max(map(len, _KIND_OF)) + 24 + 30 + 1


# Between label and value: "number", "no.", "#", ":", "is", "=" and the like, in any case
# ("Passport Number:", "Konto Nr."), a hyphen before the word ("Reisepass-Nr.:"), and the "."
# of a label that ends in "no" ("policy no. 88291-LK"). A word of a spaced script ends where
# its letters do, so that "num" is not read out of "nummer" nor "is" out of "ist" (which left
# the value unread and the number public); the words of unspaced scripts and Korean's
# particles run into what follows. A Russian passport's series comes first: "паспорт серия
# 4510 номер 123456".
# A key's closing quote first (``"password": "..."``), and an opening quote before the value.
# The white space before a word or sign possessive (none of them starts with white space or
# "-", so no match gives any back): backtracking into it, a run of 24 blanks cost 25 us.
_JOIN: Final = re.compile(
    r"[\"']?(?:[\s-]*+(?:(?:number|num|no\.?|nr\.?|n°|nº|nummer|numéro|número|numero|numer|id|code"
    r"|номер|серия|серии|серія|číslo|szám|numarası|număr|numărul|αριθμός|رقم|شماره|מספר|नंबर|संख्या|số|nomor)"
    r"(?![^\W\d_])"
    r"|#|หมายเลข|番号|号码|號碼|번호))?"
    r"(?:\s*+(?:(?:is|ist|lautet|was|war|est|était|es|era|è|é|foi|jest|wynosi|to|je|är|er)(?![^\W\d_])"
    r"|=>|:|=|-|#|\.|：|は|是|는|은)){0,2}\s*[\"'“]?",
    re.IGNORECASE,
)
# An identifier's value: letters and digits, two digits at least, joined by "-", "/" or ".",
# a space before a digit, or a space before a letter that ends it; a prefix of capitals may
# stand apart, as printed ("AB 12 34 56 C", a UK National Insurance number; "XG 938 2049"),
# and so may a first digit ("1 85 05 78 006 084 91", a French NIR as printed). What follows
# is no part of a longer token (an address, "v1.2"), but a full stop may end the sentence.
_ID_VALUE: Final = re.compile(
    r"(?=(?:[A-Z]{1,4} (?=[0-9]))?[A-Za-z-]*[0-9] ?[A-Za-z-]*[0-9])[A-Za-z0-9]"
    r"(?:[A-Za-z0-9]|[-/.](?=[A-Za-z0-9])|[ ](?=[0-9]|[A-Z](?![A-Za-z0-9]))){3,29}"
    r"(?![A-Za-z0-9@_%+-]|\.[A-Za-z0-9])"
)
# A vehicle's registration as plates print it: one to three groups of letters and digits
# joined by a space or a dash ("KA-AB 1234", "AB12 CDE", "AB-123-CD"), or one block
# ("7ABC123"); ``_plate_after`` wants a digit in it and drops a trailing word ("AB12 CDE was").
_PLATE_VALUE: Final = re.compile(
    r"(?:[A-Za-z0-9]{1,4}(?:[ -][A-Za-z0-9]{1,4}){0,2}|[A-Za-z0-9]{5,8})"
    r"(?![A-Za-z0-9@_%+-]|\.[A-Za-z0-9])"
)
_PLATE_REACH: Final = 15
_EIN_VALUE: Final = re.compile(r"[0-9]{2}-?[0-9]{7}(?![0-9A-Za-z])")
_PLATE_GROUPS: Final = re.compile(r"[ -]")
_CARD_CODE: Final = re.compile(r"[0-9]{3,4}(?![0-9A-Za-z])")
# After its label a card may be written a digit at a time ("4 1 1 1 1 1 …"): 12-19 digits,
# one space or dash before any of them.
_CARD_VALUE: Final = re.compile(r"[0-9](?:[ -]?[0-9]){11,18}(?![0-9])")
_CARD_REACH: Final = 37
_SECRET_VALUE: Final = re.compile(r"[\"'“]?(?P<value>[^\s\"'”]{4,64})")
# Each word starts after one space, so a space run is read in one way only.
_PHRASE_VALUE: Final = re.compile(r"[\"'“]?(?P<value>[^\s\"'”]{1,64}(?: [^\s\"'”]{1,64}){0,9})")
# A wallet's recovery words (BIP 39): 12 to 24 words of three to eight lower-case letters, as
# wallets print them, separated by spaces, commas or line breaks.
_SEED_VALUE: Final = re.compile(r"[\"'“]?(?P<value>[a-z]{3,8}(?:[ ,\n]{1,3}[a-z]{3,8}){11,23})(?![a-z])")
# Where a field's name starts a line or a field: a line break, a quote or a bracket before it
# (spaces, a list's dash or star, a comment's "#" between them).
_FIELD_START: Final = re.compile(r"(?:\A|[\n\r\"'{\[(,;|&?])[ \t*#-]*\Z")
# Or after another field written "name=value" ("user=root pass=toor123": a command line, a
# connection string, a log line).
_AFTER_SETTING: Final = re.compile(r"(?:\A|\s)[A-Za-z_][\w.-]*=\S+[ \t]+\Z")
# Or after a user's name said the same way: "user admin pass hunter22", "login: root pass toor99".
_AFTER_USER: Final = re.compile(
    r"(?:\A|\s)(?:user(?:name)?|login|usr)[ \t]*[:=]?[ \t]*\S+[ \t]+\Z", re.IGNORECASE
)
# A login's password written after it as a pair: "login: admin / P@ssw0rd!", "user: root | toor99".
_PAIR_AFTER: Final = re.compile(r"[ \t]*[/|][ \t]*(?P<value>[^\s\"'”]{4,64})")
# A password written before its label: "P@ssw0rd1 is my password", "'hunter22' was the PIN".
_VALUE_BEFORE: Final = re.compile(
    r"(?<![^\s\"'“])[\"'“]?(?P<value>[^\s\"'“”]{4,64})[\"'”]?[ \t]+(?:is|was)[ \t]+"
    r"(?:my|the|our|his|her|your|their)[ \t]+(?:new[ \t]+|old[ \t]+|current[ \t]+)?\Z",
    re.IGNORECASE,
)
# What a password label may name before its value: "the password for the wifi is …",
# "password for admin: …", "das Passwort für das WLAN ist …", "le mot de passe du serveur
# est …" (a few words, then "is" or a sign).
_FOR_WHAT: Final = re.compile(
    r"[ \t]+(?:for|to|of|on|für|pour|para|per|voor|du|de|des|del|della|dello|di|do|da|van|vom|der)"
    r"(?:[ \t]+[^\s:=]+){1,4}?"
    r"(?:[ \t]+(?:is|was|ist|lautet|est|es|è|é)[ \t]+|[ \t]*[:=][ \t]*)",
    re.IGNORECASE,
)
# The login pair: an address, then "/", ":" or "|", then the password.
_LOCAL_CHARS: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+'-"
# The "@" of a login pair: what follows it as ``_LOGIN_PAIR`` needs (the value's first six
# characters), read without consuming anything but the "@" so that every "@" is tried.
_LOGIN_AT: Final = re.compile(r"@(?=[A-Za-z0-9.-]+\.[A-Za-z]{2,24}\s*[/:|]\s*\S{6})")
_LOGIN_PAIR: Final = re.compile(
    f"[{re.escape(_LOCAL_CHARS)}]+"
    r"@[A-Za-z0-9.-]+\.[A-Za-z]{2,24}\s*[/:|]\s*(?P<value>\S{6,64})"
)


class IdentifierDetector:
    """Finds identifiers named by a label, national numbers by their checks, and passwords."""

    types: tuple[str, ...] = (*IDENTIFIER_TYPES, "credit_card")

    def find(self, text: str) -> Iterator[Span]:
        """Yield ``(type, start, end)`` for every labelled identifier and credential."""
        yield from national_ids(text)
        lowered = lower_same_length(text)
        # Identifiers hold digits, so their labels are looked for only within reach of one:
        # 400 label words in 30 languages cost a pass over prose 4 ms per 100,000 characters.
        # Passwords need not hold digits: their labels are looked for everywhere.
        searches = _ID_SEARCHES[:1] if text.isascii() else _ID_SEARCHES
        yield from _labelled(text, _labels_within(lowered, searches, _before_digits(text)))
        yield from _labelled(text, _PASSWORD_SEARCH.finditer(lowered))
        if not text.isascii():
            yield from _labelled(text, _PASSWORD_SEARCH_OTHER_SCRIPTS.finditer(lowered))
        if _has_rare_password_word(lowered):
            yield from _labelled(text, _RARE_PASSWORD_LABEL.finditer(lowered))
        yield from _logins(text, lowered)
        for pair in _login_pairs(text):
            if _password_like(pair.group("value")):
                yield "password", pair.start("value"), pair.end("value")


def _labels_within(
    lowered: str, searches: Sequence[KeywordSearch], windows: Sequence[tuple[int, int]]
) -> Iterator[re.Match[str]]:
    """The searches' matches in ``windows``, in the order of a search after another in each
    window, one window after another."""
    if len(searches) == 1:
        return (match for _, match in searches[0].finditer_in(lowered, windows))
    found = [pair for search in searches for pair in search.finditer_in(lowered, windows)]
    found.sort(key=itemgetter(0))  # stable: within a window, the searches' order
    return (match for _, match in found)


def _before_digits(text: str) -> list[tuple[int, int]]:
    """The stretches of ``text`` where a label with a digit in its value's reach can stand,
    overlapping ones joined: from ``_LABEL_REACH`` before each run of digits to its first
    digit, which the label's end-of-word test reads."""
    # ``merged_windows`` of them, in one loop: the starts grow, so a window that reaches
    # back over the last one's end makes it end at its own (a text dense with numbers
    # has thousands of runs, and two generators a run cost 0.5 us each).
    windows: list[tuple[int, int]] = []
    starts = run_starts(text)
    if not starts:
        return windows
    low, high = max(0, starts[0] - _LABEL_REACH), starts[0] + 1
    for start in starts:
        if start - _LABEL_REACH > high:
            windows.append((low, high))
            low = start - _LABEL_REACH
        high = start + 1
    windows.append((low, high))
    return windows


def _labelled(text: str, labels: Iterator[re.Match[str]]) -> Iterator[Span]:
    for label in labels:
        kind = _KIND_OF.get(label.group(), "generic")
        if not _starts_label(text, label.start(), kind):
            continue
        found = _value_after(text, kind, label.end(), label.group())
        if found is None and kind == "password":
            found = _password_before(text, label.start())
        if found is not None:
            yield found


def _password_before(text: str, label_start: int) -> Span | None:
    """The password said before its label: "P@ssw0rd1 is my password". Only a value with a
    digit or a symbol: "This is my password" names none."""
    before = _VALUE_BEFORE.search(text, max(0, label_start - 90), label_start)
    if before is None:
        return None
    value = before.group("value")
    if value.isalpha() or not _password_like(value):
        return None
    return "password", before.start("value"), before.end("value")


def _logins(text: str, lowered: str) -> Iterator[Span]:
    """Login names after a login label (see ``_LOGIN_LABEL``)."""
    if any(phrase in lowered for phrase in _LOGIN_IS):
        stretches: Iterable[tuple[int, int]] = ((0, len(text)),)
    else:
        stretches = _before_signs(lowered)
    for low, high in stretches:
        for label in _LOGIN_LABEL.finditer(lowered, low, high):
            if _starts_label(text, label.start(), "login"):
                found = _login_after(text, label.end(), _owned(lowered, label.start()))
                if found is not None:
                    yield found
                    if (password := _password_after_login(text, found[2])) is not None:
                        yield password


def _password_after_login(text: str, login_end: int) -> Span | None:
    """The password written after a login as a pair: "login: admin / P@ssw0rd!"."""
    pair = _PAIR_AFTER.match(text, login_end, login_end + 70)
    if pair is None:
        return None
    end = _value_end(pair)
    if not _password_like(text[pair.start("value") : end]):
        return None
    return "password", pair.start("value"), end


def _value_end(value: re.Match[str]) -> int:
    """Where a password's ``value`` group ends, less a sentence's closing punctuation."""
    return value.start("value") + len(value.group("value").rstrip(".,;!?)"))


def _before_signs(text: str) -> Iterator[tuple[int, int]]:
    """The stretches of ``_LOGIN_REACH`` characters before each ":", "=" and "：", overlapping
    ones joined."""
    ends = sorted(at for sign in _SIGNS if sign in text for at in _positions(text, sign))
    current: tuple[int, int] | None = None
    for end in ends:
        low = max(0, end - _LOGIN_REACH)
        if current is not None and low <= current[1]:
            current = (current[0], end)
            continue
        if current is not None:
            yield current
        current = (low, end)
    if current is not None:
        yield current


def _positions(text: str, char: str) -> Iterator[int]:
    at = text.find(char)
    while at != -1:
        yield at
        at = text.find(char, at + 1)


def _owned(lowered: str, label_start: int) -> bool:
    """Whether a possessive stands right before the label: "my username is jdoe" names one."""
    before = lowered[max(0, label_start - 7) : label_start].split()
    return bool(before) and before[-1] in _POSSESSIVES


def _login_after(text: str, label_end: int, owned: bool = False) -> Span | None:
    """The login name after a login label: after ":" or "=" any name but a type or a state
    (``username: str``, ``login: failed``); after "is" one shaped as a handle, with a digit,
    a dot or an underscore ("her login is helena.shaw", not "the login is slow"), or, after a
    possessive, any name but a state ("my username is jdoe", not "my login is locked")."""
    join = _JOIN.match(text, label_end, label_end + 24)
    at = join.end() if join else label_end
    if at == label_end:
        return None  # "loginname", "login.php": no label
    value = _LOGIN_VALUE.match(text, at, at + 65)
    if value is None:
        return None
    name = value.group()
    if any(sign in text[label_end:at] for sign in _SIGNS):
        usable = name.lower() not in _NOT_LOGINS and not name.replace("-", "").replace(".", "").isdigit()
    else:
        usable = any(c.isdigit() or c in "._" for c in name) or (
            owned and name.lower() not in _NOT_LOGINS and name.lower() not in _LOGIN_STATES
        )
    return ("record_id", value.start(), value.end()) if usable else None


def _starts_label(text: str, start: int, kind: str) -> bool:
    """Whether a label word found at ``start`` begins a word (an unspaced script's label may
    follow any character). A password or login label may also end a setting's name, as people
    paste them from ``.env`` files and code: ``DB_PASSWORD=``, ``smtp-password:``,
    ``adminPassword``, ``DB_USERNAME=``, and run into a name in capitals, as environment
    variables do: ``PGPASSWORD=``."""
    if not start or not continues_word(text[start], text[start - 1]):
        return True
    if kind not in _SETTING_KINDS:
        return False
    before = text[start - 1]
    return before in "_-" or (before.islower() and text[start].isupper()) or _in_capitals(text, start)


def _in_capitals(text: str, start: int) -> bool:
    """Whether the label at ``start`` is the end of a name written in capitals ("PGPASSWORD")
    that a ``=`` or ``:`` follows."""
    end, limit = start, min(len(text), start + 40)  # a label word is shorter; no run is read far
    while end < limit and text[end].isalpha():
        end += 1
    return text[start - 1].isupper() and text[start:end].isupper() and text[end : end + 1] in ("=", ":")


def _login_pairs(text: str) -> Iterator[re.Match[str]]:
    """What ``_LOGIN_PAIR.finditer(text)`` yields, tried only at an "@" that a domain, a
    separator and a value follow.

    ``finditer`` would try the pattern at every letter and digit and read the run of
    address characters from each (about 13 ns a character of any text with an "@", and
    the square of the run's length for a long run). The run cannot hold an "@", so whether
    a match exists depends only on the "@" that ends the run, and the leftmost match starts
    where the run does (or where the last match ended): found with ``str.rstrip`` over the
    text since the last "@" tried, linear in all.
    """
    resume = 0  # where finditer would go on searching: the end of the last match
    for candidate in _LOGIN_AT.finditer(text):
        at = candidate.start()
        if at < resume:
            continue  # inside the last match's value
        window = text[resume:at]
        start = at - (len(window) - len(window.rstrip(_LOCAL_CHARS)))
        pair = _LOGIN_PAIR.match(text, start) if start < at else None
        if pair is not None:
            yield pair
            resume = pair.end()
        else:
            resume = at + 1  # the run before the next "@" starts after this one


def _value_after(text: str, kind: str, label_end: int, label: str = "") -> Span | None:
    join = _JOIN.match(text, label_end, label_end + 24)
    at = join.end() if join else label_end
    if kind in _SECRET_KINDS:
        return _secret_after(text, kind, label_end, at, label)
    if kind == "card_code":
        code = _CARD_CODE.match(text, at, at + 5)
        return None if code is None else ("credit_card", code.start(), code.end())
    if kind == "credit_card":
        card = _CARD_VALUE.match(text, at, at + _CARD_REACH)
        return None if card is None else ("credit_card", card.start(), card.end())
    if kind == "plate":
        return _plate_after(text, at)
    if kind == "ein":
        ein = _EIN_VALUE.match(text, at, at + 11)
        return None if ein is None or not _valid_ein(ein.group()) else ("national_id", ein.start(), ein.end())
    value = _ID_VALUE.match(text, at, at + 31)
    if value is None or _is_year(value.group()):
        return None
    if kind == "generic":
        # National numbers have 8 digits or more; stdnum would pad a shorter one with zeros.
        national = len(value.group()) >= 8 and valid_national_number(value.group())
        if not national and (layout := _CAPITALS_LAYOUTS.get(label)) is not None:
            written = text[label_end - len(label) : label_end]
            national = written.isupper() and layout.fullmatch(value.group()) is not None
        return ("national_id", value.start(), value.end()) if national else None
    return kind, value.start(), value.end()


def _plate_after(text: str, at: int) -> Span | None:
    """A vehicle's registration at ``at``, after a plate's label."""
    plate = _PLATE_VALUE.match(text, at, at + _PLATE_REACH)
    if plate is None:
        return None
    value = plate.group()
    groups = _PLATE_GROUPS.split(value)
    while len(groups) > 1 and groups[-1].isalpha() and groups[-1].islower():
        value = value[: -len(groups.pop()) - 1]  # a word after the plate: "AB12 CDE was"
    if sum(map(len, groups)) < 3 or not any(char.isdigit() for char in value) or _is_year(value):
        return None
    return "record_id", at, at + len(value)


_valid_ein: Final = stdnum_check("us.ein")


def _is_year(value: str) -> bool:
    """A year alone after a label word is prose ("ehliyet 2019 yılında aldım", "konto 2024
    roku"), not a number the label names: no identifier these labels name is four digits."""
    return len(value) == 4 and value.isdigit() and value[:2] in ("19", "20")


def _secret_after(text: str, kind: str, label_end: int, at: int, label: str = "") -> Span | None:
    """The password after a password label (``label``, lower-cased) ending at ``label_end``,
    its value from ``at``."""
    if kind == "password" and (named := _FOR_WHAT.match(text, label_end, label_end + 64)) is not None:
        at = named.end()
    if at == label_end or text[label_end:at] == ".":
        # Nothing between the word and what follows: "password@example.com" is an address and
        # "pinnacle2024" a word, not a label and its value; nor a dot alone, which is code's
        # attribute ("password.encode('utf-8')", "pw.println(...)").
        return None
    if kind == "seed":
        seed = _SEED_VALUE.match(text, at, at + 240)
        return None if seed is None else ("password", seed.start("value"), seed.end("value"))
    assigned = any(sign in text[label_end:at] for sign in ":=：")
    start = label_end - len("pass")
    if kind == "pass" and not ((assigned and _pass_field(text, start)) or _after_user(text, start)):
        return None
    pattern = _PHRASE_VALUE if kind == "passphrase" and assigned else _SECRET_VALUE
    value = pattern.match(text, at, at + 66)
    if value is None:
        return None
    end = _value_end(value)  # a sentence's closing punctuation is not part of the password
    candidate = text[value.start("value") : end]
    if label in KEY_LABELS and candidate.isdigit():
        return None  # "product key 2024": an edition, not a PIN
    if not (_password_like(candidate) or _word_password(candidate, label, text[label_end:at])):
        return None
    return "password", value.start("value"), end


def _word_password(value: str, label: str, join: str) -> bool:
    """Whether a plain lower-case word is the password a label gives with ":", "=" or "is"
    ("password: fluffy", "my password is sunshine"): people choose words, and the letters
    alone do not make one less a password. Not a word that says how the password is
    (``NOT_WORD_PASSWORDS``)."""
    return (
        label in WORD_PASSWORD_LABELS
        and join.strip(" \t\"'“") != ""
        and len(value) >= 4
        and value.isalpha()
        and value.islower()
        and value not in NOT_WORD_PASSWORDS
        and not value.endswith(("ed", "ing", "ly"))
    )


def _pass_field(text: str, start: int) -> bool:
    """Whether "pass" at ``start`` names a field: the end of a setting's name (``DB_PASS``,
    ``smtpPass``) or a name that starts its line or field (``pass: …``, ``"pass": …``)."""
    before = text[start - 1] if start else ""
    if before and (before in "_-" or (before.islower() and text[start] == "P")):
        return True
    return (
        _FIELD_START.search(text, max(0, start - 8), start) is not None
        or _AFTER_SETTING.search(text, max(0, start - 80), start) is not None
    )


def _after_user(text: str, start: int) -> bool:
    """Whether "pass" at ``start`` follows a user's name: "user admin pass hunter22"."""
    return _AFTER_USER.search(text, max(0, start - 80), start) is not None


def _password_like(value: str) -> bool:
    """Whether a token could be a password: a PIN of 4-8 digits, or 4+ characters mixing at
    least two of lower case, upper case, digits and symbols."""
    if value.isdigit():
        return 4 <= len(value) <= 8
    classes = (
        any(c.islower() for c in value),
        any(c.isupper() for c in value),
        any(c.isdigit() for c in value),
        any(not c.isalnum() for c in value),
    )
    return len(value) >= 4 and sum(classes) >= 2
