"""The cost ledger: per-call records, running totals, budgets and reports."""
