"""The cost ledger: per-call records, running totals, budgets and reports.

Import from the submodules (``_ledger``, ``_budgets``, ``_reports``): this
package's ``__init__`` stays empty so that importing ``CostRecord`` does not
pull in the Redis client on paths that only route.
"""
