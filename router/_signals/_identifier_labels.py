"""The label words of ``_identifiers``, per kind of value they name, in every language the
router routes: what a passport, a tax id, a driver's licence, an account, a patient or policy
record, a card's security code, a password, a passphrase, a wallet's recovery words and a
login are called where a form, a ticket or a chat writes one."""

from __future__ import annotations

from typing import Final

__all__ = ["KEY_LABELS", "LABELS", "NOT_WORD_PASSWORDS", "WORD_PASSWORD_LABELS"]

# Label words per finding type; matched as word prefixes in lower-cased text.
LABELS: Final[dict[str, tuple[str, ...]]] = {
    "national_id": (
        # No "SSN" or "social security": the SSN detector applies the allocation rules there.
        "passport", "reisepass", "passeport", "pasaporte", "passaporto", "passaporte", "paspoort",
        "national id", "national identity", "identity card", "id card", "id number", "id no",
        "personalausweis", "ausweisnummer", "ausweis", "carte d'identité", "carte nationale d'identité",
        "documento de identidad", "dni", "nif", "carta d'identità", "codice fiscale",
        "cartão de cidadão", "bilhete de identidade", "identiteitskaart", "tax id", "tax number",
        "taxpayer", "steuer-id", "steuer id", "steueridentifikationsnummer", "steuernummer", "steuer-nr",
        "sozialversicherungsnummer", "sécurité sociale", "nir", "insee",
        "seguridad social", "bsn", "burgerservicenummer", "sofinummer", "pesel", "nhs number",
        "national insurance", "nino", "aadhaar", "pan card", "social insurance", "tfn",
        "tax file number", "numéro fiscal", "número de identificación",
        # Health and social security cards and tax numbers by their own names: the Italian
        # health card, the Spanish social security number, the Portuguese and Polish tax
        # numbers, the Australian and US Medicare numbers.
        "tessera sanitaria", "nss", "número de afiliación", "número de contribuinte", "contribuinte",
        "nip", "medicare number", "medicare no", "medicare card", "medicare #", "mbi",
        # Other countries' numbers by the names people write them with: Brazil, Switzerland,
        # the Nordics, Turkey, Romania, Bulgaria, Czechia, Hungary, Greece, Russia and
        # Ukraine, Indonesia, Vietnam, Israel, Iran, the Arab countries, India, Japan,
        # China, Korea and Thailand.
        "cpf", "cnpj", "ahv", "ahv-nr", "ahv-nr.", "personnummer", "fødselsnummer", "cpr-nummer",
        "cpr-nr", "cpr-nr.", "cpr",
        "cpr nr", "henkilötunnus",
        "tc kimlik", "kimlik no", "cnp", "egn", "егн", "rodné číslo", "személyi szám", "adóazonosító",
        "taj szám", "αφμ", "αμκα", "инн", "снилс", "паспорт", "рнокпп", "ідентифікаційний код",
        "nomor induk kependudukan", "no. ktp", "nomor ktp", "cccd", "căn cước", "תעודת זהות", "کد ملی",
        "رقم الهوية", "الرقم القومي",
        "आधार", "マイナンバー", "個人番号", "身份证", "身份证号", "身份证号码", "身分證", "身分證字號",
        "주민등록번호", "주민번호", "เลขประจำตัวประชาชน",
        # Passports and identity cards in the other languages the router routes, with the
        # compounds that Germanic languages write as one word ("Reisepassnummer").
        "passnummer", "reisepassnummer", "pasnummer", "paspoortnummer", "personalausweisnummer",
        "identitätskarte", "passin numero", "passi", "henkilökortti", "paszport", "paszportu",
        "dowód osobisty", "dowodu osobistego", "numer dowodu", "cestovní pas", "číslo pasu",
        "občanský průkaz", "občanského průkazu", "útlevél", "útlevélszám", "személyi igazolvány",
        "pașaport", "pasaport", "carte de identitate", "kimlik kartı", "nüfus cüzdanı", "паспорта",
        "лична карта", "удостоверение личности", "посвідчення особи", "διαβατήριο", "διαβατηρίου",
        "αριθμός ταυτότητας", "جواز السفر", "جواز سفر", "بطاقة الهوية", "דרכון", "گذرنامه",
        "پاسپورت", "کارت ملی", "पासपोर्ट", "पैन कार्ड", "หนังสือเดินทาง", "พาสปอร์ต",
        "บัตรประชาชน", "hộ chiếu", "chứng minh nhân dân", "cmnd", "paspor", "パスポート", "旅券",
        "旅券番号", "在留カード", "护照", "护照号", "护照号码", "護照", "護照號碼", "여권", "여권번호",
        "외국인등록번호",
        # Latin America's and Asia's: Mexico's CURP, Chile's RUT, Argentina's CUIT and CUIL,
        # the cédula of the Andean and Caribbean countries, Singapore's NRIC, Hong Kong's HKID.
        # Not "RFC", Mexico's tax id, which is also how standards are cited ("RFC 7231").
        "curp", "rut", "cuit", "cuil", "cédula", "cedula", "carnet de identidad", "nric", "hkid",
    ),
    "driver_license": (
        "driver's license", "drivers license", "driver license", "driver's licence", "driving licence",
        "driving license", "dl number", "dl#", "dl:", "führerschein", "permis de conduire",
        "licencia de conducir", "carnet de conducir", "permiso de conducir", "patente di guida", "patente",
        "carta de condução",
        "carteira de motorista", "cnh", "rijbewijs",
        "führerscheinnummer", "rijbewijsnummer", "licencia de conducción", "körkort",
        "körkortsnummer", "kørekort", "førerkort", "ajokortti", "prawo jazdy", "prawa jazdy",
        "řidičský průkaz", "řidičského průkazu", "jogosítvány", "ehliyet", "sürücü belgesi",
        "permis de conducere", "permisul de conducere", "водительское удостоверение",
        "водительского удостоверения", "водительские права", "посвідчення водія",
        "шофьорска книжка", "δίπλωμα οδήγησης", "رخصة القيادة", "رخصة قيادة", "רישיון נהיגה",
        "گواهینامه", "ड्राइविंग लाइसेंस", "ใบขับขี่", "giấy phép lái xe", "bằng lái",
        "surat izin mengemudi", "運転免許証", "免許証番号", "驾驶证", "驾照", "駕照", "운전면허",
        "운전면허번호",
    ),
    "account_number": (
        "account number", "account no", "account #", "acct", "bank account", "routing number",
        "routing no", "sort code", "kontonummer", "konto", "numéro de compte", "compte bancaire",
        "número de cuenta", "cuenta bancaria", "numero di conto", "conto corrente", "número da conta",
        "conta bancária", "rekeningnummer", "bankrekening",
        "kontonr", "konto-nr", "bankkonto",
        # Banks' own numbers by their names: the US ABA routing number, the Australian BSB,
        # the Mexican CLABE.
        "aba number", "aba routing", "aba #", "aba:", "bsb", "clabe",
        # India's retirement fund account, quoted with the employee's PF account.
        "uan",
        "tilinumero", "numer konta", "nr konta", "numer rachunku",
        "číslo účtu", "számlaszám", "bankszámlaszám", "hesap numarası", "hesap no",
        "număr de cont", "numărul de cont", "номер счета", "номер счёта", "расчетный счет",
        "номер рахунку", "банкова сметка", "αριθμός λογαριασμού", "رقم الحساب", "מספר חשבון",
        "شماره حساب", "खाता संख्या", "खाता नंबर", "เลขที่บัญชี", "เลขบัญชี", "số tài khoản",
        "nomor rekening", "no. rekening", "口座番号", "账号", "帐号", "银行账号", "賬號", "帳號",
        "계좌번호",
    ),
    "record_id": (
        "patient id", "patient number", "patient no", "patient #", "medical record", "mrn",
        "health record", "insurance number", "insurance id", "insurance no", "insurance policy",
        "policy number", "policy no", "policy #", "member id", "membership number",
        "employee id", "employee number", "employee no", "employee #", "staff id", "staff #",
        "personnel number", "member #", "customer #", "client #", "user id",
        "member number", "member no", "membership no", "membership id", "customer no", "client number",
        "client no", "loyalty number", "frequent flyer number",
        # A student's number at a school or university.
        "student id", "student number", "student no", "matrikelnummer", "matrikel-nr", "matrikelnr",
        "numéro étudiant", "numéro d'étudiant", "número de estudiante", "studentnummer", "numer albumu",
        "userid", "account", "account id", "customer id", "customer number", "client id",
        "personalnummer", "versichertennummer", "krankenversicherungsnummer", "krankenkassennummer",
        "kvnr", "policennummer", "polizzennummer", "versicherungsscheinnummer",
        # German abbreviates the compounds' "-nummer" as "-Nr.": "Kunden-Nr. 12345678".
        "kunden-nr", "kundennr", "versicherten-nr", "versichertennr", "versicherungs-nr", "mitglieds-nr",
        "personal-nr", "patienten-nr", "mitarbeiter-nr", "vertrags-nr",
        "versicherungsnummer", "patientennummer", "krankenversicherung", "numéro de patient",
        "numéro d'assurance", "numéro de police", "police d'assurance", "póliza", "número de póliza",
        "número de paciente", "polizza", "numero di polizza", "apólice", "número de utente",
        "polisnummer", "patiëntnummer", "matricule",
        "kundennummer", "numéro client", "número de cliente", "numero cliente", "klantnummer",
        "kundnummer", "kundenummer", "asiakasnumero", "numer klienta", "mitgliedsnummer",
        "mitarbeiternummer", "numéro d'employé", "número de empleado", "matricola",
        "personeelsnummer", "patientnummer", "potilasnumero", "numer pacjenta", "číslo pacienta",
        "číslo pojištěnce", "betegazonosító", "hasta numarası", "sigorta numarası",
        "număr de asigurat", "номер пациента", "номер полиса", "полис омс", "полиса омс", "табельный номер",
        "αριθμός μητρώου", "رقم المريض", "מספר מטופל", "شماره پرونده", "रोगी आईडी",
        "mã bệnh nhân", "số bảo hiểm", "nomor pasien", "nomor polis", "患者番号", "保険証番号",
        "被保険者番号", "病历号", "医保卡号", "病歷號", "환자번호", "보험번호",
        "försäkringsnummer", "forsikringsnummer", "vakuutusnumero", "numer polisy",
        # A vehicle's identification number leads to its keeper.
        "vin", "vehicle identification number", "fahrgestellnummer", "número de bastidor",
        "numero di telaio", "chassisnummer",
    ),
    # A vehicle's registration leads to its keeper too: a ``record_id``, its value read as
    # plates are printed, in groups ("KA-AB 1234", "AB12 CDE", "AB-123-CD"; see ``_identifiers``).
    "plate": (
        "license plate", "licence plate", "number plate", "registration plate", "plate number",
        "plate no", "vehicle reg", "vehicle registration", "car reg", "car registration",
        "registration mark", "reg plate", "kennzeichen", "nummernschild", "amtliches kennzeichen",
        "plaque d'immatriculation", "immatriculation", "targa", "kenteken", "matrícula",
        "tablica rejestracyjna", "numer rejestracyjny", "registreringsnummer", "rekisterinumero",
        "rendszám", "spz", "plaka", "номерной знак", "госномер",
    ),
    # A card's security code (CVV, CVC): with the card, all a payment needs.
    "card_code": (
        "cvv", "cvv2", "cvc", "cvc2", "security code", "card verification code", "card verification value",
        "kartenprüfnummer", "sicherheitscode", "cryptogramme", "code de sécurité",
        "código de seguridad", "codice di sicurezza", "código de segurança", "beveiligingscode",
    ),
    "password": (
        "password", "passwort", "passwd", "pwd", "pw", "passcode", "pass code", "pin", "pin code",
        "kennwort", "mot de passe", "contraseña", "clave", "senha", "wachtwoord", "hasło", "пароль",
        # The other languages of the language signal.
        "lösenord", "adgangskode", "passord", "salasana", "heslo", "jelszó", "şifre", "sifre",
        "parolă", "парола", "κωδικός", "συνθηματικό", "סיסמה", "סיסמא", "رمز عبور",
        "گذرواژه", "كلمة المرور", "كلمة السر", "पासवर्ड", "kata sandi", "mật khẩu", "รหัสผ่าน",
        "密码", "密碼", "パスワード", "비밀번호",
        # PINs by their other names, and the codes that stand in for a password: one-time and
        # verification codes (valid for minutes, enough to sign in), recovery and backup codes,
        # a security question's answer.
        "pin-code", "pincode", "pin-nummer", "geheimzahl", "geheimnummer", "code secret",
        "pinコード", "暗证号码", "暗證號碼", "otp", "one-time code", "one-time password",
        "one time code", "verification code", "2fa code", "mfa code", "recovery code",
        "backup code", "security answer", "secret answer", "security question answer",
        "memorable word", "memorable information",
        "bestätigungscode", "code de vérification",
        "código de verificación", "код подтверждения", "验证码", "認証コード", "인증번호",
        "recovery codes", "backup codes", "2fa codes", "mfa codes",
        # Keys that unlock a disk or an account, or a licence someone paid for (``KEY_LABELS``).
        "recovery key", "bitlocker key", "license key", "licence key", "product key", "activation key",
        # The codes that open a door, a gate, an alarm or a safe: a key to someone's home.
        "access code", "door code", "gate code", "alarm code", "entry code", "keypad code",
        "lock code", "safe code", "garage code", "unlock code", "türcode", "zugangscode",
        "alarmcode", "torcode", "code d'accès", "digicode", "code de la porte", "code d'entrée",
        "código de acceso", "código de la puerta", "código de alarma", "codice di accesso",
        "codice d'accesso", "código de acesso", "toegangscode", "deurcode", "kod dostępu",
        "atm code", "code to the safe", "code for the safe", "code to the door", "code for the door",
        "code to the gate", "code for the gate", "safe combination", "lock combination", "locker code",
        "padlock code",
        # A login's secret by its collective name: what follows is the password (or the pair).
        "credentials", "credential", "creds", "login credentials", "zugangsdaten", "anmeldedaten",
    ),
    # A crypto wallet's recovery words: whoever reads them owns the wallet.
    "seed": (
        "seed phrase", "recovery phrase", "mnemonic phrase", "mnemonic", "seed words",
        "wallet seed", "backup phrase", "recovery words", "seed-phrase",
    ),
    # "pass" is also an English verb and noun ("boarding pass: 12A"): it names a password
    # only as a setting or a field, see ``_pass_field``.
    "pass": ("pass",),
    # A passphrase is words: after a colon or "=", the value runs over single spaces.
    "passphrase": ("passphrase", "pass phrase"),
    # A login is a record id of the person's account (as "user id" is); its value is a name
    # of letters, not an identifier with digits, so it has rules of its own (``_login_after``).
    "login": (
        "login", "log-in", "username", "user name", "login name", "benutzername", "anmeldename",
        "nom d'utilisateur", "identifiant", "nombre de usuario", "nome utente", "nome de usuário",
        "nome do usuário", "gebruikersnaam", "nazwa użytkownika", "brugernavn", "brukernavn",
        "användarnamn", "käyttäjätunnus", "uživatelské jméno", "felhasználónév", "kullanıcı adı",
        "nume de utilizator", "nama pengguna", "tên đăng nhập", "tên người dùng", "логин", "логін",
        "имя пользователя", "ім'я користувача", "потребителско име", "όνομα χρήστη", "שם משתמש",
        "اسم المستخدم", "نام کاربری", "उपयोगकर्ता नाम", "ชื่อผู้ใช้", "用户名", "用戶名", "ユーザー名",
        "ユーザ名", "사용자 이름", "아이디",
    ),
    # A US employer identification number, ``12-3456789``: "EIN" is also German's "a", so the
    # value must have the number's layout and a campus prefix the IRS assigns (``_identifiers``).
    "ein": ("ein", "fein", "employer identification number", "employer id number"),
    "credit_card": (
        "card number", "card no", "card #", "credit card", "debit card", "kartennummer", "kreditkarte",
        "numéro de carte", "carte bancaire", "carte de crédit", "número de tarjeta", "tarjeta de crédito",
        "numero di carta", "carta di credito", "número do cartão", "cartão de crédito", "kaartnummer",
    ),
}  # fmt: skip

