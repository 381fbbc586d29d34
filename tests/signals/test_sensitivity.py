"""The sensitivity scanner: what it finds, what it leaves alone, and what it never reveals."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from router._config import parse_routes
from router._levels import Sensitivity
from router._router import Router
from router._signals._sensitivity import (
    BUILTIN_TYPES,
    DEFAULT_LEVELS,
    Finding,
    SensitivityScanner,
    builtin_detectors,
    highest_level,
)
from router._task import Task
from tests.support.findings import SCANNER, found

JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ"
    ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    + "MIIEowIBAAKCAQEA7bq9nV0Q1kq2W3xabcdEFGH0123456789abcdefABCDEF\n" * 3
    + "-----END RSA PRIVATE KEY-----"
)


# (type, value, sentence with {} where the value goes)
POSITIVES = [
    ("email", "jane.doe+news@example.co.uk", "Write to {} today."),
    ("email", "bob@example.com", "Email me at {}."),
    ("phone", "(555) 123-4567", "Call {} now"),
    ("phone", "555-123-4567", "My number is {}."),
    ("phone", "+44 20 7946 0958", "Ring {} from abroad"),
    ("phone", "+41 (0)38 549 02 90", "Desk: {}"),
    ("phone", "0490 75 40 81", "Phone: {}"),
    ("phone", "001-253-366-9781", "Fax: {}"),
    ("phone", "(898)666-3621x0135", "Desk: {}"),
    ("phone", "467 3395", "Phone:\n{}\n"),
    ("phone", "416 60 039", "{} office"),
    ("credit_card", "4111111111111111", "Charge card {} please"),
    ("credit_card", "4111-1111-1111-1111", "Visa {} exp 12/26"),
    ("credit_card", "3782 822463 10005", "Amex {}"),
    ("credit_card", "45391488 03436467", "card {} exp 12/26"),  # two halves of eight
    ("credit_card", "503802053770", "Maestro {}"),
    ("iban", "GB82WEST12345698765432", "My IBAN is {}"),
    ("iban", "DE89 3704 0044 0532 0130 00", "IBAN {}, thanks"),
    ("iban", "gb82west12345698765432", "my iban is {}"),
    ("us_ssn", "123-45-6789", "Here's my SSN: {}"),
    ("us_ssn", "123456789", "his social security number is {}"),
    ("ip_address", "192.168.1.10", "The host {} is down"),
    ("ip_address", "8.8.8.8", "resolver {}:53"),
    ("ip_address", "2001:db8::8a2e:370:7334", "client {} connected"),
    ("ip_address", "fe80::1ff:fe23:4567:890a", "link {}"),
    ("ip_address", "2001:db8::8a2e:370:7334", "grazie:{} ok"),  # a label ending in hex letters
    ("ip_address", "2001:db8::8a2e:370:7334", "grazie\uff1a{} ok"),
    ("api_key", "sk-proj-abc123DEF456ghi789JKL012mno345", "key {}"),
    ("api_key", "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789ABCD", "use {}"),
    ("api_key", "AKIAIOSFODNN7EXAMPLE", "aws id {}"),
    ("api_key", "AIzaSyA1234567890abcdefghijklmnopqrstuv", "maps {}"),
    ("api_key", "ghp_1234567890abcdefghijklmnopqrstuvwxyz", "token {}"),
    ("api_key", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstu", "pat {}"),
    ("api_key", "xoxb-123456789012-1234567890123-abcdefghijklmnop", "slack {}"),
    ("api_key", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "stripe {}"),
    ("api_key", "rk_live_4eC39HqLyjWDarjtT1zdp7dc", "stripe {}"),
    ("api_key", "hf_abcdefghijklmnopqrstuvwxyz0123456789", "hub {}"),
    ("api_key", "hf_jKlMnOpQrStUvWxYzAbCdEfGhIjKlMnOpQ", "HF_TOKEN={}"),  # 34 letters, as issued
    ("api_key", "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", "oauth client {}"),
    ("api_key", "sk_test_4eC39HqLyjWDarjtT1zdp7dc", "STRIPE_KEY={}"),
    ("api_key", "glpat-xK3vQ9mZ2pL7wR4tY8nB", "GITLAB_TOKEN={}"),
    ("api_key", "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", "sendgrid {}"),
    ("api_key", "npm_1234567890abcdefghijklmnopqrstuvwxyz", "//registry.npmjs.org/:_authToken={}"),
    ("api_key", "pypi-AgEIcHlwaS5vcmcCJGE4ZjYwYjYwLTQ5NjQtNDZlMy1hMmE1", "password = {}"),
    ("api_key", "YWRtaW46U29tbWVyMjAyNCE=", "curl -H 'Authorization: Basic {}' https://x"),
    ("api_key", "dckr_pat_2e7f4bA9c1D8e3F6a0B5c7D9e1F", "docker login -p {}"),
    ("api_key", "dapi0123456789abcdef0123456789abcdef", "DATABRICKS_TOKEN {}"),
    ("api_key", "shpat_0123456789abcdef0123456789abcdef", "shopify {}"),
    ("api_key", "dop_v1_" + "0123456789abcdef" * 4, "doctl auth init -t {}"),
    ("api_key", "glc_eyJvIjoiMTIzNDU2Nzg5MCIsIm4iOiJ0ZXN0In0=", "grafana {}"),
    ("api_key", "whsec_Qx7Lm2Pz8Rt4Vw9Kj3Hn5Bc1AbCdEfGh", "STRIPE_WEBHOOK={}"),
    ("api_key", "ya29.a0AfH6SMBx7Lm2Pz8Rt4Vw9Kj3Hn5Bc1AbCdEfGhIj", "access token {} expired"),
    ("api_key", "AGE-SECRET-KEY-1QYZ8F3W0P2LX6NR4T9D7HJ5K3M8CVG2B6XQ4WRTE7Y9ULSA5PZ3KDAAAAA", "age -d -i {}"),
    # A signed URL's signature and a session cookie are credentials: whoever holds one is in.
    (
        "api_key",
        "Qx7Lm2Pz8Rt4Vw9Kj3Hn5Bc1AbCdEfGh%2BIj0kLm%3D",
        "https://a.blob.core.windows.net/c/f?sp=r&sig={}",
    ),
    (
        "api_key",
        "4f2b9c1e7d3a8b6c5e0f1a2b3c4d5e6f7a8b9c0d1e2f",
        "https://s3.amazonaws.com/b/k?X-Amz-Signature={}",
    ),
    ("api_key", "Qx7Lm2Pz8Rt4Vw9Kj3Hn5Bc1AbCdEf", "Cookie: session={}"),
    ("api_key", "qx7lm2pz8rt4vw9kj3hn5bc1", "Set-Cookie: PHPSESSID={}; HttpOnly"),
    # A webhook's URL is its credential: whoever holds it posts to the channel.
    ("api_key", "hooks.slack.com/services/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", "POST https://{}"),
    (
        "api_key",
        "discord.com/api/webhooks/123456789012345678/" + "Qx7Lm2Pz8Rt4Vw9Kj3Hn5Bc1AbCdEfGhIj" * 2,
        "hook: https://{} (ops)",
    ),
    ("api_key", "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "bot {}"),
    ("api_key", "3f8e2a9c7b1d4e6f8a0b2c4d6e8f0a1b", "token: {}"),
    ("api_key", "1//0gAbCdEfGhIjKlMnOpQrStUvWxYz0123", "REFRESH_TOKEN={}"),
    ("api_key", "whsec_abc123def456ghi789", "webhook_secret: {}"),
    ("api_key", "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318", "private key: {}"),
    ("api_key", JWT, "jwt {}"),
    ("api_key", "abc123def456ghi789jkl012mno345", "Authorization: Bearer {}"),
    # Other model providers' keys, and tools' tokens teams paste into prompts.
    ("api_key", "gsk_" + "aB3" * 17 + "x", "GROQ_API_KEY {}"),
    ("api_key", "xai-" + "aB3d" * 20, "my grok key is {} thanks"),
    ("api_key", "pplx-" + "a1b2" * 12, "use {} for search"),
    ("api_key", "r8_" + "aB3" * 12 + "x", "replicate: {}"),
    ("api_key", "key-" + "3ax6" * 8, "mailgun {}"),
    ("api_key", "sq0atp-" + "aB3" * 8, "square token {}"),
    ("api_key", "ATATT3xFfGF0" + "aB3" * 60, "jira {}"),
    ("api_key", "lin_api_" + "aB3" * 14, "linear {}"),
    ("api_key", "ntn_" + "aB3" * 15, "notion {}"),
    ("api_key", "SK" + "0a1b2c3d" * 4, "twilio: {}"),
    ("api_key", "0123456789abcdef" * 2 + "-us6", "MAILCHIMP_KEY is {}"),
    # An Authorization header with another scheme, or none: the value is the credential.
    ("api_key", "3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a", "Authorization: token {}"),
    ("api_key", "00aBcD3fGh1jKlMn0pQrStUvWxYz", "curl -H 'Authorization: SSWS {}' https://x"),
    ("api_key", "3f9a8b7c6d5e4f3a2b1c0d9e", '{{"Authorization": "{}"}}'),
    ("api_key", "a1b2c3d4e5f6g7h8i9j0", 'api_key = "{}"'),
    # Said in prose rather than assigned.
    ("api_key", "3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c", "my api key is {}, can you check it"),
    ("api_key", "Qx7Lm2Pz8Rt4Vw9Kj3Hn5Bc1", "der Access Token ist {}"),
    # Or after its name with a space alone, as chat writes it; or quoted as code.
    ("api_key", "9f8e7d6c5b4a39281706f5e4d3c2b1a0", "api key {}"),
    ("api_key", "9f8e7d6c5b4a39281706f5e4d3c2b1a0", "Twilio auth token {} please rotate it"),
    ("api_key", "MTExMjM0NTY3ODkwMTIzNDU2Nw.GaBcDe." + "aB3d" * 9 + "xy", "discord bot token {}"),
    ("api_key", "9f8e7d6c5b4a39281706f5e4d3c2b1a0", "API key: `{}`"),
    # A session cookie by its name, and a registry's "auth" (Docker's config.json).
    ("api_key", "9F8E7D6C5B4A39281706F5E4D3C2B1A0", "Set-Cookie: JSESSIONID={}; Path=/"),
    ("api_key", "dXNlcjpYazI5c0xxUDk4N3Fh", '{{"auths": {{"ghcr.io": {{"auth": "{}"}}}}}}'),
    ("api_key", "8f7e6d5c4b3a29180f7e6d5c4b3a2918", "Slack signing secret {}"),
    # A link that signs its holder in: its token is the credential.
    ("api_key", "9f8e7d6c5b4a39281706f5e4d3c2b1a0", "reset link: https://app.example.com/reset/{}"),
    ("api_key", "AbC123dEf456GhI789", "join us: https://app.example.com/invite/{}"),
    ("email", "jane at example dot com", "write to {} today"),
    ("email", "jane.doe at mail dot example dot co dot uk", "mail {}, please"),
    ("private_key", PEM, "key:\n{}\nend"),
]


@pytest.mark.parametrize(
    ("kind", "value", "sentence"),
    POSITIVES,
    ids=[f"{kind}-{value[:24]}" for kind, value, _ in POSITIVES],
)
def test_each_builtin_type_is_found_with_its_exact_span(kind: str, value: str, sentence: str) -> None:
    assert found(sentence.format(value)) == [(kind, value)]


def test_an_aws_secret_key_written_next_to_its_access_key_id_is_found() -> None:
    text = "id AKIAIOSFODNN7EXAMPLE secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    assert found(text) == [
        ("api_key", "AKIAIOSFODNN7EXAMPLE"),
        ("api_key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    ]


# A card or an IBAN with its groups joined by any separator a model reads through, mixed or
# not; an SSN with dots after its label. (type, value, sentence)
SEPARATED = [
    ("credit_card", "4111.1111.1111.1111", "my card is {} thanks"),
    ("credit_card", "4111/1111/1111/1111", "my card is {} thanks"),
    ("credit_card", "4111_1111_1111_1111", "my card is {} thanks"),
    ("credit_card", "4539+1488+0343+6467", "POST /pay card={}&cvc=1"),  # a form body's space
    ("credit_card", "4539\u20141488\u20140343\u20146467", "card {} (em dashes a word processor made)"),
    ("us_ssn", "078\u201405\u20141120", "SSN {} on file"),
    ("iban", "DE89+3704+0044+0532+0130+00", "POST /pay iban={}&x=1"),
    ("credit_card", "4111\n1111\n1111\n1111", "my card is\n{}\nthanks"),
    ("credit_card", "4111\r\n1111\r\n1111\r\n1111", "card:\r\n{}\r\n"),
    # A line broken after a group's dash or space, as a narrow column or a mail client wraps it.
    ("credit_card", "4111-1111-1111-\n1111", "my card is {} thanks"),
    ("credit_card", "4111 1111 \r\n1111 1111", "my card is {} thanks"),
    ("iban", "DE89 3704 0044 \n0532 0130 00", "iban {} please"),
    ("credit_card", "4111 - 1111 - 1111 - 1111", "my card is {}"),
    ("credit_card", "4111 / 1111 / 1111 / 1111", "my card is {}"),
    ("credit_card", "4111 -1111- 1111-1111", "my card is {}"),
    ("credit_card", "4111 1111.1111-1111", "my card is {}, thanks"),
    ("credit_card", "3782.822463.10005", "Amex {}"),
    ("credit_card", "4111111111111111", "card\n{}\n1234\n"),
    ("iban", "DE89-3704-0044-0532-0130-00", "iban {} please"),
    ("iban", "DE89.3704.0044.0532.0130.00", "iban {} please"),
    ("iban", "DE89/3704/0044/0532/0130/00", "iban {} please"),
    ("iban", "DE89_3704_0044_0532_0130_00", "iban {} please"),
    ("iban", "DE89\n3704\n0044\n0532\n0130\n00", "iban:\n{}\nthanks"),
    ("iban", "DE89 - 3704 - 0044 - 0532 - 0130 - 00", "iban {} please"),
    ("iban", "GB82.WEST.1234.5698.7654.32", "iban {} please"),
    ("us_ssn", "078.05.1120", "ssn {} ok"),
]


@pytest.mark.parametrize(
    ("kind", "value", "sentence"),
    SEPARATED,
    ids=[f"{kind}-{value[:24]!r}" for kind, value, _ in SEPARATED],
)
def test_a_value_whose_groups_any_separator_joins_is_found_whole(
    kind: str, value: str, sentence: str
) -> None:
    assert found(sentence.format(value)) == [(kind, value)]


def test_values_on_the_lines_before_a_card_in_the_same_run_of_numbers_are_found_too() -> None:
    text = "hosts 10.0.0.1\n192.168.1.1\n4111 1111 1111 1111\ncall 555-123-4567"
    assert found(text) == [
        ("ip_address", "10.0.0.1"),
        ("ip_address", "192.168.1.1"),
        ("credit_card", "4111 1111 1111 1111"),
        ("phone", "555-123-4567"),
    ]


EC_BODY = "MHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY/PuoAoGCCqGSM49"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (f"key: -----BEGIN EC PRIVATE KEY----- {EC_BODY}", f"-----BEGIN EC PRIVATE KEY----- {EC_BODY}"),
        (
            f"here -----BEGIN EC PRIVATE KEY-----\n{EC_BODY}\n and the rest is lost, sorry",
            f"-----BEGIN EC PRIVATE KEY-----\n{EC_BODY}",
        ),
        (
            f'{{"private_key": "-----BEGIN PRIVATE KEY-----\\n{EC_BODY}\\n-----END PRIVATE KEY-----\\n"}}',
            f"-----BEGIN PRIVATE KEY-----\\n{EC_BODY}\\n-----END PRIVATE KEY-----",
        ),
        (
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n"
            "-----END OPENSSH PRIVATE KEY-----",
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n"
            "-----END OPENSSH PRIVATE KEY-----",
        ),
    ],
    ids=["same-line-no-end", "no-end-then-prose", "json-escaped-newlines", "short-body-with-end"],
)
def test_key_material_after_a_private_key_header_is_a_private_key(text: str, key: str) -> None:
    assert found(text) == [("private_key", key)]


def _encoded(header: str) -> str:
    return base64.b64encode(
        f"-----BEGIN {header}-----\n{EC_BODY}\n-----END {header}-----\n".encode()
    ).decode()


@pytest.mark.parametrize(
    "header", ["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY"]
)
def test_a_private_key_base64_encoded_whole_is_a_private_key(header: str) -> None:
    # A kubeconfig's client-key-data, a Kubernetes Secret's data: "LS0tLS1CRUdJTi..."
    key = _encoded(header)
    assert found(f"users:\n- name: admin\n  user:\n    client-key-data: {key}\n") == [("private_key", key)]


def test_a_certificate_base64_encoded_is_public() -> None:
    assert found(f"    certificate-authority-data: {_encoded('CERTIFICATE')}\n") == []


# Numbers that the separators above must not turn into cards or IBANs.
SEPARATED_LOOK_ALIKES = {
    "dotted date": "released on 2024.11.05 and 2024.12.01",
    "slashed dates": "from 12/05/2024 to 2024/11/05",
    "decimals": "pi is 3.14159265358979323846 and 0.1 + 0.2 is 0.30000000000000004",
    "float after text": "x 0.4111111111111111",
    "decimals in a csv row": "1990-06-01,13.380948066711426,0.66347473859,9.749448776245117,,2.16478514",
    "identifier": "run_4111111111111111 finished",
    "file path": "see /srv/data/2024/11/05/report_1234.csv",
    "versions": "upgrade 1.2.3.4 to 10.11.12.13.14",
    "years a line": "1999\n2000\n2001\n2002\n2003\n2004",
    "years a line passing luhn": "1905\n1906\n1907\n1908",
    "dotted years passing luhn": "1905.1906.1907.1908",
    "section numbers": "see 4.1.1.1 and 4.1.1.2",
    "luhn-failing dotted card": "card 4111.1111.1111.1112",
    "dotted ssn without a label": "code 078.05.1120 ok",
    "two numbers of eight passing luhn": "orders 10000000 00000008 shipped",
}


@pytest.mark.parametrize("text", SEPARATED_LOOK_ALIKES.values(), ids=SEPARATED_LOOK_ALIKES.keys())
def test_dates_versions_decimals_and_paths_do_not_become_cards(text: str) -> None:
    assert [kind for kind, _ in found(text) if kind in ("credit_card", "iban", "us_ssn")] == []


LOOK_ALIKES = {
    "luhn-failing card": "card 4111 1111 1111 1112",
    "12 digits outside Maestro ranges": "card 060426070011",
    "bad IBAN checksum": "IBAN GB82 WEST 1234 5698 7654 33",
    "IBAN of wrong length": "IBAN GB82WEST1234569876543",
    "SSN area 000": "SSN 000-12-3456",
    "SSN area 666": "SSN 666-12-3456",
    "SSN area 9xx": "SSN 900-12-3456",
    "SSN group 00": "SSN 123-00-4567",
    "SSN serial 0000": "SSN 123-45-0000",
    "nine digits without SSN context": "reference 123456789",
    "octet above 255": "server 999.1.1.1 down",
    "loopback and unspecified": "bind 127.0.0.1 or 0.0.0.0 or ::1",
    "netmask": "mask 255.255.255.0",
    "version 1.2.3": "Release 1.2.3 is out",
    "four-part version": "version 1.2.3.4 released",
    "section number": "see section 3.2.2.5 for details",
    "outline number": "3.2.2.5- Emekli olduktan sonra",
    "time and MAC-like chain": "at 12:30:45 from 00:1A:2B:3C:4D:5E:6F",
    "ISO date and time": "Date: 2024-03-15 12:20:39",
    "slashed and dotted dates": "issued 12/05/1990, renewed 01.02.2020",
    "year list": "It happened in 1999, 2001 and 2024.",
    "prices": "It costs $1,299.99 or 1 299,99 EUR.",
    "order number shaped like a phone": "Order #123-456-7890 was shipped",
    "order number digits": "order number 4521887611 is late",
    "invoice id": "Invoice 2024-001234 attached",
    "statistics": "The population grew from 8 000 000 to 9 500 000.",
    "bare ten digits": "The batch id is 1700000000.",
    "e-mail without a domain": "ssh user@localhost",
    "scikit-learn": "pip install sk-learn-is-a-great-library-for-ml",
    "git commit hash": "commit 3f786850e387550fdab836ed7e6dc881de23001b",
    "key in prose": "the key to success: persistence and patience every day",
    "top secret and a document's name": "Top secret 2024Q3-roadmap-final",
    "a token naming a document": "the token 2024-release-notes-v2 is out",
    "a primary key": "the primary key 3f9a8b7c6d5e4f3a2b1c is set",
    "an author": "author: abc123def456ghi789",
    "inside a word": "inside=abc123def456ghi789",
    "a guide's path": "see https://docs.example.com/verify/email-address-change-guide",
    "capitals with SK in them": "ASK THE DESK ABOUT SKU 12345",
    "PEM header without key material": "What does -----BEGIN RSA PRIVATE KEY----- mean?",
    "PEM header and a placeholder": (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA...\n-----END RSA PRIVATE KEY-----"
    ),
    "PEM header and prose": "The -----BEGIN RSA PRIVATE KEY----- line comes first, then the key itself.",
}


@pytest.mark.parametrize("text", LOOK_ALIKES.values(), ids=LOOK_ALIKES.keys())
def test_look_alikes_are_not_reported(text: str) -> None:
    assert found(text) == []


def test_findings_come_back_in_text_order() -> None:
    text = "mail a@example.com, call (555) 123-4567, card 4111111111111111"
    assert [kind for kind, _ in found(text)] == ["email", "phone", "credit_card"]


def test_values_joined_by_a_dash_are_each_found() -> None:
    assert found("range 10.0.0.1-10.0.0.9") == [("ip_address", "10.0.0.1"), ("ip_address", "10.0.0.9")]


def test_a_token_reported_by_two_patterns_is_one_finding() -> None:
    assert found(f"Authorization: Bearer {JWT}") == [("api_key", JWT)]


def test_a_finding_has_no_field_that_could_hold_the_matched_text() -> None:
    assert [field.name for field in dataclasses.fields(Finding)] == ["type", "level", "start", "end"]
    finding = SCANNER.scan("card 4111111111111111")[0]
    assert not hasattr(finding, "__dict__")  # slots: nothing can be attached later either


@pytest.mark.parametrize(
    "secret",
    ["4111111111111111", "sk-proj-abc123DEF456ghi789JKL012mno345", "jane.doe@example.com"],
    ids=["card", "api-key", "email"],
)
def test_a_findings_repr_does_not_contain_the_secret(secret: str) -> None:
    findings = SCANNER.scan(f"here it is: {secret} ok")
    assert findings
    assert secret not in repr(findings)
    assert secret not in str(findings)


def test_default_levels_rate_each_builtin_type() -> None:
    assert set(DEFAULT_LEVELS) == set(BUILTIN_TYPES)
    assert DEFAULT_LEVELS["credit_card"] is Sensitivity.RESTRICTED
    assert DEFAULT_LEVELS["email"] is Sensitivity.CONFIDENTIAL
    assert DEFAULT_LEVELS["ip_address"] is Sensitivity.INTERNAL


def test_the_level_of_a_text_is_its_highest_finding() -> None:
    findings = SCANNER.scan("host 10.0.0.1, mail a@example.com, card 4111111111111111")
    assert highest_level(findings) is Sensitivity.RESTRICTED
    assert highest_level(findings[:2]) is Sensitivity.CONFIDENTIAL


def test_a_text_with_no_findings_is_public() -> None:
    assert highest_level(SCANNER.scan("Summarise the meeting notes, please.")) is Sensitivity.PUBLIC
    assert highest_level([]) is Sensitivity.PUBLIC


def test_a_builtin_type_left_out_of_levels_is_not_looked_for() -> None:
    scanner = SensitivityScanner(levels={"credit_card": Sensitivity.RESTRICTED})
    assert found("mail a@example.com, card 4111111111111111", scanner) == [
        ("credit_card", "4111111111111111")
    ]


def test_levels_given_override_the_defaults() -> None:
    scanner = SensitivityScanner(levels={"email": Sensitivity.RESTRICTED})
    assert scanner.scan("a@example.com")[0].level is Sensitivity.RESTRICTED


def test_a_disabled_type_does_not_let_its_digits_be_read_as_another_type() -> None:
    scanner = SensitivityScanner(levels={"phone": Sensitivity.CONFIDENTIAL})
    assert found("Card: 4111 1111 1111 1111", scanner) == []


class EmployeeIds:
    """A detector of the organisation's own: employee ids like E-123456."""

    types = ("employee_id",)

    def find(self, text: str) -> Iterable[tuple[str, int, int]]:
        start = text.find("E-")
        if start != -1:
            yield "employee_id", start, start + 8


