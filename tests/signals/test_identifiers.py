"""Identifiers named by a label in every language, national numbers by their layout and
checks, passwords and logins."""

from __future__ import annotations

import pytest

from router._levels import Sensitivity
from router._signals._national_ids import german_id_card_valid, uk_nino_valid
from tests.support.findings import SCANNER, found

LABELLED = {
    "passport": ("passport number XG9382049", "national_id", "XG9382049"),
    "patient id": ("patient ID AHC-0933289", "record_id", "AHC-0933289"),
    "policy": ("policy #88291-LK", "record_id", "88291-LK"),
    "luhn-failing card after its label": (
        "card number 4111 1111 1111 1112",
        "credit_card",
        "4111 1111 1111 1112",
    ),
    "german account": ("Kontonummer: 1234567890", "account_number", "1234567890"),
    # An account named without "number" is a customer's account: a record id, not a bank's.
    "account": ("my account 000123456789 was charged twice", "record_id", "000123456789"),
    "account id": ("Account ID: A-99231", "record_id", "A-99231"),
    # Health and social security cards, tax and fund numbers by their own names.
    "german health insurance number": ("Krankenversicherungsnummer A123456780", "record_id", "A123456780"),
    "german policy number": ("Policennummer 123456789", "record_id", "123456789"),
    "italian health card": ("tessera sanitaria 80380000500000000001", "national_id", "80380000500000000001"),
    "spanish social security": ("NSS 28/12345678/40", "national_id", "28/12345678/40"),
    "portuguese taxpayer": ("número de contribuinte 123456789", "national_id", "123456789"),
    "polish tax number": ("NIP 123-456-32-18", "national_id", "123-456-32-18"),
    "medicare": ("Medicare number 2123 45670 1", "national_id", "2123 45670 1"),
    "indian uan": ("my UAN is 100123456789", "account_number", "100123456789"),
    # Printed with spaces, the letters of the prefix apart: the UK's usual form.
    "national insurance, spaced": ("NINO AB 12 34 56 C", "national_id", "AB 12 34 56 C"),
    "ni number": ("NI number: AB 12 34 56 C", "national_id", "AB 12 34 56 C"),
    "nhs no.": ("NHS no. 943 476 5919", "national_id", "943 476 5919"),
    "canadian sin": ("SIN: 130-692-544", "national_id", "130-692-544"),
    # In capitals the short names name their numbers: a mistyped check digit still counts.
    "canadian sin, check digit mistyped": ("SIN 046-454-286", "national_id", "046-454-286"),
    "nhs, check digit mistyped": ("NHS 943 476 5918", "national_id", "943 476 5918"),
    # A NIR as printed after its label, with a first digit apart and a mistyped key.
    "french nir, spaced": ("NIR 1 85 05 78 006 084 90", "national_id", "1 85 05 78 006 084 90"),
    "french nir after its name": (
        "numéro de sécurité sociale 1 85 05 78 006 084 90",
        "national_id",
        "1 85 05 78 006 084 90",
    ),
    # Found only as a phone number before (confidential, where a national number is restricted).
    "danish cpr": ("CPR-nr.: 211062-5629", "national_id", "211062-5629"),
    # Its century sign and check character give it a layout no other number has: no label.
    "finnish identity code": ("asiakas 131052-308T soitti", "national_id", "131052-308T"),
    # The codes that stand in for a password, and PINs by their other names.
    "one-time code": ("Your one-time code is 482193.", "password", "482193"),
    "verification code": ("verification code: 482193", "password", "482193"),
    "chinese verification code": ("您的验证码是482193", "password", "482193"),
    "recovery code": ("recovery code 7f3k-9d2m-x8q1", "password", "7f3k-9d2m-x8q1"),
    "german pin": ("Ihre Geheimzahl 4821", "password", "4821"),
    "atm code": ("my ATM code 4821", "password", "4821"),
    "code to the safe": ("the code to the safe is 4821", "password", "4821"),
    # "pass" after a user's name, as a command or a chat writes the pair.
    "user then pass": ("user admin pass hunter22", "password", "hunter22"),
    # Keys that unlock a disk, or a licence.
    "license key": ("license key: ABCD-EFGH-1234-5678", "password", "ABCD-EFGH-1234-5678"),
    "bitlocker recovery key": (
        "BitLocker recovery key 123456-234567-345678-456789-567890-678901-789012-890123",
        "password",
        "123456-234567-345678-456789-567890-678901-789012-890123",
    ),
    "pin-code": ("PIN-Code 4821", "password", "4821"),
    "french driving licence": ("permis de conduire n° 12AB34567", "driver_license", "12AB34567"),
    "password": ("password: W!nter2024.", "password", "W!nter2024"),
    "pin": ("Your PIN is 4821", "password", "4821"),
    "spanish password": ("contraseña: Gato2024", "password", "Gato2024"),
    "password setting in a .env file": ("DB_PASSWORD=Tr0ub4dor&3", "password", "Tr0ub4dor&3"),
    "password setting in yaml": ('MYSQL_ROOT_PASSWORD: "Sommer2024"', "password", "Sommer2024"),
    "camel-case password key": ("adminPassword=Sommer2024", "password", "Sommer2024"),
    "environment variable in capitals": ("PGPASSWORD=Tr0ub4dor psql -h db", "password", "Tr0ub4dor"),
    "password in json": ('{"user": "jane", "password": "Sommer2024"}', "password", "Sommer2024"),
    "pin in json": ('{"pin":"4821"}', "password", "4821"),
    "passport in json": ('{"passport": "XG9382049"}', "national_id", "XG9382049"),
    "ruby hash password": ("password => 'Sommer2024'", "password", "Sommer2024"),
    "pass setting": ("DB_PASS=Tr0ub4dor&3", "password", "Tr0ub4dor&3"),
    "camel-case pass setting": ("smtpPass: Sommer2024", "password", "Sommer2024"),
    "pass field": ("user: jane\npass: hunter2x", "password", "hunter2x"),
    "pass in json": ('{"user": "jane", "pass": "hunter2x"}', "password", "hunter2x"),
    "pass in yaml": ("db:\n  pass: 'hunter2x'", "password", "hunter2x"),
    "passphrase of words": (
        "passphrase: correct horse battery staple",
        "password",
        "correct horse battery staple",
    ),
    "swedish password": ("lösenord: Sommar2024", "password", "Sommar2024"),
    "turkish password": ("şifre: Yaz2024", "password", "Yaz2024"),
    "greek password": ("κωδικός: Kalokairi24", "password", "Kalokairi24"),
    "chinese password": ("密码：abc12345", "password", "abc12345"),
    "japanese password": ("パスワード: Haru2024", "password", "Haru2024"),
    "korean password": ("비밀번호: Bom2024", "password", "Bom2024"),
    # What the password is for, between the label and the value.
    "password for what": ("the password for the wifi is Sommer2024!", "password", "Sommer2024"),
    "password for whom": ("password for admin: Sommer2024", "password", "Sommer2024"),
    "password to an account": ("the password to my account is Sommer2024", "password", "Sommer2024"),
    "german password for what": ("Das Passwort für das WLAN ist Sommer2024", "password", "Sommer2024"),
    # "pass" as a field after another one: a query string, a command line.
    "pass in a query string": ("GET /login?user=root&pass=toor123", "password", "toor123"),
    "pass after a setting": ("connect user=root pass=toor123 host=db", "password", "toor123"),
    # The codes that open a home, and a list of backup codes.
    "door code": ("the door code is 4821", "password", "4821"),
    "access code": ("access code: 8812", "password", "8812"),
    "alarm code": ("the alarm code is 1975", "password", "1975"),
    "french digicode": ("Le digicode est 4B21A", "password", "4B21A"),
    "german door code": ("Der Türcode lautet 4821", "password", "4821"),
    "backup codes": ("2FA backup codes: 8h2k-29dk, 92jd-2k2k", "password", "8h2k-29dk"),
    "pw": ("wifi: MyHomeNet / pw: Sommer2024", "password", "Sommer2024"),
    # A card after its label a digit at a time, and a password said before its label.
    "card a digit at a time": (
        "card number 4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1",
        "credit_card",
        "4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1",
    ),
    "password before its label": ("P@ssw0rd1 is my password", "password", "P@ssw0rd1"),
    "quoted pin before its label": ("'hunter22' was the PIN", "password", "hunter22"),
    "security question": ("security question answer: Fluffy", "password", "Fluffy"),
    # A login's secret by its collective name.
    "credentials": ("credentials: s3cr3tP4ss", "password", "s3cr3tP4ss"),
    "creds in base64": ("creds: dXNlcjpwYXNzd29yZA==", "password", "dXNlcjpwYXNzd29yZA=="),
    "german credentials": ("Zugangsdaten: Sommer2024!", "password", "Sommer2024"),
    # Numbers by the names other countries give them, and the names of a customer's numbers.
    "mexican curp": ("Mi CURP es GODE561231HDFRRN09", "national_id", "GODE561231HDFRRN09"),
    "chilean rut": ("Mi RUT es 12.345.678-5", "national_id", "12.345.678-5"),
    "singapore nric": ("My NRIC is S1234567D", "national_id", "S1234567D"),
    "hong kong id": ("HKID: A123456(7)", "national_id", "A123456"),
    "indian pan with a mistyped letter": ("PAN: ABCDE1234F", "national_id", "ABCDE1234F"),
    "russian passport, series first": ("паспорт серия 4510 номер 123456", "national_id", "4510"),
    "member number": ("Member number 00448812", "record_id", "00448812"),
    "customer no.": ("Our customer no. is K-20391", "record_id", "K-20391"),
    "german student number": ("Matrikelnummer 1234567", "record_id", "1234567"),
    "student id": ("my student ID is S2231987", "record_id", "S2231987"),
    "polish to": ("Mój PESEL to 44051401359", "national_id", "44051401359"),
    "french password of what": ("Le mot de passe du serveur est Azerty#2024", "password", "Azerty#2024"),
    "spanish password of what": ("La contraseña del correo es Gato-Negro-77", "password", "Gato-Negro-77"),
}

