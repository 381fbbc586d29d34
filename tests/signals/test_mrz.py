"""A travel document's machine-readable zone is a national id, line by line."""

from __future__ import annotations

import pytest

from tests.support.findings import found

# ICAO 9303's specimens: a passport (TD3), an identity card (TD1) and a visa-sized card (TD2).
TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
TD1 = ("I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")
TD2 = ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6")


@pytest.mark.parametrize("lines", [TD3, TD1, TD2], ids=["td3-passport", "td1-id-card", "td2"])
def test_each_line_of_a_machine_readable_zone_is_a_national_id(lines: tuple[str, ...]) -> None:
    text = "The guest's passport scan reads:\n" + "\n".join(lines) + "\nPlease check in."
    assert found(text) == [("national_id", line) for line in lines]


def test_a_zone_in_a_long_text_is_found() -> None:
    filler = "Booking 4471 for two nights, breakfast included. " * 40
    assert found(filler + TD3[0] + " " + filler) == [("national_id", TD3[0])]


@pytest.mark.parametrize(
    "text",
    [
        "std::cout << x << std::endl;",
        "cat <<EOF > config.yaml",
        "<<<<<<< HEAD",  # a merge conflict's marker
        "x = a<<2 | b<<4",
        "ABC<<DEF",  # too short for a line
        "<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<",  # fillers alone
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<",  # longer than any line
    ],
)
def test_angle_brackets_outside_a_zone_are_no_finding(text: str) -> None:
    assert found(text) == []
