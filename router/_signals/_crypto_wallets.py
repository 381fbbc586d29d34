"""Cryptocurrency wallet addresses and keys, told by their own checksums.

* Base58Check strings (Bitcoin's ``1…`` and ``3…`` addresses, testnet, Litecoin, Dogecoin,
  Tron, and the extended keys ``xpub…``/``xprv…``): the last four bytes are a double SHA-256
  of the rest, so a random word passes one time in four billion. An address or a public
  extended key names an account that holds money and whose every payment is public: an
  ``account_number``. A private key in wallet import format (``5…``, ``K…``, ``L…``) or a
  private extended key (``xprv…``, ``tprv…``, ``yprv…``, ``zprv…``) spends it: a
  ``private_key``.
* Bech32 and bech32m strings (BIP 173 and 350: ``bc1q…`` SegWit and ``bc1p…`` Taproot
  addresses, ``tb1…``, ``ltc1…``, and the other chains that write addresses so,
  ``cosmos1…``): a six-character BCH checksum, which a random string passes one time in a
  billion. An ``account_number``.
* An Ethereum-style address, ``0x`` and 40 hex digits, has no checksum ``hashlib`` can
  check (EIP-55 hashes with Keccak, which it lacks) and looks like any 160-bit value in
  code, so it counts only after a word that names a wallet or a coin within the few words
  before it ("ETH wallet 0x5290…", "send the USDT to 0x…").

Every one of these holds an ASCII digit (Bitcoin's addresses begin with one, bech32's
separator is "1", a 25-character Base58 string without one is one in 300 and the scan fails
that one open), so candidates are looked for only at the scan's digit runs
(``_digit_runs``) that touch a letter, which ordinary prose has few of.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from typing import Final

import base58

from router._signals._digit_runs import code_points, runs
from router._signals._text import reach_back

__all__ = ["CryptoWalletDetector"]

Span = tuple[str, int, int]

_TOKEN_CHARS: Final = string.ascii_letters + string.digits
_LETTERS: Final = frozenset(string.ascii_letters)
# The longest string counted: an extended key is 111 Base58 characters, a bech32 string 90.
_LONGEST: Final = 111
# From this many digit runs on, those by a letter are sifted by numpy.
_VECTOR_FROM: Final = 1_000
_TOKEN: Final = re.compile(r"[0-9A-Za-z]{14,111}(?![0-9A-Za-z_-])")
_BASE58: Final = re.compile(r"[1-9A-HJ-NP-Za-km-z]{25,111}\Z")
_BECH32: Final = re.compile(r"(?P<hrp>[a-z]{1,83})1(?P<data>[02-9ac-hj-np-z]{6,})\Z")
_BECH32_CHARSET: Final = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
# BIP 173's constant for bech32 and BIP 350's for bech32m (Taproot and later versions).
_BECH32_CONSTANTS: Final = frozenset({1, 0x2BC830A3})
_BECH32_LONGEST: Final = 90
# Wallet import format: a version byte (0x80 main net, 0xef test net), 32 key bytes and,
# for a compressed key, 0x01.
_WIF_VERSIONS: Final = frozenset({0x80, 0xEF})
# The version bytes of private extended keys (BIP 32 xprv/tprv, BIP 49 yprv/uprv, BIP 84
# zprv/vprv); the public ones beside them are account numbers.
_PRIVATE_EXTENDED: Final = frozenset(
    bytes.fromhex(version)
    for version in ("0488ade4", "04358394", "049d7878", "044a4e28", "04b2430c", "045f18bc")
)
_EXTENDED_LENGTH: Final = 78
_ADDRESS_LENGTH: Final = 21  # a version byte and a 20-byte hash

_HEX_ADDRESS: Final = re.compile(r"0[xX][0-9a-fA-F]{40}(?![0-9A-Za-z_])")
# Words that say a hex address is a wallet's, within ``_CUE_REACH`` characters before it.
_WALLET_CUE: Final = re.compile(
    r"(?i)(?<![a-z])(?:wallets?|address(?:es)?|eth|ether(?:eum)?|erc-?20|usd[tc]|bnb|polygon|matic|"
    r"metamask|ledger|trezor|send|sent|pay|transfer(?:red)?|deposit|withdraw(?:al)?|"
    r"wallet-?adresse|adresse|monedero|cartera|carteira|portefeuille|portafoglio|portemonnee|"
    r"kryptowallet|krypto|crypto)(?![a-z])"
)
_CUE_REACH: Final = 60


class CryptoWalletDetector:
    """Finds cryptocurrency addresses (``account_number``) and wallet keys (``private_key``)."""

    types: tuple[str, ...] = ("account_number", "private_key")

    def __init__(self, types: tuple[str, ...] = types) -> None:
        self._types = frozenset(types)

    def find(self, text: str) -> Iterator[Span]:
        """Yield ``(type, start, end)`` for each address or key."""
        for kind, start, end in _wallet_strings(text):
            if kind in self._types:
                yield kind, start, end


def _wallet_strings(text: str) -> Iterator[Span]:
    done = 0
    for run in _runs_by_letters(text):
        if run < done:
            continue  # a later run of the last token
        start = reach_back(text, run, _TOKEN_CHARS, _LONGEST)
        token = _TOKEN.match(text, start)
        if token is None or (start and text[start - 1] in "_-"):
            continue
        done = token.end()
        kind = _kind(token.group(), text, start)
        if kind is not None:
            yield kind, start, token.end()


def _runs_by_letters(text: str) -> list[int]:
    """Where the digit runs start that an ASCII letter stands right before or after: one in
    twenty in prose. Many runs (a table, a log) are sifted by numpy: 0.36 ms for the 1,733
    runs of 100,000 characters of the PII documents, where a test of each in Python took
    0.59 (and 0.16 against numpy's 0.22 for prose's 458)."""
    starts, lengths = runs(text)
    if len(starts) >= _VECTOR_FROM:
        return _vector_runs_by_letters(text, starts, lengths)
    letters = _LETTERS
    return [
        start
        for start, length in zip(starts, lengths, strict=True)
        if text[start - 1 : start] in letters or text[start + length : start + length + 1] in letters
    ]


def _vector_runs_by_letters(text: str, starts: list[int], lengths: list[int]) -> list[int]:
    import numpy as np  # already imported by the digit runs of any text this long

    codes = code_points(text)  # the array the digit runs were read from, within a scan
    first = np.asarray(starts, dtype=np.int64)
    after = first + np.asarray(lengths, dtype=np.int64)
    padded = np.concatenate(([0], codes, [0]))  # a letter's code never stands outside the text
    folded = np.stack((padded[first], padded[after + 1])) | 0x20  # before and after; a-z
    letter = ((folded >= 0x61) & (folded <= 0x7A)).any(axis=0)
    return [int(start) for start in first[letter]]


def _kind(token: str, text: str, start: int) -> str | None:
    """The finding type of a token that may be a wallet string; ``None`` if it is not one."""
    if token[:2] in ("0x", "0X"):
        match = _HEX_ADDRESS.match(text, start)
        return "account_number" if match is not None and _after_wallet_cue(text, start) else None
    if _BASE58.match(token):
        kind = _base58_kind(token)
        if kind is not None:
            return kind
    return "account_number" if _is_bech32(token) else None


def _base58_kind(token: str) -> str | None:
    """``account_number`` or ``private_key`` for a Base58Check string that is one."""
    try:
        payload = base58.b58decode_check(token)
    except ValueError:
        return None
    if len(payload) in (33, 34) and payload[0] in _WIF_VERSIONS and (len(payload) == 33 or payload[-1] == 1):
        return "private_key"
    if len(payload) == _EXTENDED_LENGTH:
        return "private_key" if payload[:4] in _PRIVATE_EXTENDED else "account_number"
    if len(payload) == _ADDRESS_LENGTH:
        return "account_number"
    return None


def _is_bech32(token: str) -> bool:
    """Whether ``token`` is a bech32 or bech32m string with a valid checksum (all lower or
    all upper case, as BIP 173 requires)."""
    if len(token) > _BECH32_LONGEST or not (token.islower() or token.isupper()):
        return False
    match = _BECH32.match(token.lower())
    if match is None:
        return False
    hrp, data = match.group("hrp"), match.group("data")
    values = [ord(char) >> 5 for char in hrp] + [0] + [ord(char) & 31 for char in hrp]
    values += [_BECH32_CHARSET.index(char) for char in data]
    return _polymod(values) in _BECH32_CONSTANTS


def _polymod(values: list[int]) -> int:
    """BIP 173's checksum over the expanded human-readable part and the data."""
    generators = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for bit, generator in enumerate(generators):
            if (top >> bit) & 1:
                check ^= generator
    return check


def _after_wallet_cue(text: str, start: int) -> bool:
    return _WALLET_CUE.search(text, max(0, start - _CUE_REACH), start) is not None
