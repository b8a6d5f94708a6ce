"""End to end: examples/orders, the reference architecture, run by the real binaries on generated
orders — `generate-orders` makes the data, `sluice run examples/orders/pipeline.yaml --put ...`
runs it — and every result checked against an independent computation in Python of the same
aggregates from the same CSV files.

    python3 tests/cli/test_orders_e2e.py --sluice build/src/cli/sluice
(with GENERATE_ORDERS naming the generator binary).
"""

import collections
import csv
import decimal
import gzip
import io
import json
import os
import re
import subprocess

import sluice_case

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(REPO, "examples", "orders", "pipeline.yaml")
RESULT_KEYS = ("order_date", "country", "category")


def expected_daily_revenue(paths):
    """The step's aggregates, computed here from the CSV files: per (order_date, country,
    category), over orders not CANCELLED and rows whose quantity is an integer (the others are
    the bad rows the step skips)."""
    groups = collections.defaultdict(lambda: {"orders": set(), "customers": set(), "units": 0,
                                              "revenue": decimal.Decimal(0)})
    bad = 0
    for path in paths:
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                if not row["quantity"].isdigit():
                    bad += 1
                    continue
                if row["status"] == "CANCELLED":
                    continue
                g = groups[(row["order_date"], row["country"], row["category"])]
                quantity = int(row["quantity"])
                g["orders"].add(row["order_id"])
                g["customers"].add(row["customer_id"])
                g["units"] += quantity
                g["revenue"] += quantity * decimal.Decimal(row["unit_price"])
    return {key: {"orders": len(g["orders"]), "customers": len(g["customers"]),
                  "units": g["units"], "revenue": g["revenue"]}
            for key, g in groups.items()}, bad


class OrdersPipelineCase(sluice_case.SluiceCase):

    def generate(self, name, rows, files=1, bad_rows=0):
        """Runs generate-orders; returns the paths of the CSV files it wrote."""
        out = os.path.join(self.work, name)
        subprocess.run([os.environ["GENERATE_ORDERS"], "--rows", str(rows), "--files", str(files),
                        "--bad-rows", str(bad_rows), "--out", out],
                       check=True, capture_output=True, timeout=sluice_case.TIMEOUT_SECONDS)
        if files == 1:
            return [out]
        return sorted(os.path.join(out, f) for f in os.listdir(out))

    def run_pipeline(self, spec, *puts):
        args = ["run", spec]
        for local, destination in puts:
            args += ["--put", local, destination]
        return self.run_sluice(*args)

    def events(self):
        return [e["Event"] for e in json.loads(self.ok("events", "ls", "--json"))["Events"]]

    def clusters(self):
        return json.loads(self.ok("clusters", "ls", "--json"))["Clusters"]

    def steps(self, cluster_id):
        steps = json.loads(self.ok("steps", "ls", cluster_id, "--json"))["Steps"]
        return list(reversed(steps))  # oldest first

    def assert_matches(self, rows, expected):
        """`rows` (dicts of the result's columns) hold exactly the expected aggregates."""
        self.assertEqual(len(rows), len(expected))
        for row in rows:
            key = tuple(str(row[k]) for k in RESULT_KEYS)
            self.assertIn(key, expected)
            want = expected[key]
            self.assertEqual(int(row["orders"]), want["orders"], key)
            self.assertEqual(int(row["customers"]), want["customers"], key)
            self.assertEqual(int(row["units"]), want["units"], key)
            self.assertEqual(decimal.Decimal(str(row["revenue"])), want["revenue"], key)
            average = want["revenue"] / want["orders"]
            self.assertAlmostEqual(float(row["avg_order_value"]), float(average), delta=0.0051)


