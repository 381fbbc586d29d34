"""Model calls: the fallback loop and its policies."""
