"""Texts built to make a sensitivity scan slow: dense with candidates that each need a check.

Shared by the work-counting test (tests/signals/test_scan_work.py) and the benchmark
(benchmarks/bench_sensitivity.py), so both measure the same inputs.
"""

from __future__ import annotations

from collections.abc import Callable

ORDINARY = (
    "The committee reviewed the quarterly roadmap and asked whether the migration plan could "
    "ship before the end of the year; several teams raised concerns about testing capacity. "
)


def repeated(unit: str) -> Callable[[int], str]:
    """A builder of ``unit`` repeated to about ``n`` characters."""
    return lambda n: unit * max(1, n // len(unit))


def nested_brackets(n: int) -> str:
    return "(" * (n // 2 - 1) + "1" + ")" * (n // 2)


# Name -> builder of a text of about n characters.
ADVERSARIAL: dict[str, Callable[[int], str]] = {
    "ordinary prose": repeated(ORDINARY),
    "digits": repeated("1234567890"),
    "single digits and spaces": repeated("1 "),
    "card-sized groups": repeated("4111 "),
    "three-digit numbers": repeated("123 "),
    "valid cards in a row": repeated("4111111111111111 "),
    "e-mail-like tokens": repeated("a@b.co "),
    "at signs and dots": repeated("a@b."),
    "long local parts": repeated("x" * 70 + "@"),
    "long separator runs": repeated("1" + " -./" * 12),
    "groups joined by mixed separators": repeated("4111 1111.1111-1111/1111_1111\n"),
    "decimals with long fractions": repeated("0.4111111111111111 "),
    **{
        f"groups joined by {separator!r}": repeated("4111" + separator)
        for separator in (
            " ",
            "-",
            ".",
            "/",
            "_",
            "\n",
            "\r\n",
            ":",
            "(",
            ")",
            "+",
            "  ",
            " - ",
            " / ",
            ", ",
            "\u00a0",
            "\uff0d",
        )
    },
    "nested brackets": nested_brackets,
    "bracketed area codes": repeated("(555) "),
    "colon groups": repeated("1:"),
    "hex and colons": repeated("ab:1d::"),
    "dotted quads": repeated("1.2.3.4 "),
    "iban-like": repeated("DE89 3704 "),
    "ssn-like": repeated("ssn 123-45-6789 "),
    "full-width digits": repeated("４１１１ "),
    "digits against kana": repeated("カード4111で"),
    "aws key ids": repeated("AKIAIOSFODNN7EXAMPLE "),
    "token prefixes": repeated("sk-"),
    "credential assignments": repeated("api_key="),
    "pem headers": repeated("-----BEGIN RSA PRIVATE KEY-----\n"),
    "keywords inside words": repeated("nightingales "),
    "capitalised name pairs": repeated("Anna Smith "),
    "titles and initials": repeated("Dr. A. B. "),
    "titles in caseless scripts": repeated("السيد "),
    "titles inside caseless words": repeated("המרמר"),
    "thai titles in a row": repeated("นางสาว"),
    "url schemes": repeated("a://"),
    "url schemes and at signs": repeated("a://@"),
    "userinfo without an at sign": repeated("x://" + "a" * 120 + ":"),
    "zero-width spaces between groups": repeated("4111\u200b"),
    "character references between groups": repeated("4111&#8203;"),
    "character references": repeated("&#64;&amp;&commat;&#x"),
    "marks on digits": repeated("4\u0301\u20e3"),
    "bracketed at and dot": repeated("a [at] b [dot] "),
    "pem headers with material on the line": repeated("-----BEGIN EC PRIVATE KEY----- " + "MHcC" * 12 + " "),
    "invisible runs": repeated("\u200b\u00ad\u2060 1"),
    "non-ascii local parts": repeated("ü" * 70 + "@"),
    "non-ascii addresses": repeated("jü@ä.de "),
    "name labels": repeated("Name: anna "),
    # Known given and family names in lower case: each pair is checked against the common
    # words (a test against a set union copied 18,000 words a pair).
    "lower-case name pairs": repeated("naomi ryan "),
    "cued lower-case names": repeated("Email naomi ryan. "),
    "chinese name fields": repeated("患者：王小明，"),
    "colons": repeated("A:"),
    "percent-encoded at signs": repeated("a%40b."),
    "long encoded local parts": repeated("x%2B" * 17 + "%40"),
    "login labels": repeated("login: a "),
    "pass fields": repeated("\npass: a1"),
    "area codes and slashes": repeated("030/123 "),
    "address labels": repeated("Adresa: a 1\n"),
    "street words before numbers": repeated("ул. Тверская 1 "),
    "chinese roads and numbers": repeated("市建国路88号"),
    "japanese blocks": repeated("区千代田1-1"),
    "korean roads": repeated("시 테헤란로 1 "),
    "house numbers after no": repeated("Cad. No: 1 "),
    "percent escapes": repeated("%34%2"),
    "backslash escapes": repeated("\\u0034\\n\\"),
    "backslash runs": repeated("\\" * 60 + "u"),
    "escaped quotes": repeated('\\"'),
    "escapes of escapes": repeated('\\\\\\"a\\\\u0034'),
    "command names": repeated("mysql "),
    "command flags": repeated("curl -u a:"),
    "webhook hosts": repeated("hooks.slack.com/services/T"),
    "military post offices": repeated("USS unit psc fpo ae 1234"),
    "password hash heads": repeated("$2b$12$" + "a" * 50 + " "),
    "password hash parameters": repeated("$argon2id$v=19$m=1,t=2,p=3$" + "a" * 7 + "$"),
    "credentials after a space": repeated("api key " + "a1" * 7 + " "),
    "login pairs": repeated("login: admin / "),
    "user then pass": repeated("user admin pass "),
    "spelled addresses at a provider": repeated("a dot b at gmail "),
    "birthdays without a year": repeated("birthday March 3 "),
    "roles after names": repeated("Zorb Vedz as a beneficiary "),
    "capability link paths": repeated("https://a.io/reset/" + "a1" * 9 + "/"),
}
