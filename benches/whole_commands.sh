#!/usr/bin/env bash
# Whole commands as a user waits for them, timed with hyperfine beside the
# peers (BENCHMARKS.md, "Whole commands"). Run from a folder holding the
# files (made by the commands below if missing), on an idle machine, with a
# display for `view` (e.g. `Xvfb :77 & export DISPLAY=:77`):
#
#   NASVIZ=target/release/nasviz PY=python-with-optuna-datoviz-dashboard \
#       benches/whole_commands.sh
#
# PY needs `optuna`, `optuna-dashboard`, `datoviz` and `numpy` (pip).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
N="${NASVIZ:-nasviz}"
PY="${PY:-python3}"
RUNS="${RUNS:-5}"
[ -f big.jsonl ] || "$N" search --space nbgraph:cora --strategy random --budget 1000000 --seed 1 -o big.jsonl
[ -f big423k.jsonl ] || "$N" search --space nbgraph:cora --strategy random --budget 423624 --seed 1 -o big423k.jsonl
[ -f study.journal ] || "$PY" "$here/gen_optuna_journal.py" 100000 study.journal
[ -f study10k.journal ] || "$PY" "$here/gen_optuna_journal.py" 10000 study10k.journal
# the same study in Optuna's SQLite storage (Optuna takes minutes to write it)
[ -f study.db ] || "$PY" "$here/gen_optuna_journal.py" 100000 study.db
[ -f nni100k.sqlite ] || python3 "$here/gen_nni_db.py" "$here/../tests/fixtures/nni_nb201.sqlite" nni100k.sqlite 100000
# one frame of viewer time (the first frame), and 100 ms (six frames, as
# earlier rounds timed)
printf 'wait 16\nquit\n' > one-frame.txt
printf 'wait 100\nquit\n' > first-frame.txt
cache="${XDG_CACHE_HOME:-$HOME/.cache}/nasviz/traces"
hf() { hyperfine -N -w 1 -r "$RUNS" --style basic "$@" 2>&1 | grep -E "Benchmark|Time|Range"; }
echo "== 1M-trial trace, cache present"
"$N" info big.jsonl > /dev/null
hf "$N view big.jsonl --step 1000000 --script one-frame.txt" \
   "$N view big.jsonl --step 1000000 --script first-frame.txt" \
   "$N info big.jsonl" \
   "$N render big.jsonl -o big.png --force"
echo "== 1M-trial trace, first open (writes the cache)"
hf -p "rm -rf $cache" "$N view big.jsonl --step 1000000 --script one-frame.txt" \
   "$N info big.jsonl"
echo "== 423,624 trials to a scatter PNG, against Python json + datoviz"
hf "$N render big423k.jsonl --view scatter --size 800x600 -o s.png --force" \
   "$PY $here/peer/datoviz_scatter.py big423k.jsonl dvz.png"
echo "== Optuna journal, 100,000 trials: first open, then from the cache"
hf -p "rm -rf $cache" "$N view study.journal --script one-frame.txt" \
   "$N render study.journal -o j.png --force"
"$N" render study.journal -o j.png --force 2> /dev/null
hf "$N view study.journal --script one-frame.txt" \
   "$N render study.journal -o j.png --force" \
   "$N info study.journal" \
   "$PY $here/peer/json_lines.py study.journal"
echo "== Optuna SQLite storage, 100,000 trials (read whole each time)"
hf "$N view study.db --script one-frame.txt" \
   "$N render study.db -o d.png --force" \
   "$N info study.db"
echo "== NNI experiment database, 100,000 synthetic trials (read whole each time)"
hf "$N view nni100k.sqlite --script one-frame.txt" \
   "$N info nni100k.sqlite"
echo "== Optuna Dashboard's API (the study with its trials), 10,000 and 100,000 trials"
RUNS=3 hf "$PY $here/peer/optuna_dashboard_api.py study10k.journal"
"$PY" "$here/peer/optuna_dashboard_api.py" study.journal
echo "== peak memory (KB)"
printf 'key v\nwait 50\nkey v\nwait 50\nkey v\nwait 50\nquit\n' > importance.txt
for c in "view big.jsonl --step 1000000 --script one-frame.txt" \
    "view big.jsonl --step 1000000 --script first-frame.txt" \
    "view big.jsonl --step 1000000 --script importance.txt" \
    "view study.journal --script one-frame.txt" "view study.journal --script first-frame.txt" \
    "view study.db --script one-frame.txt" "view nni100k.sqlite --script one-frame.txt" \
    "render big.jsonl -o big.png --force"; do
    /usr/bin/time -f "%M KB  nasviz $c" "$N" $c 2>&1 | tail -1
done
rm -rf "$cache"
/usr/bin/time -f "%M KB  nasviz view study.journal (first open)" "$N" view study.journal --script one-frame.txt 2>&1 | tail -1