def test_a_detector_of_ones_own_can_be_added_to_the_builtins() -> None:
    scanner = SensitivityScanner(
        levels={**DEFAULT_LEVELS, "employee_id": Sensitivity.CONFIDENTIAL},
        detectors=[*builtin_detectors(), EmployeeIds()],
    )
    assert found("E-123456 at a@example.com", scanner) == [
        ("employee_id", "E-123456"),
        ("email", "a@example.com"),
    ]


def test_a_detector_type_without_a_level_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="employee_id"):
        SensitivityScanner(detectors=[EmployeeIds()])


def luhn_complete(body: str) -> str:
    """``body`` followed by the check digit that makes it pass Luhn."""
    for check in "0123456789":
        digits = body + check
        total = sum(
            (int(c) * 2 - 9 if int(c) > 4 else int(c) * 2) if i % 2 else int(c)
            for i, c in enumerate(reversed(digits))
        )
        if total % 10 == 0:
            return digits
    raise AssertionError("unreachable: one check digit always fits")


card_numbers = st.builds(
    lambda prefix, rest: luhn_complete(prefix + rest),
    st.sampled_from(["4", "51", "55", "2221", "34", "37", "6011", "35"]),
    st.integers(min_value=11, max_value=14).flatmap(
        lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)
    ),
).filter(lambda number: len(set(number)) > 1)

label = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)
emails = st.builds(
    lambda user, host, tld: f"{user}@{host}.{tld}",
    label,
    label,
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=6),
)


def covered(findings: Iterable[Finding], kind: str, start: int, end: int) -> bool:
    return any(f.type == kind and f.start <= start and f.end >= end for f in findings)


@settings(max_examples=100, deadline=None)
@given(before=st.text(max_size=200), card=card_numbers, after=st.text(max_size=200))
def test_a_valid_card_number_inserted_into_any_text_is_found(before: str, card: str, after: str) -> None:
    text = f"{before} {card} {after}"
    start = len(before) + 1
    assert covered(SCANNER.scan(text), "credit_card", start, start + len(card))


@settings(max_examples=100, deadline=None)
@given(before=st.text(max_size=200), email=emails, after=st.text(max_size=200))
def test_an_email_address_inserted_into_any_text_is_found(before: str, email: str, after: str) -> None:
    text = f"{before} {email} {after}"
    start = len(before) + 1
    assert covered(SCANNER.scan(text), "email", start, start + len(email))


ROUTES = """
models:
  - {name: cloud, model: openai/cloud, clearance: public,
     input_cost_per_token: 0.000001, output_cost_per_token: 0.000002, context_window: 100000}
  - {name: eu, model: openai/eu, clearance: confidential,
     input_cost_per_token: 0.000002, output_cost_per_token: 0.000004, context_window: 100000}
  - {name: vault, model: openai/vault, clearance: restricted,
     input_cost_per_token: 0.000003, output_cost_per_token: 0.000006, context_window: 100000}
rules:
  - {name: default, pool: "*"}
"""
# Each of these passed as public and went to the cheapest model, cleared for nothing more.
WRITTEN_TO_PASS = {
    "card with dots": ("my card is 4111.1111.1111.1111 thanks", "vault"),
    "card a group a line": ("my card is\n4111\n1111\n1111\n1111\nthanks", "vault"),
    "card with spaced dashes": ("my card is 4111 - 1111 - 1111 - 1111", "vault"),
    "iban with dashes": ("iban DE89-3704-0044-0532-0130-00 please", "vault"),
    "ssn with dots": ("ssn 078.05.1120 ok", "vault"),
    "marks on digits": ("4\u03011\u030111 1111 1111 1111", "vault"),
    "character references": ("4111&#8203;1111&#8203;1111&#8203;1111", "vault"),
    "one-line key": (f"key: -----BEGIN EC PRIVATE KEY----- {EC_BODY}", "vault"),
    "escaped at": ("jane.doe&#64;example.com", "eu"),
    "bracketed at": ("email jane [at] example [dot] com", "eu"),
    "area code and a slash": ("Tel. 030/12345678", "eu"),
    "polish call": ("zadzwoń 600 123 456", "eu"),
    "pass setting": ("DB_PASS=Tr0ub4dor&3", "vault"),
    "pass field": ("pass: hunter2x", "vault"),
    "percent-encoded at": ("https://x.com/u?email=jane%40example.com", "eu"),
    "login named as one": ("her login is helena.shaw", "eu"),
    "username field": ("username: hshaw", "eu"),
}


