"""A bottleneck model of batch throughput past one machine, fed with measured costs.

These machines have two cores, so they cannot show 10,000 or 100,000 items per
second. This model can, with the operational laws of queueing (a resource that
needs D seconds per item carries at most 1/D items per second; the system
carries what its busiest resource allows): each item takes its worker CPU on
one of W worker cores, and its Redis time on the primaries that own its keys,
with tags placed on primaries by hash as a real Cluster places slots (averaged
over several placements). The inputs are the per-item costs that
``bench_batch.py --parts cost,throughput`` measures; pass your own figures with
the options. The provider is left out: its rate limits are the real ceiling,
and the model says how far below them the router's own resources stay.

Where an item's Redis work goes (docs/SCALING.md, "Redis Cluster"):

- the job's slot: the item's finish script and the occasional status read
  (``--job-share`` of the item's Redis time), spread over the jobs running;
- the budgets' slot: reserve and settle of a call with a budget
  (``--budget-share``; 0 when no budget applies);
- the model's slot: the rate-limit script (``--model-share``), over the models;
- the ledger shard of the record's cell: the rest, over the cells.

    .venv/bin/python benchmarks/model_scaling.py --worker-cpu-ms 4.4 --redis-us-per-item 180
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Costs:
    worker_cpu_ms: float
    redis_us_per_item: float
    job_share: float
    budget_share: float
    model_share: float
    jobs: int
    models: int
    cells: int


@dataclass
class Outcome:
    achieved: float
    worker_busy: float
    busiest_primary: float
    bottleneck: str


def primary_demand_s(costs: Costs, primaries: int, seed: int) -> list[float]:
    """Redis seconds per item on each primary, for one placement of the tags."""
    rng = random.Random(seed)
    per_item = costs.redis_us_per_item / 1e6
    ledger_share = 1 - costs.job_share - costs.budget_share - costs.model_share
    demand = [0.0] * primaries
    groups = (
        (costs.jobs, costs.job_share),
        (1, costs.budget_share),
        (costs.models, costs.model_share),
        (costs.cells, ledger_share),
    )
    for tags, share in groups:
        for _ in range(tags):
            demand[rng.randrange(primaries)] += per_item * share / tags
    return demand


def model(costs: Costs, rate: float, cores: int, primaries: int, *, placements: int = 50) -> Outcome:
    """What ``cores`` worker cores and ``primaries`` primaries carry of ``rate`` offered items/s."""
    worker_capacity = cores / (costs.worker_cpu_ms / 1000)
    capacities = [1 / max(primary_demand_s(costs, primaries, seed)) for seed in range(placements)]
    redis_capacity = sum(capacities) / len(capacities)
    achieved = min(rate, worker_capacity, redis_capacity)
    if achieved == rate:
        bottleneck = "none: the offered rate is carried"
    elif worker_capacity <= redis_capacity:
        bottleneck = "worker CPU"
    elif costs.budget_share >= max(costs.job_share / costs.jobs, costs.model_share / costs.models):
        bottleneck = "the primary holding the budgets' slot"
    else:
        bottleneck = "the busiest primary"
    return Outcome(achieved, achieved / worker_capacity, achieved / redis_capacity, bottleneck)


def cores_for(costs: Costs, rate: float) -> int:
    """Worker cores to carry ``rate`` at 70% busy."""
    return max(1, round(rate * costs.worker_cpu_ms / 1000 / 0.7 + 0.5))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--worker-cpu-ms", type=float, required=True, help="measured worker CPU per item")
    parser.add_argument(
        "--redis-us-per-item", type=float, required=True, help="measured server time per item"
    )
    parser.add_argument("--job-share", type=float, default=0.30)
    parser.add_argument("--budget-share", type=float, default=0.30, help="0 when no budget applies")
    parser.add_argument("--model-share", type=float, default=0.15)
    parser.add_argument("--jobs", type=int, default=8, help="jobs running at once")
    parser.add_argument("--models", type=int, default=6)
    parser.add_argument("--cells", type=int, default=24, help="model x team x rule x tags combinations")
    args = parser.parse_args()
    base = Costs(
        args.worker_cpu_ms, args.redis_us_per_item, args.job_share, args.budget_share,
        args.model_share, args.jobs, args.models, args.cells,
    )  # fmt: skip
    print(f"inputs: {args.worker_cpu_ms} ms worker CPU and {args.redis_us_per_item} us Redis time per item")
    one_core = 1000 / args.worker_cpu_ms
    print(f"one worker core: {one_core:,.0f} items/s (modelled from the measured CPU per item)")
    print(
        f"one Redis primary: {1e6 / args.redis_us_per_item:,.0f} items/s (all of an item's Redis work on it)"
    )
    for label, costs in (("with a budget on every call", base), ("with no budget", _no_budget(base))):
        print(f"\n{label}:")
        for primaries in (1, 3, 6, 12):
            ceiling = model(costs, 1e9, 1_000_000, primaries)
            plural = "primary  " if primaries == 1 else "primaries"
            carried = f"{ceiling.achieved:>9,.0f} items/s"
            print(f"  {primaries:>2} {plural}: Redis ceiling {carried} ({ceiling.bottleneck})")
        for rate in (10_000, 100_000):
            cores = cores_for(costs, rate)
            for primaries in (1, 3, 6, 12):
                run = model(costs, rate, cores, primaries)
                print(
                    f"  {rate:>7,} items/s offered, {cores} worker cores, {primaries:>2} primaries: "
                    f"{run.achieved:>9,.0f} carried; workers {run.worker_busy:4.0%} busy, "
                    f"busiest primary {run.busiest_primary:4.0%} (limit: {run.bottleneck})"
                )


def _no_budget(costs: Costs) -> Costs:
    # Without a budget the reserve and settle scripts are not sent: the item's Redis time shrinks.
    kept = 1 - costs.budget_share
    return Costs(
        costs.worker_cpu_ms, costs.redis_us_per_item * kept, costs.job_share / kept, 0.0,
        costs.model_share / kept, costs.jobs, costs.models, costs.cells,
    )  # fmt: skip


if __name__ == "__main__":
    main()