# A wallet's recovery words: lower-case words, none a password alone, all a wallet together.
_WORDS = "witch collapse practice feed shame open despair creek road again ice least"
SEED_PHRASES = {
    "after a colon": f"recovery phrase: {_WORDS}",
    "after is": f"my seed phrase is {_WORDS}",
    "with commas": "Secret Recovery Phrase: " + _WORDS.replace(" ", ", "),
    "on lines": "mnemonic:\n" + _WORDS.replace(" ", "\n"),
}


@pytest.mark.parametrize(("text", "kind", "value"), LABELLED.values(), ids=LABELLED.keys())
def test_a_value_named_by_its_label_is_a_finding_of_that_type(text: str, kind: str, value: str) -> None:
    assert (kind, value) in found(text)


@pytest.mark.parametrize(("text", "kind", "value"), LABELLED.values(), ids=LABELLED.keys())
def test_a_labelled_value_that_ends_a_sentence_is_read_without_the_full_stop(
    text: str, kind: str, value: str
) -> None:
    # The value's end test kept a "." out of it as part of a longer token ("v1.2", an
    # address), so "My passport number is XG9382049." had no finding at all.
    assert found(text.rstrip(".") + ".") == [(kind, value)]


@pytest.mark.parametrize("text", ["pan 2 huevos 1234", "Pan con tomate 12345", "pan ABCDE1234F"])
def test_pan_in_lower_case_is_a_word_not_the_indian_number(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize("text", SEED_PHRASES.values(), ids=SEED_PHRASES.keys())
def test_a_wallets_recovery_words_are_a_password(text: str) -> None:
    assert found(text) == [("password", text[text.index("witch") :])]


IN_EVERY_LANGUAGE = {
    "german passport compound": ("Reisepassnummer: C01X00T47", "national_id", "C01X00T47"),
    "german licence compound": ("Führerscheinnummer: B072RRE2I55", "driver_license", "B072RRE2I55"),
    "german customer number": ("Kundennummer: 12345678", "record_id", "12345678"),
    "polish passport": ("numer paszportu: AB1234567", "national_id", "AB1234567"),
    "czech passport": ("číslo pasu 12345678", "national_id", "12345678"),
    "hungarian passport": ("Útlevélszám: AB123456", "national_id", "AB123456"),
    "turkish passport": ("pasaport no: U12345678", "national_id", "U12345678"),
    "russian passport": ("номер паспорта 4510 123456", "national_id", "4510 123456"),
    "greek passport": ("αριθμός διαβατηρίου: AK1234567", "national_id", "AK1234567"),
    "arabic passport": ("رقم جواز السفر: A12345678", "national_id", "A12345678"),
    "hebrew passport": ("מספר דרכון: 12345678", "national_id", "12345678"),
    "persian passport": ("شماره گذرنامه: K12345678", "national_id", "K12345678"),
    "hindi passport": ("पासपोर्ट नंबर: K1234567", "national_id", "K1234567"),
    "thai passport": ("หนังสือเดินทาง AA1234567", "national_id", "AA1234567"),
    "vietnamese passport": ("số hộ chiếu: C1234567", "national_id", "C1234567"),
    "indonesian passport": ("nomor paspor: A1234567", "national_id", "A1234567"),
    "japanese passport": ("旅券番号：TK1234567", "national_id", "TK1234567"),
    "chinese passport": ("护照号码：E12345678", "national_id", "E12345678"),
    "korean passport": ("여권번호: M12345678", "national_id", "M12345678"),
    "swedish licence": ("körkortsnummer 19850312-1234", "driver_license", "19850312-1234"),
    "polish account": ("numer konta: 12 3456 7890 1234", "account_number", "12 3456 7890 1234"),
    "japanese account": ("口座番号：1234567", "account_number", "1234567"),
    "polish patient": ("numer pacjenta 483920", "record_id", "483920"),
    "card security code": ("cvv: 123", "credit_card", "123"),
    "german card security code": ("Kartenprüfnummer 4821", "credit_card", "4821"),
    "vehicle identification number": ("VIN 1HGCM82633A004352", "record_id", "1HGCM82633A004352"),
    "licence plate": ("license plate ABC-1234", "record_id", "ABC-1234"),
    "dutch licence plate": ("kenteken 12-ABC-3", "record_id", "12-ABC-3"),
}


@pytest.mark.parametrize(("text", "kind", "value"), IN_EVERY_LANGUAGE.values(), ids=IN_EVERY_LANGUAGE.keys())
def test_identifier_labels_are_read_in_the_languages_the_router_routes(
    text: str, kind: str, value: str
) -> None:
    assert found(text) == [(kind, value)]


# A vehicle's registration as each country prints it, in groups joined by spaces or dashes.
PLATES = {
    "german": ("Kennzeichen: M-AB 1234", "M-AB 1234"),
    "german, sentence": ("His licence plate is KA-AB 1234", "KA-AB 1234"),
    "uk": ("Vehicle reg: AB12 CDE", "AB12 CDE"),
    "uk, a word after it": ("The number plate AB12 CDE was parked outside", "AB12 CDE"),
    "french": ("immatriculation AB-123-CD", "AB-123-CD"),
    "italian": ("targa AB 123 CD", "AB 123 CD"),
    "spanish": ("matrícula 1234 ABC", "1234 ABC"),
    "us, one block": ("License plate: 7ABC123", "7ABC123"),
    "plate number": ("Plate number ABC-1234", "ABC-1234"),
}


@pytest.mark.parametrize(("text", "value"), PLATES.values(), ids=PLATES.keys())
def test_a_vehicle_registration_after_its_label_is_a_record_id(text: str, value: str) -> None:
    assert found(text) == [("record_id", value)]


@pytest.mark.parametrize(("text", "value"), PLATES.values(), ids=PLATES.keys())
def test_a_registration_that_ends_a_sentence_is_read_without_the_full_stop(text: str, value: str) -> None:
    assert found(text.rstrip(".") + ".") == [("record_id", value)]


@pytest.mark.parametrize(
    "text",
    ["licence plate 2019", "the plate number is unknown", "registration mark is on the left, 2 doors"],
)
def test_a_plate_label_without_a_registration_after_it_is_no_finding(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "My EIN is 12-3456789",
        "EIN: 12-3456789",
        "Employer Identification Number 123456789",
        "FEIN 12-3456789",
    ],
)
def test_a_us_employer_identification_number_after_its_label_is_a_national_id(text: str) -> None:
    assert [kind for kind, _ in found(text)] == ["national_id"]