@pytest.mark.parametrize(("text", "model"), WRITTEN_TO_PASS.values(), ids=WRITTEN_TO_PASS.keys())
def test_the_router_keeps_values_written_to_pass_off_the_models_not_cleared_for_them(
    text: str, model: str
) -> None:
    decision = Router(parse_routes(ROUTES)).decide(Task.build(text))
    assert decision.model == model
    assert "cloud" not in [candidate.model for candidate in decision.candidates]


@pytest.mark.parametrize(
    "text",
    [
        "Basic setup: configure TLS 1.2 and HTTP/2 together.",
        "A basic: internationalization-friendly approach.",
        "See the SG.Report and npm_modules folders; glpat- is GitLab's prefix.",
        "the token: tokenization_is_fun_always, and dapi is Databricks' prefix.",
        "primary key: user_id_2024_0001_abc; meet at 12:30:AA-block.",
    ],
)
def test_the_words_before_and_the_prefixes_of_tokens_alone_are_not_keys(text: str) -> None:
    assert found(text) == []


def _turns(*contents: str) -> list[dict[str, str]]:
    """User turns with an assistant turn between each two."""
    turns = []
    for content in contents:
        if turns:
            turns.append({"role": "assistant", "content": "ok, go on"})
        turns.append({"role": "user", "content": content})
    return turns


