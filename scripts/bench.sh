#!/usr/bin/env bash
# Runs the benchmarks. Each prints its figures beside a baseline measured in the same run.
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
# The lake benchmark writes beside the build, so sluice and its cp baseline share one disk.
echo "== bench/lake"
"$build/bench/lake_bench" --dir "$build/bench-data"
echo
echo "== bench/bus"
python3 bench/generate_bus_workload.py "$build/bus-workload"
"$build/bench/bus_bench" --workload "$build/bus-workload"
echo
echo "== bench/clusters"
"$build/bench/cluster_bench" --dir "$build/cluster-bench-data"
echo
echo "== bench/sql"
"$build/bench/sql_bench" --dir "$build/sql-bench-data"
echo
echo "== bench/e2e"
python3 bench/e2e_bench.py --build "$build"
echo
echo "== bench/s3"
# The S3 endpoint beside nginx (started by the benchmark); S3_BENCH_LARGE_MB sizes the large object.
python3 bench/s3_bench.py --build "$build"
echo
echo "== bench/functions"
"$build/bench/functions_bench" --dir "$build/functions-bench-data"