@pytest.mark.parametrize(
    "text",
    [
        "EIN: 07-3456789",  # a prefix the IRS never assigned
        "Das ist ein 10-Punkte-Plan für 2024",  # German's "ein"
        "ein 12-34 Stunden langer Tag",
    ],
)
def test_ein_without_an_employer_number_after_it_is_no_finding(text: str) -> None:
    assert found(text) == []


# What joins a label to its value, written as forms and people write it: capitals, a word of
# its own that begins like a shorter one ("nummer", "numéro"; "ist"), a verb, the "." of "No.".
JOINS = {
    "capitalised number": ("Passport Number: XG9382049", "national_id", "XG9382049"),
    "label in capitals": ("PASSPORT NUMBER XG9382049", "national_id", "XG9382049"),
    "german nummer after a label": ("Reisepass Nummer: C01X00T47", "national_id", "C01X00T47"),
    "dutch nummer": ("Passport nummer XG9382049", "national_id", "XG9382049"),
    "french numéro": ("Passport numéro XG9382049", "national_id", "XG9382049"),
    "capitalised nr.": ("Konto Nr. 1234567890", "account_number", "1234567890"),
    "no. after a label ending in no": ("Policy No. 88291-LK", "record_id", "88291-LK"),
    "account no.": ("Account No. 12345678", "account_number", "12345678"),
    "german ist": ("Meine Steuer-ID ist 659-2997-0489", "national_id", "659-2997-0489"),
    "german lautet": ("Meine Passnummer lautet C01X00T47", "national_id", "C01X00T47"),
    "english was": ("my passport number was XG9382049", "national_id", "XG9382049"),
    "danish er": ("Kontonummer er 12345678901", "account_number", "12345678901"),
    "korean particle": ("여권번호는 M12345678", "national_id", "M12345678"),
    "hyphen before nr.": ("Reisepass-Nr.: C01X00T47", "national_id", "C01X00T47"),
    "german identity card no.": ("Ausweis-Nr. T22000129", "national_id", "T22000129"),
    # "DL" with its colon: a form's field; "2 dl" alone is a decilitre.
    "driver's licence field": ("DL: S530-4608-2791", "driver_license", "S530-4608-2791"),
    # German compounds with their "-Nr." abbreviation, and "#" after an English label word.
    "german customer no.": ("Kunden-Nr. 12345678", "record_id", "12345678"),
    "german insured no.": ("Versicherten-Nr.: A123456780", "record_id", "A123456780"),
    "german tax no.": ("Steuer-Nr. 21/815/08150", "national_id", "21/815/08150"),
    "employee #": ("Employee #: 4821-77", "record_id", "4821-77"),
    "aba routing number": ("ABA: 021000021", "account_number", "021000021"),
    "australian bsb": ("BSB 062-000", "account_number", "062-000"),
    "mexican clabe": ("CLABE 032180000118359719", "account_number", "032180000118359719"),
}


