#!/usr/bin/env bash
# The demo: a tour of what sluice does today. It declares a transient cluster template and rules
# (an upload under raw/orders/ launches a cluster; the cluster's WAITING event adds a sql step that
# sums the orders by country into the lake and the warehouse), lands a generated orders file in
# the local lake, runs the engine until it is quiet, and shows the object, the events, the
# cluster's life, the step's result in the lake and the warehouse, and what the run would have
# cost on EMR.
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
step "a bootstrap script in the lake, and a cluster template that runs it on every node"
cat > "$demo/setup.sh" <<'SH'
#!/bin/sh
echo "node $SLUICE_NODE_ID ($SLUICE_NODE_ROLE) of $SLUICE_CLUSTER_ID is ready" > ready.txt
SH
"$sluice" put "$demo/setup.sh" s3://lake/bootstrap/setup.sh
"$sluice" clusters templates put --file '{"Name": "orders-etl", "ReleaseLabel": "emr-7.5.0",
  "Applications": [{"Name": "DuckDB"}],
  "Instances": {"InstanceGroups": [
      {"InstanceRole": "MASTER", "InstanceType": "m5.xlarge", "InstanceCount": 1},
      {"InstanceRole": "CORE", "InstanceType": "m5.xlarge", "InstanceCount": 2}],
    "KeepJobFlowAliveWhenNoSteps": false},
  "BootstrapActions": [{"Name": "setup",
    "ScriptBootstrapAction": {"Path": "s3://lake/bootstrap/setup.sh"}}],
  "LogUri": "s3://lake/logs/", "AutoTerminationPolicy": {"IdleTimeout": 600}}'
"$sluice" clusters templates ls
step "sluice rules put: an upload under raw/orders/ launches a cluster and logs the delivery"
"$sluice" rules put --name raw-orders-arrived \
  --pattern '{"source":["aws.s3"],"detail-type":["Object Created"],
              "detail":{"bucket":{"name":["lake"]},"object":{"key":[{"prefix":"raw/orders/"}]}}}' \
  --targets '[{"Id":"launch","Action":"create_cluster",
               "Parameters":{"Template":"orders-etl","Tags":{"source_key":"${detail.object.key}"}}},
              {"Id":"log","Action":"write_log","Parameters":{"Path":"'"$demo"'/deliveries.jsonl"},
               "InputTransformer":{"InputPathsMap":{"key":"$.detail.object.key","size":"$.detail.object.size"},
                                   "InputTemplate":"{\"file\": \"<key>\", \"bytes\": <size>}"}}]'
step "sluice rules put: a waiting orders-etl cluster gets a sql step that sums revenue by country"
"$sluice" rules put --name cluster-ready \
  --pattern '{"source":["aws.emr"],"detail-type":["EMR Cluster State Change"],
              "detail":{"state":["WAITING"],"name":["orders-etl"]}}' \
  --targets '[{"Id":"steps","Action":"add_steps","Parameters":{"Unique":true,"Steps":[
               {"Name":"revenueByCountry","ActionOnFailure":"CONTINUE","Sql":{
                 "inputs":{"orders":{"uri":"s3://lake/${cluster.tags.source_key}",
                                     "types":{"unit_price":"DECIMAL(10,2)"}}},
                 "query":"SELECT country, count(*) AS orders, sum(quantity * unit_price) AS revenue FROM orders WHERE status <> '"'"'CANCELLED'"'"' GROUP BY ALL ORDER BY country",
                 "output":"s3://lake/results/revenue_by_country.csv",
                 "load":{"table":"revenue_by_country","mode":"replace"}}}]}}]'
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
step "sluice serve --until-idle  (the engine runs the pipeline and stops when it is quiet)"
"$sluice" serve --until-idle
step "what the log target received ($demo/deliveries.jsonl)"
cat "$demo/deliveries.jsonl"
step "sluice clusters ls; the cluster's and the step's events"
"$sluice" clusters ls
"$sluice" events ls --source aws.emr --json | python3 -c '
import json, sys
for e in json.load(sys.stdin)["Events"]:
    d = e["Event"]["detail"]
    print(f"{e['"'"'Event'"'"']['"'"'time'"'"']}  {e['"'"'Event'"'"']['"'"'detail-type'"'"']:26}  {d.get('"'"'stepId'"'"', d['"'"'clusterId'"'"']):16}  {d['"'"'state'"'"']}")'
cluster=$("$sluice" clusters ls --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["Clusters"][0]["Id"])')
step "sluice steps ls $cluster"
"$sluice" steps ls "$cluster"
stepid=$("$sluice" steps ls "$cluster" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["Steps"][0]["Id"])')
step "sluice steps describe $cluster $stepid  (the sql step's result: rows, bytes, outputs, load)"
"$sluice" steps describe "$cluster" "$stepid" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["Step"]["Result"], indent=2))'
step "sluice get s3://lake/results/revenue_by_country.csv -  (the result, committed to the lake)"
"$sluice" get s3://lake/results/revenue_by_country.csv -
step "sluice sql \"SELECT * FROM revenue_by_country\"  (the same rows, loaded into the warehouse)"
"$sluice" sql "SELECT * FROM revenue_by_country"
"$sluice" warehouse tables
step "the logs archived in the lake, as EMR archives them"
"$sluice" ls --recursive "s3://lake/logs/$cluster/"
step "sluice cost  (here, and the same node-seconds on EMR, one-minute minimum per node)"
"$sluice" cost
cat <<EOT

Done. The data dir is $SLUICE_HOME; try, for example:
  SLUICE_HOME=$SLUICE_HOME $build/src/cli/sluice ls s3://lake/raw/
  SLUICE_HOME=$SLUICE_HOME $build/src/cli/sluice events ls --json
  SLUICE_HOME=$SLUICE_HOME $build/src/cli/sluice clusters describe $cluster
  SLUICE_HOME=$SLUICE_HOME $build/src/cli/sluice sql "SELECT country, revenue FROM revenue_by_country"
  SLUICE_HOME=$SLUICE_HOME $build/src/cli/sluice sql --lake "SELECT count(*) FROM read_csv('s3://lake/raw/orders/*.csv')"
EOT
