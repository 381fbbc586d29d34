"""A batch item and its result: frozen models, each with one serialisation.

An item is built once, when its line is read at submission (``Task.build``
validates it there, once), written as JSON to the job's items list, and read
back by whichever worker runs its chunk, which turns it into the ``Task`` to
route without validating it again. A result is built once, when the item
finishes (or fails validation), written as JSON under the item's result key,
and read back the same way by ``BatchJob.results``. Field names are those of
the JSON lines users get, and of the stored JSON since the first release, so
jobs stored before this module still run and read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from router import _params as chat_params
from router._batch._model import ItemState
from router._decision import built
from router._task import Task, message_text

__all__ = ["BatchItem", "ItemError", "ItemResult"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def dumps(self) -> str:
        """The one serialisation: compact JSON, text as UTF-8."""
        return self.model_dump_json()


class BatchItem(_Frozen):
    """A valid input line, ready to route: what a worker needs to run it."""

    n: int
    """Its number among the job's lines (valid or not): the key of its result."""
    line: int
    """Its line in the input (1-based), for messages."""
    custom_id: str
    messages: tuple[dict[str, Any], ...]
    max_tokens: int | None = None
    tags: tuple[str, ...] = ()
    metadata: dict[str, str] = Field(default_factory=dict)
    params: dict[str, Any] = Field(default_factory=dict)
    """The OpenAI chat parameters passed on to the model, as the policy checked them at submission."""

    @classmethod
    def of(cls, n: int, line: int, custom_id: str, task: Task) -> BatchItem:
        """The stored form of a line whose ``task`` was built (and so validated) from it."""
        return cls.model_construct(
            n=n,
            line=line,
            custom_id=custom_id,
            messages=tuple(dict(message) for message in task.messages),
            max_tokens=task.max_tokens,
            tags=task.tags,
            metadata=dict(task.metadata),
            params=dict(task.params),
        )

    @classmethod
    def loads(cls, payload: str | bytes) -> BatchItem:
        return cls.model_validate_json(payload)

    def task(self, *, team: str | None, job_tags: Sequence[str]) -> Task:
        """The task to route: this item's, with the job's team and the job's tags before its own.

        What the messages and parameters ask of the model and hide from the text (tool
        definitions, schemas, images) is derived again, as ``Task.build`` does, without
        validating again: routing and the sensitivity scan see all of it.
        """
        texts = tuple(message_text(message, index) for index, message in enumerate(self.messages))
        tags = (*job_tags, *self.tags)
        params, messages = self.params, self.messages
        return Task(
            messages,
            self.max_tokens,
            team,
            tags,
            dict(self.metadata),
            texts,
            dict(params),
            chat_params.needs(params, messages),
            chat_params.unreadable_parts(messages),
            chat_params.hidden_text(params, messages),
        )


class ItemError(_Frozen):
    code: str
    """Stable and snake-case: ``invalid_json``, ``no_model_fits``, ``rate_limited``, ``cancelled``..."""
    message: str
    """Names the line and what is wrong; never the prompt."""


class ItemResult(_Frozen):
    """One item's result line: its answer (``response``) or why it has none (``error``)."""

    custom_id: str
    line: int
    status: ItemState
    response: dict[str, Any] | None = None
    error: ItemError | None = None
    cost_usd: float = 0.0

    @classmethod
    def answered(cls, item: BatchItem, response: dict[str, Any], cost_usd: float) -> ItemResult:
        """The result of an answered item; ``response`` is a completion's JSON dump, taken as is."""
        # Every field, of its type, in the order declared (see ``built``): one per item, and
        # validating the response would copy the dict the completion's dump just made.
        return built(
            cls,
            ("error",),
            custom_id=item.custom_id,
            line=item.line,
            status="completed",
            response=response,
            error=None,
            cost_usd=float(cost_usd),
        )

    @classmethod
    def failure(
        cls,
        custom_id: str,
        line: int,
        code: str,
        message: str,
        *,
        state: ItemState = "failed",
        cost_usd: float = 0.0,
    ) -> ItemResult:
        """The result of an item that has no answer (``state`` failed or cancelled)."""
        error = ItemError(code=code, message=message)
        return cls(custom_id=custom_id, line=line, status=state, error=error, cost_usd=cost_usd)

    @classmethod
    def loads(cls, payload: str | bytes) -> ItemResult:
        return cls.model_validate_json(payload)

    def as_dict(self) -> dict[str, Any]:
        """The result as the JSON line users get (``BatchJob.results``, ``router batch results``)."""
        return self.model_dump(mode="json")
