"""End-to-end tests of `sluice validate FILE` (exit codes and the exact stdout/stderr format) and
`sluice run FILE --put ...` (apply, upload, run until quiet, report, exit code).

    python3 tests/cli/test_pipeline_cli.py --sluice build/src/cli/sluice
"""

import json
import os
import signal
import subprocess

import sluice_case

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ORDERS_EXAMPLE = os.path.join(REPO, "examples", "orders", "pipeline.yaml")


class PipelineCase(sluice_case.SluiceCase):
    TEMP_PREFIX = "sluice-pipeline-test-"

    def write(self, name, text):
        path = os.path.join(self.work, name)
        with open(path, "w") as f:
            f.write(text)
        return name  # relative to the working folder, as a user would type it


class ValidateTest(PipelineCase):

    def test_valid_spec_prints_ok_on_stdout(self):
        name = self.write("p.yaml", "name: p\nrules:\n  - name: r\n    schedule: rate(5 minutes)\n"
                                    "    targets: [{action: write_log, path: /tmp/x.log}]\n")
        process = self.run_sluice("validate", name)
        self.assertEqual(process.returncode, 0, self.describe(process))
        self.assertEqual(process.stdout.decode(), "p.yaml: ok (1 rule, 0 cluster templates, 0 steps)\n")
        self.assertEqual(process.stderr.decode(), "")

    def test_orders_example_is_valid(self):
        process = self.run_sluice("validate", ORDERS_EXAMPLE)
        self.assertEqual(process.returncode, 0, self.describe(process))
        self.assertEqual(process.stdout.decode(),
                         ORDERS_EXAMPLE + ": ok (2 rules, 1 cluster template, 1 step)\n")

    def test_every_problem_sorted_on_stderr(self):
        name = self.write("bad.yaml",
                          "name: p\n"
                          "rules:\n"
                          "  - name: r\n"
                          "    schedule: rate(5 minute)\n"
                          "    targets: [{action: write_logs}]\n"
                          "clusters:\n"
                          "  etl: {release: emr-7.5.0, instances: {master: m5.xlarge}, idle_timeout: soon}\n")
        process = self.run_sluice("validate", name)
        self.assertEqual(process.returncode, 2, self.describe(process))
        self.assertEqual(process.stdout.decode(), "")
        self.assertEqual(process.stderr.decode(),
                         'bad.yaml:4:15: Parameter ScheduleExpression is not valid. (a rate of 5 takes '
                         'the plural unit "minutes")\n'
                         'bad.yaml:5:24: unknown action "write_logs" (did you mean "write_log"?)\n'
                         'bad.yaml:7:75: idle_timeout must be a duration (90s, 10m, 1h, 2d, or '
                         'seconds), not a string ("soon")\n'
                         "sluice: bad.yaml: 3 problems\n")

    def test_syntax_error_has_a_position(self):
        name = self.write("broken.yaml", "name: p\nrules: [\n")
        process = self.run_sluice("validate", name)
        self.assertEqual(process.returncode, 2, self.describe(process))
        lines = process.stderr.decode().splitlines()
        self.assertEqual(len(lines), 2, self.describe(process))
        self.assertRegex(lines[0], r"^broken\.yaml:\d+:\d+: \S")
        self.assertEqual(lines[1], "sluice: broken.yaml: 1 problem")

    def test_missing_file(self):
        process = self.run_sluice("validate", "nope.yaml")
        self.assertEqual(process.returncode, 2, self.describe(process))
        self.assertEqual(process.stdout.decode(), "")
        self.assertEqual(process.stderr.decode(), "sluice: nope.yaml: no such file\n")

    def test_needs_no_data_dir(self):
        name = self.write("p.yaml", "name: p\n")
        process = self.run_sluice("validate", name)
        self.assertEqual(process.returncode, 0, self.describe(process))
        self.assertFalse(os.path.exists(self.data_dir))


