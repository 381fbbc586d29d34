"""A password written into a URL's userinfo is a restricted finding; other URLs are not."""

from __future__ import annotations

import pytest

from router._levels import Sensitivity
from router._signals._sensitivity import SensitivityScanner

SCANNER = SensitivityScanner()


@pytest.mark.parametrize(
    ("text", "password"),
    [
        ("DATABASE_URL=postgres://app:Xk9#mP2@prod-db:5432/app", "Xk9#mP2"),
        ("mysql://root:hunter2@10.0.0.5/app", "hunter2"),
        ("redis://:s3cr3tpass@cache:6379/0", "s3cr3tpass"),
        ("broker: amqp://guest:guest@localhost:5672//", "guest"),
        ("clone https://alice:ghp-not-a-token-2024@git.example.org/repo.git", "ghp-not-a-token-2024"),
    ],
)
def test_the_password_of_a_url_is_restricted(text: str, password: str) -> None:
    found = [(text[f.start : f.end], f.level) for f in SCANNER.scan(text) if f.type == "password"]
    # (A login pair read after the host, "…@git.example.org/repo.git", may add one: closed.)
    assert (password, Sensitivity.RESTRICTED) in found


@pytest.mark.parametrize(
    "text",
    [
        "https://docs.python.org/3/library/re.html#re.match",
        "see https://example.com:8080/path?mail=a@b",
        "ftp://anonymous@ftp.example.org/pub",
        "the scheme is written http:// and a login as user@host",
    ],
)
def test_urls_without_a_password_are_not_passwords(text: str) -> None:
    assert [f for f in SCANNER.scan(text) if f.type == "password"] == []


def test_turning_passwords_off_turns_url_passwords_off() -> None:
    scanner = SensitivityScanner(levels={"email": Sensitivity.CONFIDENTIAL})
    assert scanner.scan("postgres://app:Xk9mP2@db/app") == ()