SPLIT_OVER_TURNS = {
    "card in two turns": (_turns("my card starts 4111 1111", "1111 1111"), "vault"),
    "card a group a turn": (_turns("4111", "1111", "1111", "1111"), "vault"),
    "iban after long turns": (
        _turns("x" * 500 + " IBAN DE89 3704 0044", "0532 0130 00 " + "y" * 500),
        "vault",
    ),
}


@pytest.mark.parametrize(("messages", "model"), SPLIT_OVER_TURNS.values(), ids=SPLIT_OVER_TURNS.keys())
def test_a_value_split_over_turns_of_one_role_keeps_the_task_off_uncleared_models(
    messages: list[dict[str, str]], model: str
) -> None:
    """The model reads the conversation whole, so a value cut by an assistant turn is one value."""
    decision = Router(parse_routes(ROUTES)).decide(Task.build(messages))
    assert decision.model == model
    assert "cloud" not in [candidate.model for candidate in decision.candidates]


def test_a_value_whole_in_one_turn_is_counted_once_beside_the_seams() -> None:
    messages = _turns("card 4111 1111 1111 1111 please", "thanks")
    decision = Router(parse_routes(ROUTES)).decide(Task.build(messages))
    assert [(found.type, found.count) for found in decision.signals.findings] == [("credit_card", 1)]


def test_turns_of_one_role_with_nothing_sensitive_across_them_stay_public() -> None:
    decision = Router(parse_routes(ROUTES)).decide(Task.build(_turns("what is 2+2", "and 3+3", "and 4+4")))
    assert decision.model == "cloud"


@pytest.mark.parametrize("before", ["\x85", "\u3000\x85", "\u2028"])
def test_a_number_after_nothing_but_non_ascii_white_space_is_read(before: str) -> None:
    # Found by hypothesis: the address reading indexed the last character of the empty text
    # left before the number once white space was stripped, and the scan raised.
    assert found(f"{before}4000000000006") == [("credit_card", "4000000000006")]
