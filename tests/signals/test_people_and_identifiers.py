"""Personal data the structured detectors do not see: names, dates of birth and ages
(addresses: ``test_addresses``; identifiers, national numbers and passwords:
``test_identifiers``)."""

from __future__ import annotations

import pytest

from router._levels import Sensitivity
from router._signals._sensitivity import DEFAULT_LEVELS, SensitivityScanner
from tests.support.findings import found


def test_the_issues_support_ticket_finds_the_person_the_address_and_the_birth_date() -> None:
    text = "Mrs Helena Shaw of 12 Rue Mouffetard, born 3 March 1961, asked for a refund."
    assert found(text) == [
        ("person", "Helena Shaw"),
        ("street_address", "12 Rue Mouffetard"),
        ("date_of_birth", "3 March 1961"),
    ]


NAMES = {
    "title": ("Ms. Margarot flew to Loeches on Saturday morning.", "Margarot"),
    "given name and surname with an initial": ("we need to add Ryan P Costa as guardian", "Ryan P Costa"),
    "unknown names with an initial": ("please change it to Soib K. Kishiev", "Soib K. Kishiev"),
    "naming phrase": ("Hello, my name is Sarah and I need help", "Sarah"),
    "possessive": ("I'm Amanda's daughter", "Amanda"),
    "german title": ("Sehr geehrter Herr Schneider, danke", "Schneider"),
    "dutch title in full": ("De heer Jan de Vries belde over zijn factuur.", "Jan de Vries"),
    "dutch mevrouw": ("Mevrouw Sanne Bakker heeft gebeld.", "Sanne Bakker"),
    "swedish fru": ("Fru Lindqvist ringde igår.", "Lindqvist"),
    "french title": ("Bonjour Mme Lefebvre, merci", "Lefebvre"),
    "lower case text": ("follow up with naomi ryan next week", "naomi ryan"),
    "japanese honorific": ("田中さんに連絡してください", "田中さん"),
    "family-name particle": ("The soloist was Ludwig Van Beethoven himself.", "Ludwig Van Beethoven"),
    # Lower-case particles are part of the name, so that pseudonymising masks the whole of it.
    "dutch particle": ("Sanne de Vries called yesterday", "Sanne de Vries"),
    "dutch particles": ("Please send it to Pieter van der Berg today", "Pieter van der Berg"),
    "spanish particles": ("I met Anna de la Cruz at the desk", "Anna de la Cruz"),
    "german particle": ("The letter is from Hedda von Puttlitz.", "Hedda von Puttlitz"),
    # Family names from Faker's lists that other locales name in their own ways (Polish
    # "unisex_last_names"), and the female forms of the Polish ones.
    "polish family name": ("including Dobrosław Tomaszewski of Fernandez Inc.", "Dobrosław Tomaszewski"),
    "polish female family name": ("a film starring Wacława Adamska and others", "Wacława Adamska"),
    # A possessive on the family name: the pair is a name, and the name ends before it.
    "possessive on the family name": ("Wisława Szczepańska's killers were sentenced", "Wisława Szczepańska"),
    "possessive ends the name": ("from Yuri Bulgakov's Cautionary Tales", "Yuri Bulgakov"),
    "call me": ("Sometimes people call me Csanád", "Csanád"),
    "dutch introduction": ("Ik heet Zwaantje Bruinsma", "Zwaantje Bruinsma"),
    "swedish introduction": ("Jag heter Ylvali Grönqvist", "Ylvali Grönqvist"),
    # The writer's family by the word for them: a name no list holds.
    "my kid": ("I would like to remove my kid Dzhambek from the will.", "Dzhambek"),
    "german daughter": ("Meine Tochter Wiebke ist krank", "Wiebke"),
    "french daughter": ("ma fille Clémence a de la fièvre", "Clémence"),
    # Two unknown words given a person's role on an account or a will.
    "beneficiary": ("I want to add Mercédesz Szôllôssy as a beneficiary", "Mercédesz Szôllôssy"),
    "next of kin": ("register Wiremu Tane Ngata as next of kin", "Wiremu Tane Ngata"),
    # The speaker after a quotation: a name in no list.
    "quotation's speaker": ('"I\'m glad to hear it is moving in that direction," says Gerste.', "Gerste"),
    "quotation's speaker, past": ('"Fine," said Hauta-aho.', "Hauta-aho"),
    "contraction before a name": ("Heather:\"I'm Daniel's daughter\".", "Daniel"),
    # A title, then particles, then the family name.
    "title before a particle": ("Graag terugbellen naar dhr. de Vries", "Vries"),
    "german title before a particle": ("Herr von Weizsäcker sprach lange", "Weizsäcker"),
    "czech academic title": ("Smlouvu podepsal Ing. Novák včera", "Novák"),
    "czech academic title, female": ("Kontaktujte Mgr. Svobodová", "Svobodová"),
    "ends before a function word": ("Please ask Jennifer Brown The Question.", "Jennifer Brown"),
    # A text in capitals is read title-cased; a name there needs firm ground.
    "all capitals": ("MY NAME IS HELENA SHAW", "HELENA SHAW"),
    "all capitals after a label": ("NAME: HELENA SHAW\nDOB: 03/03/1961", "HELENA SHAW"),
    "all capitals after a title": ("DEAR MR SMITH, THANK YOU FOR YOUR ORDER", "SMITH"),
    # Lower case after a form label, in a text with capitals elsewhere.
    "label in a ticket": ("Ticket 4411\nName: helena shaw\nIssue: cannot log in", "helena shaw"),
    "patient label": ("Patient: jonas becker, room 12", "jonas becker"),
    "label and a name that is also a word": ("Customer: josé garcía (VIP)", "josé garcía"),
    "label and a name typed without its accents": ("Customer: vitoria, VIP", "vitoria"),
    "two-word label, given name alone": ("Full name: helena", "helena"),
    # A given name that is also a word of some language, after a naming cue.
    "cue before a name that is also a word": ("Hello, my name is John", "John"),
    "sign-off before a name that is also a word": ("Thanks for your help.\nRegards,\nJohn", "John"),
    # Thanks to someone, or as a sign-off on the name's line.
    "thanks before a name that is also a word": ("Thanks, John", "John"),
    "thanks before an unknown name": ("Thanks Olu!", "Olu"),
    "many thanks": ("Many thanks, Olu Adeyemi", "Olu Adeyemi"),
    "thank you": ("Thank you, Siobhan.", "Siobhan"),
    # A given name that is a word of a longer town name ("Santa Maria", "Sankt Peter").
    "given name in town names": ("I spoke with Maria yesterday about the refund", "Maria"),
    "given name in town names after a verb": ("Please call Peter tomorrow", "Peter"),
    "given name in town names after a comma": ("The refund was approved, Teresa said.", "Teresa"),
    "given name in town names starting a sentence, then a verb": ("Anna is from Plotwatt.", "Anna"),
    "given name in town names starting a sentence, then lives": ("Maria lives in Leeds.", "Maria"),
}


