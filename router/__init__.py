"""Route each LLM task to the cheapest model cleared for it.

    >>> import router
    >>> client = router.Client("routes.yaml")
    >>> decision = client.route("Summarise this memo in three bullet points.")
    >>> decision.model, decision.rule

Everything a user imports is listed in ``__all__``; modules whose names start
with an underscore are private.
"""

from router._client import AsyncClient, Client
from router._config import RoutesConfig, load_routes
from router._decision import Candidate, Decision, Excluded, FindingSummary, Signals
from router._errors import (
    AllModelsFailed,
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
    UsageError,
)
from router._ledger._record import CostRecord
from router._levels import Sensitivity
from router._results import Attempt, Completion, Usage

__version__ = "0.1.0"

__all__ = [
    "AllModelsFailed",
    "AsyncClient",
    "Attempt",
    "AuthenticationFailed",
    "BadRequest",
    "BatchError",
    "BatchInputError",
    "BudgetExceeded",
    "CallError",
    "Candidate",
    "Client",
    "Completion",
    "ConfigError",
    "ContentPolicy",
    "ContextWindowExceeded",
    "CostRecord",
    "DeadlineExceeded",
    "Decision",
    "Excluded",
    "FindingSummary",
    "JobNotFound",
    "NoModelFits",
    "ProviderError",
    "ProviderTimeout",
    "ProviderUnavailable",
    "RateLimited",
    "RouterError",
    "RoutesConfig",
    "Sensitivity",
    "Signals",
    "StoreUnavailable",
    "Usage",
    "UsageError",
    "__version__",
    "load_routes",
]
