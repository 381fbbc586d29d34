"""Personal names, found without a model.

Names are told by the name lists Faker ships (``_names``), by titles and honorifics (Dr,
Mrs, Herr, Mme, Sra) and by the words around them ("Dear …", "my name is …", "patient …",
"…'s"). A capitalised word is a name

* after a title or a naming phrase, whatever the word (unless it is a common word);
* when it is a known given name followed by another capitalised word ("Ryan P Costa"), or
  is followed by a known family name or by an initial and a capitalised word;
* when it is a known name, not a common word of any language Faker lists nor a place, and
  not the first word of a sentence (where every word is capitalised) unless a given name.

A given name and a family name written in lower case ("naomi ryan") are a name too, in a
text written all in lower case. Japanese, Chinese and Korean names are found by their
honorifics (様, さん, 先生, 女士, 씨, 님: ``_honorifics``); Arabic, Hebrew, Devanagari and Thai names
by the title before them (السيد, מר, श्री, นางสาว). A bare name in a script without capitals is not found:
that is the deep tier's job. Company and city names alone are not personal data.

Cost: ``re`` skips to capital letters; each capital word costs a few set look-ups. Two in
three are in no list and have no capital after them: for those only the last word before
them is read (and only after white space or ".,:?"), to tell a title or a cue.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from router._signals._cued_names import cued_names, second_spaced_word
from router._signals._honorifics import honorific_names
from router._signals._introductions import introduced
from router._signals._keyword_search import AS_WRITTEN, Family, KeywordSearch
from router._signals._lower_names import FUNCTION_WORDS, lower_case_names
from router._signals._names import NameLists
from router._signals._text import keyword_pattern

__all__ = ["capitals_names", "names"]

Span = tuple[str, int, int]

# Letters, and an apostrophe or hyphen only between letters ("O'Brien", "Jean-Pierre"):
# written as runs of one class, which ``re`` reads in a C loop, rather than as a choice per
# character ("(?:letter|['’-](?=letter))*", the same words at 1.4 times the cost).
_LETTERS: Final = r"[^\W\d_]*(?:['’-][^\W\d_]+)*"
_WORD: Final = re.compile(r"[^\W\d_]" + _LETTERS)
# The scripts with letter case: Latin, Greek, Coptic, Cyrillic, Armenian, Georgian, and their
# extensions. Names in other scripts are found by their honorifics, not by capitals.
_CASED_BLOCKS: Final = (
    (0x41, 0x24F), (0x370, 0x58F), (0x10A0, 0x10FF), (0x1E00, 0x1FFF), (0x2C00, 0x2D2F), (0xA640, 0xA7FF)
)  # fmt: skip


def _capitals() -> str:
    """A regular-expression class of the capital letters of ``_CASED_BLOCKS``, as ranges."""
    codes = [code for low, high in _CASED_BLOCKS for code in range(low, high + 1) if chr(code).isupper()]
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(chr(low) if low == high else f"{chr(low)}-{chr(high)}" for low, high in ranges)


# A name read in capitals is two words of two letters or more, or one after a title or a cue
# of as many ("DR LI", "HI LI"): four capitals at least, found without reading on after them.
_FOUR_CAPITALS: Final = re.compile(f"(?:[^{_capitals()}]*+[{_capitals()}]){{4}}")


def enough_capitals(text: str) -> bool:
    """Whether ``text`` has the capitals a name read in capitals needs (``capitals_names``)."""
    return _FOUR_CAPITALS.match(text) is not None


# A capitalised word. The class of capitals comes first so that ``re`` skips ahead to them
# (a class of any letter but a-z also stopped at every CJK character and every lower-case
# Cyrillic or Greek letter, three words in four of such text); the look-behind after it
# checks that no letter precedes the word.
_CAPITALISED: Final = re.compile(f"[{_capitals()}]" + r"(?<![^\W\d_].)" + _LETTERS)
_INITIAL: Final = re.compile(r"\s+[A-Z]\.?(?=\s+[^\W\d_])")
# The lower-case particles of family names ("de Vries", "van der Berg", "von Trapp", "da
# Silva"): a name goes on past them to the capitalised word after them. Without it, "Sanne"
# was the name and "de Vries" went as written to a model that the name was masked for. Not
# "di" or "le": in Italian and Indonesian prose "di" is "of" or "in", before a place.
_PARTICLE_WORDS: Final = frozenset(
    (
        "van", "von", "de", "der", "den", "du", "da", "del", "della", "dei", "des", "la", "dos", "das",
        "do", "ter", "ten", "zu", "zur", "af", "av", "bin", "ibn", "ben", "al", "el", "'t",
    )
)  # fmt: skip
_LOWER_PARTICLES: Final = re.compile(r"(?: (?:" + "|".join(map(re.escape, _PARTICLE_WORDS)) + r"))+(?= )")
# The word after a name's word, past a middle initial (``_next_capitalised``), and past the
# particles too (``_name_end``): ``_INITIAL``, ``_LOWER_PARTICLES``, a space and ``_WORD``, in one
# match instead of three. The atomic groups keep each part to what its own match would take:
# an initial or particles, once found, are not given back to try the word without them.
_INITIAL_THEN_WORD: Final = re.compile(rf"(?>(?:{_INITIAL.pattern})?) ([^\W\d_]{_LETTERS})")
_PAST_PARTICLES_WORD: Final = re.compile(
    rf"(?>(?:{_INITIAL.pattern})?)(?>(?:{_LOWER_PARTICLES.pattern})?) ([^\W\d_]{_LETTERS})"
)
_TITLES: Final = frozenset(
    (
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "lady", "lord", "herr",
        "frau", "hr", "fr", "mme", "mlle", "monsieur", "madame", "señor", "señora", "sr", "sra",
        "srta", "don", "doña", "sig", "signor", "signora", "sig.ra", "sig.na", "dott", "dott.ssa",
        "prof.ssa", "avv", "dhr", "mevr", "mw", "pan", "pani", "capt", "captain", "rev", "sister",
        "brother", "uncle", "aunt", "tante", "onkel",
        # Dutch in full ("meneer", "mevrouw", "de heer"), Swedish and Danish "fru" (not the
        # Portuguese "Senhor": "Senhor Primeiro Ministro" is an office).
        "meneer", "mijnheer", "mevrouw", "heer", "juffrouw", "fru",
        # Polish and Czech address forms (vocative "Panie", "paní"; not the Czech "pane", an
        # English word: "Dual Pane Hvis"), Greek ("κ.", Mr), Russian, Ukrainian.
        "panie", "paní", "κύριε", "κύριος", "κυρία", "κ", "господин", "госпожа", "г-н",
        "г-жа", "пан", "пані",
        # Czech and Slovak academic titles, written before the name: "Ing. Novák", "Mgr. Svobodová".
        "ing", "mgr", "mudr", "judr", "phdr", "rndr", "paeddr", "mvdr",
    )
)  # fmt: skip
# Titles only with their full stop and a space after it: "M. Dupont" (French "Monsieur"), not a
# bare "m" (a metre) or "M.Si" (a degree). Not "MM.": in Finnish "mm." is "among others".
_DOTTED_TITLES: Final = frozenset(("m.", "doc.", "bc."))
# Phrases after which any capitalised word that is not a common word is a name.
_CUES: Final = frozenset(
    (
        "my name is", "name is", "name's", "last name", "first name", "surname", "full name", "i am", "i'm",
        "dear", "hi", "hello", "hey", "patient", "name", "called", "named", "signed", "regards",
        "call me", "calls me",
        # Thanks as a sign-off or to someone: "Thanks, Olu", "Many thanks, John".
        "thanks", "thank you", "many thanks", "thx",
        "sincerely", "cheers", "assistant to", "producer", "ich heiße", "name ist", "liebe", "lieber",
        "hallo", "m'appelle", "cher", "chère", "bonjour", "me llamo", "querido", "querida", "hola",
        "mi chiamo", "caro", "cara", "ciao", "nome é", "chamo-me", "olá", "naam is", "beste",
        "nazywam się", "меня зовут", "ik heet", "jag heter", "jeg heter", "jeg hedder",
        # Sign-offs in the other languages, as "regards" and "sincerely": the name follows.
        "pozdrawiam", "z poważaniem", "freundlichen grüßen", "grüßen", "grüße", "cordialement",
        "bien à vous", "saludos", "atentamente", "atenciosamente", "cumprimentos", "groet", "groeten",
        "с уважением", "saygılarımla", "distinti saluti", "cordiali saluti", "hälsningar", "hilsen",
        "terveisin", "üdvözlettel", "s pozdravem", "cu stimă", "με εκτίμηση", "trân trọng",
        # The writer's family, by the words for them: "remove my kid Dzhambek from the will".
        "my son", "my daughter", "my kid", "my child", "my wife", "my husband", "my mother",
        "my father", "my mom", "my mum", "my dad", "my brother", "my sister", "my grandson",
        "my granddaughter", "my grandmother", "my grandfather", "my niece", "my nephew",
        "my fiancé", "my fiancée", "my stepson", "my stepdaughter",
        "mein sohn", "meine tochter", "meine frau", "mein mann", "mein kind", "meine mutter",
        "mein vater", "mon fils", "ma fille", "ma femme", "mon mari", "mon enfant", "ma mère",
        "mon père", "mi hijo", "mi hija", "mi esposa", "mi esposo", "mi marido", "mi madre",
        "mi padre", "mio figlio", "mia figlia", "mia moglie", "mio marito", "mia madre", "mio padre",
        "meu filho", "minha filha", "minha esposa", "meu marido", "minha mãe", "meu pai",
        "mijn zoon", "mijn dochter", "mijn vrouw", "mijn man", "mijn moeder", "mijn vader",
    )
)  # fmt: skip
_CUE_ENDINGS: Final = frozenset(cue.rsplit(None, 1)[-1] for cue in _CUES)
# Words after which a known name is a name even where it could be a place or a word.
_WEAK_CUES: Final = frozenset(
    (
        "to", "from", "by", "with", "and", "under", "add", "contact", "for", "tell",
        "met", "asked", "told"
    )
)  # fmt: skip
# A quotation's speaker: '"…," says Iwase.', '…", said Maslin'. After the quote and its comma
# the verb is a tag, and the capitalised word after it is the one who speaks.
_SPEECH_VERBS: Final = frozenset(
    ("says", "said", "asks", "asked", "replied", "replies", "adds", "added", "writes", "wrote")
)
_ATTRIBUTION: Final = re.compile(r"[,\"”»'’!?]\s*(?:" + "|".join(sorted(_SPEECH_VERBS)) + r")\s+\Z")
# What ends a sentence (or a heading, a quotation, an item) before white space.
# What a person does, after a given name that starts a sentence.
_PERSON_VERB: Final = re.compile(
    r" (?:is from|was from|lives|lived|works|worked|said|says|told|asked|called|wrote|wants|"
    r"has been|is a (?:very |really )?(?:nice|good|kind|great|sympathetic|reliable|friendly) "
    r"(?:person|man|woman|guy|girl|boy|colleague|friend))(?![^\W\d_])"
)
# The role a person is given on an account, a policy or a will, after their name: "add
# Mercédesz Szôllôssy as a beneficiary", "list Bekbolat as guardian". Only people hold these.
_ROLE_AFTER: Final = re.compile(
    r" as (?:(?:a|an|the|my|our|his|her|their|joint|primary|secondary|new|additional) )?"
    r"(?:beneficiary|beneficiaries|guardian|co-?signer|authori[sz]ed (?:user|signer|signatory)"
    r"|joint (?:account )?holder|dependent|dependant|emergency contact|next of kin|executor|executrix"
    r"|trustee|nominee|signatory|guarantor|co-?applicant|caregiver|carer|power of attorney|spouse)"
    r"(?![^\W\d_])"
)
_ROLE_REACH: Final = 160  # the later words of a name (three at most, ``_name_end``) and " as "
# Companies are made guarantors and trustees too: "Acme Corp as a guarantor".
_ROLE_HOLDING_FIRMS: Final = frozenset(
    (
        "corp", "co", "company", "group", "bank", "trust", "holdings", "partners", "capital", "fund",
        "foundation",
    )
)  # fmt: skip
_SENTENCE_ENDS: Final = frozenset('.!?:;"“”«»()[]\n>|*•-')
_POSSESSIVE: Final = ("'s", "’s")
_CITIES: Final = frozenset(
    (
        "paris", "london", "berlin", "rome", "roma", "madrid", "lisbon", "lisboa", "vienna", "wien",
        "athens", "dublin", "florence", "firenze", "venice", "milan", "milano", "naples", "napoli",
        "turin", "torino", "geneva", "genève", "zurich", "brussels", "amsterdam", "warsaw",
        "prague", "moscow", "kyiv", "kiev", "sofia", "bucharest", "budapest", "oslo", "stockholm",
        "helsinki", "copenhagen", "sydney", "melbourne", "adelaide", "perth", "brisbane",
        "victoria", "austin", "houston", "dallas", "denver", "phoenix", "boston", "chicago",
        "seattle", "atlanta", "orlando", "miami", "charlotte", "nashville", "memphis", "jackson",
        "lincoln", "madison", "florence", "savannah", "regina", "alexandria", "sofia", "tokyo",
        "beijing", "shanghai", "delhi", "mumbai", "cairo", "lagos", "nairobi", "toronto",
        "vancouver", "montreal", "quebec", "ottawa", "calgary"
    )
)  # fmt: skip
# Months and days are given names too (April, June, Friday); capitalised, they are dates.
_CALENDAR: Final = frozenset(
    (
        "january", "february", "march", "april", "may", "june", "july", "august", "september",
        "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
        "saturday", "sunday", "januar", "februar", "märz", "juni", "juli", "oktober", "dezember",
        "janvier", "février", "avril", "juin", "juillet", "août", "enero", "febrero", "marzo",
        "abril", "mayo", "junio", "julio", "agosto"
    )
)  # fmt: skip
# Particles that begin family names ("van Gogh", "von Trapp", "del Toro", "dos Santos").
_PARTICLES: Final = frozenset(("van", "von", "del", "der", "den", "das", "dos", "las", "los"))
_NOT_SECOND_PARTS: Final = FUNCTION_WORDS - _PARTICLES
_NEVER_NAMES: Final = FUNCTION_WORDS | _TITLES | _CALENDAR
# Titles in scripts without letter case, then the name's first word: Arabic (Mr, Mrs, Miss,
# Dr, Sheikh), Hebrew (Mr, Mrs, Dr, Prof) and Devanagari (Shri, Shrimati, Sushri, Kumari, Dr)
# after a space; Thai (Miss, Dr) with or without one. A capital tells nothing in these
# scripts; a title does. Thai's นาย and นาง (Mr, Mrs) and คุณ (Khun, also "you") are left out:
# Thai writes words without spaces, and นาย and นาง begin common words (นายก, prime
# minister; นางฟ้า, angel), so where a name starts cannot be told without a dictionary.
_SPACED_TITLES: Final = (
    "السيد", "السيدة", "الآنسة", "الدكتور", "الدكتورة", "الشيخ",
    "מר", "גברת", "גב'", 'ד"ר', "ד״ר", "פרופ'",
    "श्री", "श्रीमती", "सुश्री", "कुमारी", "डॉ.", "डॉ",
)  # fmt: skip
_THAI_TITLES: Final = ("นางสาว", "ดร.")


# The titles as a trie of literals, which lets ``re`` skip to their first letters and, at
# each, read the shared beginnings once: in Arabic text, where nearly every word begins with
# "ال" as six of the titles do, a flat list of them cost 1.6 times as much. The trie finds the
# longest title at each place, as the list written longest first did. The name after a title
# is then matched where the title ends, and the letter before it checked (a title must stand
# as a word of its own).
_CASELESS_TITLE: Final = re.compile(keyword_pattern(_SPACED_TITLES + _THAI_TITLES, word_end=False))
# Every match is one of the titles: tried only where the scan's shared pass over the text as
# written finds one, which spares a pass of the trie (0.3 ms a 100,000 characters).
_CASELESS_TITLE_SEARCH: Final = KeywordSearch(
    Family(_SPACED_TITLES + _THAI_TITLES, AS_WRITTEN), _CASELESS_TITLE
)
_SPACED_NAME: Final = re.compile(
    r"\s+([\u0621-\u064a]{2,}|[\u05d0-\u05ea]{2,}|"
    r"[\u0904-\u0939\u0958-\u0961\u0972-\u097f][\u0900-\u0963\u0971-\u097f]+)"
)
_THAI_NAME: Final = re.compile(r"\s?([\u0e01-\u0e4e]{2,})")
_CASELESS_LETTER: Final = re.compile(r"[\u0590-\u06ff\u0900-\u097f\u0e00-\u0e7f]")
# Arabic particles and titles that follow a title or a family name ("آل الشيخ على", "on").
_NOT_ARABIC_NAMES: Final = frozenset(
    ("على", "إلى", "الى", "عن", "من", "في", "أن", "إن", "ان", "الذي", "التي", "هو", "هي", "قد", "لم", "لا",
     "الاستاذ", "الأستاذ", "الدكتور", "الدكتورة", "السيد", "السيدة", "الشيخ")
)  # fmt: skip


_LETTER_RUN: Final = re.compile(r"[^\W\d_]+")  # "O'Brien's" is o, brien, s
_NOT_NAME_PARTS: Final = _NEVER_NAMES | _WEAK_CUES | frozenset(word for cue in _CUES for word in cue.split())


def name_parts(value: str) -> frozenset[str]:
    """The words of a found name that say who it is, lower-cased, without its titles, cue and
    function words: ``"Dear Mrs Helena Shaw"`` gives ``{"helena", "shaw"}``. Pseudonymisation
    checks that none of them is still in the text it sends (``router._calls._masking``)."""
    words = (match.group().lower() for match in _LETTER_RUN.finditer(value))
    return frozenset(word for word in words if len(word) > 1 and word not in _NOT_NAME_PARTS)


def names(text: str, lists: NameLists) -> Iterator[Span]:
    """Yield ``("person", start, end)`` for every personal name in ``text``."""
    position = 0
    # ``finditer`` rather than a search from each name's end: a name ends where a capitalised
    # word does (or before its "'s"), so the words it took are the matches that start before
    # its end, and no match crosses that end.
    first, last = lists.first, lists.last
    for match in _CAPITALISED.finditer(text):
        start, end = match.span()
        if start < position:
            continue  # a later word of the name just found
        word = match.group()
        if word.endswith(_POSSESSIVE):
            word, end = word[:-2], end - 2
        # Scripts without case (Arabic, Hebrew, Devanagari) have no capitals to go by.
        if len(word) < 2 or word.isupper():
            continue
        key = word.lower()
        after = text[end : end + 2]
        # Whether a capitalised word may follow (``_is_name`` reads it): two characters tell.
        spaced = len(after) == 2 and after[0].isspace() and (after[1].isupper() or after[1].isspace())
        if not (spaced or key in first or key in last or _title_or_cue_before(text, start)):
            # Two words in three: in no name list, no capitalised word after them and neither a
            # title nor a naming cue before them, which ``_given_after_comma`` (it needs a known
            # family name) and ``_is_name`` (a known name, a second word, or a title or cue)
            # both turn down. Told here, inline, with the word lower-cased once for all tests.
            continue
        inverted = _given_after_comma(text, start, end, key, lists) if after == ", " else None
        if inverted is None and not _is_name_at(text, start, end, key, spaced, lists):
            continue
        position = _name_end(text, inverted or end)
        yield "person", start, position
    yield from lower_case_names(text, lists)
    if not text.isascii() and _CASELESS_LETTER.search(text) is not None:
        yield from _caseless_names(text, lists)
    yield from cued_names(text)
    yield from honorific_names(text)


def capitals_names(text: str, lists: NameLists) -> Iterator[Span]:
    """Names in a text written all in capitals ("NAME: HELENA SHAW": forms, old systems' exports).

    Names go by their capitals, so the text is read with its words as titles (same length,
    same offsets). There every word is capitalised, which says nothing, so a name found so
    counts only on firm ground: a known given name and a known surname, or a title or a
    cue ("MR", "NAME:") right before it. "I DON'T KNOW WHAT TO PRESS NEXT" names no one.
    """
    titled = text.title()
    if len(titled) != len(text):
        return
    for kind, start, end in names(titled, lists):
        words = titled[start:end].lower().split()
        before = titled[max(0, start - 30) : start].lower().split()
        firm = len(words) >= 2 and words[0] in lists.first and words[1] in lists.last
        if (firm and not (words[0] in lists.common and words[1] in lists.common)) or (
            before and (before[-1].rstrip(".") in _TITLES or _after_cue(before))
        ):
            yield kind, start, end


def _caseless_names(text: str, lists: NameLists) -> Iterator[Span]:
    """Names after a title in Arabic, Hebrew, Devanagari and Thai text."""
    for title in _CASELESS_TITLE_SEARCH.finditer(text):
        start = title.start()
        if start and _CASELESS_LETTER.match(text, start - 1):
            continue  # the title's letters end another word
        after = _THAI_NAME if title.group() in _THAI_TITLES else _SPACED_NAME
        name = after.match(text, title.end())
        if name is None or name.group(1) in _NOT_ARABIC_NAMES:
            continue
        end = name.end(1)
        if after is _SPACED_NAME:
            end = _family_name_end(text, end, lists)
        yield "person", name.start(1), end


def _family_name_end(text: str, end: int, lists: NameLists) -> int:
    """The end of a name after a title that goes on with a known family name ("श्री राम
    शर्मा", "מר דוד כהן", "السيد أحمد علي", Arabic's "ال" before one: "صباح الأحمد"):
    pseudonymising the first word alone sent the second. A word in no list is more often
    the sentence's verb, as these scripts have no capitals to tell ("מר כהן התקשר")."""
    second = second_spaced_word(text, end)
    if second is None:
        return end
    word = second.group(1)
    known = word.removeprefix("ال") if word.startswith("ال") and len(word) > 4 else word
    if word in _NOT_ARABIC_NAMES or not (known in lists.first or known in lists.last):
        return end
    return second.end(1)


_LIST_GOES_ON: Final = re.compile(r",\s*[^\W\d_]|\s+(?:and|und|et|y|e|en|&)\s")


def _given_after_comma(text: str, start: int, end: int, key: str, lists: NameLists) -> int | None:
    """Where the given name ends in a name written family name first, "Shaw, Helena" (records,
    exports, sign-in lists): a known family name (``key``, lower-cased), a comma, a known given
    name, neither a common word or a place; ``None`` for anything else."""
    if text[end : end + 2] != ", " or text[max(0, start - 2) : start] == ", ":
        return None
    if key not in lists.last or _common(key, lists) or key in lists.places or key in _CITIES:
        return None
    given = _CAPITALISED.match(text, end + 2)
    if given is None:
        return None
    name = given.group().removesuffix("'s").removesuffix("’s").lower()
    if name not in lists.first or _common(name, lists) or name in _NEVER_NAMES:
        return None
    given_end = end + 2 + len(name)
    if _LIST_GOES_ON.match(text, given_end):
        return None  # "Hannah, Anthony, Derek and Anna", "Jones, Smith and Davis": a list
    return given_end


# What ``_title_or_cue_before`` looks the word before up in, where it ends in no full stop,
# comma, colon or question mark to strip (nearly every word before a capitalised one).
_WORDS_BEFORE_NAMES: Final = _TITLES | _CUE_ENDINGS | _PARTICLE_WORDS | _SPEECH_VERBS


def _title_or_cue_before(text: str, start: int) -> bool:
    """Whether the word before the capitalised word at ``start`` may be a title, a naming cue's
    last word, a family-name particle or a quotation's verb: what an unknown word with no
    capitalised word after it needs to be a name."""
    if not start:
        return False
    before = text[start - 1]
    if not before.isspace() and before not in ".,:?":
        return False  # titles and cues end in a letter, which only these may follow
    words = text[start - 30 if start > 30 else 0 : start].rsplit(None, 1)  # ``_word_before``
    if not words:
        return False
    last = words[-1].lower()
    if last[-1] not in ".,:?":
        return last in _WORDS_BEFORE_NAMES  # nothing to strip: one look-up for the four sets
    return (
        last.rstrip(".") in _TITLES
        or last.rstrip(",:?") in _CUE_ENDINGS
        or last in _PARTICLE_WORDS
        or last in _SPEECH_VERBS
    )


def _is_name(text: str, start: int, end: int, word: str, lists: NameLists) -> bool:
    """Whether the capitalised ``word`` at ``start:end`` is (the first word of) a name."""
    after = text[end : end + 2]
    spaced = len(after) == 2 and after[0].isspace() and (after[1].isupper() or after[1].isspace())
    return _is_name_at(text, start, end, word.lower(), spaced, lists)


def _is_name_at(text: str, start: int, end: int, key: str, spaced: bool, lists: NameLists) -> bool:
    """``_is_name`` of the word lower-cased (``key``), told whether white space and a capital
    or more white space follow it (``spaced``: a second word may)."""
    if key in _NEVER_NAMES or key in lists.calendar:
        return False
    known_first = key in lists.first
    known = known_first or key in lists.last
    following = _next_capitalised(text, end) if spaced else None
    second = None if following is None else following.lower()  # lower-cased once for the tests
    if second is not None and second in _NOT_SECOND_PARTS:
        # "Intensivstation Die …", "Paul Als …": a heading's words, no surname.
        following = second = None
    if not known and following is None:
        # Two words in three: an unknown word alone is a name only after a title or a cue,
        # and the rules below need a known name or a second word.
        return start > 0 and _after_title_or_cue(text, start, key, lists)
    common = _common(key, lists)
    if not (known or following or start):
        return False  # an unknown word alone at the start of the text
    last = _word_before(text, start)
    if last is not None and _titled_or_cued(text, start, last, key, lists):
        return True
    if second is not None and _not_a_person(key, second, lists):
        return False
    if second is not None and (known_first or second in lists.last):
        # "Ryan P Costa", "Asya Godina": a full name, unless both are plain words.
        return not (common and second in lists.common)
    if following is not None and _INITIAL.match(text, end):
        return True  # "Soib K. Kishiev": capitalised, an initial, capitalised
    if (
        following is not None
        and not common
        and _given_a_role(text, end)
        and second not in _ROLE_HOLDING_FIRMS
        and not _after_sentence_end(text, start)  # "Add Zorbek Vedzizhev as …": a verb first
    ):
        return True  # "add Mercédesz Szôllôssy as a beneficiary"
    if not known or common:
        return False
    if key in lists.places or key in _CITIES:
        return known_first and introduced(text, start, end)
    if text.startswith(_POSSESSIVE, end) or (last is not None and last.rstrip(",:") in _WEAK_CUES):
        return True
    # The first word of a sentence is capitalised whatever it is: only a given name counts there,
    # and not one that is also a word of town names (see ``NameLists.town_words``) unless what
    # a person does follows ("Anna is from Plotwatt", "Antonio lives in Leeds"; a town's name
    # is one word of it, "Santa Anna", and a place "is" too only as a whole: "Victoria is a
    # city" is no town word's).
    if not _after_sentence_end(text, start):
        return True
    return known_first and (key not in lists.town_words or _PERSON_VERB.match(text, end) is not None)


def _given_a_role(text: str, end: int) -> bool:
    """Whether the name whose first word ends at ``end`` is given a person's role: "… as a
    beneficiary". Read to the name's end only where an " as " follows within reach: most
    capitalised pairs have none."""
    if text.find(" as ", end, end + _ROLE_REACH) == -1:
        return False
    name_end = _name_end(text, end)
    return text.startswith(" as ", name_end) and _ROLE_AFTER.match(text, name_end) is not None


def _after_sentence_end(text: str, start: int) -> bool:
    """Whether the four characters before ``start`` are white space, or one of
    ``_SENTENCE_ENDS`` and white space, as a search of "(start or an end), white space, end"
    in them tells (at three times the cost): a line break among the white space ends a line."""
    window = text[start - 4 if start > 4 else 0 : start]
    before = window.rstrip()
    return not before or before[-1] in _SENTENCE_ENDS or "\n" in window[len(before) :]


def _after_title_or_cue(text: str, start: int, key: str, lists: NameLists) -> bool:
    """Whether the word at ``start`` follows a title, or (unless ``key`` is a common word) a
    naming cue."""
    before = text[start - 1]
    if not before.isspace() and before not in ".,:?":
        # The word before ends in this character (a quote, a bracket, a digit: never a
        # letter, as ``_CAPITALISED`` has it), and titles and cues end in a letter, which
        # only "." or ",:?" may follow.
        return False
    last = _word_before(text, start)
    if last is not None and last in _SPEECH_VERBS and _ATTRIBUTION.search(text, max(0, start - 16), start):
        return not _common(key, lists)
    return last is not None and _titled_or_cued(text, start, last, key, lists)


def _common(key: str, lists: NameLists) -> bool:
    """Whether the lower-cased word is a common word of some language (or too short to tell)."""
    return key in lists.common or len(key) < 3


def _word_before(text: str, start: int) -> str | None:
    """The last word, lower-cased, of the 30 characters before ``start`` (split at white
    space, punctuation kept); ``None`` when they are all white space."""
    words = text[start - 30 if start > 30 else 0 : start].rsplit(None, 1)
    return words[-1].lower() if words else None


def _titled_or_cued(text: str, start: int, last: str, key: str, lists: NameLists) -> bool:
    """Whether ``last``, the word before ``start``, is a title, or ends a naming cue ("my name
    is", "Dear") and ``key``, the word at ``start``, is no common word or is a given name: a
    given name that is also a word ("John", "Will", "Grace") is a name after "my name is"."""
    if last.rstrip(".") in _TITLES or (last in _DOTTED_TITLES and text[start - 1].isspace()):
        return True
    if last in _PARTICLE_WORDS:
        return _titled_past_particles(text, start)
    return (
        last.rstrip(",:?") in _CUE_ENDINGS
        and (not _common(key, lists) or (key in lists.first and len(key) > 2))
        and _after_cue(_words_before(text, start))
    )


def _titled_past_particles(text: str, start: int) -> bool:
    """Whether a title stands before the family-name particles before ``start``: "dhr. de
    Vries", "Herr von Weizsäcker", "M. de Gaulle". The title is written with a capital or its
    full stop: in "un don de Dieu" the word is a gift, not the Spanish title."""
    words = text[max(0, start - 40) : start].split()
    particles = 0
    while words and words[-1].lower() in _PARTICLE_WORDS and particles < 3:
        words.pop()
        particles += 1
    if not (particles and words) or not (words[-1][0].isupper() or words[-1].endswith(".")):
        return False
    title = words[-1].lower()
    return title.rstrip(".") in _TITLES or title in _DOTTED_TITLES


def _words_before(text: str, start: int) -> list[str]:
    """The words, lower-cased, of the 30 characters before ``start``."""
    return text[start - 30 if start > 30 else 0 : start].lower().split()


def _not_a_person(key: str, following: str, lists: NameLists) -> bool:
    """Whether two capitalised words name a place ("San Marino", "Hong Kong"), a company
    ("Weber GmbH") or a date ("Mart Dünya" is not, but "Januar" ends no name)."""
    return (
        f"{key} {following}" in lists.place_phrases
        or following in lists.company_words
        or following in lists.calendar
    )


def _after_cue(previous: list[str]) -> bool:
    return any(" ".join(previous[-size:]).rstrip(",:?") in _CUES for size in (1, 2, 3))


def _next_capitalised(text: str, end: int) -> str | None:
    """The capitalised word right after ``end`` (past a middle initial), if any; the caller
    has seen white space at ``end`` and a capital or white space after it."""
    match = _INITIAL_THEN_WORD.match(text, end)
    if match is None:
        return None
    word = match.group(1)
    if not word[0].isupper() or word.isupper():
        return None
    # "Wisława Szczepańska's killers": the family name is read without its possessive.
    return word[:-2] if word.endswith(_POSSESSIVE) else word


def _name_end(text: str, end: int) -> int:
    """The end of a name that goes on with initials, family-name particles and capitalised
    words ("Soib K. Kishiev", "Sanne de Vries", "Jan van der Berg")."""
    for _ in range(3):
        match = _PAST_PARTICLES_WORD.match(text, end)
        if match is None:
            break
        word = match.group(1)
        if not word[0].isupper() or word.isupper():
            break
        if word.lower() in _NOT_SECOND_PARTS:
            break  # "Tell Anna The news": the name ends before a function word
        end = match.end()
        if word.endswith(_POSSESSIVE):
            return end - 2  # the name ends before its possessive, and with it
    return end