@pytest.mark.parametrize(("text", "name"), NAMES.values(), ids=NAMES.keys())
def test_a_personal_name_is_found(text: str, name: str) -> None:
    assert ("person", name) in found(text)


NOT_NAMES = {
    "city": "The committee met in Paris and Berlin last spring.",
    "company": "We migrated the billing service from Oracle to Postgres.",
    "sentence start word": "Will the release ship before the end of the year?",
    "acronym": "The NASA and IBM teams met.",
    "customer in japanese": "お客様へのお知らせ",
    # Faker's month and day names of every locale: "Mart" and "Mai" are given names too.
    "turkish month": "Toplantı 27 Mart tarihinde yapılacak.",
    "turkish weekday": "Pazartesi günü ofis kapalı.",
    "german month after a noun": "Die Geburtstage Januar stehen im Kalender.",
    # Faker's place names, whole: "San" is a given name and "Marino" a family name.
    "country of two words": "Il crocifisso di San Marino verso Torino.",
    "city of two words": "She moved to Hong Kong for work.",
    # Faker's company legal forms: a family name before one is a company.
    "company legal form": "Die Rechnung kam von der Weber GmbH gestern.",
    # A capitalised function word is a heading's word, not the second part of a name.
    "heading with an article": "Kurzbericht Die Ergebnisse folgen morgen.",
    "heading with a conjunction": "Wir lasen Jahresbericht Und Ausblick gestern.",
    "capitals": "TERMS AND CONDITIONS APPLY TO ALL ORDERS",
    "capitals and a city": "URGENT: SERVER DOWN IN FRANKFURT",
    # Every word is capitalised here: a given name and a word ("Press", "Next") is no one.
    "capitals, a given name and a word": "WHAT ??? I DON'T KNOW WHAT TO PRESS NEXT!!!",
    "an acronym the only capitals": "KBS 뉴스 9시",
    "label before a flower": "Note: rose is a flower",
    "label before words": "Name: the printer on floor 2",
    "label before a team": "Contact: support team",
    "label before a state": "Status: ok",
    # Words of town names that are given names too, and words of their language: the first word
    # of a sentence is no name when it is one ("Alla" is "at the" in Italian).
    "italian preposition at a sentence's start": "Alla conferenza stampa era presente il presidente.",
    "greeting a group": "Dear All, the release is delayed.",
    # A family name that is a word of a country's name ("Czech" is a Polish one).
    "a country after a capitalised word": "Prices rose in Southern Czech Republic last year.",
    # "says" without a quotation before it is no speech tag.
    "says without a quotation": "The report says Germany grew faster than Italy.",
    # "don" as a gift, not the Spanish title, before "de".
    "a gift of god": "Une famille est un don de Dieu, un don gracieux.",
    # Thanks for something, or a capitalised phrase after it.
    "thanks for something": "Thanks for the help, it works now.",
    "thanks in capitals": "Thanks In Advance",
    # A company given a role that people hold too.
    "a firm as a guarantor": "we added Acme Corp as a guarantor",
}


