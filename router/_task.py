"""A task to route: chat messages plus the request attributes rules can match on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from router import _params as chat_params
from router._errors import UsageError
from router._signals._tokens import content_text

Message = Mapping[str, Any]
PromptOrMessages = str | Sequence[Message]

_ROLES = frozenset({"system", "user", "assistant", "tool", "developer"})


@dataclass(frozen=True)
class Task:
    """Chat messages and request attributes. Build one with ``Task.build``."""

    messages: tuple[Message, ...]
    max_tokens: int | None = None
    team: str | None = None
    tags: tuple[str, ...] = ()
    metadata: Mapping[str, str] = field(default_factory=dict)
    texts: tuple[str, ...] = ()
    """The text of each message, in order: what the signals measure."""
    params: Mapping[str, Any] = field(default_factory=dict)
    """OpenAI chat parameters passed on to the model (``temperature``, ``tools``, ...)."""
    needs: tuple[str, ...] = ()
    """Capability tags the request needs (``tools``, ``json_schema``, ``vision``, ...)."""
    unreadable: int = 0
    """Content parts the router cannot read (images, audio, files)."""
    hidden_text: str = ""
    """What the model sees beyond the messages' text (tool definitions and calls, schemas)."""

    @classmethod
    def build(
        cls,
        prompt_or_messages: PromptOrMessages,
        *,
        max_tokens: int | None = None,
        team: str | None = None,
        tags: Sequence[str] = (),
        metadata: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> Task:
        """Validate the caller's input; a prompt string becomes one user message.

        ``params`` are OpenAI chat parameters, checked by the policy of ``router._params``.
        """
        messages = _as_messages(prompt_or_messages)
        if max_tokens is None and params:
            max_tokens = params.get("max_completion_tokens") or params.get("max_tokens")
        texts = tuple(message_text(message, index) for index, message in enumerate(messages))
        unreadable = chat_params.unreadable_parts(messages)
        if not unreadable and not any(text.strip() for text in texts):
            raise UsageError("the prompt is empty; give some text to route")
        if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens <= 0):
            raise UsageError(f"max_tokens must be a positive integer, not {max_tokens!r}")
        if isinstance(tags, str):
            tags = (tags,)
        meta = {str(key): str(value) for key, value in (metadata or {}).items()}
        passed = chat_params.check(params) if params else {}
        return cls(
            messages,
            max_tokens,
            team,
            tuple(tags),
            meta,
            texts,
            passed,
            chat_params.needs(passed, messages),
            unreadable,
            chat_params.hidden_text(passed, messages),
        )

    @property
    def text(self) -> str:
        """All message text joined, for the language and sensitivity signals."""
        return "\n".join(self.texts)

    @property
    def scanned_text(self) -> str:
        """Everything the model will read: message text plus tool definitions, calls and schemas."""
        return f"{self.text}\n{self.hidden_text}" if self.hidden_text else self.text

    @property
    def seams(self) -> str:
        """The ends of each role's turns side by side, where other turns stand between them
        (see ``_seams``); empty when there are none. Scanned beside ``scanned_text``."""
        return _seams(self.messages, self.texts)


_SEAM_REACH = 100
"""Characters of each end of a message the seams keep: a value with its label and more."""


def _seams(messages: Sequence[Message], texts: Sequence[str]) -> str:
    """Each role's messages' ends joined, where other turns stand between them.

    A card or an IBAN split over two user turns with an assistant turn between ("my card
    starts 4111 1111", "ok, go on", "1111 1111") is in no one message and in no stretch of
    the joined text, but the model reads the conversation whole. Joined by role, the ends of
    the turns (a message's whole text, or its first and last ``_SEAM_REACH`` characters
    apart) put the parts side by side again for the detectors; an empty line stands where a
    message was cut, so no value runs across a cut.
    """
    by_role: dict[str, list[int]] = {}
    for index, message in enumerate(messages):
        by_role.setdefault(str(message.get("role")), []).append(index)
    seams = []
    for indexes in by_role.values():
        if len(indexes) > 1 and indexes[-1] - indexes[0] >= len(indexes):  # not all adjacent
            seams.append("\n".join(_ends(texts[index]) for index in indexes))
    return "\n\n".join(seams)


def _ends(text: str) -> str:
    if len(text) <= 2 * _SEAM_REACH:
        return text
    return f"{text[:_SEAM_REACH]}\n\n{text[-_SEAM_REACH:]}"


def _as_messages(value: PromptOrMessages) -> tuple[Message, ...]:
    if isinstance(value, str):
        return ({"role": "user", "content": value},)
    if isinstance(value, bytes | bytearray):
        raise UsageError("the prompt must be text (str), not bytes; decode it as UTF-8 first")
    if not isinstance(value, Sequence) or not value:
        raise UsageError("give a prompt string or a non-empty list of chat messages")
    for index, message in enumerate(value):
        if not isinstance(message, Mapping) or message.get("role") not in _ROLES:
            raise UsageError(
                f"message {index} must be a mapping with a 'role' of {sorted(_ROLES)} and a 'content'"
            )
    return tuple(cast(Sequence[Message], value))


def message_text(message: Message, index: int = 0) -> str:
    """The text of one chat message: a string, or the text parts of a content list."""
    content = message.get("content")
    if content is None or isinstance(content, str):
        return content or ""
    if isinstance(content, Sequence):
        # The same extraction the token counter uses, so what is scanned is what is counted.
        return content_text(list(content))
    raise UsageError(f"message {index} has content of type {type(content).__name__}; expected text or parts")
