"""What ``router status`` shows: circuits, rate-limit headroom, budgets, workers, queue depth."""