@pytest.mark.parametrize("text", NOT_NAMES.values(), ids=NOT_NAMES.keys())
def test_places_companies_and_ordinary_words_are_not_names(text: str) -> None:
    assert [kind for kind, _ in found(text) if kind == "person"] == []


CASED_NAMES = {
    "cyrillic": ("Вчера звонил Иван Петров по поводу счёта", "Иван Петров"),
    "greek": ("Αναρτήθηκε από Ιορδάνης Κατερίνα στις 7:51", "Ιορδάνης Κατερίνα"),
    "latin with diacritics": ("Die Rechnung ging an Ursula Goldmann-Posch.", "Ursula Goldmann-Posch"),
}


CASELESS_NAMES = {
    "arabic mr": ("اتصل السيد أحمد بخدمة العملاء أمس", "أحمد"),
    "arabic dr": ("موعدك مع الدكتورة فاطمة غدا", "فاطمة"),
    "hebrew mr": ("מר כהן התקשר אתמול לגבי החשבון", "כהן"),
    "hebrew dr": ('ד"ר לוי יחזור אליך מחר', "לוי"),
    "hindi shri": ("श्री रमेश ने कल फोन किया था", "रमेश"),
    "hindi smt": ("श्रीमती सुनीता का खाता बंद है", "सुनीता"),
    "thai miss": ("นางสาวสมศรี ใจดี โทรมาเมื่อวาน", "สมศรี"),
    # A known family name after the given name is part of the name, not a word of the sentence.
    "hindi with a family name": ("श्री राम शर्मा दिल्ली में रहते हैं।", "राम शर्मा"),
    "arabic with a family name": ("السيد أحمد علي يسكن في الرياض", "أحمد علي"),
    "hebrew with a family name": ("מר דוד כהן גר ברחוב הרצל 5", "דוד כהן"),
}


