"""Street addresses in the main formats and those of every language the router routes, and
what only looks like one (names, dates of birth and ages: ``test_people_and_identifiers``)."""

from __future__ import annotations

import pytest

from tests.support.findings import found

ADDRESSES = {
    "us": ("Ship it to 1600 Pennsylvania Avenue today", "1600 Pennsylvania Avenue"),
    "german": ("Sie wohnt in der Hauptstraße 5 in Köln", "Hauptstraße 5"),
    "german apart": ("The bus station is on Villacher Strasse 89", "Villacher Strasse 89"),
    "dutch": ("Kantoor: Keizersgracht 123, Amsterdam", "Keizersgracht 123"),
    "spanish": ("Vivo en Calle Mayor 5, Madrid", "Calle Mayor 5"),
    "polish": ("Adres: ul. Narewska 94, Poznań", "ul. Narewska 94"),
    "nordic": ("William Hughes  20789 Allika 46  Suite 501", "20789 Allika 46"),
    "unit": ("Flat: Apt. 478", "Apt. 478"),
}


@pytest.mark.parametrize(("text", "address"), ADDRESSES.values(), ids=ADDRESSES.keys())
def test_a_street_address_is_found_in_the_main_formats(text: str, address: str) -> None:
    assert ("street_address", address) in found(text)


@pytest.mark.parametrize(("text", "address"), ADDRESSES.values(), ids=ADDRESSES.keys())
def test_an_address_that_ends_a_sentence_is_found(text: str, address: str) -> None:
    # Some patterns take the full stop into the span, which pseudonymising then masks too.
    spans = [(kind, value.removesuffix(".")) for kind, value in found(f"Please send it to {address}.")]
    assert ("street_address", address) in spans


WORLD_ADDRESSES = {
    # US military mail: the ship's or unit's line and the military post office.
    "military ship": (
        "The restaurant is located at USNS Saibara\nFPO AP 12428. It serves",
        "USNS Saibara\nFPO AP 12428",
    ),
    "military unit": (
        "Ship it to Unit 2050 Box 4190, APO AP 96278 please",
        "Unit 2050 Box 4190, APO AP 96278",
    ),
    "military, lower case": ("sent to uscgc aslakhanov\nfpo ae 44941?", "uscgc aslakhanov\nfpo ae 44941"),
    # Post boxes in the languages that write them as words, and numbers with a flat or
    # orientation number after a slash, whole (pseudonymising masks the finding's span).
    "german post box": ("Bitte an Postfach 1234, 10115 Berlin", "Postfach 1234"),
    "dutch post box": ("Antwoordnummer: Postbus 123, Amsterdam", "Postbus 123"),
    "spanish post box": ("Escriba al Apartado 45, Madrid", "Apartado 45"),
    "italian post box": ("Scrivere a Casella Postale 12", "Casella Postale 12"),
    "portuguese post box": ("Envie para Caixa Postal 100", "Caixa Postal 100"),
    "polish flat number": ("Mieszkam przy ul. Marszałkowska 10/12 od lat", "ul. Marszałkowska 10/12"),
    "german flat number": ("Wir wohnen in der Hauptstraße 5/2 seit Mai", "Hauptstraße 5/2"),
    "czech": ("Adresa: Václavské náměstí 12, Praha", "Václavské náměstí 12"),
    "czech square first": ("Bydlí na adrese náměstí Míru 12.", "náměstí Míru 12."),
    "czech field": ("Adresa: Dlouhá 12, Praha", "Dlouhá 12, Praha"),
    "russian": ("Москва, ул. Тверская, д. 12, кв. 5", "ул. Тверская, д. 12"),
    "russian field": ("Адрес: ул. Ленина 5", "ул. Ленина 5"),
    "bulgarian": ("Офисът е на бул. Витоша 12", "бул. Витоша 12"),
    "japanese": ("住所：東京都千代田区千代田1-1", "東京都千代田区千代田1-1"),
    "japanese chome": ("大阪府大阪市北区梅田3丁目1番1号に来てください", "大阪府大阪市北区梅田3丁目1番1号"),
    "chinese": ("地址：北京市朝阳区建国路88号", "北京市朝阳区建国路88号"),
    "chinese in a sentence": ("请寄到上海市浦东新区世纪大道100号。", "请寄到上海市浦东新区世纪大道100号"),
    "taiwanese": ("台北市信義區信義路五段7號", "台北市信義區信義路五段7號"),
    "korean": ("주소: 서울특별시 강남구 테헤란로 123", "서울특별시 강남구 테헤란로 123"),
    "korean in a sentence": (
        "부산광역시 해운대구 해운대로 264번길 12에 있습니다",
        "부산광역시 해운대구 해운대로 264번길 12",
    ),
    "turkish": ("Atatürk Cad. No: 12", "Atatürk Cad. No: 12"),
    "indonesian": ("Kantor kami di Jl. Sudirman No. 12, Jakarta", "Jl. Sudirman No. 12"),
    "vietnamese": ("Cửa hàng ở 123 đường Lê Lợi, Quận 1", "123 đường Lê Lợi"),
    "vietnamese field": ("Địa chỉ: 12 Lê Lợi, Quận 1", "12 Lê Lợi, Quận 1"),
    "greek": ("Μένει στην οδός Ερμού 12", "οδός Ερμού 12"),
    # The street word in another case: "on the street", "to the street", "of the avenue".
    "russian prepositional": ("Он живёт на улице Ленина, дом 5", "улице Ленина, дом 5"),
    "russian lane": ("Я живу в переулке Сивцев Вражек, д. 5", "переулке Сивцев Вражек, д. 5"),
    "greek accusative": ("Μένει στην οδό Ερμού 10", "οδό Ερμού 10"),
    "greek genitive": ("Τα γραφεία της λεωφόρου Κηφισίας 120", "λεωφόρου Κηφισίας 120"),
    "russian in lower case": ("ул. ленина, д. 5", "ул. ленина, д. 5"),
    "arabic": ("يقع المكتب في شارع التحرير 12", "شارع التحرير 12"),
    "hebrew": ("הוא גר ברחוב הרצל 12", "רחוב הרצל 12"),
    "persian": ("خیابان ولیعصر، پلاک 12", "خیابان ولیعصر، پلاک 12"),
    "thai street last": ("ร้านอยู่ที่ถนนสุขุมวิท 21", "ถนนสุขุมวิท 21"),
    "thai number first": ("ที่อยู่: 99/1 ถนนสุขุมวิท", "99/1 ถนนสุขุมวิท"),
    "norwegian genitive": ("Kontoret ligger i Karl Johans gate 12", "Karl Johans gate 12"),
    "danish genitive": ("Vi bor i Kongens gade 5", "Kongens gade 5"),
    "romanian": ("Sediul: Aleea Rozelor 4", "Aleea Rozelor 4"),
    "indonesian field": ("Alamat: Jl. Merdeka 5", "Jl. Merdeka 5"),
}