# The labels after which a plain lower-case word, given with ":", "=" or "is", is the
# password ("password: fluffy", "my password is sunshine"): the words for a password itself,
# not "PIN", "pw" or "clave" ("pin it", "la clave es sencilla").
# The password labels that name a key: its value is groups of letters and digits
# ("ABCD-EFGH-1234-5678"), never a short run of digits, which after them is an edition or a
# year ("product key 2024"), not a PIN.
KEY_LABELS: Final = frozenset(
    ("recovery key", "bitlocker key", "license key", "licence key", "product key", "activation key")
)
WORD_PASSWORD_LABELS: Final = frozenset(
    (
        "password", "passwort", "passwd", "kennwort", "mot de passe", "contraseña", "senha",
        "wachtwoord", "hasło", "пароль", "lösenord", "adgangskode", "passord", "salasana", "heslo",
        "jelszó", "şifre", "parolă", "passcode", "pass code",
        # A security question's answer is chosen as a password is, and opens the account.
        "security answer", "secret answer", "security question answer", "memorable word",
        "memorable information",
    )
)  # fmt: skip
# Words that say how a password is, or ask for one, rather than give it ("password: required",
# "my password is incorrect", "Passwort ist falsch"); words ending in "ed", "ing" or "ly"
# are taken for such words too.
NOT_WORD_PASSWORDS: Final = frozenset(
    (
        "required", "optional", "incorrect", "invalid", "wrong", "right", "correct", "valid",
        "expired", "needed", "reset", "changed", "protected", "encrypted", "hashed", "hidden",
        "masked", "redacted", "empty", "blank", "none", "null", "nil", "secret", "secure",
        "strong", "weak", "long", "short", "simple", "easy", "hard", "complex", "unknown",
        "forgotten", "lost", "stolen", "leaked", "compromised", "sent", "attached", "here",
        "there", "below", "above", "same", "different", "something", "anything", "nothing",
        "what", "which", "that", "this", "these", "those", "from", "with", "without", "when",
        "where", "please", "enter", "type", "your", "yours", "mine", "ours", "their", "theirs",
        "wrong", "still", "also", "just", "only", "always", "never", "case", "sensitive", "too",
        "very", "about", "like", "same", "default", "temporary", "random", "unique", "new", "old",
        "current", "previous", "next", "shown", "visible", "gone", "broken", "fine", "good",
        "okay", "true", "false", "string", "text", "char", "varchar", "field", "input", "value",
        "stars", "asterisks", "dots", "characters", "letters", "digits", "numbers", "words",
        "must", "should", "will", "would", "could", "cannot", "can't", "isn't", "doesn't",
        "does", "have", "been", "being", "into", "onto", "over", "under", "after", "before",
        "again", "once", "twice", "then", "than", "them", "they", "each", "every", "some",
        "many", "more", "most", "less", "least", "mandatory", "obligatory", "pending", "set",
        # Imperatives of instructions: "reset password: click here".
        "click", "tap", "press", "follow", "see", "visit", "use", "call", "contact", "ask",
        "check", "read", "send", "email", "login", "sign", "choose", "pick", "create", "make",
        "change", "update", "go", "open", "copy", "paste", "find", "keep", "store", "save",
        # The same in the router's other Latin-script languages.
        "falsch", "richtig", "abgelaufen", "erforderlich", "vergessen", "geändert", "ungültig",
        "korrekt", "leer", "geheim", "sicher", "incorrecte", "obligatoire", "oublié", "requis",
        "requise", "vide", "incorrecta", "incorrecto", "obligatorio", "obligatoria", "olvidada",
        "caducada", "vacía", "errata", "sbagliata", "obbligatoria", "vuota", "errada",
        "incorreta", "obrigatória", "vazia", "onjuist", "verkeerd", "verplicht", "vergeten",
        "leeg", "fel", "feil", "forkert", "väärä", "špatně", "błędne", "nieprawidłowe",
        "yanlış", "greșită",
    )
)  # fmt: skip