@pytest.mark.parametrize(("text", "name"), CASELESS_NAMES.values(), ids=CASELESS_NAMES.keys())
def test_a_name_after_a_title_is_found_in_scripts_without_capitals(text: str, name: str) -> None:
    assert ("person", name) in found(text)


CASELESS_NOT_NAMES = {
    "hebrew word starting like a title": "המרכז נסגר בשעה שמונה",
    "thai prime minister": "นายกรัฐมนตรีเดินทางไปต่างประเทศ",
    "thai angel": "นางฟ้าในนิทาน",
    "arabic without a title": "اتصل أحمد بخدمة العملاء أمس",
}


@pytest.mark.parametrize("text", CASELESS_NOT_NAMES.values(), ids=CASELESS_NOT_NAMES.keys())
def test_a_title_inside_a_word_names_no_one(text: str) -> None:
    """Only a title standing as its own word counts; a name alone, uncapitalised, is the
    limit of the fast tier in these scripts (the deep tier's job)."""
    assert [kind for kind, _ in found(text) if kind == "person"] == []


@pytest.mark.parametrize(("text", "name"), CASED_NAMES.values(), ids=CASED_NAMES.keys())
def test_names_are_found_by_their_capitals_in_every_cased_script(text: str, name: str) -> None:
    """The scan skips to capital letters only; lower-case letters of any script start no name."""
    assert ("person", name) in found(text)


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("DOB: March 3rd, 1961", "March 3rd, 1961"),
        ("born March 3, 1961 in Ohio", "March 3, 1961"),
        ("Date of birth: Sept. 12, 1985", "Sept. 12, 1985"),
    ],
)
def test_a_birth_date_written_month_first_is_found_from_its_month(text: str, date: str) -> None:
    assert ("date_of_birth", date) in found(text)


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("DOB:03-MAR-1961", "03-MAR-1961"),
        ("born 3-Mar-61 in Leeds", "3-Mar-61"),
        ("DOB 3 Mar 61", "3 Mar 61"),
    ],
)
def test_a_birth_date_with_its_month_between_dashes_or_a_short_year_is_found(text: str, date: str) -> None:
    # Database exports and medical records write dates so.
    assert ("date_of_birth", date) in found(text)


@pytest.mark.parametrize(
    ("text", "date"), [("my bday is 3/12/85", "3/12/85"), ("B-day: 12.03.1985", "12.03.1985")]
)
def test_a_birth_date_after_the_short_word_for_birthday_is_found(text: str, date: str) -> None:
    assert found(text) == [("date_of_birth", date)]


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("birthday: March 3rd", "March 3rd"),
        ("DOB: March 3", "March 3"),
        ("her birthday is on the 12th of June", "12th of June"),
        ("Geburtstag: 3. März", "3. März"),
        ("mon anniversaire est le 3 mars", "3 mars"),
        ("cumpleaños: 3 de marzo", "3 de marzo"),
        ("mijn verjaardag is 3 maart", "3 maart"),
    ],
)
def test_a_birthday_without_its_year_is_a_birth_date(text: str, date: str) -> None:
    assert found(text) == [("date_of_birth", date)]


@pytest.mark.parametrize(
    "text", ["we met on 3 March", "the meeting is on March 3rd", "l'anniversaire de la société le 3 mars"]
)
def test_a_date_without_its_year_and_without_a_birth_word_is_no_birth_date(text: str) -> None:
    assert found(text) == []


def test_a_date_is_a_birth_date_only_after_a_birth_word() -> None:
    assert found("DOB: 04/11/1975") == [("date_of_birth", "04/11/1975")]
    assert found("geboren am 3. März 1961") == [("date_of_birth", "3. März 1961")]
    assert found("issued 04/11/1975") == []


