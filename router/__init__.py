"""Route each LLM task to the cheapest model cleared for it.

    >>> import router
    >>> client = router.Client("routes.yaml")
    >>> decision = client.route("Summarise this memo in three bullet points.")
    >>> decision.model, decision.rule

Everything a user imports is listed in ``__all__``; modules whose names start
with an underscore are private.
"""

# Imported under private names: every public name of this module is in ``__all__`` (tested).
import importlib as _importlib
import typing as _typing

from router._client import AsyncClient, Client
from router._config import RoutesConfig, load_routes
from router._decision import Candidate, Decision, Excluded, FindingSummary, Pseudonymisation, Signals
from router._errors import (
    AllModelsFailed,
    ApiKeyMissing,
    AuthenticationFailed,
    BadRequest,
    BatchError,
    BatchInputError,
    BudgetExceeded,
    CallError,
    ConfigError,
    ContentPolicy,
    ContextWindowExceeded,
    DeadlineExceeded,
    JobNotFound,
    NoModelFits,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
    RouterError,
    StoreUnavailable,
    StreamInterrupted,
    UsageError,
)
from router._explain import Explanation
from router._ledger._record import CostRecord
from router._levels import Sensitivity
from router._results import Attempt, Completion, Usage
from router._settings import Settings
from router._streaming import StreamDelta, StreamDone

__version__ = "0.1.0"

if _typing.TYPE_CHECKING:
    from router._batch import BatchJob, JobStatus
    from router._ledger._reports import CostReport, CostRow, SavingsReport, SavingsRow
    from router._state._budgets import BudgetStatus
    from router._status._snapshot import StatusSnapshot

# Report types live beside the Redis client; load them on first use so that
# ``import router`` (and ``router route``) stays free of it.
_LAZY = {
    "BatchJob": "router._batch",
    "JobStatus": "router._batch",
    "BudgetStatus": "router._state._budgets",
    "CostReport": "router._ledger._reports",
    "CostRow": "router._ledger._reports",
    "SavingsReport": "router._ledger._reports",
    "SavingsRow": "router._ledger._reports",
    "StatusSnapshot": "router._status._snapshot",
}


def __getattr__(name: str) -> _typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'router' has no attribute {name!r}")
    return getattr(_importlib.import_module(module), name)


__all__ = [
    "AllModelsFailed",
    "ApiKeyMissing",
    "AsyncClient",
    "Attempt",
    "AuthenticationFailed",
    "BadRequest",
    "BatchError",
    "BatchInputError",
    "BatchJob",
    "BudgetExceeded",
    "BudgetStatus",
    "CallError",
    "Candidate",
    "Client",
    "Completion",
    "ConfigError",
    "ContentPolicy",
    "ContextWindowExceeded",
    "CostRecord",
    "CostReport",
    "CostRow",
    "DeadlineExceeded",
    "Decision",
    "Excluded",
    "Explanation",
    "FindingSummary",
    "JobNotFound",
    "JobStatus",
    "NoModelFits",
    "ProviderError",
    "ProviderTimeout",
    "ProviderUnavailable",
    "Pseudonymisation",
    "RateLimited",
    "RouterError",
    "RoutesConfig",
    "SavingsReport",
    "SavingsRow",
    "Sensitivity",
    "Settings",
    "Signals",
    "StatusSnapshot",
    "StoreUnavailable",
    "StreamDelta",
    "StreamDone",
    "StreamInterrupted",
    "Usage",
    "UsageError",
    "__version__",
    "load_routes",
]
