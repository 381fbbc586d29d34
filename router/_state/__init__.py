"""Shared state in Redis: the connection, rate limits and circuit breakers."""