BIRTH_DATES = {
    "arabic": ("تاريخ الميلاد: 12/03/1985", "12/03/1985"),
    "bulgarian": ("роден на 12.03.1985", "12.03.1985"),
    "czech, spaced day and month": ("narozen 12. 3. 1985", "12. 3. 1985"),
    "danish": ("Fødselsdato: 12.03.1985", "12.03.1985"),
    "greek": ("ημερομηνία γέννησης: 12/03/1985", "12/03/1985"),
    "polish month word": ("data urodzenia: 12 marca 1985", "12 marca 1985"),
    "persian digits": ("تاریخ تولد: ۱۳۶۴/۱۲/۲۱", "۱۳۶۴/۱۲/۲۱"),
    "finnish": ("syntymäaika 12.3.1985", "12.3.1985"),
    "french": ("date de naissance : 12/03/1985", "12/03/1985"),
    "hebrew": ("תאריך לידה: 12/03/1985", "12/03/1985"),
    "hindi": ("जन्म तिथि: 12/03/1985", "12/03/1985"),
    "hindi month word": ("जन्म 12 मार्च 1985", "12 मार्च 1985"),
    "hungarian": ("Születési dátum: 1985.03.12", "1985.03.12"),
    "hungarian month word": ("született 1985. március 12.", "1985. március 12."),
    "indonesian": ("Tanggal lahir: 12-03-1985", "12-03-1985"),
    "japanese": ("生年月日：1985年3月12日", "1985年3月12日"),
    "korean": ("생년월일: 1985년 3월 12일", "1985년 3월 12일"),
    "norwegian": ("født 12.03.1985", "12.03.1985"),
    "romanian": ("data nașterii: 12.03.1985", "12.03.1985"),
    "russian month word": ("Дата рождения: 12 марта 1985", "12 марта 1985"),
    "swedish": ("Födelsedatum: 1985-03-12", "1985-03-12"),
    "thai": ("วันเกิด 12/03/1985", "12/03/1985"),
    "turkish": ("Doğum tarihi: 12.03.1985", "12.03.1985"),
    "turkish month word": ("Doğum tarihi: 12 Mart 1985", "12 Mart 1985"),
    "ukrainian": ("Дата народження: 12.03.1985", "12.03.1985"),
    "vietnamese": ("Ngày sinh: 12/03/1985", "12/03/1985"),
    "vietnamese month word": ("sinh ngày 12 tháng 3 năm 1985", "12 tháng 3 năm 1985"),
    "chinese": ("出生日期：1985年3月12日", "1985年3月12日"),
}


@pytest.mark.parametrize(("text", "date"), BIRTH_DATES.values(), ids=BIRTH_DATES.keys())
def test_a_date_after_a_birth_word_is_a_birth_date_in_every_language(text: str, date: str) -> None:
    assert found(text) == [("date_of_birth", date)]


PLAIN_DATES = {
    "japanese": "会議は1985年3月12日に開かれた。",
    "korean": "회의는 1985년 3월 12일에 열렸다.",
    "chinese": "会议于1985年3月12日举行。",
    "turkish": "Toplantı 12.03.1985 tarihinde yapıldı.",
    "russian month word": "Собрание прошло 12 марта 1985 года.",
    "thai": "ประชุมเมื่อ 12/03/1985",
    "vietnamese": "Cuộc họp ngày 12 tháng 3 năm 1985.",
    "hungarian": "Az ülés 1985. március 12. volt.",
    # "sinh" alone is part of "học sinh" (pupil); only "ngày sinh", "sinh ngày"... are births.
    "vietnamese pupil": "Học sinh nhập học 12/03/1985.",
}


@pytest.mark.parametrize("text", PLAIN_DATES.values(), ids=PLAIN_DATES.keys())
def test_a_date_without_a_birth_word_is_no_birth_date_in_any_language(text: str) -> None:
    assert found(text) == []


