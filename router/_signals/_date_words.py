"""The words of dates in the languages the router routes, for ``_places``: the months'
names (as an alternation, for the date patterns) and the words that say a date is a birth."""

from __future__ import annotations

from typing import Final

__all__ = ["BIRTH_WORDS", "MONTHS"]

MONTHS: Final = (
    r"jan(?:uary|uar|vier|eiro)?|feb(?:ruary|ruar)?|fév(?:rier)?|mar(?:ch|s|zo)?|märz|apr(?:il|ile)?|"
    r"avr(?:il)?|may|mai|maggio|mayo|maio|jun(?:e|i|io)?|juin|giugno|jul(?:y|i|io)?|juil(?:let)?|"
    r"luglio|aug(?:ust)?|août|agosto|sep(?:t|tember|tembre)?|set(?:tembre|embro)?|oct(?:ober|obre)?|"
    r"okt(?:ober)?|ott(?:obre)?|out(?:ubro)?|nov(?:ember|embre|embro)?|dec(?:ember)?|dez(?:ember)?|"
    r"déc(?:embre)?|dic(?:iembre|embre)?|enero|febrero|marzo|abril|junio|julio|septiembre|octubre|"
    r"noviembre|diciembre|gennaio|febbraio|janeiro|fevereiro|março|junho|julho|outubro|dezembro|"
    r"januari|februari|maart|mei|juni|juli|augustus|oktober"
)

BIRTH_WORDS: Final = (
    "born", "birth", "birthday", "birthdate", "bday", "b-day", "dob", "d.o.b", "geboren", "geburtsdatum",
    "geburtstag",
    # Birthday: the French and Portuguese words are an anniversary's too, so only as someone's.
    "cumpleaños", "compleanno", "verjaardag", "urodziny", "mon anniversaire", "son anniversaire",
    "ton anniversaire", "votre anniversaire", "meu aniversário", "seu aniversário",
    "geb.", "né", "née", "naissance", "nacido", "nacida", "nacimiento", "nato", "nata", "nascita",
    "nascido", "nascida", "nascimento", "geboortedatum", "urodzony", "urodzona", "urodzenia", "urodził",
    "urodziła", "родился", "родилась", "рождения", "рожд.", "народився", "народилася", "народження",
    "роден", "родена", "раждане", "narozen", "narozena", "narození", "nar.", "født", "fødselsdato",
    "fødselsdag", "född", "föddes", "födelsedatum", "födelsedag", "syntynyt", "syntyi", "syntymäaika",
    "syntymäpäivä", "született", "születési", "szül.", "születésnap", "născut", "născută", "nașterii",
    "naşterii", "naștere", "naştere", "doğum", "doğdu", "doğumlu", "lahir", "kelahiran", "ngày sinh",
    "sinh ngày", "sinh năm", "năm sinh", "γέννησης", "γεννησης", "γέννηση", "γεννήθηκε", "γεννημένος",
    "γεννημένη", "ميلاد", "مواليد", "ولد", "ولدت", "تولد", "متولد", "לידה", "נולד", "נולדה", "जन्म",
    "जन्मतिथि", "जन्मदिन", "जन्मे", "जन्मी", "วันเกิด", "ปีเกิด", "เกิดวันที่", "生年月日", "生まれ",
    "誕生日", "出生", "生日", "生于", "생년월일", "출생", "생일", "태어",
)  # fmt: skip
