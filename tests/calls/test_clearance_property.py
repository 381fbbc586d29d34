"""Property: whatever the prompt and whatever fails, no attempt reaches a model not cleared for the task."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from router import AllModelsFailed, BadRequest, DeadlineExceeded, NoModelFits
from router._config import load_routes
from router._providers._simulator import SimulatedProvider
from router._router import Router
from router._runtime import Runtime
from router._state._store import Store, StoreSettings
from router._task import Task

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

ROOT = Path(__file__).resolve().parents[2]
CONFIG = load_routes(ROOT / "routes.yaml").model_copy(
    update={
        "policies": load_routes(ROOT / "routes.yaml").policies.model_copy(
            update={
                "fallback": load_routes(ROOT / "routes.yaml").policies.fallback.model_copy(
                    update={"backoff_base_s": 0.0, "backoff_max_s": 0.0, "deadline_s": 30.0}
                ),
                "budgets": (),
            }
        )
    }
)
ROUTER = Router(CONFIG)
MODELS = CONFIG.model_names
KINDS = ["rate_limit", "timeout", "server_error", "outage", "context_window", "auth"]

SENSITIVE = st.sampled_from(
    [
        "",
        " Card: 4111 1111 1111 1111.",
        " IBAN DE89 3704 0044 0532 0130 00.",
        " Reach me at ana.silva@example.com.",
        " Call +44 20 7946 0958 tomorrow.",
        " key sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD",
        " Server 10.1.2.3 is down.",
        " About Project Nightingale.",
    ]
)
PLAIN = st.sampled_from(
    [
        "Summarise the meeting notes in three bullet points.",
        "Bitte übersetze diesen Absatz ins Englische, danke schön.",
        "Écris un court poème sur la mer et le vent du soir.",
        "Write a SQL query that counts orders per customer.",
    ]
)
FAILURES = st.dictionaries(st.sampled_from(MODELS), st.sampled_from(KINDS), max_size=len(MODELS))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plain=PLAIN, secret=SENSITIVE, failures=FAILURES, tags=st.sampled_from([(), ("code",)]))
def test_no_attempt_ever_goes_to_a_model_below_the_tasks_sensitivity(
    plain: str, secret: str, failures: dict[str, str], tags: tuple[str, ...]
) -> None:
    store = Store(StoreSettings(url=None))
    store.sync().flushall()  # fresh cool-downs for every example
    provider = SimulatedProvider(CONFIG.simulation, seed=0, latency=False)
    for model, kind in failures.items():
        provider.inject(model, kind, retry_after_s=0.0)
    runtime = Runtime.build(CONFIG, store=store, simulate=True, provider=provider, router=ROUTER)
    task = Task.build(plain + secret, tags=tags)
    try:
        decision = ROUTER.decide(task)
    except NoModelFits:
        return
    try:
        result = asyncio.run(runtime.complete(task, decision=decision))
    except (AllModelsFailed, DeadlineExceeded) as error:
        attempts = error.attempts
        assert all(a.outcome != "ok" for a in attempts)
    except BadRequest:  # pragma: no cover - no bad_request injected
        raise
    else:
        attempts = result.attempts
        assert result.model not in failures
        assert attempts[-1].outcome == "ok"
        assert attempts[-1].model == result.model
    sensitivity = decision.signals.sensitivity
    for attempt in attempts:
        assert CONFIG.model(attempt.model).clearance >= sensitivity, (attempt.model, sensitivity)
        assert attempt.model in {c.model for c in decision.candidates}