@pytest.mark.parametrize(("text", "kind", "value"), JOINS.values(), ids=JOINS.keys())
def test_what_joins_a_label_to_its_value_is_read_in_any_case_and_to_its_end(
    text: str, kind: str, value: str
) -> None:
    assert found(text) == [(kind, value)]


@pytest.mark.parametrize(
    "text",
    [
        "ehliyet 2019 yılında aldım",
        "konto 2024 roku",
        "paspor 2025 baru",
        "un vin de 2019",
        "cvv 12345",
        "add 2 dl 1234 times",
        "the password for the account is expired",
        "a=b pass the salt 2024",
    ],
)
def test_a_year_after_a_label_word_is_prose_not_an_identifier(text: str) -> None:
    assert found(text) == []


# A login is named as one: the account's record id, whatever its shape. (text, the login)
LOGINS = {
    "login is a handle": ("her login is helena.shaw", "helena.shaw"),
    "username field": ("username: hshaw", "hshaw"),
    "user name with digits": ("user name: j.doe42", "j.doe42"),
    "german": ("Benutzername: jdoe", "jdoe"),
    "setting": ("DB_USERNAME=admin42", "admin42"),
    "json": ('{"username": "hshaw", "role": "ops"}', "hshaw"),
    "russian": ("имя пользователя: ivanov", "ivanov"),
    "chinese": ("用户名：zhangsan", "zhangsan"),
    "owned, letters only": ("my username is jdoe, can you reset it?", "jdoe"),
    "owned, capitals": ("Her login is HShaw.", "HShaw"),
}


