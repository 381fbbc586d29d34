"""Passwords written into URLs (type ``password``): ``postgres://app:Xk9#mP2@prod-db:5432/app``.

Connection strings in pasted configuration, logs and stack traces carry a login in their
userinfo part (``scheme://user:password@host``). The password is reported, not the user or
the host, so masking keeps the URL readable. Any value counts, a placeholder such as
``user:password@`` too: the form says a credential stands there, and failing closed on a
documentation example costs less than sending a real one.

Linear in the text: the scan jumps from one ``://`` to the next with ``str.find`` and reads
at most 128 characters of user and 128 of password after each.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

__all__ = ["UrlCredentialDetector"]

# RFC 3986 userinfo: no "/", "?", "#", "@" or brackets, and ":" only between user and password;
# a "#" is taken in the password, where people write it unencoded.
_USERINFO: Final = re.compile(r"[^\s:/?#@\[\]]{0,128}:(?P<value>[^\s/?@\[\]]{1,128})@(?=[^\s/?#@\[\]])")


_REACH: Final = 128 + 1 + 128 + 1  # the longest user, ":", the longest password, "@"


class UrlCredentialDetector:
    """Finds the password of each ``scheme://user:password@host`` URL."""

    types: tuple[str, ...] = ("password",)

    def find(self, text: str) -> Iterator[tuple[str, int, int]]:
        """Yield ``("password", start, end)`` for every password in a URL's userinfo."""
        if "@" not in text:
            return
        at = text.find("://")
        while at != -1:
            # No "@" within reach: no userinfo (a memchr, before the pattern is tried).
            if text.find("@", at + 3, at + 3 + _REACH) != -1:
                match = _USERINFO.match(text, at + 3)
                if match is not None:
                    yield "password", match.start("value"), match.end("value")
            at = text.find("://", at + 3)
