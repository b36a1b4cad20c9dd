"""The Python module: traces written through it read back by the nasviz
executable with the same numbers, and every validation error names its
field. Runs under unittest (cargo test, with PYTHONPATH=python and
NASVIZ_BIN set) and under pytest against an installed wheel (.ci/run)."""

import json
import os
import subprocess
import tempfile
import unittest
from pathlib import Path

import nasviz

NB201 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
NB101 = ([[0, 1, 1], [0, 0, 1], [0, 0, 0]], ["input", "maxpool3x3", "output"])


def nasviz_out(*args: str) -> str:
    done = subprocess.run([nasviz.binary(), *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(f"nasviz {' '.join(args)} failed: {done.stderr}")
    return done.stdout


class WrittenTracesReadBack(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = tempfile.TemporaryDirectory()
        self.path = Path(self.dir.name)

    def tearDown(self) -> None:
        self.dir.cleanup()

    def test_a_search_loop_reads_back_with_its_numbers(self) -> None:
        p = self.path / "re.jsonl"
        vals = [0.71, 0.74, 0.73, 0.79, 0.77]
        with nasviz.Trace(p, strategy="regularized_evolution", space="nb201",
                          benchmark="nas-bench-201/cifar10", seed=3) as t:
            first = t.trial(NB201, val_acc=vals[0], test_acc=0.7, train_time_s=120.0, params=1.2e6)
            prev = first
            for v in vals[1:]:
                arch = NB201.replace("avg_pool_3x3~1", "nor_conv_1x1~1") if v > 0.75 else NB201
                prev = t.trial(arch, val_acc=v, test_acc=v - 0.01, parents=[prev],
                               edit={"op": "change_op", "node": 2, "to": "nor_conv_1x1"},
                               params=1.0e6, time_s=100.0 * (prev + 2))
        out = json.loads(nasviz_out("info", "--insight", str(p), "--json"))
        run = out["runs"][0]
        self.assertEqual(run["run"], "regularized_evolution-3")
        self.assertEqual(run["step"], len(vals))
        self.assertEqual(run["lineage"]["trial"], vals.index(max(vals)))
        self.assertEqual(run["lineage"]["ancestors"], [2, 1, 0])
        self.assertEqual(run["pareto"]["costs"], ["params", "train_time_s"])
        text = nasviz_out("info", str(p))
        self.assertIn("5 trials", text.replace(",", ""))
        # the strategies of two seeds
        q = self.path / "re2.jsonl"
        with nasviz.Trace(q, strategy="regularized_evolution", space="nb201",
                          benchmark="nas-bench-201/cifar10", seed=4) as t:
            for v in [0.70, 0.80, 0.75, 0.76, 0.74]:
                t.trial(NB201, val_acc=v, test_acc=v)
        s = json.loads(nasviz_out("info", "--strategies", "--json", str(p), str(q)))
        means = s["groups"][0]["mean"]
        self.assertAlmostEqual(means[1], (0.74 + 0.80) / 2)

    def test_every_space_and_a_steer_event(self) -> None:
        p = self.path / "all.jsonl"
        for space, arch in [("nb101", NB101), ("nbgraph", ([0, 0, 1, 2], ["gcn", "gat", "skip", "fc"])),
                            ("sequential", ["input", "conv3x3", "relu", "output"]), ("nb201", NB201)]:
            with nasviz.Trace(p, run_id=f"run-{space}", strategy="random_search", space=space,
                              append=p.exists()) as t:
                a = t.trial(arch, 0.5, 0.4)
                b = t.trial(arch, 0.6, 0.5, user=True, parents=[a])
                t.steer("inject", trial_id=b, note="from Python")
        text = nasviz_out("info", str(p))
        for space in ["nb101", "nbgraph", "sequential", "nb201"]:
            self.assertIn(f"run-{space}", text)

    def test_a_trace_is_never_overwritten(self) -> None:
        p = self.path / "keep.jsonl"
        p.write_text("precious\n")
        with self.assertRaises(FileExistsError):
            nasviz.Trace(p, strategy="random_search")
        self.assertEqual(p.read_text(), "precious\n")

    def test_python_dash_m_runs_the_binary(self) -> None:
        env = dict(os.environ)
        done = subprocess.run([os.sys.executable, "-m", "nasviz", "--version"],
                              capture_output=True, text=True, env=env)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("nasviz", done.stdout)


class ValidationNamesTheField(unittest.TestCase):
    def check(self, field: str, fn) -> None:
        with self.assertRaises(ValueError) as e:
            fn()
        self.assertTrue(str(e.exception).startswith(field), str(e.exception))

    def test_architectures(self) -> None:
        a = nasviz.arch_json
        self.check("arch", lambda: a("|nor_conv_3x3~0|+|x~0|"))
        self.check("arch", lambda: a("|conv~0|+|nor_conv_3x3~0|none~1|+|none~0|none~1|none~2|"))
        self.check("arch.matrix", lambda: a(([[0, 1], [1, 0]], ["input", "output"])))
        self.check("arch.matrix", lambda: a(([[0, 2], [0, 0]], ["input", "output"])))
        self.check("arch.matrix", lambda: a(([[0] * 8 for _ in range(8)], ["input"] * 8)))
        self.check("arch.ops", lambda: a(([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", "conv5x5", "output"])))
        self.check("arch.links", lambda: a(([0, 2, 0, 0], ["gcn", "gcn", "gcn", "gcn"])))
        self.check("arch.ops", lambda: a(([0, 0, 0, 0], ["skip"] * 4)))
        self.check("arch.ops", lambda: a(([0, 0, 0, 0], ["gcn", "gcn", "gcn", "mlp"])))
        self.check("arch", lambda: a(["conv", ""]))
        self.check("arch", lambda: a(42))
        self.check("space", lambda: a(NB201, space="nb999"))
        self.assertEqual(a(NB101)["space"], "nb101")
        self.assertEqual(a({"links": [0, 1, 1, 1], "ops": ["gat"] * 4})["space"], "nbgraph")

    def test_metrics_parents_and_edits(self) -> None:
        with tempfile.TemporaryDirectory() as d:
            with nasviz.Trace(Path(d) / "t.jsonl", strategy="random_search") as t:
                self.check("val_acc", lambda: t.trial(NB201, 93.1, 0.9))
                self.check("test_acc", lambda: t.trial(NB201, 0.9, float("nan")))
                self.check("params", lambda: t.trial(NB201, 0.9, 0.9, params=-1))
                self.check("latency", lambda: t.trial(NB201, 0.9, 0.9, latency=1))
                self.check("parents", lambda: t.trial(NB201, 0.9, 0.9, parents=[7]))
                t.trial(NB201, 0.9, 0.9)
                self.check("edit", lambda: t.trial(NB201, 0.9, 0.9, edit={"op": "change_op", "node": 1, "to": "none"}))
                self.check("edit", lambda: t.trial(NB201, 0.9, 0.9, parents=[0], edit={"op": "grow"}))
                self.check("trial_id", lambda: t.trial(NB201, 0.9, 0.9, trial_id=0))
                self.check("arch", lambda: t.trial(["conv"], 0.9, 0.9))
                self.check("base", lambda: t.steer("pause", base=9))
            # nothing invalid reached the file
            lines = (Path(d) / "t.jsonl").read_text().splitlines()
            self.assertEqual(len(lines), 2)


if __name__ == "__main__":
    unittest.main()
