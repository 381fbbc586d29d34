"""Password hashes as systems store them (type ``password``).

A line of ``/etc/shadow``, an ``.htpasswd`` entry or a users table pasted into a prompt ("why
won't this hash verify?") carries the password in a form that is cracked offline: a weak
password falls to a dictionary in seconds, and the hash itself signs in wherever a system
compares hashes (pass-the-hash). So a stored hash is the password's finding.

Each format is recognised by its own identifier and field lengths, which no other text has:

- crypt(3): bcrypt ``$2b$12$`` + 53 characters, MD5-crypt ``$1$`` and Apache's ``$apr1$``
  (22-character digest), SHA-crypt ``$5$`` / ``$6$`` (43 / 86), yescrypt ``$y$``, scrypt
  ``$7$``;
- PHC strings: ``$argon2id$v=19$m=…,t=…,p=…$salt$hash``, ``$scrypt$``, ``$pbkdf2-sha256$``;
- Django's ``pbkdf2_sha256$<iterations>$<salt>$<hash>``;
- LDAP's ``{SSHA}`` and kin, followed by base64.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

__all__ = ["PasswordHashDetector"]

Span = tuple[str, int, int]

_B64: Final = r"[./A-Za-z0-9]"
_CRYPT: Final = re.compile(
    r"\$(?:"
    rf"2[abxy]\$[0-9]{{2}}\${_B64}{{53}}"
    rf"|(?:1|apr1)\${_B64}{{1,8}}\${_B64}{{22}}"
    rf"|5\$(?:rounds=[0-9]+\$)?{_B64}{{0,16}}\${_B64}{{43}}"
    rf"|6\$(?:rounds=[0-9]+\$)?{_B64}{{0,16}}\${_B64}{{86}}"
    rf"|[y7]\${_B64}+\${_B64}+\${_B64}{{43}}"
    # PHC strings: the algorithm, its parameters, a base64 salt and hash.
    r"|(?:argon2(?:id|i|d)|scrypt|pbkdf2(?:-sha(?:1|256|512))?)"
    r"(?:\$v=[0-9]+)?\$[a-z]+=[0-9]+(?:,[a-z]+=[0-9]+)*\$[A-Za-z0-9+/.]{8,}\$[A-Za-z0-9+/.]{16,}"
    # A "." is a hash character too, but a hash's length is fixed: one after it that no hash
    # character follows ends the sentence.
    r")(?![/A-Za-z0-9]|\.[./A-Za-z0-9])"
)
_DJANGO: Final = re.compile(
    r"(?<![A-Za-z0-9_])pbkdf2_sha(?:1|256)\$[0-9]{4,7}\$[A-Za-z0-9]{4,64}\$[A-Za-z0-9+/]{27,}={0,2}"
)
_LDAP: Final = re.compile(
    r"\{(?:SSHA|SSHA256|SSHA512|SHA|SHA256|SHA512|SMD5|MD5|CRYPT|PBKDF2(?:-SHA256|-SHA512)?)\}"
    r"[A-Za-z0-9+/.$]{16,}={0,2}",
    re.IGNORECASE,
)


class PasswordHashDetector:
    """Finds stored password hashes: crypt(3) and PHC strings, Django's and LDAP's forms."""

    types: tuple[str, ...] = ("password",)

    def find(self, text: str) -> Iterator[Span]:
        """Yield ``("password", start, end)`` for every password hash in ``text``."""
        if "$" in text:
            for match in _CRYPT.finditer(text):
                yield "password", match.start(), match.end()
            if "pbkdf2_" in text:
                for match in _DJANGO.finditer(text):
                    yield "password", match.start(), match.end()
        if "}" in text:
            for match in _LDAP.finditer(text):
                yield "password", match.start(), match.end()
