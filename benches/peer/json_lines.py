"""Peer baseline: Python's json.loads over every line of a file (a nasviz
trace or an Optuna journal): what merely parsing it costs in Python.

    python benches/peer/json_lines.py study.journal
"""
import json
import sys

n = 0
with open(sys.argv[1], "rb") as f:
    for line in f:
        if line.strip():
            json.loads(line)
            n += 1
print(f"{n} lines", file=sys.stderr)
