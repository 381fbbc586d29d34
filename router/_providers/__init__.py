"""Provider adapters: how a request reaches a model."""