RUN_SPEC = """name: demo
buckets: [lake]
clusters:
  etl:
    instances: {master: m5.xlarge}
    keep_alive: false
rules:
  - name: arrived
    pattern: {source: [aws.s3], detail-type: [Object Created],
              detail: {object: {key: [{prefix: raw/}]}}}
    targets:
      - action: create_cluster
        cluster: etl
        tags: {source_key: "${detail.object.key}"}
  - name: ready
    pattern: {source: [aws.emr], detail-type: [EMR Cluster State Change],
              detail: {state: [WAITING], name: [etl]}}
    targets:
      - action: add_steps
        cluster: etl
        unique: true
        steps:
          - name: revenue
            action_on_failure: TERMINATE_CLUSTER
            sql: QUERY
            inputs: {orders: "s3://lake/${cluster.tags.source_key}"}
            output: s3://lake/results/revenue.csv
            load: {table: revenue, mode: append}
"""
GOOD_QUERY = "SELECT country, sum(amount) AS revenue FROM orders GROUP BY ALL ORDER BY 1"


class RunTest(PipelineCase):

    def spec(self, query=GOOD_QUERY):
        return self.write("spec.yaml", RUN_SPEC.replace("QUERY", query))

    def test_run_applies_uploads_runs_and_reports(self):
        spec = self.spec()
        self.write("orders.csv", "id,country,amount\n1,DE,2.5\n2,FR,1\n3,DE,1\n")
        process = self.run_sluice("run", spec, "--put", "orders.csv", "s3://lake/raw/")
        self.assertEqual(process.returncode, 0, self.describe(process))
        out = process.stdout.decode()
        self.assertIn("applied demo: 1 bucket(s), 0 file(s), 1 cluster template(s), 2 rule(s)\n",
                      out)
        self.assertIn("upload: orders.csv to s3://lake/raw/orders.csv\n", out)
        self.assertRegex(out, r"\n  cluster j-\w+ etl TERMINATED \(ALL_STEPS_COMPLETED\) [\d.]+ s\n"
                              r"    step s-\w+ revenue +COMPLETED +[\d.]+ s\n"
                              r"  1 cluster\(s\), 1 step\(s\)\n")
        # The live view and the timeline: each state as it happened, the step's rows and load.
        self.assertRegex(out, r"\+\d+\.\d{3}s  step     s-\w+ revenue COMPLETED: 3 rows \(41 B\) in, "
                              r"2 out -> s3://lake/results/revenue.csv; 2 rows loaded into revenue")
        self.assertIn("\nrevenue: 2 rows, the first ones\n", out)
        rows = json.loads(self.ok("sql", "--format", "json", "SELECT * FROM revenue ORDER BY 1"))
        self.assertEqual(rows, [{"country": "DE", "revenue": 3.5}, {"country": "FR", "revenue": 1.0}])
        clusters = json.loads(self.ok("clusters", "ls", "--json"))["Clusters"]
        self.assertEqual(len(clusters), 1)

        # Applying again updates in place: still two rules, one template; a second file runs.
        self.write("more.csv", "id,country,amount\n4,US,7\n")
        process = self.run_sluice("run", spec, "--put", "more.csv", "s3://lake/raw/more.csv")
        self.assertEqual(process.returncode, 0, self.describe(process))
        self.assertIn("1 cluster(s), 1 step(s)", process.stdout.decode())  # only this run's
        self.assertEqual(len(json.loads(self.ok("rules", "ls", "--json"))["Rules"]), 2)
        self.assertEqual(self.ok("clusters", "templates", "ls").count("etl"), 1)
        rows = json.loads(self.ok("sql", "--format", "json", "SELECT count(*) AS n FROM revenue"))
        self.assertEqual(rows, [{"n": 3}])

    def test_reapplying_drops_what_the_spec_no_longer_declares_and_keeps_its_warehouse(self):
        spec = self.write("full.yaml", RUN_SPEC.replace("QUERY", GOOD_QUERY).replace(
            "buckets: [lake]", "warehouse: duckdb://pipeline.duckdb\nbuckets: [lake]"))
        self.write("orders.csv", "id,country,amount\n1,DE,2.5\n")
        process = self.run_sluice("run", spec, "--put", "orders.csv", "s3://lake/raw/")
        self.assertEqual(process.returncode, 0, self.describe(process))
        self.assertIn("warehouse  revenue in duckdb://pipeline.duckdb", process.stdout.decode())
        # Later commands given no warehouse use the applied pipeline's.
        self.assertEqual(json.loads(self.ok("sql", "--format", "json", "SELECT * FROM revenue")),
                         [{"country": "DE", "revenue": 2.5}])
        self.assertTrue(os.path.exists(os.path.join(self.data_dir, "pipeline.duckdb")))
        self.assertFalse(os.path.exists(os.path.join(self.data_dir, "warehouse.duckdb")))
        # $SLUICE_WAREHOUSE still wins over it.
        other = self.run_sluice("warehouse", "tables",
                                env={"SLUICE_WAREHOUSE": "duckdb://other.duckdb"})
        self.assertNotIn("revenue", other.stdout.decode(), self.describe(other))

        # The spec without its `ready` rule, its template renamed: both old ones are removed.
        smaller = RUN_SPEC.replace("QUERY", GOOD_QUERY)
        smaller = smaller[:smaller.index("  - name: ready")].replace("  etl:", "  etl2:").replace(
            "cluster: etl", "cluster: etl2")
        process = self.run_sluice("run", self.write("smaller.yaml", smaller))
        self.assertEqual(process.returncode, 0, self.describe(process))
        out = process.stdout.decode()
        self.assertIn("removed rule ready (no longer in the spec)\n", out)
        self.assertIn("removed cluster template etl (no longer in the spec)\n", out)
        rules = json.loads(self.ok("rules", "ls", "--json"))["Rules"]
        self.assertEqual([r["Name"] for r in rules], ["arrived"])
        templates = self.ok("clusters", "templates", "ls")
        self.assertIn("etl2", templates)
        self.assertNotRegex(templates, r"\betl\b")
        # Rules and templates of other origins are left alone.
        self.ok("rules", "put", "--name", "mine", "--pattern", '{"source": ["x"]}')
        process = self.run_sluice("run", spec)
        self.assertEqual(process.returncode, 0, self.describe(process))
        names = [r["Name"] for r in json.loads(self.ok("rules", "ls", "--json"))["Rules"]]
        self.assertEqual(sorted(names), ["arrived", "mine", "ready"])

    def test_a_failed_step_fails_the_run_with_its_error(self):
        spec = self.spec("SELECT nope FROM orders")
        self.write("orders.csv", "id,country,amount\n1,DE,2.5\n")
        process = self.run_sluice("run", spec, "--put", "orders.csv", "s3://lake/raw/")
        self.assertEqual(process.returncode, 1, self.describe(process))
        self.assertIn("TERMINATED_WITH_ERRORS (STEP_FAILURE)", process.stdout.decode())
        error = process.stderr.decode().splitlines()[-1]
        self.assertRegex(error, r"^sluice: error: step revenue \(s-\w+\) ended FAILED: step "
                                r"revenue: .*nope.* \(log: .*/steps/s-\w+/stderr\)$")

    def test_an_invalid_spec_is_not_applied(self):
        spec = self.write("spec.yaml", RUN_SPEC.replace("QUERY", GOOD_QUERY).replace(
            "keep_alive: false", "keep_alive: maybe"))
        process = self.run_sluice("run", spec)
        self.assertEqual(process.returncode, 2, self.describe(process))
        self.assertIn("spec.yaml:6:", process.stderr.decode())
        self.assertFalse(os.path.exists(os.path.join(self.data_dir, "state.db")))


