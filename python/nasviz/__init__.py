"""Write nasviz traces from a Python search loop, and open the viewer.

nasviz is a GPU-accelerated viewer for Neural Architecture Search runs. This
module (standard library only) writes its native trace format, JSON Lines,
one line per trial, flushed as it is written so that ``nasviz view --follow``
shows a running search live::

    import nasviz

    with nasviz.Trace("rs.jsonl", strategy="random_search", space="nb201",
                      benchmark="nas-bench-201/cifar10") as t:
        for arch, val, test in my_search():
            t.trial(arch, val_acc=val, test_acc=test)
    nasviz.view("rs.jsonl")

Architectures are given in the shapes NAS code already uses:

* NAS-Bench-101: a ``(matrix, ops)`` pair (or ``{"matrix": ..., "ops": ...}``),
  an upper-triangular 0/1 adjacency matrix of at most 7 vertices and one op
  per vertex (``input``, ``conv3x3-bn-relu``, ``conv1x1-bn-relu``,
  ``maxpool3x3``, ``output``);
* NAS-Bench-201: the cell string ``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|``;
* NAS-Bench-Graph: a ``(links, ops)`` pair of four inputs and four ops;
* any other network: a list of layer names (a chain).

Each is checked as nasviz's reader checks it, and a mistake raises
``ValueError`` naming the field, before anything is written.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import IO, Any, Iterable, Mapping, Optional, Sequence, Union

__all__ = ["Trace", "view", "binary", "run", "arch_json"]

NB101_OPS = ("conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3")
NB201_OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
NBGRAPH_OPS = ("gat", "gcn", "gin", "cheb", "sage", "arma", "graph", "fc", "skip")
EDIT_KINDS = ("change_op", "add_edge", "remove_edge", "add_node", "remove_node", "rewire")
SPACES = ("nb101", "nb201", "nbgraph", "sequential")

Arch = Union[str, Sequence[Any], Mapping[str, Any]]


def _fail(field: str, what: str) -> None:
    raise ValueError(f"{field}: {what}")


def _nb201(text: str, field: str) -> dict:
    parts = text.split("+")
    if len(parts) != 3:
        _fail(field, f"{text!r} is not a NAS-Bench-201 cell string: it needs 3 nodes "
                     "separated by '+', like |op~0|+|op~0|op~1|+|op~0|op~1|op~2|")
    for node, part in enumerate(parts, start=1):
        if not (part.startswith("|") and part.endswith("|")):
            _fail(field, f"node {node} of {text!r} must be written |op~j|...|")
        edges = part.strip("|").split("|")
        if len(edges) != node:
            _fail(field, f"node {node} of {text!r} has {len(edges)} inputs, not {node}")
        for j, edge in enumerate(edges):
            op, sep, src = edge.partition("~")
            if not sep or src != str(j):
                _fail(field, f"edge {edge!r} of node {node} must be op~{j}")
            if op not in NB201_OPS:
                _fail(field, f"unknown op {op!r}: expected one of {', '.join(NB201_OPS)}")
    return {"space": "nb201", "string": text}


def _nb101(matrix: Any, ops: Any, field: str) -> dict:
    if not isinstance(matrix, (list, tuple)) or not matrix:
        _fail(field + ".matrix", "must be a non-empty list of rows")
    n = len(matrix)
    if n > 7:
        _fail(field + ".matrix", f"{n} vertices: NAS-Bench-101 cells have at most 7")
    if n < 2:
        _fail(field + ".matrix", "a cell needs at least 2 vertices (input and output)")
    rows = []
    for i, row in enumerate(matrix):
        if not isinstance(row, (list, tuple)) or len(row) != n:
            _fail(field + ".matrix", f"row {i} must have {n} entries: the matrix is square")
        clean = []
        for j, v in enumerate(row):
            if v not in (0, 1):
                _fail(field + ".matrix", f"entry [{i}][{j}] is {v!r}: entries are 0 or 1")
            if v == 1 and j <= i:
                _fail(field + ".matrix", f"entry [{i}][{j}] is below the diagonal: "
                                         "the matrix is upper-triangular (edges go forward)")
            clean.append(int(v))
        rows.append(clean)
    if not isinstance(ops, (list, tuple)) or len(ops) != n:
        _fail(field + ".ops", f"needs one op per vertex ({n})")
    ops = [str(o) for o in ops]
    if ops[0] != "input" or ops[-1] != "output":
        _fail(field + ".ops", "the first op is 'input' and the last 'output'")
    for v, op in enumerate(ops[1:-1], start=1):
        if op not in NB101_OPS:
            _fail(field + ".ops", f"vertex {v} has op {op!r}: expected one of {', '.join(NB101_OPS)}")
    return {"space": "nb101", "matrix": rows, "ops": ops}


def _nbgraph(links: Any, ops: Any, field: str) -> dict:
    if not isinstance(links, (list, tuple)) or len(links) != 4:
        _fail(field + ".links", "needs 4 entries, the input of each computing node")
    for i, link in enumerate(links):
        if not isinstance(link, int) or isinstance(link, bool) or not 0 <= link <= i:
            _fail(field + ".links", f"node {i}'s input is {link!r}: it must be 0 (the raw input) "
                                    f"or an earlier computing node 1..={i}")
    if not isinstance(ops, (list, tuple)) or len(ops) != 4:
        _fail(field + ".ops", "needs 4 ops, one per computing node")
    for i, op in enumerate(ops):
        if op not in NBGRAPH_OPS:
            _fail(field + ".ops", f"node {i} has op {op!r}: expected one of {', '.join(NBGRAPH_OPS)}")
    if all(op == "skip" for op in ops):
        _fail(field + ".ops", "not every op may be 'skip'")
    return {"space": "nbgraph", "links": list(links), "ops": list(ops)}


def _layers(layers: Sequence[Any], field: str) -> dict:
    if not layers:
        _fail(field, "a layer list needs at least one layer")
    for i, layer in enumerate(layers):
        if not isinstance(layer, str) or not layer.strip():
            _fail(field, f"layer {i} is {layer!r}: layers are non-empty names")
    return {"space": "sequential", "layers": list(layers)}


def arch_json(arch: Arch, space: Optional[str] = None, field: str = "arch") -> dict:
    """The architecture as nasviz's JSON form, checked.

    ``space`` (``nb101``, ``nb201``, ``nbgraph``, ``sequential``) says how to
    read a pair or a list when the shape alone does not tell.
    """
    if space is not None and space not in SPACES:
        _fail("space", f"unknown space {space!r}: expected one of {', '.join(SPACES)}")
    if isinstance(arch, Mapping):
        if "string" in arch:
            return _nb201(str(arch["string"]), field)
        if "matrix" in arch:
            return _nb101(arch["matrix"], arch.get("ops"), field)
        if "links" in arch:
            return _nbgraph(arch["links"], arch.get("ops"), field)
        if "layers" in arch:
            return _layers(arch["layers"], field + ".layers")
        _fail(field, "a mapping needs 'string' (NB-201), 'matrix' and 'ops' (NB-101), "
                     "'links' and 'ops' (NAS-Bench-Graph) or 'layers'")
    if isinstance(arch, str):
        if space in (None, "nb201"):
            return _nb201(arch, field)
        _fail(field, f"a string is a NAS-Bench-201 cell, not a {space} architecture")
    if isinstance(arch, (list, tuple)):
        if space == "sequential" or (space is None and all(isinstance(x, str) for x in arch)):
            return _layers(arch, field)
        if len(arch) == 2:
            first = arch[0]
            nested = isinstance(first, (list, tuple)) and first and isinstance(first[0], (list, tuple))
            if space == "nb101" or (space is None and nested):
                return _nb101(arch[0], arch[1], field)
            if space in (None, "nbgraph"):
                return _nbgraph(arch[0], arch[1], field)
        _fail(field, "expected (matrix, ops), (links, ops) or a list of layer names")
    _fail(field, f"cannot read an architecture from a {type(arch).__name__}")
    raise AssertionError  # unreachable


def _metric(name: str, value: Any, fraction: bool) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        _fail(name, f"{value!r} is not a number")
    if not math.isfinite(v):
        _fail(name, f"{v} is not finite")
    if fraction and not 0.0 <= v <= 1.0:
        _fail(name, f"{v} is not a fraction in [0, 1] (give 0.93, not 93)")
    if not fraction and v < 0:
        _fail(name, f"{v} must be >= 0")
    return v


def _edit(edit: Mapping[str, Any]) -> dict:
    if not isinstance(edit, Mapping) or edit.get("op") not in EDIT_KINDS:
        _fail("edit", f"an edit is a mapping with 'op' one of {', '.join(EDIT_KINDS)}")
    need = {
        "change_op": ("node", "to"),
        "add_edge": ("from", "to"),
        "remove_edge": ("from", "to"),
        "add_node": ("layer", "from", "to"),
        "remove_node": ("node",),
        "rewire": ("node", "from", "to"),
    }[edit["op"]]
    for key in need:
        if key not in edit:
            _fail("edit", f"{edit['op']} needs {', '.join(need)} (missing {key!r})")
    return dict(edit)


class Trace:
    """A run written to a nasviz trace as it happens.

    Each :meth:`trial` appends one line and flushes it. The file is created
    (a run line first); with ``append=True`` the lines go after an existing
    trace's, so several runs (seeds) can share one file.
    """

    def __init__(
        self,
        path: Union[str, os.PathLike],
        *,
        run_id: Optional[str] = None,
        strategy: str = "unknown",
        space: Optional[str] = None,
        benchmark: str = "",
        seed: Optional[int] = None,
        config: Optional[Mapping[str, Any]] = None,
        append: bool = False,
    ) -> None:
        if space is not None and space not in SPACES:
            _fail("space", f"unknown space {space!r}: expected one of {', '.join(SPACES)}")
        self.path = Path(path)
        self.run_id = run_id or (f"{strategy}-{seed}" if seed is not None else strategy)
        self.space = space
        self._file: Optional[IO[str]] = open(self.path, "a" if append else "x", encoding="utf-8")
        self._next_id = 0
        self._ids: set = set()
        run: dict = {"kind": "run", "run_id": self.run_id, "strategy": strategy,
                     "space": space or "", "benchmark": benchmark}
        if seed is not None:
            run["seed"] = int(seed)
        run["objectives"] = [{"name": "val_acc", "mode": "max"}]
        if config:
            run["config"] = dict(config)
        self._write(run)

    def _write(self, obj: dict) -> None:
        if self._file is None:
            raise ValueError(f"{self.path}: the trace is closed")
        self._file.write(json.dumps(obj, separators=(",", ":"), allow_nan=False) + "\n")
        self._file.flush()

    def trial(
        self,
        arch: Arch,
        val_acc: float,
        test_acc: float,
        *,
        parents: Optional[Iterable[int]] = None,
        edit: Optional[Mapping[str, Any]] = None,
        trial_id: Optional[int] = None,
        time_s: Optional[float] = None,
        user: bool = False,
        **metrics: float,
    ) -> int:
        """Appends one evaluated architecture; returns its trial id.

        ``parents`` are the ids of the trials it was made from (evolution's
        parent, a crossover's two); ``edit`` the change from the first
        parent (``{"op": "change_op", "node": 2, "to": "nor_conv_3x3"}``).
        Further metrics: ``train_time_s``, ``params``, ``flops``,
        ``latency_s`` (each finite and >= 0).
        """
        a = arch_json(arch, self.space)
        if self.space is None:
            self.space = a["space"]
        elif a["space"] != self.space:
            _fail("arch", f"a {a['space']} architecture in a {self.space} run")
        m = {"val_acc": _metric("val_acc", val_acc, True),
             "test_acc": _metric("test_acc", test_acc, True)}
        for name, value in metrics.items():
            if name not in ("train_time_s", "params", "flops", "latency_s"):
                _fail(name, "unknown metric: nasviz reads train_time_s, params, flops, latency_s")
            m[name] = _metric(name, value, False)
        tid = self._next_id if trial_id is None else int(trial_id)
        if tid in self._ids:
            _fail("trial_id", f"{tid} was already written in run {self.run_id!r}")
        line: dict = {"kind": "trial", "run_id": self.run_id, "trial_id": tid, "step": len(self._ids)}
        if time_s is not None:
            line["time_s"] = _metric("time_s", time_s, False)
        ps = [int(p) for p in parents or ()]
        for p in ps:
            if p not in self._ids:
                _fail("parents", f"{p} is not a trial written before in run {self.run_id!r}")
        if ps:
            line["parents"] = ps
        if edit is not None:
            if not ps:
                _fail("edit", "an edit is the change from a parent: give parents too")
            line["mutation"] = _edit(edit)
        line["arch"] = a
        line["metrics"] = m
        line["source"] = "user" if user else "search"
        self._write(line)
        self._ids.add(tid)
        self._next_id = max(self._next_id, tid + 1)
        return tid

    def steer(self, action: str, *, base: Optional[int] = None, trial_id: Optional[int] = None,
              note: Optional[str] = None) -> None:
        """Records what a user did (``pause``, ``resume``, ``inject``, an edit's kind)."""
        for name, tid in (("base", base), ("trial_id", trial_id)):
            if tid is not None and tid not in self._ids:
                _fail(name, f"{tid} is not a trial written before in run {self.run_id!r}")
        line: dict = {"kind": "steer", "run_id": self.run_id, "step": max(len(self._ids) - 1, 0),
                      "action": str(action)}
        if base is not None:
            line["base"] = base
        if trial_id is not None:
            line["trial_id"] = trial_id
        if note:
            line["note"] = note
        self._write(line)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> "Trace":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def binary() -> str:
    """The path of the nasviz executable: ``$NASVIZ_BIN``, the one this
    package installed, or the first on the PATH."""
    env = os.environ.get("NASVIZ_BIN")
    if env:
        return env
    exe = "nasviz.exe" if os.name == "nt" else "nasviz"
    for scheme_dir in {sysconfig.get_path("scripts"), sysconfig.get_path("scripts", f"{os.name}_user")}:
        if scheme_dir:
            p = Path(scheme_dir) / exe
            if p.is_file():
                return str(p)
    found = shutil.which(exe)
    if found:
        return found
    raise FileNotFoundError(
        "the nasviz executable was not found: install the wheel (pip install nasviz), "
        "or set NASVIZ_BIN to a nasviz built with cargo"
    )


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Runs ``nasviz ARGS...`` and waits for it."""
    return subprocess.run([binary(), *args], check=check)


def view(paths: Union[str, os.PathLike, Sequence[Union[str, os.PathLike]]], follow: bool = False,
         wait: bool = False) -> subprocess.Popen:
    """Opens the viewer on one or more traces (``follow``: as the file grows)."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    args = [str(p) for p in paths]
    if follow:
        if len(args) != 1:
            _fail("paths", "follow watches one trace")
        args = ["--follow", args[0]]
    proc = subprocess.Popen([binary(), "view", *args])
    if wait:
        proc.wait()
    return proc