AGES = {
    "russian field": ("Возраст: 34", "34"),
    "german field": ("Alter: 34", "34"),
    "turkish": ("34 yaşında", "34 yaşında"),
    "finnish": ("34-vuotias", "34-vuotias"),
    "swedish": ("34 år gammal", "34 år gammal"),
    "indonesian": ("berusia 34 tahun", "34"),
    "thai": ("อายุ 34 ปี", "34"),
    "japanese field": ("年齢：34歳", "34歳"),
    "japanese suffix": ("患者は34歳の男性です", "34歳"),
    "chinese suffix": ("患者34岁，男性", "34岁"),
    "korean suffix": ("환자는 34살입니다", "34살"),
    "korean sino suffix": ("환자는 34세입니다", "34세"),
    "korean field": ("나이: 34", "34"),
    "hebrew field": ("גיל: 34", "34"),
    # The Romance languages say it with "to have".
    "spanish": ("Mi hija tiene 12 años y le duele", "12 años"),
    "italian": ("Il paziente ha 45 anni", "45 anni"),
    "portuguese": ("O paciente tem 45 anos", "45 anos"),
    "french": ("Mon fils est malade, il a 7 ans", "7 ans"),
    "spanish, first person": ("tengo 62 años y me duele la espalda", "62 años"),
    "italian, first person": ("ho 62 anni", "62 anni"),
    "portuguese, first person": ("tenho 62 anos", "62 anos"),
    # The clinical shorthand.
    "years old, shorthand": ("62 y/o male with chest pain", "62 y/o"),
    "yo": ("Patient: 45yo male", "45yo"),
    "y.o.": ("30 y.o. female", "30 y.o."),
}


@pytest.mark.parametrize(("text", "age"), AGES.values(), ids=AGES.keys())
def test_an_age_is_found_where_english_would_say_aged_or_years_old(text: str, age: str) -> None:
    assert found(text) == [("age", age)]


@pytest.mark.parametrize(
    "text",
    [
        "Die 34 Bücher",
        "umur 34 tahun lagi",
        "Alter 34 Häuser",
        "21세기",
        "30세대",
        "hace 45 años",
        "A 20 anni di distanza",
        "depuis 45 ans",
        "the 2 yo-yos",
    ],
    ids=[
        "number after a word",
        "a field word without its colon",
        "alter before a count",
        "century",
        "generation",
        "spanish time ago",
        "italian at a distance",
        "french for years",
        "a toy, not years old",
    ],
)
def test_a_number_after_an_ordinary_word_is_no_age(text: str) -> None:
    assert found(text) == []


def test_every_new_type_has_a_default_level_and_a_name_is_confidential() -> None:
    assert DEFAULT_LEVELS["person"] is Sensitivity.CONFIDENTIAL
    assert DEFAULT_LEVELS["password"] is Sensitivity.RESTRICTED
    assert DEFAULT_LEVELS["national_id"] is Sensitivity.RESTRICTED


def test_a_level_per_type_can_be_set_and_a_type_turned_off() -> None:
    levels = dict(DEFAULT_LEVELS)
    levels["person"] = Sensitivity.INTERNAL
    del levels["street_address"]
    scanner = SensitivityScanner(levels=levels)
    findings = scanner.scan("Mrs Helena Shaw of 12 Rue Mouffetard")
    assert [(f.type, f.level) for f in findings] == [("person", Sensitivity.INTERNAL)]


CUED_IN_CASELESS_SCRIPTS = {
    "arabic": ("اسمي محمد أحمد", "محمد أحمد"),
    "hindi": ("मेरा नाम राहुल शर्मा है", "राहुल शर्मा"),
    "japanese": ("私の名前は田中太郎です。", "田中太郎"),
    "japanese to moushimasu": ("私は田中と申します。", "田中"),
    "japanese form": ("氏名：佐藤花子", "佐藤花子"),
    "chinese": ("我叫王小明。", "王小明"),
    "chinese form": ("姓名：张伟", "张伟"),
    "korean": ("제 이름은 김민준입니다.", "김민준"),
    "korean form": ("이름: 박지성", "박지성"),
    "korean honorific ssi": ("김민수 씨가 전화했습니다.", "김민수"),
    "korean honorific nim": ("박지영님께 연락 부탁드립니다.", "박지영"),
    # A letter's salutation puts a space before 님.
    "korean honorific nim after a space": ("김민수 님, 주문이 접수되었습니다.", "김민수"),
    "chinese surname wang": ("王小明先生来电。", "王小明先生"),
    "chinese patient field": ("患者：王小明，男", "王小明"),
    "chinese recipient field": ("收件人：李娜", "李娜"),
    "japanese customer field": ("お客様：佐藤花子", "佐藤花子"),
    "thai name field": ("ชื่อ: สมชาย ใจดี", "สมชาย ใจดี"),
    "thai": ("ผมชื่อสมชาย ใจดี", "สมชาย ใจดี"),
    "hebrew": ("שמי דוד כהן", "דוד כהן"),
    "persian": ("نام من علی رضایی است", "علی رضایی"),
}


