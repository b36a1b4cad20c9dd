"""An Optuna study of NAS-Bench-Graph architectures on Cora, for the tests of
steering a running study (tests/optuna_steer.rs).

    cora_study.py create  STORAGE STUDY
    cora_study.py work    STORAGE STUDY TABLE N_TRIALS PAUSE_S
    cora_study.py dump    STORAGE STUDY
    cora_study.py enqueue STORAGE STUDY PARAMS_JSON ATTRS_JSON

STORAGE is a journal file (JournalFileBackend) or an SQLite file (*.db).
Each worker optimizes the objective below: it suggests node inputs
`lk0`..`lk3` and ops `op0`..`op3` (the package's `Arch(lk, op)` fields), and
looks the architecture up in TABLE, a JSON object that maps
`"l0,l1,l2,l3|o0,o1,o2,o3"` to `[validation, test]` accuracy (exported by
the test from nasviz's Cora table). An architecture the table does not
hold is pruned.
"""

import json
import sys
import time

import optuna

OPS = ["gcn", "gat", "sage", "gin", "cheb"]


def storage_of(path):
    if path.endswith(".db"):
        return "sqlite:///" + path
    return optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(path))


def main(argv):
    cmd, path, name = argv[1], argv[2], argv[3]
    storage = storage_of(path)
    if cmd == "create":
        optuna.create_study(study_name=name, storage=storage, direction="maximize")
    elif cmd == "work":
        table = json.load(open(argv[4]))
        n_trials, pause = int(argv[5]), float(argv[6])

        def objective(trial):
            links = [trial.suggest_categorical(f"lk{i}", list(range(i + 1))) for i in range(4)]
            ops = [trial.suggest_categorical(f"op{i}", OPS) for i in range(4)]
            key = ",".join(map(str, links)) + "|" + ",".join(ops)
            if key not in table:
                raise optuna.TrialPruned(f"{key} is not in the table")
            val, test = table[key]
            time.sleep(pause)
            trial.set_user_attr("test_acc", test)
            return val

        study = optuna.load_study(study_name=name, storage=storage)
        study.optimize(objective, n_trials=n_trials)
    elif cmd == "dump":
        study = optuna.load_study(study_name=name, storage=storage)
        out = [
            {
                "number": t.number,
                "state": t.state.name,
                "params": t.params,
                "value": t.value,
                "user_attrs": t.user_attrs,
                "fixed_params": t.system_attrs.get("fixed_params"),
            }
            for t in study.trials
        ]
        print(json.dumps(out))
    elif cmd == "enqueue":
        study = optuna.load_study(study_name=name, storage=storage)
        study.enqueue_trial(json.loads(argv[4]), user_attrs=json.loads(argv[5]))
    else:
        raise SystemExit(f"unknown command {cmd}")


if __name__ == "__main__":
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    main(sys.argv)