@pytest.mark.parametrize(("text", "address"), WORLD_ADDRESSES.values(), ids=WORLD_ADDRESSES.keys())
def test_a_street_address_is_found_in_the_formats_of_every_language(text: str, address: str) -> None:
    assert ("street_address", address) in found(text)


NOT_ADDRESSES = {
    "tokyo tower": "東京タワーは333メートルです。",
    "a japanese city alone": "東京都に3年住んでいます。",
    "a japanese date range": "京都市では2-3月に見頃を迎える。",
    "a chinese metro line": "北京市地铁3号线今天开通。",
    "a chinese road and minutes": "市区道路走5分钟就到。",
    "a chinese city alone": "他去年搬到了北京市。",
    "a korean road and minutes": "서울시 버스로 12분 걸린다.",
    "an ip address field": "IP address: 10.0.0.1",
    "a chinese ip address field": "IP地址：192.168.1.1",
    "a memory address field": "address: 0x7ffe1234 in frame",
    "an english gate": "Boarding Gate 12 is closed.",
    "a gate with an apostrophe": "Heaven's Gate 2 was released.",
    "vietnamese ports": "Bo mạch có 2 ngõ SATA 3 và USB 3.0.",
    "a russian count": "На улице было 12 градусов.",
    "a russian temperature": "на улице холодно, 5 градусов",
}


@pytest.mark.parametrize("text", NOT_ADDRESSES.values(), ids=NOT_ADDRESSES.keys())
def test_cities_roads_and_numbers_in_ordinary_text_are_no_street_address(text: str) -> None:
    assert "street_address" not in [kind for kind, _ in found(text)]


@pytest.mark.parametrize(
    "text",
    [
        "Date: Tue, 08 Apr 2014 02:40:16 GMT",
        "Release 12 April 2014 fixed 3 bugs",
        "we drove 5 miles down the road",
    ],
)
def test_dates_and_quantities_are_not_addresses(text: str) -> None:
    assert found(text) == []
