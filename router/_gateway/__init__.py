"""``router serve``: an OpenAI-compatible HTTP gateway over the router's runtime.

``_app`` (the Starlette app and its endpoints), ``_chat`` (the chat completions body and the
parameter policy), ``_auth`` and ``_keys`` (API keys), ``_errors`` (OpenAI's error shape),
``_limits`` (body size and slow clients), ``_metrics`` (Prometheus), ``_server`` (uvicorn).
``_keys`` imports no web framework, so ``router keys`` starts without one.
"""
