"""Money as text: exact enough for finance tools, readable for people.

Costs are sums of token counts times per-token prices, so their floats carry
binary noise (``0.0020486999999999997``). No price has more than 12 decimals
of a dollar, so rounding there loses nothing real and removes the noise.
"""

from __future__ import annotations

from decimal import Decimal

DECIMALS = 12
"""Dollars are kept to 1e-12 (a millionth of a micro-dollar) in files."""


def plain(usd: float) -> str:
    """Fixed-point dollars without float noise or an exponent: ``0.0020487``, ``0.00000015``."""
    text = format(Decimal(repr(round(usd, DECIMALS))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def readable(usd: float) -> str:
    """Dollars for a message: cents above a dollar, four decimals above a cent, two digits below."""
    size = abs(usd)
    if size == 0:
        return "$0.00"
    if size >= 1:
        return f"${usd:,.2f}"
    if size >= 0.01:
        return f"${usd:.4f}"
    return f"${plain(float(f'{usd:.2g}'))}"
