"""What one answered call cost, the same way for real and simulated calls.

A routes.yaml price wins (our own GPU cost for a self-hosted model, a negotiated rate);
otherwise litellm's ``completion_cost`` prices the call from its shipped catalogue.
"""

from __future__ import annotations

from router._pricing import ModelInfo
from router._providers._litellm_import import load_litellm
from router._results import Usage

__all__ = ["call_cost"]


def call_cost(model: ModelInfo, usage: Usage, response: object | None = None) -> float | None:
    """USD for ``usage`` on ``model``; None when neither routes.yaml nor litellm has a price.

    ``response`` is litellm's response for a real call: litellm then also prices what only the
    response knows (cached or reasoning tokens). A simulated call passes only its usage.
    """
    spec = model.spec
    if spec.input_cost_per_token is not None or spec.output_cost_per_token is not None:
        # ModelInfo merges a one-sided override with the catalogue's other price.
        return model.estimate(usage.prompt_tokens, usage.completion_tokens)
    if response is None:
        # A simulated call: ModelInfo holds litellm's catalogue prices for the real model id.
        # Pricing them here gives litellm's own figure for per-token models and skips
        # completion_cost's ~0.4 ms per call, which the batch path cannot afford.
        return model.estimate(usage.prompt_tokens, usage.completion_tokens)
    computed = (getattr(response, "_hidden_params", None) or {}).get("response_cost")
    if isinstance(computed, int | float):
        return float(computed)  # litellm already priced this response on its way out
    litellm = load_litellm()
    priced = response
    try:
        return float(litellm.completion_cost(completion_response=priced, model=spec.model))
    except Exception:
        # litellm raises a plain Exception/ValueError/NotFoundError, varying by release, for a
        # model missing from its catalogue: an unpriced call, not a failed one.
        return None
