#!/usr/bin/env bash
# The demo: a tour of what sluice does today. It puts a rule on the bus, lands a generated orders
# file in the local lake, and shows the object, the EventBridge event the lake logged with the
# change, and the rule's target receiving it when the engine runs.
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."

sluice="$PWD/$build/src/cli/sluice"
demo="$PWD/$build/demo"
rm -rf "$demo" && mkdir -p "$demo"
export SLUICE_HOME="$demo/data"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "generating orders ($demo/orders.csv)"
python3 - "$demo/orders.csv" <<'PY'
import random, sys
random.seed(42)
countries = ["DE", "FR", "US", "JP", "BR"]
with open(sys.argv[1], "w") as f:
    f.write("order_id,order_date,country,quantity,unit_price,status\n")
    for i in range(100_000):
        status = "CANCELLED" if random.random() < 0.05 else "SHIPPED"
        f.write(f"{i},2026-11-{1 + i % 24:02d},{random.choice(countries)},"
                f"{random.randint(1, 9)},{random.randint(100, 9999) / 100},{status}\n")
PY
ls -l "$demo/orders.csv"

step "$("$sluice" version | paste -sd " ")"
step "sluice mb s3://lake"
"$sluice" mb s3://lake
step "sluice rules put: orders landing under raw/orders/ go to a log target"
"$sluice" rules put --name raw-orders-arrived \
  --pattern '{"source":["aws.s3"],"detail-type":["Object Created"],
              "detail":{"bucket":{"name":["lake"]},"object":{"key":[{"prefix":"raw/orders/"}]}}}' \
  --targets '[{"Id":"log","Action":"write_log","Parameters":{"Path":"'"$demo"'/deliveries.jsonl"},
               "InputTransformer":{"InputPathsMap":{"key":"$.detail.object.key","size":"$.detail.object.size"},
                                   "InputTemplate":"{\"file\": \"<key>\", \"bytes\": <size>}"}}]'
"$sluice" rules ls
step "sluice put orders.csv s3://lake/raw/orders/"
"$sluice" put "$demo/orders.csv" s3://lake/raw/orders/
step "sluice ls --recursive s3://lake"
"$sluice" ls --recursive s3://lake
step "sluice get s3://lake/raw/orders/orders.csv - --range 0-199"
"$sluice" get s3://lake/raw/orders/orders.csv - --range 0-199
echo
step "sluice events ls  (the event the lake logged in the same transaction as the put)"
"$sluice" events ls
"$sluice" events ls --json | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["Events"][0]["Event"], indent=2))'
step "sluice serve --until-idle  (the engine routes the event to the rule's target and stops)"
"$sluice" serve --until-idle
step "what the target received ($demo/deliveries.jsonl)"
cat "$demo/deliveries.jsonl"
step "the lake keeps bytes in files named by ids, never by keys"
find "$SLUICE_HOME/lake/objects" -type f | sed "s|$SLUICE_HOME/||"

cat <<EOT

Done. The data dir is $SLUICE_HOME; try, for example:
  SLUICE_HOME=$SLUICE_HOME $build/src/cli/sluice ls s3://lake/raw/
  SLUICE_HOME=$SLUICE_HOME $build/src/cli/sluice events ls --json
Transient clusters, SQL steps and the warehouse that turn this upload into a pipeline run are on
the roadmap (docs/user-guide.md).
EOT
