"""The public surface: exactly what ``router.__all__`` lists, all importable, nothing heavy at import."""

from __future__ import annotations

import pickle
import subprocess
import sys

import router

EXPECTED = {
    "AllModelsFailed", "ApiKeyMissing", "AsyncClient", "Attempt", "AuthenticationFailed", "BadRequest",
    "BatchError", "BatchInputError", "BatchJob", "BudgetExceeded", "BudgetStatus", "CallError", "Candidate",
    "Client",
    "Completion", "ConfigError", "ContentPolicy", "ContextWindowExceeded", "CostRecord", "CostReport",
    "CostRow", "DeadlineExceeded", "Decision", "Excluded", "Explanation", "FindingSummary", "JobNotFound",
    "JobStatus", "NoModelFits", "ProviderError", "ProviderTimeout", "ProviderUnavailable", "RateLimited",
    "RouterError", "RoutesConfig", "SavingsReport", "SavingsRow", "Sensitivity", "Settings", "Signals",
    "StatusSnapshot", "StoreUnavailable", "Usage", "UsageError", "__version__", "load_routes",
}  # fmt: skip


def test_all_lists_exactly_the_public_names() -> None:
    assert set(router.__all__) >= EXPECTED
    extra = set(router.__all__) - EXPECTED
    assert not extra, extra


def test_every_listed_name_resolves() -> None:
    for name in router.__all__:
        assert getattr(router, name) is not None


def test_every_error_derives_from_router_error_and_survives_pickling() -> None:
    error = router.RateLimited("slow down", model="gpt-4o-mini", status=429, retry_after=2.5)
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, router.RouterError)
    assert (copy.model, copy.status, copy.retry_after, str(copy)) == ("gpt-4o-mini", 429, 2.5, "slow down")
    failed = router.AllModelsFailed(
        "all failed", attempts=[router.Attempt(model="m", number=1, outcome="error")]
    )
    assert pickle.loads(pickle.dumps(failed)).attempts[0].model == "m"


def test_importing_router_loads_neither_litellm_nor_redis_nor_celery() -> None:
    script = (
        "import sys, router; print(sorted(m for m in ('litellm', 'redis', 'celery') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stderr