FUNCTION_SPEC = """name: greeter
functions:
  greet:
    runtime: python3
    handler: app.handler
    code: ./greet
    environment: {GREETING: hello}
    timeout: 10s
rules:
  - name: greet-arrivals
    pattern: {source: [aws.s3], detail-type: [Object Created]}
    targets:
      - function: greet
        input_path: $.detail
"""


class FunctionsInSpecTest(PipelineCase):

    def test_applying_deploys_declared_functions_and_removes_dropped_ones(self):
        os.mkdir(os.path.join(self.work, "greet"))
        self.write(os.path.join("greet", "app.py"),
                   "def handler(event, context):\n    return {'hello': event}\n")
        spec = self.write("spec.yaml", FUNCTION_SPEC)
        self.assertEqual(self.ok("validate", spec),
                         "spec.yaml: ok (1 rule, 0 cluster templates, 0 steps)\n")

        process = self.run_sluice("run", spec)
        self.assertEqual(process.returncode, 0, self.describe(process))
        self.assertIn("deployed function greet\n", process.stdout.decode())
        listed = json.loads(self.ok("functions", "ls", "--json"))["Functions"]
        self.assertEqual([f["FunctionName"] for f in listed], ["greet"])
        self.assertEqual(listed[0]["Handler"], "app.handler")
        self.assertEqual(listed[0]["Timeout"], 10)
        self.assertEqual(listed[0]["Environment"], {"Variables": {"GREETING": "hello"}})
        rule = json.loads(self.ok("rules", "describe", "greet-arrivals"))
        self.assertEqual(len(rule["Targets"]), 1)
        self.assertEqual(rule["Targets"][0]["Function"], "greet")
        self.assertNotIn("Action", rule["Targets"][0])

        # The spec without its function (and so without the rule that targets it): both go.
        smaller = FUNCTION_SPEC[:FUNCTION_SPEC.index("functions:")]
        process = self.run_sluice("run", self.write("spec.yaml", smaller))
        self.assertEqual(process.returncode, 0, self.describe(process))
        out = process.stdout.decode()
        self.assertIn("removed rule greet-arrivals (no longer in the spec)\n", out)
        self.assertIn("removed function greet (no longer in the spec)\n", out)
        self.assertEqual(json.loads(self.ok("functions", "ls", "--json"))["Functions"], [])
        self.assertEqual(json.loads(self.ok("rules", "ls", "--json"))["Rules"], [])