@pytest.mark.parametrize(("text", "login"), LOGINS.values(), ids=LOGINS.keys())
def test_a_login_named_by_its_label_is_a_record_id(text: str, login: str) -> None:
    assert found(text) == [("record_id", login)]


@pytest.mark.parametrize(
    "text",
    [
        "the login page is down",
        "fill in the username field",
        "the login is slow today",
        "class User:\n    username: str\n    login: Optional[str]",
        "username: Mapped[str]",
        "Login: failed",
        "loginname and login.php",
        "Username: 2024-01-01",
        "my username is locked",
        "my login is not working",
        "your username is too long",
    ],
)
def test_login_words_without_a_name_after_them_are_no_findings(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to password@example.com", [("email", "password@example.com")]),
        ("passcode@0.aa", [("email", "passcode@0.aa")]),  # found by hypothesis
        ("the pinnacle2024 summit", []),
    ],
)
def test_a_password_word_joined_to_what_follows_is_no_label(
    text: str, expected: list[tuple[str, str]]
) -> None:
    """A label needs a space or a separator before its value: these are an address and a word."""
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "password"),
    [
        ("password: fluffy", "fluffy"),
        ("my password is sunshine", "sunshine"),
        ("the password for the wifi is bananas", "bananas"),
        ("Passwort: sonnenschein", "sonnenschein"),
        ("mot de passe : soleil", "soleil"),
        ("security question answer: fluffy", "fluffy"),
        ("Memorable word: marmalade", "marmalade"),
    ],
)
def test_a_plain_word_given_as_the_password_is_a_password(text: str, password: str) -> None:
    assert found(text) == [("password", password)]