class OneFileTest(OrdersPipelineCase):

    def test_an_upload_runs_the_whole_architecture(self):
        paths = self.generate("orders.csv", rows=20000, bad_rows=4)
        process = self.run_pipeline(EXAMPLE, (paths[0], "s3://lake/raw/orders/"))
        self.assertEqual(process.returncode, 0, self.describe(process))
        out = process.stdout.decode()

        # One cluster, its bootstrap run on every node, one step COMPLETED, ended with
        # ALL_STEPS_COMPLETED.
        clusters = self.clusters()
        self.assertEqual(len(clusters), 1)
        cluster = clusters[0]
        self.assertEqual(cluster["Status"]["State"], "TERMINATED")
        self.assertEqual(cluster["Status"]["StateChangeReason"]["Code"], "ALL_STEPS_COMPLETED")
        steps = self.steps(cluster["Id"])
        self.assertEqual([(s["Name"], s["Status"]["State"]) for s in steps],
                         [("sparkSubmitOrderList", "COMPLETED")])
        for node in ("master-1", "core-1", "core-2"):
            log = self.run_sluice("get", "s3://lake/logs/orders-etl/{}/node/{}/bootstrap-actions/"
                                  "1/stdout.gz".format(cluster["Id"], node), "-")
            self.assertEqual(log.returncode, 0, self.describe(log))
            self.assertRegex(gzip.decompress(log.stdout).decode(),
                             r"^node {} \(\w+, m5.xlarge\) of {} is ready\n$".format(
                                 node, cluster["Id"]))

        # The event sequence, in log order (the archived logs' own events left out).
        sequence = []
        for e in self.events():
            d = e["detail"]
            if e["source"] == "aws.s3":
                if not d["object"]["key"].startswith("logs/"):
                    sequence.append("s3 " + d["object"]["key"])
            elif e["detail-type"] == "EMR Cluster State Change":
                sequence.append("cluster " + d["state"])
            else:
                sequence.append("step {} {}".format(d["name"], d["state"]))
        self.assertEqual(sequence, [
            "s3 bootstrap/setup.sh", "s3 raw/orders/orders.csv",
            "cluster STARTING", "cluster BOOTSTRAPPING", "cluster WAITING",
            "step sparkSubmitOrderList PENDING", "cluster RUNNING",
            "step sparkSubmitOrderList RUNNING", "s3 results/daily_revenue.csv",
            "s3 results/daily_revenue.csv.rejects.csv",
            "step sparkSubmitOrderList COMPLETED", "cluster TERMINATING", "cluster TERMINATED"])

        # The result in the lake and in the warehouse, against the independent computation.
        expected, bad = expected_daily_revenue(paths)
        self.assertEqual(bad, 4)
        lake_rows = list(csv.DictReader(io.StringIO(
            self.ok("get", "s3://lake/results/daily_revenue.csv", "-"))))
        self.assert_matches(lake_rows, expected)
        self.assertEqual([tuple(r[k] for k in RESULT_KEYS) for r in lake_rows],
                         sorted(expected))  # the query's ORDER BY
        rejects = list(csv.DictReader(io.StringIO(
            self.ok("get", "s3://lake/results/daily_revenue.csv.rejects.csv", "-"))))
        self.assertEqual([(r["object"], r["column"]) for r in rejects],
                         [("s3://lake/raw/orders/orders.csv", "quantity")] * 4)
        warehouse = json.loads(self.ok("sql", "--format", "json", "--max-rows", "1000000",
                                       "SELECT * FROM daily_revenue"))
        self.assert_matches(warehouse, expected)
        totals = json.loads(self.ok("sql", "--format", "json",
                                    "SELECT sum(orders) AS orders, sum(revenue) AS revenue "
                                    "FROM daily_revenue"))[0]
        self.assertEqual(totals["orders"], sum(g["orders"] for g in expected.values()))
        self.assertEqual(decimal.Decimal(str(totals["revenue"])),
                         sum(g["revenue"] for g in expected.values()))

        # The report: live lines, the timeline, results, first warehouse rows, cost.
        self.assertRegex(out, r"\+\d+\.\d{3}s  step     s-\w+ sparkSubmitOrderList COMPLETED: "
                              r"19,996 rows \([\d.]+ MiB\) in, " + "{:,}".format(len(expected)) +
                              r" out, 4 bad rows set aside in s3://lake/results/daily_revenue.csv"
                              r".rejects.csv -> s3://lake/results/daily_revenue.csv; " +
                              "{:,}".format(len(expected)) + " rows loaded into daily_revenue")
        for section in ("\ntimeline", "\nclusters and steps\n", "\nresults\n",
                        "\ndaily_revenue: {} rows, the first ones\n".format(len(expected)),
                        "\ncost\n"):
            self.assertIn(section, out)
        self.assertIn("logs       s3://lake/logs/orders-etl/{}/".format(cluster["Id"]), out)
        cost = re.search(r"the same cluster on EMR: 180 node-seconds.*\$ *([\d.]+)\n"
                         r".*typical EMR run.*\$ *([\d.]+)\n", out)
        self.assertIsNotNone(cost, out)
        self.assertGreater(float(cost.group(2)), float(cost.group(1)))


