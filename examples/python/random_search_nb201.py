"""Random search over NAS-Bench-201 written as a nasviz trace.

The architectures and accuracies come from NASLib's recorded queries of
NAS-Bench-201 on CIFAR-10 (../shared/data/nb201-naslib-traces, a CSV of
2,000 evaluations): each step draws one of them at random, as a random
search over a tabular benchmark does, and logs it through the nasviz
module. Then the viewer opens on it (with --no-view, it does not).

    python examples/python/random_search_nb201.py rs.jsonl [--seed 0] [--budget 200]
"""

import argparse
import csv
import random
from pathlib import Path

import nasviz

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "nb201-naslib-traces"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("output")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--budget", type=int, default=200)
    ap.add_argument("--csv", default=str(DATA / "nb201_cifar10_search_traces.csv"))
    ap.add_argument("--no-view", action="store_true")
    args = ap.parse_args()

    with open(args.csv, newline="") as f:
        rows = list(csv.DictReader(f))
    rng = random.Random(args.seed)
    elapsed = 0.0
    with nasviz.Trace(args.output, strategy="random_search", space="nb201",
                      benchmark="nas-bench-201/cifar10", seed=args.seed) as trace:
        for _ in range(args.budget):
            row = rng.choice(rows)
            elapsed += float(row["c10valid_training_time_s"])
            trace.trial(
                row["arch"],
                val_acc=float(row["c10valid_valid_acc"]) / 100.0,
                test_acc=float(row["c10_test_acc"]) / 100.0,
                time_s=elapsed,
                train_time_s=float(row["c10valid_training_time_s"]),
                params=float(row["params_mb"]) * 1e6,
                flops=float(row["flops_m"]) * 1e6,
                latency_s=float(row["latency_ms"]) / 1000.0,
            )
    print(f"{args.output}: {args.budget} trials")
    if not args.no_view:
        nasviz.view(args.output, wait=True)


if __name__ == "__main__":
    main()
