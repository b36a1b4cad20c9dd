"""Writes an NNI experiment database of N synthetic trials for the
whole-command benchmarks (BENCHMARKS.md): the schema of the fixture
tests/fixtures/nni_nb201.sqlite (written by NNI 3.0), one NAS-Bench-201-like
parameter set per trial (a `choice` per cell edge, seed 0), its RUNNING and
SUCCEEDED events, three intermediate metrics and a final one with
`test_acc`. Needs only Python's standard library:

    python benches/gen_nni_db.py tests/fixtures/nni_nb201.sqlite nni100k.sqlite 100000
"""

import json
import random
import shutil
import sqlite3
import sys

OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]
EDGES = ["1<-0", "2<-0", "2<-1", "3<-0", "3<-1", "3<-2"]


def main(fixture, out, n):
    shutil.copy(fixture, out)
    c = sqlite3.connect(out)
    c.execute("DELETE FROM TrialJobEvent")
    c.execute("DELETE FROM MetricData")
    rng = random.Random(0)
    t0 = 1796046737052
    events, metrics = [], []
    for i in range(n):
        job = "j%06d" % i
        params = {e: rng.choice(OPS) for e in EDGES}
        ts = t0 + i * 100
        data = json.dumps(
            {"parameter_id": i, "parameter_source": "algorithm", "parameters": params, "parameter_index": 0}
        )
        events.append((ts, job, "RUNNING", data, "/trials/" + job, i, None, "local-env"))
        for s in range(3):
            metrics.append((ts + 10 + s, job, str(i), "PERIODICAL", s, json.dumps(str(0.5 + 0.01 * s))))
        final = {"default": 0.7 + rng.random() * 0.1, "test_acc": 0.7 + rng.random() * 0.1}
        metrics.append((ts + 50, job, str(i), "FINAL", 0, json.dumps(json.dumps(final))))
        events.append((ts + 60, job, "SUCCEEDED", None, "/trials/" + job, i, None, "local-env"))
    c.executemany("INSERT INTO TrialJobEvent VALUES (?,?,?,?,?,?,?,?)", events)
    c.executemany("INSERT INTO MetricData VALUES (?,?,?,?,?,?)", metrics)
    c.commit()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