class ManyFilesTest(OrdersPipelineCase):

    def test_fifty_files_at_once_share_one_cluster_and_count_once(self):
        paths = self.generate("orders", rows=5000, files=50)
        process = self.run_pipeline(EXAMPLE, (os.path.join(self.work, "orders") + "/",
                                              "s3://lake/raw/orders/"))
        self.assertEqual(process.returncode, 0, self.describe(process))
        self.assertEqual(process.stdout.decode().count("upload: "), 51)  # and setup.sh

        clusters = self.clusters()
        self.assertEqual(len(clusters), 1, clusters)
        self.assertEqual(clusters[0]["Status"]["StateChangeReason"]["Code"], "ALL_STEPS_COMPLETED")
        steps = self.steps(clusters[0]["Id"])
        self.assertEqual([s["Status"]["State"] for s in steps], ["COMPLETED"])
        result = json.loads(self.ok("steps", "describe", clusters[0]["Id"],
                                    steps[0]["Id"]))["Step"]["Result"]
        self.assertEqual(result["RowsIn"], 5000)  # every file read, each once

        expected, _ = expected_daily_revenue(paths)
        warehouse = json.loads(self.ok("sql", "--format", "json", "--max-rows", "1000000",
                                       "SELECT * FROM daily_revenue"))
        self.assert_matches(warehouse, expected)

        # A later file: a new cluster (the first has ended); the table still counts each order
        # once.
        more = self.generate("more.csv", rows=700)
        with open(more[0]) as f:
            text = f.read().replace(",O00000", ",O90000").replace("\nO00000", "\nO90000")
        self.write("more.csv", text)
        process = self.run_pipeline(EXAMPLE, (more[0], "s3://lake/raw/orders/more.csv"))
        self.assertEqual(process.returncode, 0, self.describe(process))
        self.assertEqual(len(self.clusters()), 2)
        expected, _ = expected_daily_revenue(paths + more)
        warehouse = json.loads(self.ok("sql", "--format", "json", "--max-rows", "1000000",
                                       "SELECT * FROM daily_revenue"))
        self.assert_matches(warehouse, expected)


class FailureTest(OrdersPipelineCase):

    def failing_spec(self):
        """The example, with bad rows failing the step, TERMINATE_CLUSTER on failure and a second
        step after it."""
        with open(EXAMPLE) as f:
            text = f.read()
        for old, new in (("on_bad_rows: skip", "on_bad_rows: fail"),
                         ("action_on_failure: CONTINUE", "action_on_failure: TERMINATE_CLUSTER"),
                         ("bootstrap/setup.sh\n",
                          os.path.join(REPO, "examples", "orders", "bootstrap", "setup.sh") + "\n")):
            self.assertIn(old, text)
            text = text.replace(old, new, 1)
        text += ("          - name: publishSummary\n"
                 "            command: [sh, -c, 'echo published']\n")
        return self.write("failing.yaml", text)

    def test_a_terminate_cluster_failure_ends_the_cluster_and_fails_the_run(self):
        paths = self.generate("orders.csv", rows=3000, bad_rows=1)
        process = self.run_pipeline(self.failing_spec(), (paths[0], "s3://lake/raw/orders/"))
        self.assertEqual(process.returncode, 1, self.describe(process))

        clusters = self.clusters()
        self.assertEqual(len(clusters), 1)
        status = clusters[0]["Status"]
        self.assertEqual(status["State"], "TERMINATED_WITH_ERRORS")
        self.assertEqual(status["StateChangeReason"]["Code"], "STEP_FAILURE")
        steps = self.steps(clusters[0]["Id"])
        self.assertEqual([(s["Name"], s["Status"]["State"]) for s in steps],
                         [("sparkSubmitOrderList", "FAILED"), ("publishSummary", "CANCELLED")])

        # The error names the step, the bad row's object and line, and where the log is; the
        # log is there.
        error = process.stderr.decode().splitlines()[-1]
        self.assertRegex(error, r"^sluice: error: step sparkSubmitOrderList \(s-\w+\) ended "
                                r"FAILED: .*s3://lake/raw/orders/orders.csv.*line \d+.*"
                                r"\(log: (\S+)\)$")
        log = re.search(r"\(log: (\S+)\)$", error).group(1)
        self.assertTrue(os.path.exists(log) or log.startswith("s3://"), log)
        # Nothing was loaded: the warehouse has no daily_revenue.
        self.assertNotIn("daily_revenue", self.ok("warehouse", "tables"))


if __name__ == "__main__":
    sluice_case.main("test_orders_e2e.py")
