"""Cryptocurrency addresses and wallet keys, told by their checksums."""

from __future__ import annotations

import hashlib

import base58
import pytest

from router._signals._crypto_wallets import CryptoWalletDetector
from tests.support.findings import found

# BIP 173's and BIP 350's valid examples, and the addresses of the Bitcoin wiki.
P2PKH = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"
P2SH = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"
SEGWIT = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
TAPROOT = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"
COSMOS = "cosmos1hsk6jryyqjfhp5dhc55tc9jtckygx0eph6dd02"
ETH = "0x52908400098527886E0F7030069857D2E4169EE7"
ETH_LOWER = "0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae"


def _base58check(version: str, body: bytes) -> str:
    return base58.b58encode_check(bytes.fromhex(version) + body).decode()


def _body(size: int) -> bytes:
    return hashlib.shake_256(b"router tests").digest(size)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (f"Please refund my bitcoin wallet {P2PKH} today.", P2PKH),
        (f"BTC: {P2SH}", P2SH),
        (f"My address is {SEGWIT}", SEGWIT),
        (f"pay to {SEGWIT.upper()} please", SEGWIT.upper()),
        (f"send it to {TAPROOT}", TAPROOT),
        (f"https://mempool.space/address/{P2PKH}", P2PKH),
        (f"{COSMOS} is my cosmos account", COSMOS),
        (f"ETH wallet {ETH}", ETH),
        (f"send the USDT to {ETH_LOWER}", ETH_LOWER),
    ],
    ids=["p2pkh", "p2sh", "segwit", "segwit-upper", "taproot", "in-a-url", "cosmos", "eth-wallet", "usdt"],
)
def test_a_cryptocurrency_address_is_an_account_number(text: str, value: str) -> None:
    assert found(text) == [("account_number", value)]


def test_an_extended_public_key_is_an_account_number() -> None:
    xpub = _base58check("0488b21e", _body(74))
    assert xpub.startswith("xpub")
    assert found(f"watch-only wallet: {xpub}") == [("account_number", xpub)]


@pytest.mark.parametrize(
    ("version", "body"),
    [("80", _body(32)), ("80", _body(32) + b"\x01"), ("ef", _body(32) + b"\x01")],
    ids=["wif-uncompressed", "wif-compressed", "wif-testnet"],
)
def test_a_key_in_wallet_import_format_is_a_private_key(version: str, body: bytes) -> None:
    wif = _base58check(version, body)
    assert found(f"import this key: {wif}") == [("private_key", wif)]


@pytest.mark.parametrize("version", ["0488ade4", "04b2430c"], ids=["xprv", "zprv"])
def test_a_private_extended_key_is_a_private_key(version: str) -> None:
    key = _base58check(version, _body(74))
    assert found(f"backup {key}") == [("private_key", key)]


@pytest.mark.parametrize(
    "text",
    [
        "The 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3 fails its checksum",  # the last character changed
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",  # a bech32 checksum that fails
        "Bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",  # mixed case, which BIP 173 forbids
        f"contract = {ETH}",  # a hex value in code, no cue
        "Build id a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6 and commit 9fceb02d0ae598e95dc970b74767f19372d61af8",
        "We shipped v2.3.1 to 1,200 users in Q3 2024 on 3 continents.",
        f"my_{P2PKH}",  # part of a longer identifier
    ],
)
def test_look_alikes_and_failed_checksums_are_no_finding(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize("repeats", [2, 60, 150], ids=["short", "long", "many-runs"])
def test_a_text_finds_each_address_among_many_numbers(repeats: int) -> None:
    """Through each way of finding the digit runs by a letter: a short text, a long one with
    a few hundred runs, and one with thousands (sifted by numpy)."""
    filler = "Invoice 2024-113 of 3 items, 12 units at 4.50 EUR, order A1B2 shipped. " * repeats
    text = f"{P2PKH} {filler}Refund to {SEGWIT}. {filler}{TAPROOT}"
    assert found(text) == [("account_number", P2PKH), ("account_number", SEGWIT), ("account_number", TAPROOT)]


def test_the_detector_looks_only_for_the_types_asked() -> None:
    wif = _base58check("80", _body(32))
    detector = CryptoWalletDetector(("account_number",))
    assert [kind for kind, _, _ in detector.find(f"{wif} and {P2PKH}")] == ["account_number"]
