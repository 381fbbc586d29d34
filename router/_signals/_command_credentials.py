"""Passwords given to a command on its command line (type ``password``).

Shell history, runbooks, CI logs and support tickets carry commands with their credentials in
flags that name no password: ``mysql -u root -pS3cret``, ``sshpass -p 'Hunter2!' ssh ...``,
``curl -u admin:S3cret https://...``, ``redis-cli -a S3cret``, ``docker login -u me -p S3cret``.
The value of the flag is reported, not the command, so masking keeps the command readable.
(``--password=...`` and ``PGPASSWORD=...`` are the password labels' own: ``_identifiers``.)

Linear in the text: each command's name is found with ``str.find`` (a text that names none of
them costs a few ``find`` calls), and its flags are read on the rest of its line only, at most
``_LINE`` characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from router._signals._keyword_search import AS_WRITTEN, Family
from router._signals._text import merged_windows

__all__ = ["CommandCredentialDetector"]

Span = tuple[str, int, int]

# A flag's value: quoted (anything but the quote and a line break) or a bare word; the value
# groups are the only named ones, so a match's ``lastgroup`` names the one that matched.
_VALUE: Final = r"""(?:'(?P<single>[^'\n]{1,128})'|"(?P<double>[^"\n]{1,128})"|(?P<bare>[^\s'"]{1,128}))"""
# curl's and wget's "-u user:password", quoted whole or not: the password is after the colon.
_USER_PASSWORD: Final = (
    r"(?:'[^'\n:]{1,128}:(?P<single>[^'\n]{1,128})'"
    r'|"[^"\n:]{1,128}:(?P<double>[^"\n]{1,128})"'
    r"""|[^\s:"']{1,128}:(?P<bare>[^\s'"]{1,128}))"""
)
_MYSQL: Final = re.compile(r"(?<![\w-])-p(?=[^\s-])" + _VALUE)  # a lone "-p" asks at a prompt
_SSHPASS: Final = re.compile(r"(?<![\w-])-p\s*" + _VALUE)
_CURL: Final = re.compile(r"(?<![\w-])(?:-u|--user)[ =]\s*" + _USER_PASSWORD)
_REDIS: Final = re.compile(r"(?<![\w-])-a\s+" + _VALUE)
_LOGIN: Final = re.compile(r"(?<![\w-])-p\s+" + _VALUE)
# Per command, the flag that carries its password.
_FLAGS: Final = {
    "mysql": _MYSQL,
    "mariadb": _MYSQL,
    "sshpass": _SSHPASS,
    "curl": _CURL,
    "wget": _CURL,
    "redis-cli": _REDIS,
    "docker login": _LOGIN,
    "podman login": _LOGIN,
    "helm registry login": _LOGIN,
}
# The names found in the scan's shared pass over the text as written (``_keyword_search``).
_COMMANDS: Final = Family(_FLAGS, AS_WRITTEN)
_LINE: Final = 400  # how far along its line a command's flags are read
_VALUE_REACH: Final = 2 * 128 + 16  # the longest flag with its user, password and quotes
_COMMAND_END: Final = re.compile(r"[\w-]")  # "mysqldump", "mariadb-dump": one command name


class CommandCredentialDetector:
    """Finds the password given in a command's flags."""

    types: tuple[str, ...] = ("password",)

    def find(self, text: str) -> Iterator[Span]:
        """Yield ``("password", start, end)`` for every password on a command line."""
        # Per flag, the rest of each line after a command's name, overlapping stretches joined:
        # a line that names a command many times ("mysql mysql ...") is read once (linear).
        stretches: dict[re.Pattern[str], list[tuple[int, int]]] = {}
        for at, name in _commands(text):
            if at == 0 or not text[at - 1].isalnum():  # "mysql", not the tail of "pymysql"
                stretches.setdefault(_FLAGS[name], []).append(_line_after(text, at + len(name)))
        for flag, lines in stretches.items():
            for low, high in merged_windows(lines):
                yield from _flag_values(text, low, high, flag)


def _commands(text: str) -> list[tuple[int, str]]:
    """Where each command's name occurs, and the name, in order of position."""
    found = _COMMANDS.occurrences(text)
    if found is not None:
        return [(start, text[start:end]) for start, end in found]
    places: list[tuple[int, str]] = []
    for name in _FLAGS:
        at = text.find(name)
        while at != -1:
            places.append((at, name))
            at = text.find(name, at + len(name))
    return sorted(places)


def _line_after(text: str, after: int) -> tuple[int, int]:
    """The rest of the line from ``after``, the end of a command's name (or of the longer name
    it starts: ``mysqldump``), at most ``_LINE`` characters."""
    while after < len(text) and _COMMAND_END.match(text, after):
        after += 1
    line_end = text.find("\n", after, after + _LINE)
    return after, line_end if line_end != -1 else min(len(text), after + _LINE)


def _flag_values(text: str, low: int, high: int, flag: re.Pattern[str]) -> Iterator[Span]:
    """The values of ``flag`` that start in ``text[low:high]``, each whole: its value may run
    past ``high`` (the next reading starts at ``high``), to the end of its line."""
    line_end = text.find("\n", high, high + _VALUE_REACH)
    end = line_end if line_end != -1 else min(len(text), high + _VALUE_REACH)
    for value in flag.finditer(text, low, end):
        if value.start() >= high:
            break
        group = value.lastgroup or "bare"
        yield "password", value.start(group), value.end(group)
