"""Phone numbers in their countries' formats and after the phone words of every language."""

from __future__ import annotations

import pytest

from tests.support.findings import found

# Numbers written as their countries write them, and after the words that say "phone" or
# "call me" in the languages of the language signal. (text, the number)
NATIONAL_PHONES = {
    "german slash after the area code": ("Tel. 030/12345678", "030/12345678"),
    "german spaced slash": ("Rufen Sie mich an: 030 / 123 456 78", "030 / 123 456 78"),
    "austrian mobile with a slash": ("Fax 0664 / 123 45 67 bitte", "0664 / 123 45 67"),
    "international code then a slash": ("Tel +49 30/1234567", "+49 30/1234567"),
    "bracketed trunk zero, unspaced": ("Mobil: +49(0)171 1234567", "+49(0)171 1234567"),
    "bracketed trunk zero, one block": ("T +44(0)2079460958", "+44(0)2079460958"),
    "belgian slash and dots": ("Tel. 02/123.45.67", "02/123.45.67"),
    "polish call": ("zadzwoń 600 123 456", "600 123 456"),
    "dutch mobile": ("mobiel 0612345678", "0612345678"),
    "dutch call me": ("bel me 123 4567", "123 4567"),
    "swedish call me": ("ring mig på 123 45 67", "123 45 67"),
    "german call me": ("Rufen Sie 123 4567 an", "123 4567"),
    "spanish call me": ("llámame al 612 345 678", "612 345 678"),
    "russian call": ("позвоните 123 45 67", "123 45 67"),
    "ukrainian call": ("дзвоніть 123 45 67", "123 45 67"),
    "hungarian call": ("hívjon 123 4567", "123 4567"),
    "czech call": ("zavolejte 602 123 456", "602 123 456"),
    "finnish call": ("soita 44 123 4567", "44 123 4567"),
    "turkish call": ("bizi arayın 532 123 45 67", "532 123 45 67"),
    "romanian call": ("sunați la 721 234 567", "721 234 567"),
    "indonesian contact": ("hubungi 812 3456 7890", "812 3456 7890"),
    "vietnamese call": ("gọi 912 345 678", "912 345 678"),
    "greek mobile": ("κινητό 69 1234 5678", "69 1234 5678"),
    "hebrew mobile": ("נייד 52 123 4567", "52 123 4567"),
    "arabic call": ("اتصل 501 234 567", "501 234 567"),
    "persian contact": ("تماس 91 2345 6789", "91 2345 6789"),
    "hindi mobile": ("मोबाइल 98765 43210", "98765 43210"),
    "thai mobile": ("มือถือ 81 234 5678", "81 234 5678"),
    "chinese contact": ("请联系 138 1234 5678", "138 1234 5678"),
    "traditional chinese mobile": ("手機 912 345 678", "912 345 678"),
    "korean contact": ("연락처 10 1234 5678", "10 1234 5678"),
    "japanese contact": ("連絡先 90 1234 5678", "90 1234 5678"),
    # A person's "number" is their phone's.
    "my number": ("my number is 07700900123", "07700900123"),
    "french mon numéro": ("mon numéro : 0612345678", "0612345678"),
    "german meine nummer": ("meine Nummer ist 01711234567", "01711234567"),
    # Mobiles written without spaces have 9 digits in Spain and Portugal, 12 in Germany.
    "spanish mi número, nine digits": ("mi número es el 612345678", "612345678"),
    "portuguese meu número, nine digits": ("o meu número é 912345678", "912345678"),
    "german mobile, twelve digits": ("meine Nummer ist 015123456789", "015123456789"),
    "russian мой номер": ("мой номер 9161234567", "9161234567"),
    "arabic my number": ("رقمي 0501234567", "0501234567"),
    "chinese my number": ("我的号码是13800138000", "13800138000"),
    "japanese my number": ("私の番号は09012345678です", "09012345678"),
    "korean my number": ("내 번호는 01012345678", "01012345678"),
    "hindi my number": ("मेरा नंबर 9876543210 है", "9876543210"),
    "turkish my number": ("numaram 05321234567", "05321234567"),
    "swedish my number": ("mitt nummer är 0701234567", "0701234567"),
    "thai number": ("เบอร์ 0812345678", "0812345678"),
}


@pytest.mark.parametrize(("text", "number"), NATIONAL_PHONES.values(), ids=NATIONAL_PHONES.keys())
def test_a_phone_number_in_its_countrys_format_or_after_its_languages_phone_word_is_found(
    text: str, number: str
) -> None:
    assert found(text) == [("phone", number)]


NO_PHONES = {
    "dates": "on 12/05/2024 and 03/12 4567890",
    "path": "see /srv/030/12345678 for it",
    "fraction": "3/4 of 1234567 voters",
    "slash without a trunk zero": "rate 1/3000000 per year",
    "bel inside a word": "it belongs to 123 4567",
    "ring alone": "the ring was 123 4567",
    "ruf as reputation": "Ruf und Ehre 123 4567",
    "nine digits with no phone word": "the batch holds 612345678 rows",
    "my number as a count": "my number of orders is 123",
}


@pytest.mark.parametrize("text", NO_PHONES.values(), ids=NO_PHONES.keys())
def test_slashes_that_are_no_area_code_and_cue_words_that_are_other_words_make_no_phone(text: str) -> None:
    assert [kind for kind, _ in found(text) if kind == "phone"] == []
