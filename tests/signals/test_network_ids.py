"""A machine's addresses beyond the dotted quad: IPv4 in host names, hardware (MAC) addresses."""

from __future__ import annotations

import pytest

from router._signals._network_ids import NetworkIdDetector
from router._signals._sensitivity import SensitivityScanner, builtin_detectors
from tests.support.findings import found


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Host ec2-54-212-34-56.compute-1.amazonaws.com refused the connection", "54-212-34-56"),
        ("ip-10-0-12-34.ec2.internal is down", "10-0-12-34"),
        ("from c-73-22-1-5.hsd1.ca.comcast.net port 22", "73-22-1-5"),
        ("PTR 54-212-34-56.static.isp.example", "54-212-34-56"),
        ("node ip-172-31-5-9 joined", "172-31-5-9"),
    ],
)
def test_an_ipv4_address_in_a_host_name_is_an_ip_address(text: str, value: str) -> None:
    assert found(text) == [("ip_address", value)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("MAC address 00:1A:2B:3C:4D:5E belongs to her laptop", "00:1A:2B:3C:4D:5E"),
        ("mac:00:1a:2b:3c:4d:5e", "00:1a:2b:3c:4d:5e"),
        ("device 00-1A-2B-3C-4D-5E joined the Wi-Fi", "00-1A-2B-3C-4D-5E"),
        ("show mac address-table: 001a.2b3c.4d5e Gi0/1", "001a.2b3c.4d5e"),
    ],
)
def test_a_hardware_address_is_a_record_id(text: str, value: str) -> None:
    assert found(text) == [("record_id", value)]


@pytest.mark.parametrize(
    "text",
    [
        "order 12-2024-55-1 shipped",
        "the scores were 10-20-30-40 after four rounds",
        "build a-1-54-212-34-56 failed",  # a run of dashed numbers, not a quad in a label
        "ip-127-0-0-1.localdomain",  # loopback names no machine
        "broadcast ff:ff:ff:ff:ff:ff and 00:00:00:00:00:00",
        "fingerprint 16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48",  # a longer chain of pairs
        "the meeting runs 10:30:00 to 11:45:00",
    ],
)
def test_dashed_numbers_and_hex_chains_that_name_no_machine_are_no_finding(text: str) -> None:
    assert found(text) == []


def test_a_long_text_finds_each_address_among_many_dashes_and_colons() -> None:
    filler = "Step 1-2-3: ready - set - go, 10:30 sharp. " * 80
    text = filler + "ec2-54-212-34-56.compute-1.amazonaws.com " + filler + "aa:bb:cc:dd:ee:01 " + filler
    assert found(text) == [("ip_address", "54-212-34-56"), ("record_id", "aa:bb:cc:dd:ee:01")]


def test_each_type_is_looked_for_only_when_asked() -> None:
    text = "ec2-54-212-34-56.compute-1.amazonaws.com saw 00:1A:2B:3C:4D:5E"
    assert [kind for kind, _, _ in NetworkIdDetector(("record_id",)).find(text)] == ["record_id"]
    only_ips = SensitivityScanner(detectors=builtin_detectors(["ip_address"]))
    assert found(text, only_ips) == [("ip_address", "54-212-34-56")]


def test_a_hardware_address_after_a_time_is_no_ip_address() -> None:
    # Hex pairs and colons, as IPv6 writes them: the IPv6 grammar refuses it, the MAC form takes it.
    assert found("at 12:30:45 from 00:1A:2B:3C:4D:5E") == [("record_id", "00:1A:2B:3C:4D:5E")]
