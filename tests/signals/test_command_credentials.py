"""Passwords given to a command in its flags are found; the command and its other flags are not."""

from __future__ import annotations

import pytest

from router._signals._command_credentials import CommandCredentialDetector
from tests.support.findings import found

COMMANDS = {
    "mysql -p glued": ("mysql -h db -u root -pS3cretPass app", "S3cretPass"),
    "mysqldump, quoted": ("mysqldump -u app -p'Xk9#mP2 x' app > dump.sql", "Xk9#mP2 x"),
    "mariadb": ("mariadb -uroot -pS3cretPass", "S3cretPass"),
    "sshpass": ("sshpass -p 'Hunter2!x' ssh root@build", "Hunter2!x"),
    "curl -u": ("curl -u admin:S3cretPass https://api.example.com/v1", "S3cretPass"),
    "curl --user quoted": ('curl --user "admin:S3c ret" https://api.example.com', "S3c ret"),
    "wget": ("wget --user=admin:S3cretPass https://example.com/f", "S3cretPass"),
    "redis-cli": ("redis-cli -h cache -a S3cretPass ping", "S3cretPass"),
    "docker login": ("docker login -u me -p S3cretPass registry.example.com", "S3cretPass"),
    "second line": ("cd /srv\nmysql -u root -pS3cretPass", "S3cretPass"),
}


@pytest.mark.parametrize(("text", "password"), COMMANDS.values(), ids=COMMANDS.keys())
def test_a_password_in_a_commands_flags_is_found(text: str, password: str) -> None:
    assert ("password", password) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "mysql -u root -p app",  # asks at a prompt
        "curl -u admin https://api.example.com",  # asks at a prompt
        "pip install pymysql -pX",
        "mysql -u root app\ncp -pfoo a b",  # the flag on another line is another command's
        "docker run -p 8080:80 nginx",
    ],
)
def test_a_command_without_a_password_in_its_flags_has_none(text: str) -> None:
    assert [kind for kind, _ in found(text) if kind == "password"] == []


def test_a_line_naming_the_command_many_times_is_read_once_per_flag() -> None:
    # Linear: 20,000 names on one line are each read from where the last reading ended.
    # A value that straddles where one reading ends is still found whole.
    for names in (20, 20_000):
        text = "mysql " * names + "-pS3cretPass"
        assert [text[a:b] for _, a, b in CommandCredentialDetector().find(text)] == ["S3cretPass"]
