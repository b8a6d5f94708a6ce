#!/usr/bin/env bash
# The demo: the reference architecture of examples/orders on generated data. It generates
# ROWS orders (default one million), then `sluice run` applies the pipeline spec, uploads the
# file to s3://lake/raw/orders/ and runs it with live progress: the upload's event launches a
# transient cluster (its bootstrap script from the lake runs on every node), the cluster's
# WAITING event adds the sql step, which summarises the orders into the lake and the warehouse,
# and the cluster ends as soon as the step is done. The report follows: timeline, clusters and
# steps, results, the warehouse's first rows and the cost beside EMR's.
set -euo pipefail
build=${1:-build}
rows=${ROWS:-1000000}
cd "$(dirname "$0")/.."

sluice="$PWD/$build/src/cli/sluice"
demo="$PWD/$build/demo"
rm -rf "$demo" && mkdir -p "$demo"
export SLUICE_HOME="$demo/data"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "$("$sluice" version | paste -sd " ")"
step "generate-orders --rows $rows  ($demo/orders.csv, a few malformed rows among them)"
"$PWD/$build/examples/generate-orders" --rows "$rows" --bad-rows 3 --out "$demo/orders.csv"
head -3 "$demo/orders.csv"

step "sluice validate examples/orders/pipeline.yaml"
"$sluice" validate examples/orders/pipeline.yaml

step "sluice run examples/orders/pipeline.yaml --put orders.csv s3://lake/raw/orders/"
"$sluice" run examples/orders/pipeline.yaml --put "$demo/orders.csv" s3://lake/raw/orders/

step "a question for the warehouse: revenue by country"
"$sluice" sql "SELECT country, sum(orders) AS orders, sum(revenue) AS revenue
               FROM daily_revenue GROUP BY country ORDER BY revenue DESC"

cat <<EOT

Done. Everything is in $SLUICE_HOME. To look further:
  export SLUICE_HOME=$SLUICE_HOME PATH=$PWD/$build/src/cli:\$PATH
  sluice sql "SELECT * FROM daily_revenue WHERE country = 'DE' ORDER BY revenue DESC LIMIT 10"
  sluice get s3://lake/results/daily_revenue.csv - | head
  sluice get s3://lake/results/daily_revenue.csv.rejects.csv -
  sluice sql --lake "SELECT status, count(*) FROM read_csv('s3://lake/raw/orders/*.csv') GROUP BY ALL"
  sluice events ls
  sluice clusters ls; sluice steps ls CLUSTER_ID
  sluice cost
  sluice up examples/orders/pipeline.yaml   # the engine with a live view; put more files meanwhile
EOT
