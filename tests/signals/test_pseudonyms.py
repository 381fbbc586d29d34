"""Pseudonymise and restore: placeholders out, originals back, nothing kept outside memory."""

from __future__ import annotations

import itertools
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from router._levels import Sensitivity
from router._signals._pseudonyms import Pseudonyms, pseudonymisable
from router._signals._sensitivity import SensitivityScanner

SCANNER = SensitivityScanner()
MESSAGES = [
    "Please write to Helena Shaw at helena.shaw@example.com about her order.",
    "Tell Helena Shaw the parcel left; cc helena.shaw@example.com and bob@example.org.",
]


def masked_call() -> tuple[Pseudonyms, list[str]]:
    pseudonyms = Pseudonyms()
    return pseudonyms, pseudonyms.mask_all(MESSAGES, [SCANNER.scan(text) for text in MESSAGES])


def test_each_value_gets_one_typed_placeholder_across_the_messages_of_a_call() -> None:
    pseudonyms, masked = masked_call()
    assert masked == [
        "Please write to <PERSON_1> at <EMAIL_1> about her order.",
        "Tell <PERSON_1> the parcel left; cc <EMAIL_1> and <EMAIL_2>.",
    ]
    assert len(pseudonyms) == 3


def test_a_percent_encoded_address_is_replaced_whole() -> None:
    text = "unsubscribe: https://x.com/u?email=jane%2Bnews%40example.com&list=7"
    (masked,) = Pseudonyms().mask_all([text], [SCANNER.scan(text)])
    assert masked == "unsubscribe: https://x.com/u?email=<EMAIL_1>&list=7"


def test_the_masked_text_holds_no_original_value() -> None:
    _, masked = masked_call()
    for value in ("Helena", "Shaw", "helena.shaw@example.com", "bob@example.org"):
        assert all(value not in text for text in masked)


def test_the_answers_placeholders_are_put_back_and_made_up_ones_left_alone() -> None:
    pseudonyms, _ = masked_call()
    answer = "Dear <PERSON_1>, we wrote to <EMAIL_1>; <PERSON_7> is unknown."
    assert (
        pseudonyms.restore(answer)
        == "Dear Helena Shaw, we wrote to helena.shaw@example.com; <PERSON_7> is unknown."
    )


@settings(max_examples=200, deadline=None)
@given(cuts=st.lists(st.integers(min_value=0, max_value=80), max_size=8))
def test_a_streamed_answer_is_restored_however_it_is_cut_into_chunks(cuts: list[int]) -> None:
    pseudonyms, _ = masked_call()
    answer = "Dear <PERSON_1>, mail <EMAIL_2> or <EMAIL_1> < 3 <NOT A TAG> end <PERSON_"
    bounds = sorted({0, len(answer), *(min(cut, len(answer)) for cut in cuts)})
    restorer = pseudonyms.restorer()
    streamed = "".join(restorer.feed(answer[a:b]) for a, b in itertools.pairwise(bounds))
    assert streamed + restorer.flush() == pseudonyms.restore(answer)


def test_restricted_findings_are_never_pseudonymised() -> None:
    assert pseudonymisable(Sensitivity.CONFIDENTIAL)
    assert not pseudonymisable(Sensitivity.RESTRICTED)
    text = "card 4111 1111 1111 1111"
    with pytest.raises(ValueError, match="may not be pseudonymised"):
        Pseudonyms().mask(text, SCANNER.scan(text))


def test_the_originals_cannot_leave_the_process_nor_show_in_a_repr() -> None:
    pseudonyms, _ = masked_call()
    assert "Helena" not in repr(pseudonyms)
    with pytest.raises(TypeError, match="never leave the calling process"):
        pickle.dumps(pseudonyms)


def test_a_placeholder_already_in_the_text_is_never_given_out() -> None:
    # The user wrote "<PERSON_1>" themselves: the model quoting it must not become Helena Shaw.
    text = "Template: Dear <PERSON_1>. Send it to Helena Shaw."
    pseudonyms = Pseudonyms([text])
    masked = pseudonyms.mask(text, SCANNER.scan(text))
    assert masked == "Template: Dear <PERSON_1>. Send it to <PERSON_2>."
    assert pseudonyms.restore("<PERSON_1> / <PERSON_2>") == "<PERSON_1> / Helena Shaw"


@pytest.mark.parametrize(
    "address",
    ["jane.doe&#64;example.com", "jane.doe&commat;example&period;com", "jane [at] example [dot] com"],
)
def test_an_address_written_to_pass_is_masked_whole_and_restored(address: str) -> None:
    text = f"Write to {address} today."
    pseudonyms = Pseudonyms()
    masked = pseudonyms.mask(text, SCANNER.scan(text))
    assert masked == "Write to <EMAIL_1> today."
    assert pseudonyms.restore(masked) == text