@pytest.mark.parametrize(
    ("text", "name"), CUED_IN_CASELESS_SCRIPTS.values(), ids=CUED_IN_CASELESS_SCRIPTS.keys()
)
def test_a_name_introduced_in_a_script_without_capitals_is_found(text: str, name: str) -> None:
    assert found(text) == [("person", name)]


@pytest.mark.parametrize(
    "text",
    [
        "我叫他去商店。",  # "I told him to go to the shop"
        "我是学生。",  # "I am a student"
        "この名前は珍しい。",  # "this name is rare"
        "不動産査定と申しますのは、情報収集の一手段です。",  # "what is called a property valuation"
        "אחרי שהצליחו שמידט וג'נקו לסיים את התיכון",  # "שמי" begins "שמידט", Schmidt
        "ส.ส.บัญชีรายชื่อ พรรคเพื่อไทย",  # "ชื่อ" inside "รายชื่อ", a list of names
        "고객님, 선생님께 말씀드렸습니다.",  # customer, teacher: two syllables before 님
        "부사장님과 간호사님이 오늘 날씨가 좋다고 했습니다.",  # titles of three
        "王様は城にいる。",  # the king
        "患者：男性，四十岁",  # a field's value that is a word: no surname
        "担当：営業部",  # the sales department
    ],
)
def test_words_like_a_cue_in_a_script_without_capitals_introduce_no_name(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Hi, i'm helena shaw. My order is late", "helena shaw"),
        ("Please email helena shaw about the refund", "helena shaw"),
        ("Thanks for the help. Customer naomi ryan called twice.", "naomi ryan"),
    ],
)
def test_a_lower_case_name_after_a_cue_counts_in_a_text_with_capitals(text: str, name: str) -> None:
    """People type names in chat without capitals, beside sentences that have them."""
    assert found(text) == [("person", name)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("my name is john smith", "john smith"),
        ("hi, my name is sarah and i need help", "sarah"),
        ("Mein Name ist anna schmidt", "anna schmidt"),
        ("Ich heiße anna schmidt", "anna schmidt"),
        ("je m'appelle pierre", "pierre"),
        ("меня зовут иван петров", "иван петров"),
        ("ik heet zwaantje bruinsma", "zwaantje bruinsma"),
        # A known name typed without its accents (the lists hold "vitória").
        ("my name is vitoria", "vitoria"),
        ("jag heter ylva", "ylva"),
        # Two words that are neither common nor function words, when the writer introduces
        # themselves: a name the lists do not hold.
        ("my name is borna jerković but everyone calls me borna", "borna jerković"),
        # A title in lower case: the word after it, as after a capitalised one.
        ("mr. elliott flew to finnbogastaðir on friday morning.", "elliott"),
        ("Please ask mrs. kowalski about it", "kowalski"),
    ],
)
def test_one_known_name_after_an_introduction_is_a_name_in_lower_case(text: str, name: str) -> None:
    """An introduction says a name follows: a known one counts alone, and where it is also a
    word ("john"), as after a form's label."""
    assert found(text) == [("person", name)]