@pytest.mark.parametrize(
    "text",
    [
        "password: required",
        "my password is incorrect",
        "Passwort ist falsch",
        "password is being rejected",
        "Your password is expiring soon",
        "the password is case sensitive",
        "reset password: click here",
        "password fluffy",  # no ":", "=" or "is" gives it
        "pin: fluffy",  # a PIN is digits
        "la clave es sencilla",
    ],
)
def test_a_word_that_says_how_the_password_is_is_no_password(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "login", "password"),
    [
        ("login: admin / P@ssw0rd1", "admin", "P@ssw0rd1"),
        ("username: root | toor99", "root", "toor99"),
    ],
)
def test_a_password_written_after_a_login_as_a_pair_is_a_password(
    text: str, login: str, password: str
) -> None:
    assert found(text) == [("record_id", login), ("password", password)]


def test_a_login_pair_after_an_email_address_is_a_password() -> None:
    assert found("login: jane@example.com / W!nter2024") == [
        ("email", "jane@example.com"),
        ("password", "W!nter2024"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "the password reset link expired",
        "our privacy policy 2024 update",
        "pin the tab to the window",
        "password_reset_token: abc123",
        "reset_password: true",
        "user.getPassword(account1)",
        "your boarding pass: 12A",
        "all tests pass: 42/42",
        "except: pass",
        "the passphrase is required",
        "the access code is valid for 24 hours",
        "What is a seed phrase and how do I keep it safe?",
        "my seed phrase is a list of twelve words I wrote down on paper",
        # A dot right after a password word is code's attribute, not a label's end.
        "password.encode('utf-8')",
        "pw.println(line)",
        "pin.close()",
        "authorization is required for this endpoint",
        "This is my password",
        "step 2 is the password",
        "Your credentials are stored securely",
        "the aws credentials file",
        "credentials: see vault",
        "Office product key 2024 edition",
        "the license key is required",
    ],
)
def test_label_words_without_a_value_are_not_findings(text: str) -> None:
    assert found(text) == []


