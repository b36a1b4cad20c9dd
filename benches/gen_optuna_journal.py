"""Writes the Optuna journal the whole-command benchmarks open (BENCHMARKS.md):
N complete trials of a NAS-Bench-201-like study (one categorical per cell
edge, a test_acc user attribute), written by Optuna's own JournalFileBackend
through Study.add_trials, as a study imported or copied from elsewhere is.

    python benches/gen_optuna_journal.py 100000 study.journal

An output ending in `.db` is written as Optuna's SQLite storage instead
(the same study through RDBStorage).

The accuracies are synthetic (a fixed score per op and edge, plus noise,
seed 0): what is measured is reading the journal, not the numbers.
"""

import random
import sys

import optuna
from optuna.distributions import CategoricalDistribution
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend
from optuna.trial import create_trial

OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]
EDGES = ["1<-0", "2<-0", "2<-1", "3<-0", "3<-1", "3<-2"]
GAIN = {"none": -0.04, "skip_connect": 0.0, "nor_conv_1x1": 0.02, "nor_conv_3x3": 0.04, "avg_pool_3x3": -0.01}


def main(n, out):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if out.endswith(".db"):
        storage = f"sqlite:///{out}"
    else:
        storage = JournalStorage(JournalFileBackend(out))
    study = optuna.create_study(study_name="nb201", storage=storage, direction="maximize")
    rng = random.Random(0)
    dists = {e: CategoricalDistribution(OPS) for e in EDGES}
    batch = []
    for _ in range(n):
        params = {e: rng.choice(OPS) for e in EDGES}
        base = 0.70 + sum(GAIN[p] for p in params.values())
        val = min(max(base + rng.gauss(0, 0.01), 0.0), 1.0)
        test = min(max(base + rng.gauss(0, 0.012), 0.0), 1.0)
        batch.append(
            create_trial(params=params, distributions=dists, value=val, user_attrs={"test_acc": test})
        )
        if len(batch) == 1000:
            study.add_trials(batch)
            batch = []
    if batch:
        study.add_trials(batch)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
