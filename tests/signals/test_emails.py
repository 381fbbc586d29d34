"""E-mail addresses as people write them: bracketed "at" and "dot", percent-encoded, in any
script."""

from __future__ import annotations

import pytest

from tests.support.findings import SCANNER, found


@pytest.mark.parametrize(
    "address",
    [
        "jane [at] example [dot] com",
        "jane(at)example(dot)com",
        "jane{at}example{dot}com",
        "JANE [AT] EXAMPLE [DOT] COM",
        "jane ( at ) mail.example.org",
        "jane@example(dot)com",
        "info [at] acme [dot] co [dot] uk",
    ],
)
def test_an_address_with_a_bracketed_at_and_dot_is_an_email(address: str) -> None:
    assert found(f"email {address} please.") == [("email", address)]


@pytest.mark.parametrize(
    "address",
    [
        # Spelled out, the local part's dots too: found whole, so pseudonymising masks all of it.
        "jane dot doe at example dot org",
        # At a mail provider, without the top-level domain: the address all the same.
        "john.smith@gmail",
        "j.doe+news@outlook",
        # Both: spelled out at a provider, its local part with a "dot".
        "jane dot doe at gmail",
        # Spaces around the "@" or the dots.
        "jane @ example . com",
        "jane.doe @ example.com",
        "jane@ example .co. uk",
        # "at" spelled, the domain written.
        "jane.doe at gmail.com",
        "jdoe42 at yahoo.co.uk",
        "j_smith at company.de",
    ],
)
def test_an_address_spelled_out_or_without_its_providers_domain_is_an_email(address: str) -> None:
    assert found(f"write to {address} please.") == [("email", address)]
    assert found(f"Write to {address}.") == [("email", address)]  # a full stop ends the sentence


@pytest.mark.parametrize(
    "text",
    [
        "root@localhost is the default",
        "ping @gmail for that",
        "look at the dot com bubble",
        "meet (at) 5pm at the office",
        "the cat sat [at] home",
        "values[at] = x.y",
        "see you @ home",
        "tag me @ jane on the forum",
        "I'm at Gmail now",
        "the dot product at yahoo",
        "look at example.com for details",
        "sign in at gmail.com first",
        "the meeting at 10.30 at home.com",
        "released v2.0 at pypi.org",
    ],
)
def test_at_and_dot_as_bare_words_or_without_a_domain_are_no_email(text: str) -> None:
    assert found(text) == []


# An address with its "@" percent-encoded, as a URL's query or a mailto: link carries it.
# (text, the address as written)
ENCODED_EMAILS = {
    "query value": ("https://x.com/u?email=jane%40example.com", "jane%40example.com"),
    "mailto link": ("mailto:jane%40example.com", "jane%40example.com"),
    "encoded plus in the local part": ("write to jane%2Bsales%40example.com", "jane%2Bsales%40example.com"),
    "encoded twice": ("next=%2Fu%3Femail%3Djane%2540example.com", "jane%2540example.com"),
    "inside an encoded query": ("r?next=%2Fu%3Femail%3Djane%40example.com%26x%3D1", "jane%40example.com"),
}


@pytest.mark.parametrize(("text", "address"), ENCODED_EMAILS.values(), ids=ENCODED_EMAILS.keys())
def test_an_address_with_a_percent_encoded_at_is_an_email_found_whole(text: str, address: str) -> None:
    assert found(text) == [("email", address)]


def test_a_percent_forty_without_an_address_around_it_is_no_email() -> None:
    assert found("growth of 100%40 of them, a%40b and %40example.com") == []


@pytest.mark.parametrize(
    "email",
    [
        "jürgen.müller@example.de",
        "jane@exämple.de",
        "иван@пример.рф",
        "x@xn--e1afmkfd.xn--p1ai",
        "ΜΑΡΙΑ@example.gr",
        "राम@उदाहरण.भारत",  # vowel signs are marks, not letters
        "प्रिया.शर्मा@example.in",
    ],
)
def test_an_internationalised_address_is_found_whole(email: str) -> None:
    # Found in part ("ller@example.de"), masking would have sent "jürgen.mü" on.
    text = f"Bitte schreiben Sie an {email}, danke."
    start = text.index(email)
    assert [(f.type, f.start, f.end) for f in SCANNER.scan(text)] == [("email", start, start + len(email))]


def test_a_local_part_does_not_reach_into_words_written_without_spaces() -> None:
    text = "連絡先は山田yamada@example.jpです"
    (found,) = SCANNER.scan(text)
    assert text[found.start : found.end] == "yamada@example.jp"


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("連絡先は山田@example.jpです", "連絡先は山田@example.jp"),
        ("用户@例子.广告", "用户@例子.广告"),
        ("ติดต่อสมชาย@ตัวอย่าง.ไทย", "ติดต่อสมชาย@ตัวอย่าง.ไทย"),
    ],
)
def test_a_local_part_of_words_written_without_spaces_is_taken_whole(text: str, address: str) -> None:
    # No boundary says where the local part starts: the whole run is taken, so that masking
    # sends none of it on (fail closed).
    (found,) = SCANNER.scan(text)
    assert text[found.start : found.end] == address