class UpTest(PipelineCase):

    def test_up_runs_until_interrupted_and_a_second_up_updates_it_in_place(self):
        spec = self.write("spec.yaml", RUN_SPEC.replace("QUERY", GOOD_QUERY))
        log_path = os.path.join(self.root, "up.log")
        with open(log_path, "wb") as log:
            up = subprocess.Popen(self.argv(["up", spec]), cwd=self.work, stdin=subprocess.DEVNULL,
                                  stdout=log, stderr=subprocess.STDOUT,
                                  env=self.environment())
        self.addCleanup(lambda: up.poll() is None and up.kill())
        output = lambda: self.read(log_path).decode()
        self.wait_until(lambda: "engine running" in output(), "the engine to start")
        self.assertIn("applied demo: 1 bucket(s), 0 file(s), 1 cluster template(s), 2 rule(s)",
                      output())

        # A file put by another process runs through the pipeline; the live view shows it.
        self.write("orders.csv", "id,country,amount\n1,DE,2.5\n2,FR,1\n3,DE,1\n")
        self.ok("put", "orders.csv", "s3://lake/raw/orders.csv")
        self.wait_until(lambda: "TERMINATED ALL_STEPS_COMPLETED" in output(), "the cluster to end")
        self.assertRegex(output(), r"step     s-\w+ revenue COMPLETED: 3 rows")
        rows = json.loads(self.ok("sql", "--format", "json", "SELECT * FROM revenue ORDER BY 1"))
        self.assertEqual(rows, [{"country": "DE", "revenue": 3.5}, {"country": "FR", "revenue": 1.0}])

        # `up` again while the engine runs: the spec is applied to it, in place, and it returns.
        changed = self.write("spec.yaml", RUN_SPEC.replace("QUERY", GOOD_QUERY.replace(
            "sum(amount) AS revenue", "sum(amount) * 2 AS revenue")))
        again = self.run_sluice("up", changed)
        self.assertEqual(again.returncode, 0, self.describe(again))
        self.assertIn("the engine already running on", again.stdout.decode())
        self.assertEqual(len(json.loads(self.ok("rules", "ls", "--json"))["Rules"]), 2)
        self.write("more.csv", "id,country,amount\n4,US,7\n")
        self.ok("put", "more.csv", "s3://lake/raw/more.csv")
        self.wait_until(lambda: output().count("TERMINATED ALL_STEPS_COMPLETED") == 2,
                        "the second cluster to end")
        rows = json.loads(self.ok("sql", "--format", "json",
                                  "SELECT * FROM revenue WHERE country = 'US'"))
        self.assertEqual(rows, [{"country": "US", "revenue": 14.0}])  # the new query ran

        # Ctrl-C: a clean stop, exit 0.
        up.send_signal(signal.SIGINT)
        self.assertEqual(up.wait(timeout=sluice_case.TIMEOUT_SECONDS), 0, output())


if __name__ == "__main__":
    sluice_case.main("test_pipeline_cli.py")
