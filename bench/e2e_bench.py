"""bench/e2e: the orders pipeline (examples/orders) on N rows (default 10,000,000, about 660 MB):
wall time from the upload's completion to the last warehouse row, beside the same SQL run
directly on DuckDB, plus the load, in the same run.

    python3 bench/e2e_bench.py --build build [--dir DIR] [--rows N] [--runs R]

- direct: duckdb_direct (DuckDB through its C API, no sluice) runs the step's query over the CSV
  file, writes the result to a CSV file, and creates the warehouse table from it.
- sluice: a fresh data dir with the example applied and `sluice serve` running (started and
  ready before the clock starts); `sluice put FILE s3://lake/raw/orders/`; the clock runs from
  the put's return (the object and its event committed) to the end of the step, which comes
  after its load committed the warehouse rows. That span holds the event's routing, the cluster's
  start and bootstrap on three nodes, the step's dispatch, the query, the result's commit to the
  lake, the load, and the step's end.

The query and the input types are read back from the applied rule, so the two sides run the
same SQL. R runs of each (default 3), alternating; medians. Target: sluice - direct < 0.5 s.
"""

import argparse
import datetime
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(REPO, "examples", "orders", "pipeline.yaml")


def run(argv, env=None):
    done = subprocess.run(argv, capture_output=True, env=env)
    if done.returncode != 0:
        sys.exit("e2e_bench: {} failed: {}".format(" ".join(argv), done.stderr.decode()[-2000:]))
    return done.stdout.decode()


class Sluice:
    """The sluice binary on one data dir."""

    def __init__(self, binary, data_dir):
        self.binary = binary
        self.env = dict(os.environ, SLUICE_HOME=data_dir)
        self.data_dir = data_dir

    def __call__(self, *args):
        return run([self.binary] + list(args), self.env)

    def json(self, *args):
        return json.loads(self(*args))


def step_of_rule(sluice):
    """The sql step the example's WAITING rule adds: its query and its input's types."""
    for rule in sluice.json("rules", "ls", "--json")["Rules"]:
        for target in rule.get("Targets", []):
            for step in target.get("Parameters", {}).get("Steps", []):
                if "Sql" in step:
                    return step["Sql"]
    sys.exit("e2e_bench: the example has no sql step")


def direct_run(duckdb_direct, work, csv_path, sql):
    """The step's SQL straight on DuckDB: (query and CSV write seconds, load seconds)."""
    types = sql["inputs"]["orders"]["types"]
    type_map = "{" + ", ".join("'{}': '{}'".format(k, v) for k, v in types.items()) + "}"
    database = os.path.join(work, "direct.duckdb")
    result = os.path.join(work, "direct.csv")
    for path in (database, result):
        if os.path.exists(path):
            os.remove(path)
    query = "WITH orders AS (SELECT * FROM read_csv('{}', header = true, types = {})) {}".format(
        csv_path, type_map, sql["query"])
    out = run([duckdb_direct, database,
               "COPY ({}) TO '{}' (HEADER)".format(query, result),
               "CREATE TABLE daily_revenue AS SELECT * FROM read_csv('{}')".format(result)])
    seconds = [float(line.split()[0]) for line in out.splitlines()]
    return seconds[0], seconds[1]


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def sluice_run(binary, work, csv_path, index):
    """One upload through a running engine: (upload -> last warehouse row, step seconds,
    step's own query+write+load seconds)."""
    data_dir = os.path.join(work, "data-{}".format(index))
    shutil.rmtree(data_dir, ignore_errors=True)
    sluice = Sluice(binary, data_dir)
    sluice("run", EXAMPLE)  # applies the spec; nothing to run yet
    log_path = os.path.join(work, "serve-{}.log".format(index))
    with open(log_path, "wb") as log:
        serve = subprocess.Popen([binary, "serve"], env=sluice.env, stdin=subprocess.DEVNULL,
                                 stdout=log, stderr=subprocess.STDOUT)
    try:
        while b"engine running" not in open(log_path, "rb").read():
            if serve.poll() is not None:
                sys.exit("e2e_bench: serve ended: " + open(log_path).read())
            time.sleep(0.01)
        sluice("put", csv_path, "s3://lake/raw/orders/")
        uploaded = time.time()
        while True:
            clusters = sluice.json("clusters", "ls", "--json")["Clusters"]
            if clusters and clusters[0]["Status"]["State"].startswith("TERMINATED"):
                break
            time.sleep(0.2)
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait()
    cluster = clusters[0]
    if cluster["Status"]["State"] != "TERMINATED":
        sys.exit("e2e_bench: the cluster ended {}".format(cluster["Status"]))
    step = sluice.json("steps", "ls", cluster["Id"], "--json")["Steps"][0]
    described = sluice.json("steps", "describe", cluster["Id"], step["Id"])["Step"]
    timeline = described["Status"]["Timeline"]
    ended = parse_time(timeline["EndDateTime"])
    step_seconds = ended - parse_time(timeline["StartDateTime"])
    shutil.rmtree(data_dir, ignore_errors=True)
    return ended - uploaded, step_seconds, described["Result"]["DurationSeconds"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--dir", default=None)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    binary = os.path.join(build, "src", "cli", "sluice")
    work = os.path.abspath(args.dir or os.path.join(build, "e2e-bench-data"))
    os.makedirs(work, exist_ok=True)

    csv_path = os.path.join(work, "orders.csv")
    run([os.path.join(build, "examples", "generate-orders"), "--rows", str(args.rows),
         "--out", csv_path])
    size = os.path.getsize(csv_path)
    probe = Sluice(binary, os.path.join(work, "probe"))
    shutil.rmtree(probe.data_dir, ignore_errors=True)
    probe("run", EXAMPLE)
    sql = step_of_rule(probe)
    shutil.rmtree(probe.data_dir, ignore_errors=True)

    direct, sluice = [], []
    for i in range(args.runs):
        query_seconds, load_seconds = direct_run(os.path.join(build, "bench", "duckdb_direct"),
                                                 work, csv_path, sql)
        direct.append((query_seconds, load_seconds))
        sluice.append(sluice_run(binary, work, csv_path, i))
        print("  run {}: direct {:.3f} s + load {:.3f} s; sluice upload -> last row {:.3f} s "
              "(step {:.3f} s, of which query+write+load {:.3f} s)".format(
                  i + 1, query_seconds, load_seconds, *sluice[-1]), flush=True)

    direct_total = statistics.median(q + l for q, l in direct)
    latency = statistics.median(s[0] for s in sluice)
    step = statistics.median(s[1] for s in sluice)
    print("orders pipeline, {:,} rows ({:.0f} MB), median of {} runs".format(
        args.rows, size / 1e6, args.runs))
    print("  direct DuckDB: query + CSV {:.3f} s, load {:.3f} s, total {:.3f} s".format(
        statistics.median(q for q, _ in direct), statistics.median(l for _, l in direct),
        direct_total))
    print("  sluice: upload -> last warehouse row {:.3f} s (the step itself {:.3f} s)".format(
        latency, step))
    print("  overhead (events, cluster lifecycle, dispatch, load) {:+.3f} s; target < 0.5 s".format(
        latency - direct_total))
    os.remove(csv_path)


if __name__ == "__main__":
    main()
