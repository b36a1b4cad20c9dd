"""An Optuna study whose objective logs each trial to a nasviz trace; run
`nasviz view --follow nb201.jsonl` beside it to watch the search live.

    pip install optuna && python examples/python/optuna_objective.py
"""

import optuna

import nasviz

OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]
trace = nasviz.Trace("nb201.jsonl", strategy="tpe", space="nb201", benchmark="toy")


def objective(trial: optuna.Trial) -> float:
    e = [trial.suggest_categorical(f"edge{i}", OPS) for i in range(6)]
    cell = f"|{e[0]}~0|+|{e[1]}~0|{e[2]}~1|+|{e[3]}~0|{e[4]}~1|{e[5]}~2|"
    acc = 0.5 + 0.08 * sum(op.startswith("nor_conv") for op in e)  # your training here
    trace.trial(cell, val_acc=acc, test_acc=acc - 0.01)
    return acc


optuna.create_study(direction="maximize").optimize(objective, n_trials=50)
trace.close()
