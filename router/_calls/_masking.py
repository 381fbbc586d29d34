"""The task as a model below its sensitivity receives it: findings replaced by placeholders.

When a decision pseudonymises (a rule's ``pseudonymise`` admitted a model cleared only for
the level left once some findings are replaced), the executor masks the task once per call
with ``Masker.mask`` and sends the masked messages to every model it tries, so a fallback
keeps the same placeholders and no original ever reaches a model it was hidden from.

What is masked: the text the model reads as prose or data (``content`` strings, text parts,
tool-call and function-call arguments). Structural fields (roles, ids, tool names) are left
alone: a placeholder there would break the conversation. What is masked is then scanned
again as a whole (the messages, tool definitions and schemas, as routing scans them): its
``level`` is what the masked task still holds, and the executor sends it only to models
cleared for that level. So a finding masking cannot reach (a value in a tool definition, a
name the joined text reveals) keeps the uncleared models out: the call fails closed.

The ``Pseudonyms`` (the originals) live in the ``MaskedTask`` only, in this process's memory,
for this call.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from router import _params as chat_params
from router._decision import Decision, Pseudonymisation
from router._levels import Sensitivity
from router._results import ProviderResponse
from router._signals._people import name_parts
from router._signals._places import street_parts
from router._signals._pseudonyms import Pseudonyms, json_quoted, replaceable
from router._signals._sensitivity import Finding, SensitivityScanner, highest_level
from router._signals._sensitivity_signal import UNREADABLE, scan_task
from router._task import Message, Task, message_text

__all__ = ["MaskedTask", "Masker", "maskable", "restored"]

Mask = Callable[[str], str]


@dataclass(frozen=True, eq=False)
class MaskedTask:
    """The task with its findings replaced, the placeholders' originals, and the level it still has."""

    task: Task
    pseudonyms: Pseudonyms
    level: Sensitivity
    """The masked task's sensitivity: only a model cleared for it may receive it."""

    def __repr__(self) -> str:  # the task holds text: never in a repr (tracebacks, logs)
        return f"<MaskedTask: {len(self.pseudonyms)} values, level {self.level.label}>"


def maskable(finding: Finding, levels: Iterable[Sensitivity]) -> bool:
    """Whether the policy replaces ``finding`` (see ``replaceable``)."""
    return replaceable(finding.type, finding.level, levels)


class Masker:
    """Masks tasks with the router's own sensitivity scanner (the same detectors and terms)."""

    def __init__(self, scanner: SensitivityScanner) -> None:
        self._scanner = scanner

    def mask(self, task: Task, policy: Pseudonymisation, decision: Decision) -> MaskedTask:
        """``task`` masked by ``policy``: one set of placeholders across all its messages."""
        pseudonyms = Pseudonyms([task.scanned_text])
        levels = tuple(policy.levels)
        remnants = _Remnants()

        def mask_text(text: str) -> str:
            if not text:
                return text
            findings = self._scanner.scan(text)
            kept = [finding for finding in findings if not maskable(finding, levels)]
            # A masked span inside a kept one would hide it from the check below, half-sent.
            masked = [f for f in findings if maskable(f, levels) and not _overlaps(f, kept)]
            remnants.note(text, masked)
            return pseudonyms.mask(text, masked) if masked else text

        messages = tuple(_masked_message(message, mask_text) for message in task.messages)
        masked = dataclasses.replace(
            task,
            messages=messages,
            texts=tuple(message_text(message, index) for index, message in enumerate(messages)),
            hidden_text=chat_params.hidden_text(task.params, messages),
        )
        return MaskedTask(masked, pseudonyms, self._level(masked, decision, remnants))

    def _level(self, masked: Task, decision: Decision, remnants: _Remnants) -> Sensitivity:
        text = masked.scanned_text
        level = max(highest_level(scan_task(self._scanner, masked)), remnants.level_in(text))
        # Images and files cannot be masked: they keep the level routing gave them.
        unreadable = [f.level for f in decision.signals.findings if f.type == UNREADABLE]
        return max([level, *unreadable]) if masked.unreadable else level


class _Remnants:
    """The words that identify each masked name or address, to find them left in the masked text.

    Only the form that was found gets a placeholder: in "Mrs Helena Shaw wrote. Helena said
    it was late." the second "Helena" is no finding of its own (a given name alone), and the
    rescan of the masked text would let it go to the uncleared model with the placeholder
    beside it. A masked text that still holds such a word keeps the level of the finding it
    came from, so the call goes only to models cleared for that: it fails closed.
    """

    _PARTS: Final = {"person": name_parts, "street_address": street_parts}

    def __init__(self) -> None:
        self._words: dict[str, Sensitivity] = {}

    def note(self, text: str, masked: Sequence[Finding]) -> None:
        for finding in masked:
            parts = self._PARTS.get(finding.type)
            for word in parts(text[finding.start : finding.end]) if parts else ():
                self._words[word] = max(finding.level, self._words.get(word, finding.level))

    def level_in(self, text: str) -> Sensitivity:
        if not self._words:
            return Sensitivity.PUBLIC
        lowered = text.lower()
        found = {match.group() for match in _LETTER_WORD.finditer(lowered)} & self._words.keys()
        return max((self._words[word] for word in found), default=Sensitivity.PUBLIC)


_LETTER_WORD: Final = re.compile(r"[^\W\d_]+")  # as ``name_parts`` splits: "Helena's" holds helena


def _overlaps(finding: Finding, others: Sequence[Finding]) -> bool:
    return any(other.start < finding.end and finding.start < other.end for other in others)


def _masked_message(message: Message, mask: Mask) -> Message:
    out: dict[str, Any] = dict(message)
    content = message.get("content")
    if isinstance(content, str):
        out["content"] = mask(content)
    elif isinstance(content, list | tuple):
        out["content"] = [_masked_part(part, mask) for part in content]
    if isinstance(message.get("tool_calls"), list | tuple):
        out["tool_calls"] = [_masked_call(call, mask) for call in message["tool_calls"]]
    if isinstance(message.get("function_call"), Mapping):
        out["function_call"] = _masked_arguments(message["function_call"], mask)
    return out


def _masked_part(part: Any, mask: Mask) -> Any:
    if isinstance(part, str):
        return mask(part)
    if isinstance(part, Mapping) and isinstance(part.get("text"), str):
        return {**part, "text": mask(part["text"])}
    return part


def _masked_call(call: Any, mask: Mask) -> Any:
    if isinstance(call, Mapping) and isinstance(call.get("function"), Mapping):
        return {**call, "function": _masked_arguments(call["function"], mask)}
    return call


def _masked_arguments(function: Mapping[str, Any], mask: Mask) -> Mapping[str, Any]:
    arguments = function.get("arguments")
    return {**function, "arguments": mask(arguments)} if isinstance(arguments, str) else function


def restored(response: ProviderResponse, pseudonyms: Pseudonyms) -> ProviderResponse:
    """The answer with the originals back: in its text, and in its tool calls' arguments
    (escaped for the JSON string each placeholder stood in)."""
    calls = response.tool_calls
    if calls is not None:
        calls = tuple(_restored_call(call, pseudonyms) for call in calls)
    return response.model_copy(update={"content": pseudonyms.restore(response.content), "tool_calls": calls})


def _restored_call(call: dict[str, Any], pseudonyms: Pseudonyms) -> dict[str, Any]:
    function = call.get("function")
    if not isinstance(function, Mapping) or not isinstance(function.get("arguments"), str):
        return call
    arguments = pseudonyms.restore(function["arguments"], json_quoted)
    return {**call, "function": {**function, "arguments": arguments}}