NATIONAL = {
    "spanish dni": "DNI 54362315K",
    "spanish dni without label": "mi documento 54362315K",
    "spanish nie": "X2482300W",
    "italian codice fiscale": "RCCMNL83S18D969H",
    "indian pan": "PAN ACUPA7085R",
    "french nir": "1 84 12 76 451 089 46",
    "aadhaar": "2341 2341 2346",
    "german tax id after a generic label": "ID: 36574261809",
    "dutch bsn after its name": "BSN 111222333",
    "uk nino": "AB123456C",
    "german id card": "Ausweis T220001293",
    # Numbers without a check python-stdnum knows, after the name people write them with.
    "brazilian cpf": "meu CPF é 529.982.247-25",
    "brazilian cnpj": "CNPJ 11.222.333/0001-81",
    "swiss ahv": "AHV-Nr. 756.1234.5678.97",
    "swedish personnummer": "personnummer 811228-9874",
    "finnish henkilötunnus": "henkilötunnus 131052-308T",
    "turkish kimlik": "TC kimlik no 10000000146",
    "romanian cnp": "CNP 1800101221144",
    "czech rodné číslo": "rodné číslo 736028/5163",
    "russian snils": "СНИЛС 112-233-445 95",
    "japanese my number": "マイナンバー：1234 5678 9012",
    "chinese resident id in a sentence": "我的身份证号是11010519491231002X",
    "korean resident number": "주민등록번호 900101-1234567",
    "korean resident number, short label": "주민번호 850312-1234567",
    # Checked by their layout and check digits, without a label.
    "korean resident number alone": "971013-9019902",
    "chinese resident id alone": "11010519491231002X",
    "brazilian cpf alone": "529.982.247-25",
}


@pytest.mark.parametrize("text", ["v1.2.3-45", "2024.001.002-33", "971013-9019903", "11010519491231002Y"])
def test_numbers_in_a_national_layout_that_fail_its_check_are_no_national_id(text: str) -> None:
    assert [f for f in SCANNER.scan(text) if f.type == "national_id"] == []


@pytest.mark.parametrize("text", NATIONAL.values(), ids=NATIONAL.keys())
def test_national_numbers_are_restricted_findings(text: str) -> None:
    findings = SCANNER.scan(text)
    assert [f.type for f in findings] == ["national_id"]
    assert findings[0].level is Sensitivity.RESTRICTED


def test_a_bare_nine_digit_number_is_no_national_id_without_a_label() -> None:
    assert found("reference 111222333") == []


def test_a_label_inside_a_longer_word_of_its_script_is_no_label() -> None:
    """The letters of "инн" stand inside "Винница", and of "cnp" inside "xcnp": no label there."""
    assert found("Винница 12345678") == []
    assert found("xcnp 1800101221144") == []


def test_the_hand_written_checks_for_numbers_stdnum_lacks() -> None:
    assert german_id_card_valid("T220001293")
    assert not german_id_card_valid("T220001294")
    assert uk_nino_valid("AB123456C")
    assert not uk_nino_valid("BG123456C")  # a prefix HMRC never issues


@pytest.mark.parametrize(
    "text",
    [
        "sin 1.500 euros al mes",
        "llame al NHS 111",
        "sin 130 692 545 dudas",
        "Sin 046 454 286 no",
        "the OTP is sent by SMS",
    ],
)
def test_a_short_label_that_is_also_a_word_needs_a_number_passing_its_check(text: str) -> None:
    assert found(text) == []
