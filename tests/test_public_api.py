"""The public surface: exactly what ``router.__all__`` lists, all importable, nothing heavy at import."""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest

import router

EXPECTED = {
    "AllModelsFailed", "ApiKeyMissing", "AsyncClient", "Attempt", "AuthenticationFailed", "BadRequest",
    "BatchError", "BatchInputError", "BatchJob", "BudgetExceeded", "BudgetStatus", "CallError", "Candidate",
    "Client",
    "Completion", "ConfigError", "ContentPolicy", "ContextWindowExceeded", "CostRecord", "CostReport",
    "CostRow", "DeadlineExceeded", "Decision", "Excluded", "Explanation", "FindingSummary", "JobNotFound",
    "JobStatus", "NoModelFits", "ProviderError", "ProviderTimeout", "ProviderUnavailable", "RateLimited",
    "Pseudonymisation",
    "RouterError", "RoutesConfig", "SavingsReport", "SavingsRow", "Sensitivity", "Settings", "Signals",
    "StatusSnapshot", "StoreUnavailable", "StreamDelta", "StreamDone", "StreamInterrupted", "Usage",
    "UsageError", "__version__", "load_routes",
}  # fmt: skip


def test_all_lists_exactly_the_public_names() -> None:
    assert set(router.__all__) >= EXPECTED
    extra = set(router.__all__) - EXPECTED
    assert not extra, extra


def test_every_listed_name_resolves() -> None:
    for name in router.__all__:
        assert getattr(router, name) is not None


def test_all_is_exactly_the_public_names_of_the_module_sorted() -> None:
    # As httpx's test does: nothing public is left out of __all__, nothing listed is missing.
    lazy: dict[str, str] = router._LAZY  # type: ignore[attr-defined]
    public = {name for name in vars(router) if not name.startswith("_")} | set(lazy) | {"__version__"}
    assert router.__all__ == sorted(public)


ATTEMPT = router.Attempt(model="m", number=1, outcome="error", error_type="rate_limited")
# Each public error with every one of its fields set to something other than its default.
FIELDS: dict[str, dict[str, object]] = {
    "ConfigError": {"file": "routes.yaml", "problems": ("routes.yaml:3: rules[0].pool: unknown model",)},
    "NoModelFits": {"rule": "default", "excluded": (("gpt-4o", "clearance internal < confidential"),)},
    "StoreUnavailable": {"url": "redis://127.0.0.1:6379/0"},
    "BudgetExceeded": {"budget": "monthly-total", "limit_usd": 100.0, "spent_usd": 99.5},
    "AllModelsFailed": {"attempts": (ATTEMPT,)},
    "DeadlineExceeded": {"attempts": (ATTEMPT,), "deadline_s": 30.0},
    "JobNotFound": {"job_id": "batch_123"},
}
PROVIDER_FIELDS = {"model": "gpt-4o-mini", "status": 429, "retry_after": 2.5}
ERRORS = sorted(
    name
    for name in router.__all__
    if isinstance(getattr(router, name), type) and issubclass(getattr(router, name), Exception)
)


def test_every_public_exception_is_a_router_error() -> None:
    assert len(ERRORS) == 22
    assert all(issubclass(getattr(router, name), router.RouterError) for name in ERRORS)


@pytest.mark.parametrize("name", ERRORS)
def test_every_public_error_survives_pickling_with_all_its_fields(name: str) -> None:
    cls = getattr(router, name)
    fields = PROVIDER_FIELDS if issubclass(cls, router.ProviderError) else FIELDS.get(name, {})
    error = cls(f"{name} happened", **fields)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is cls
    assert (str(copy), copy.message) == (f"{name} happened", f"{name} happened")
    assert {field: getattr(copy, field) for field in fields} == fields
    assert set(cls._fields) == set(fields)


def test_all_models_failed_carries_typed_attempts() -> None:
    error = router.AllModelsFailed("all failed", attempts=[ATTEMPT])
    assert pickle.loads(pickle.dumps(error)).attempts[0].error_type == "rate_limited"


def test_importing_router_loads_neither_litellm_nor_redis_nor_celery() -> None:
    script = (
        "import sys, router; print(sorted(m for m in ('litellm', 'redis', 'celery') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stderr
