"""Peer baseline: read a nasviz trace with Python's json and draw the
validation-vs-test scatter (size by test accuracy, colour by step) with
datoviz offscreen on the same lavapipe, to a PNG."""
import json, sys, time
import numpy as np
import datoviz as dvz

t0 = time.perf_counter()
path, out = sys.argv[1], sys.argv[2]
val, test = [], []
with open(path) as f:
    for line in f:
        r = json.loads(line)
        if r.get("kind") == "trial":
            m = r["metrics"]
            val.append(m["val_acc"])
            test.append(m["test_acc"])
t1 = time.perf_counter()
v = np.asarray(val); t = np.asarray(test); n = len(v)
lo_v, hi_v = np.quantile(v, 0.05), v.max()
lo_t, hi_t = np.quantile(t, 0.05), t.max()
pos = np.zeros((n, 3), dtype=np.float32)
pos[:, 0] = (v - lo_v) / (hi_v - lo_v) * 2 - 1
pos[:, 1] = (t - lo_t) / (hi_t - lo_t) * 2 - 1
color = np.zeros((n, 4), dtype=np.uint8)
step = np.arange(n) / max(n - 1, 1)
color[:, 0] = (68 + (253 - 68) * step).astype(np.uint8)
color[:, 1] = (1 + (231 - 1) * step).astype(np.uint8)
color[:, 2] = (84 + (37 - 84) * step).astype(np.uint8)
color[:, 3] = 200
size = (2.4 * (0.45 + 0.75 * np.clip((t - lo_t) / (hi_t - lo_t), 0, 1))).astype(np.float32) * 2
app = dvz.App(offscreen=True, background="white")
fig = app.figure(1280, 800)
panel = fig.panel()
panel.panzoom()
visual = app.marker(position=pos, color=color, size=size, mode="code", shape="disc")
panel.add(visual)
app.screenshot(fig, out)
app.destroy()
t2 = time.perf_counter()
print(f"{n} trials: read {t1 - t0:.2f} s, draw and write {t2 - t1:.2f} s, total {t2 - t0:.2f} s")
