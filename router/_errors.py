"""Every error the router raises, as one tree.

    RouterError
    ├── ConfigError               routes.yaml is missing, unparsable or invalid
    ├── UsageError                a caller passed something unusable (empty prompt, bad option)
    ├── NoModelFits               routing found no model that may take the task
    ├── StoreUnavailable          Redis (shared state, ledger, batches) cannot be reached
    ├── BudgetExceeded            a budget with action ``reject`` would be overshot
    ├── CallError                 a model call did not produce an answer
    │   ├── ProviderError         one provider answered with an error (carries status, retry_after)
    │   │   ├── RateLimited       429 / quota; retryable after ``retry_after``
    │   │   ├── ProviderTimeout   no answer in time; retryable
    │   │   ├── ProviderUnavailable  5xx, overloaded, connection refused; retryable
    │   │   ├── ContextWindowExceeded  the prompt does not fit; move to the next model at once
    │   │   ├── AuthenticationFailed   the provider's 401/403; the model is parked for a while
    │   │   ├── ApiKeyMissing     the key variable is unset in this process; skipped here only
    │   │   ├── BadRequest        400/404/422; the request itself is wrong, not retried
    │   │   ├── ContentPolicy     the provider refused the content; not retried
    │   │   └── StreamInterrupted a stream failed after its first token; the call ends there
    │   ├── AllModelsFailed       every allowed candidate failed (carries every attempt)
    │   └── DeadlineExceeded      the whole fallback chain ran out of time
    └── BatchError                a batch job cannot be created or read
        ├── BatchInputError       the input file is missing, empty, not UTF-8, or has no valid line
        └── JobNotFound           no job has that id

Every error is picklable (errors cross Celery) and carries structured fields,
declared and typed on its class, instead of making callers parse the message.
None of them ever holds prompt or completion text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from router._results import Attempt

__all__ = [
    "AllModelsFailed",
    "ApiKeyMissing",
    "AuthenticationFailed",
    "BadRequest",
    "BatchError",
    "BatchInputError",
    "BudgetExceeded",
    "CallError",
    "ConfigError",
    "ContentPolicy",
    "ContextWindowExceeded",
    "DeadlineExceeded",
    "JobNotFound",
    "NoModelFits",
    "ProviderError",
    "ProviderTimeout",
    "ProviderUnavailable",
    "RateLimited",
    "RouterError",
    "StoreUnavailable",
    "StreamInterrupted",
    "UsageError",
]


class RouterError(Exception):
    """Base class of every error raised by the router.

    A subclass with fields takes them as keyword-only constructor arguments,
    keeps each as the attribute of the same name, and lists the names in
    ``_fields``, so that ``pickle`` rebuilds it whole (the default
    ``Exception.__reduce__`` only replays positional ``args``).
    """

    _fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __reduce__(self) -> tuple[Any, ...]:
        fields = {name: getattr(self, name) for name in self._fields}
        return (_rebuild, (type(self), self.message, fields))

    def __str__(self) -> str:
        return self.message


def _rebuild(cls: type[RouterError], message: str, fields: dict[str, Any]) -> RouterError:
    return cls(message, **fields)


class ConfigError(RouterError):
    """routes.yaml cannot be used. ``problems`` lists each one as a readable line."""

    _fields = ("file", "problems")

    def __init__(self, message: str, *, file: str | None = None, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.file = file
        self.problems = tuple(problems)


class UsageError(RouterError):
    """The caller asked for something that cannot be done as asked."""


class NoModelFits(RouterError):
    """No model of the matched rule's pool may take the task.

    ``excluded`` maps each model of the pool to the reason it was left out.
    """

    _fields = ("rule", "excluded")

    def __init__(self, message: str, *, rule: str = "", excluded: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.rule = rule
        self.excluded = tuple(excluded)


class StoreUnavailable(RouterError):
    """Redis could not be reached at ``url`` (credentials are stripped from it)."""

    _fields = ("url",)

    def __init__(self, message: str, *, url: str = "") -> None:
        super().__init__(message)
        self.url = url


class BudgetExceeded(RouterError):
    """A call would overshoot a budget whose action is ``reject``."""

    _fields = ("budget", "limit_usd", "spent_usd")

    def __init__(
        self, message: str, *, budget: str = "", limit_usd: float = 0.0, spent_usd: float = 0.0
    ) -> None:
        super().__init__(message)
        self.budget = budget
        self.limit_usd = limit_usd
        self.spent_usd = spent_usd


class CallError(RouterError):
    """A model call did not produce an answer."""


class ProviderError(CallError):
    """A provider answered with an error, or did not answer.

    ``retryable`` tells the fallback loop whether trying the same model again
    can help; ``retry_after`` is the provider's own wait hint in seconds.
    """

    retryable: ClassVar[bool] = False
    _fields = ("model", "status", "retry_after")

    def __init__(
        self,
        message: str,
        *,
        model: str = "",
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.model = model
        self.status = status
        self.retry_after = retry_after

    @property
    def error_type(self) -> str:
        """A stable snake-case name for logs and attempt records (``rate_limited``)."""
        return _snake(type(self).__name__)


class RateLimited(ProviderError):
    retryable = True


class ProviderTimeout(ProviderError):
    retryable = True


class ProviderUnavailable(ProviderError):
    retryable = True


class ContextWindowExceeded(ProviderError):
    pass


class AuthenticationFailed(ProviderError):
    pass


class ApiKeyMissing(ProviderError):
    """The model's key variable is unset in this process: a local fault, so no shared state changes."""


class BadRequest(ProviderError):
    pass


class ContentPolicy(ProviderError):
    pass


class StreamInterrupted(ProviderError):
    """A streamed answer broke off after the caller had seen part of it: no fallback can resume it."""


class AllModelsFailed(CallError):
    """Every allowed candidate failed. ``attempts`` holds one record per try."""

    _fields = ("attempts",)

    def __init__(self, message: str, *, attempts: Sequence[Attempt] = ()) -> None:
        super().__init__(message)
        self.attempts: tuple[Attempt, ...] = tuple(attempts)


class DeadlineExceeded(CallError):
    """The fallback chain's overall deadline passed before any model answered."""

    _fields = ("attempts", "deadline_s")

    def __init__(self, message: str, *, attempts: Sequence[Attempt] = (), deadline_s: float = 0.0) -> None:
        super().__init__(message)
        self.attempts: tuple[Attempt, ...] = tuple(attempts)
        self.deadline_s = deadline_s


class BatchError(RouterError):
    """A batch job cannot be created or read."""


class BatchInputError(BatchError):
    """The batch input cannot be used at all (per-line problems fail only that line)."""


class JobNotFound(BatchError):
    """No batch job has the given id (it may have expired)."""

    _fields = ("job_id",)

    def __init__(self, message: str, *, job_id: str = "") -> None:
        super().__init__(message)
        self.job_id = job_id


def _snake(name: str) -> str:
    out = [name[0].lower()]
    for char in name[1:]:
        out.append(f"_{char.lower()}" if char.isupper() else char)
    return "".join(out)
