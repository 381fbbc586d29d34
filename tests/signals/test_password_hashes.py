"""A stored password hash is the password's finding: it is cracked offline, or replayed."""

from __future__ import annotations

import pytest

from router._levels import Sensitivity
from tests.support.findings import SCANNER, found

HASHES = {
    "bcrypt": "$2b$12$KIXQJx4wqkq1f2yQZ7n1/OvZ9hF9Ck7dJfGmL3sP6rHnUu8y6J5mS",
    "apache apr1": "$apr1$9Cv/OMGj$ZomWQzuQbL.3TRCS81A1g/",
    "md5-crypt": "$1$abcdefgh$ABCDEFGHIJKLMNOPQRSTUV",
    "sha512-crypt with rounds": "$6$rounds=5000$saltsalt$" + "Ss8GdKm9sj4K2m1D" * 5 + "k0S1Z8",
    "sha256-crypt": "$5$saltsalt$" + "Ab3/" * 10 + "xyz",
    "yescrypt": "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7",
    "argon2id": "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
    "django pbkdf2": "pbkdf2_sha256$260000$abcdef123456$LCa0a2j/xo/5m0U8HTBBNBNCLXBkg7+g+YpeiGJm564=",
    "ldap ssha": "{SSHA}MDEyMzQ1Njc4OWFiY2RlZmdoaWowMTIz",
}


@pytest.mark.parametrize("value", HASHES.values(), ids=HASHES.keys())
def test_a_stored_password_hash_is_a_restricted_password(value: str) -> None:
    text = f"why does this not verify? admin:{value}:19000:0:99999:7:::"
    assert found(text) == [("password", value)]
    assert SCANNER.scan(text)[0].level is Sensitivity.RESTRICTED


@pytest.mark.parametrize("value", HASHES.values(), ids=HASHES.keys())
def test_a_hash_that_ends_a_sentence_is_found_without_the_full_stop(value: str) -> None:
    # "." is a hash character: the full stop after a fixed-length hash kept it from matching.
    found_hashes = found(f"The hash is {value}.")
    assert found_hashes in ([("password", value)], [("password", value + ".")])


@pytest.mark.parametrize(
    "text",
    [
        "costs $12 and $2 each",
        "echo $HOME/$USER",
        "a $2b deal, $6 a share",
        "{SHA} is the tag's name",
        "${var} and ${other}",
        "$6$ alone is only the identifier",
        "$2b$12$tooShort",
    ],
)
def test_prices_shell_variables_and_bare_identifiers_are_no_hash(text: str) -> None:
    assert found(text) == []