@pytest.mark.parametrize(
    "text",
    [
        "the name is missing",
        "my name is on the list",
        "the file name is report.pdf",
        "the file name is invalid format",
        "the mr. and mrs. show",
        "ms word is open",
        "Leitung: Dr. des.",
        "my name is missing from the list",
    ],
)
def test_an_introduction_before_no_known_name_names_no_one(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    "text",
    ["Hi, i'm here to help. Call me later", "Please email the team about it", "I am very happy. Thanks"],
)
def test_lower_case_words_after_a_cue_are_no_name_unless_both_are_names(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Patient: Shaw, Helena", "Shaw, Helena"),
        ("Becker, Jonas called twice", "Becker, Jonas"),
        ("Müller, Martin 90 SV Berolina", "Müller, Martin"),
    ],
)
def test_a_name_written_family_name_first_is_found_whole(text: str, name: str) -> None:
    """Records and exports write "Shaw, Helena": the family name is part of the finding, so
    pseudonymising it leaves neither word."""
    assert [value for kind, value in found(text) if kind == "person"] == [name]


def test_a_list_of_names_is_not_read_as_family_name_and_given_name() -> None:
    text = "They had 3: Hannah, Anthony and Derek."
    assert [value for kind, value in found(text) if kind == "person"] == ["Hannah", "Anthony", "Derek"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("مرحبا PM اليوم", False),  # upper case to str.isupper, with two capitals
        ("DR LI", True),
        ("ИМЯ: ИВАН ПЕТРОВ", True),
        ("A B C", False),
    ],
)
def test_the_capitals_reading_runs_only_where_a_name_in_capitals_could_stand(
    text: str, expected: bool
) -> None:
    from router._signals._people import enough_capitals

    assert enough_capitals(text) is expected


@pytest.mark.parametrize("text", ["Sig.ra Rossi ha scritto", "la Dott.ssa Bianchi ha chiamato", "Avv. Verdi"])
def test_an_italian_title_written_short_introduces_a_name(text: str) -> None:
    assert [kind for kind, _ in found(text)] == ["person"]


@pytest.mark.parametrize("text", ["M. Dupont a appelé hier", "Bonjour, ici M. Lefèvre."])
def test_the_french_m_with_its_full_stop_introduces_a_name(text: str) -> None:
    assert [kind for kind, _ in found(text)] == ["person"]


@pytest.mark.parametrize(
    "text",
    ["Yhteistyössä ovat mm. Jyväskylän kaupunki ja Laukaan kunta.", "Drs. Joko, M.Si, dalam hal ini"],
    ids=["finnish 'among others'", "a degree"],
)
def test_what_only_looks_like_the_french_m_introduces_no_name(text: str) -> None:
    assert "Jyväskylän" not in [value for _, value in found(text)]
    assert "Si" not in [value for _, value in found(text)]


@pytest.mark.parametrize(
    "text",
    [
        "Szanowny Panie Kowalski, dziękujemy",
        "Αγαπητέ κύριε Παπαδόπουλε, ευχαριστούμε",
        "η κυρία Παπαδοπούλου τηλεφώνησε",
        "Ο κ. Παπαδόπουλος είπε",
        "господин Иванов звонил вчера",
        "пан Коваленко телефонував",
    ],
)
def test_a_title_of_polish_greek_russian_or_ukrainian_introduces_a_name(text: str) -> None:
    assert [kind for kind, _ in found(text)] == ["person"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Paciente: José García, DNI pendiente", "José García"),
        ("José García llamó ayer", "José García"),
        ("la señora María José López", "María José López"),
        ("Petr Novák volal včera", "Petr Novák"),
        ("Jan Kowalski dzwonił wczoraj", "Jan Kowalski"),
    ],
)
def test_a_name_in_a_languages_word_list_is_still_a_name(text: str, name: str) -> None:
    # Faker's Spanish, Czech and Polish word lists hold the most frequent names of their
    # languages; as common words they were never names without a title or a cue.
    assert ("person", name) in found(text)


@pytest.mark.parametrize(
    "text",
    ["Pozdrawiam,\nKasia Wiśniewska", "Z poważaniem\nKasia Wiśniewska", "Cordialement,\nMaëlle Kerbrat"],
)
def test_a_name_after_a_sign_off_in_another_language_is_found(text: str) -> None:
    assert [kind for kind, _ in found(text)] == ["person"]
