#!/bin/sh
# Seeds each fuzz target's corpus from the project's fixtures and, where
# it is there, the reference data in ../shared/data (never committed).
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$here/..
shared=$root/../shared/data
c=$here/corpus
mkdir -p "$c/trace_jsonl" "$c/optuna_journal" "$c/tfrecord_nb101" "$c/tables" \
  "$c/pickle_bench" "$c/arch_text" "$c/json_imports" "$c/script"
head -c 4000 "$root/datasets/cora-evolution-2000.jsonl" > "$c/trace_jsonl/evolution"
head -c 4000 "$root/datasets/cora-random-2000.jsonl" > "$c/trace_jsonl/random"
head -c 4000 "$root/tests/fixtures/optuna_nb201.journal" > "$c/optuna_journal/journal"
head -c 4000 "$root/datasets/nbgraph-cora.nbt" > "$c/tables/cora-head"
printf '\200\004}q\000.' > "$c/pickle_bench/empty-dict"
head -n 3 "$root/tests/fixtures/nb101_hash_reference.jsonl" | cut -c1-2000 > "$c/arch_text/cells"
echo '|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_1x1~2|' > "$c/arch_text/nb201"
echo '{"space":"nbgraph","links":[0,0,1,2],"ops":["gcn","gat","sage","skip"]}' > "$c/arch_text/nbgraph"
echo '{"space":"sequential","layers":["input","conv3x3","output"]}' > "$c/arch_text/layers"
echo '[{"layers": ["input", "conv3x3", "output"], "val_acc": 71.5, "test_acc": 70.0, "timestamp": "2021-03-01T10:00:00"}]' > "$c/json_imports/dashboard"
if [ -f "$shared/nb201-naslib-traces/raw/RS/errors_3.json" ]; then
  head -c 4000 "$shared/nb201-naslib-traces/raw/RS/errors_3.json" > "$c/json_imports/naslib-head"
fi
printf 'wait 100\nkey space\nmove 10 10\nclick shift 300 200\ndrag 1 1 50 50\nwheel 400 300 2\nscreenshot /tmp/x.png\nquit\n' > "$c/script/script"
# a TFRecord of one small record, made by the reader's own writer
printf '\020\000\000\000\000\000\000\000' > "$c/tfrecord_nb101/len16"
