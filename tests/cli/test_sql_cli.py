#!/usr/bin/env python3
"""End-to-end tests of SQL steps and the warehouse through the real `sluice` binary: a sql step on
a cluster (lake in, lake and warehouse out, its Result in `steps describe`), a failing and a
cancelled one, `run_sql` as a rule target, `sluice sql` (warehouse and --lake) and
`sluice warehouse tables`. Values are checked against an independent computation in Python.

    python3 tests/cli/test_sql_cli.py --sluice build/src/cli/sluice
"""

import csv
import io
import json
import os
import signal

import sluice_case
from test_clusters_cli import SluiceCase as ClustersCase, processes_marked, template

COUNTRIES = ["DE", "FR", "US", "NL", "JP"]


def orders_csv(rows, start=1, bad_line=None):
    """A deterministic orders file; bad_line (1-based, counting the header) gets a bad quantity."""
    lines = ["order_id,country,status,quantity,unit_price"]
    for i in range(start, start + rows):
        quantity = "many" if bad_line == len(lines) + 1 else str(i % 7 + 1)
        status = "CANCELLED" if i % 10 == 0 else "SHIPPED"
        lines.append("{},{},{},{},{:.2f}".format(i, COUNTRIES[i % 5], status, quantity,
                                                 (i % 13) * 1.25 + 0.5))
    return "\n".join(lines) + "\n"


def expected_revenue(*files):
    """country -> (orders, revenue in cents), computed here rather than by the engine."""
    totals = {}
    for text in files:
        for row in csv.DictReader(io.StringIO(text)):
            if row["status"] == "CANCELLED":
                continue
            count, cents = totals.get(row["country"], (0, 0))
            totals[row["country"]] = (count + 1, cents + int(row["quantity"]) *
                                      round(float(row["unit_price"]) * 100))
    return totals


REVENUE_QUERY = ("SELECT country, count(*) AS orders, sum(quantity * unit_price) AS revenue "
                 "FROM orders WHERE status <> 'CANCELLED' GROUP BY ALL ORDER BY country")


def revenue_step(name="revenue", inputs="s3://lake/raw/*.csv", action="CONTINUE", **extra):
    sql = {"inputs": {"orders": {"uri": inputs, "types": {"quantity": "INTEGER",
                                                          "unit_price": "DECIMAL(10,2)"}}},
           "query": REVENUE_QUERY,
           "output": "s3://lake/results/revenue.csv",
           "load": {"table": "revenue", "mode": "append"}}
    sql.update(extra)
    return {"Name": name, "ActionOnFailure": action, "Sql": sql}


class SqlCase(ClustersCase):
    TEMP_PREFIX = "sluice-sql-test-"

    def warehouse(self, query):
        """`sluice sql --format json`: the rows as dicts."""
        return json.loads(self.ok("sql", "--format", "json", query))

    def assert_revenue(self, rows, *files):
        expected = expected_revenue(*files)
        self.assertEqual({r["country"]: (int(r["orders"]), round(float(r["revenue"]) * 100))
                          for r in rows}, expected)


class SqlStepTest(SqlCase):

    def test_a_sql_step_reads_the_lake_writes_results_and_loads_the_warehouse(self):
        self.make_lake()
        first, second = orders_csv(300), orders_csv(200, start=301)
        self.upload("raw/orders-1.csv", first)
        self.upload("raw/orders-2.csv", second)
        self.put_template(template("etl", cores=1))
        cluster_id = self.create_cluster("etl")
        [step_id] = self.add_steps(cluster_id, [revenue_step()])
        self.serve_until_idle()

        step = self.step(cluster_id, step_id)
        self.assertEqual(step["Status"]["State"], "COMPLETED", step)
        self.assertEqual(step["Config"]["Jar"], "sluice-sql")
        self.assertEqual(step["Sql"]["query"], REVENUE_QUERY)
        result = step["Result"]
        self.assertEqual(result["RowsIn"], 500)
        self.assertEqual(result["RowsOut"], 5)
        self.assertEqual(result["BadRows"], 0)
        self.assertEqual(result["BytesIn"], len(first) + len(second))
        self.assertEqual(result["Outputs"], ["s3://lake/results/revenue.csv"])
        self.assertEqual(result["Load"], {"Table": "revenue", "Rows": 5, "Skipped": False})
        self.assert_ended(cluster_id, "TERMINATED", "ALL_STEPS_COMPLETED")

        # The lake result, checked against Python's own sums.
        output = self.lake_object("results/revenue.csv").decode()
        self.assertEqual(result["BytesOut"], len(output))
        self.assert_revenue(list(csv.DictReader(io.StringIO(output))), first, second)
        # The warehouse holds the same rows, with the types the query gave them.
        self.assert_revenue(self.warehouse("SELECT * FROM revenue"), first, second)
        tables = json.loads(self.ok("warehouse", "tables", "--json"))
        self.assertEqual(tables, [{"schema": "main", "table": "revenue", "rows": 5}])
        # The output's Object Created event, from the step.
        created = [e for e in self.events("--detail-type", "Object Created")
                   if e["detail"]["object"]["key"] == "results/revenue.csv"]
        self.assertEqual(len(created), 1)
        self.assertEqual(created[0]["detail"]["requester"], "sluice:step/" + step_id)
        # What ran is in the step's log.
        log = self.ok("steps", "logs", cluster_id, step_id)
        self.assertIn("running sql step revenue ({})".format(step_id), log)

    def test_a_malformed_row_fails_the_step_with_object_line_and_reason(self):
        self.make_lake()
        self.upload("raw/orders-1.csv", orders_csv(50))
        self.upload("raw/orders-2.csv", orders_csv(50, start=51, bad_line=8))
        self.put_template(template("etl"))
        cluster_id = self.create_cluster("etl")
        bad, after = self.add_steps(cluster_id, [
            revenue_step(action="TERMINATE_CLUSTER"),
            {"Name": "after", "Command": ["true"]}])
        self.serve_until_idle()

        status = self.step(cluster_id, bad)["Status"]
        self.assertEqual(status["State"], "FAILED")
        message = status["FailureDetails"]["Message"]
        self.assertIn("step revenue: input orders: s3://lake/raw/orders-2.csv line 8: ", message)
        self.assertIn('"many"', message)
        self.assertEqual(self.step_state(cluster_id, after), "CANCELLED")
        self.assert_ended(cluster_id, "TERMINATED_WITH_ERRORS", "STEP_FAILURE")
        # Nothing partial: no result in the lake, no table in the warehouse.
        self.assertEqual(self.lake_keys("results/"), [])
        self.assertEqual(json.loads(self.ok("warehouse", "tables", "--json")), [])

    def test_skipped_bad_rows_are_set_aside_beside_the_output(self):
        self.make_lake()
        good, bad = orders_csv(40), orders_csv(40, start=41, bad_line=5)
        self.upload("raw/orders-1.csv", good)
        self.upload("raw/orders-2.csv", bad)
        self.put_template(template("etl"))
        cluster_id = self.create_cluster("etl")
        [step_id] = self.add_steps(cluster_id, [revenue_step(on_bad_rows="skip")])
        self.serve_until_idle()

        result = self.step(cluster_id, step_id)["Result"]
        self.assertEqual(result["BadRows"], 1)
        self.assertEqual(result["Rejects"], "s3://lake/results/revenue.csv.rejects.csv")
        rejects = list(csv.DictReader(io.StringIO(
            self.lake_object("results/revenue.csv.rejects.csv").decode())))
        self.assertEqual([(r["object"], r["line"], r["column"]) for r in rejects],
                         [("s3://lake/raw/orders-2.csv", "5", "quantity")])
        kept = "\n".join(line for n, line in enumerate(bad.splitlines(), 1) if n != 5) + "\n"
        self.assert_revenue(self.warehouse("SELECT * FROM revenue"), good, kept)

    def test_cancelling_a_running_sql_step_interrupts_it_and_commits_nothing(self):
        self.make_lake()
        self.upload("raw/orders-1.csv", orders_csv(10))
        self.put_template(template("etl", keep_alive=True))
        cluster_id = self.create_cluster("etl")
        # A query that would run for hours.
        [step_id] = self.add_steps(cluster_id, [revenue_step(
            query="SELECT count(*) AS n FROM range(1000000000000) r, orders")])
        engine = self.start_serve()
        self.wait_for_step(cluster_id, step_id, "RUNNING")
        self.ok("steps", "cancel", cluster_id, step_id)
        self.wait_for_step(cluster_id, step_id, "CANCELLED")
        self.assertEqual(self.lake_keys("results/"), [])
        log = self.ok("steps", "logs", cluster_id, step_id)
        self.assertIn("interrupting the query", log)
        os.killpg(engine.pid, signal.SIGINT)
        self.assertEqual(self.wait_for_exit(engine), 0, self.serve_output(engine))

    def test_an_engine_killed_mid_query_leaves_nothing_and_its_restart_interrupts_the_step(self):
        self.make_lake()
        self.upload("raw/orders-1.csv", orders_csv(10))
        self.put_template(template("etl", keep_alive=True))
        cluster_id = self.create_cluster("etl")
        [step_id] = self.add_steps(cluster_id, [revenue_step(
            action="TERMINATE_CLUSTER",
            query="SELECT count(*) AS n FROM range(1000000000000) r, orders")])
        engine = self.start_serve()
        self.wait_for_step(cluster_id, step_id, "RUNNING")
        os.killpg(engine.pid, signal.SIGKILL)
        self.assertEqual(self.wait_for_exit(engine), -signal.SIGKILL)

        # The step's process outlived the engine; the next engine stops it and records why.
        output = self.serve_until_idle()
        self.assertIn("1 running steps marked INTERRUPTED", output)
        self.assertEqual(self.step_state(cluster_id, step_id), "INTERRUPTED")
        self.assert_ended(cluster_id, "TERMINATED_WITH_ERRORS", "STEP_FAILURE")
        self.assertEqual(self.lake_keys("results/"), [])
        self.assertEqual(json.loads(self.ok("warehouse", "tables", "--json")), [])
        self.assertEqual(processes_marked(b"SLUICE_ENGINE_DIR=", os.path.realpath(self.data_dir)),
                         [])

    def test_a_bad_sql_step_is_refused_when_added(self):
        self.make_lake()
        self.put_template(template("etl", keep_alive=True))
        cluster_id = self.create_cluster("etl")
        step = revenue_step()
        step["Sql"]["load"] = {"table": "revenue", "mode": "merge"}
        line = self.fails("ValidationException", "steps", "add", cluster_id, "--steps",
                          json.dumps([step]))
        self.assertIn("step revenue: load: mode merge needs keys", line)
        self.assertEqual(self.steps(cluster_id), [])


class RunSqlActionTest(SqlCase):

    def test_run_sql_runs_on_each_upload_without_a_cluster(self):
        self.make_lake()
        self.put_rule("summarize", {"source": ["aws.s3"], "detail-type": ["Object Created"],
                                    "detail": {"object": {"key": [{"prefix": "raw/"}]}}},
                      [{"Id": "sql", "Action": "run_sql", "Parameters": {
                          "Name": "summarize",
                          # Templated URIs: their format is told once the event fills them in.
                          "inputs": {"orders": "s3://lake/${detail.object.key}"},
                          "query": REVENUE_QUERY,
                          "output": "s3://lake/summaries/${detail.object.key}",
                          "load": {"table": "revenue", "mode": "append"}}}])
        first, second = orders_csv(30), orders_csv(30, start=31)
        self.upload("raw/a.csv", first)
        self.upload("raw/b.csv", second)
        self.serve_until_idle()
        self.assertEqual(self.lake_keys("summaries/"), ["summaries/raw/a.csv",
                                                        "summaries/raw/b.csv"])
        self.assert_revenue(list(csv.DictReader(io.StringIO(
            self.lake_object("summaries/raw/a.csv").decode()))), first)
        self.assert_revenue(self.warehouse(
            "SELECT country, sum(orders) AS orders, sum(revenue) AS revenue FROM revenue "
            "GROUP BY ALL"), first, second)
        self.assertEqual(self.clusters(), [])
        self.assertEqual(self.dead_letters(), [])

    def test_run_sql_with_bad_sql_is_dead_lettered(self):
        self.make_lake()
        self.put_rule("summarize", {"source": ["aws.s3"]},
                      [{"Id": "sql", "Action": "run_sql", "Parameters": {
                          "inputs": {"orders": {"uri": "s3://lake/${detail.object.key}",
                                                "format": "csv"}},
                          "query": "SELECT nope FROM orders",
                          "output": "s3://lake/summaries/x.csv"}}])
        self.upload("raw/a.csv", orders_csv(3))
        self.serve_until_idle()
        [letter] = self.dead_letters()
        self.assertEqual(letter["ErrorCode"], "INVALID_PARAMETER", letter)
        self.assertIn("nope", letter["ErrorMessage"])
        self.assertEqual(self.lake_keys("summaries/"), [])

    def test_a_run_sql_target_with_a_bad_spec_is_refused_at_rules_put(self):
        process = self.run_sluice(
            "rules", "put", "--name", "r", "--pattern", '{"source": ["aws.s3"]}', "--targets",
            json.dumps([{"Id": "t", "Action": "run_sql",
                         "Parameters": {"query": "SELECT 1", "output": "s3://lake/out/"}}]))
        self.assertEqual(process.returncode, 1, self.describe(process))
        self.assertIn("names a folder", process.stderr.decode())


class SqlCommandTest(SqlCase):

    def setUp(self):
        super().setUp()
        self.make_lake()
        self.first, self.second = orders_csv(20), orders_csv(20, start=21)
        self.upload("raw/orders-1.csv", self.first)
        self.upload("raw/orders-2.csv", self.second)

    def test_lake_queries_read_objects_globs_and_prefixes(self):
        rows = json.loads(self.ok("sql", "--lake", "--format", "json",
                                  "SELECT count(*) AS n FROM read_csv('s3://lake/raw/*.csv')"))
        self.assertEqual(rows, [{"n": 40}])
        rows = json.loads(self.ok("sql", "--lake", "--format", "json",
                                  "SELECT count(*) AS n FROM 's3://lake/raw/orders-1.csv'"))
        self.assertEqual(rows, [{"n": 20}])
        out = self.ok("sql", "--lake", "--format", "csv",
                      "SELECT country, count(*) AS n FROM read_csv('s3://lake/raw/') "
                      "GROUP BY ALL ORDER BY country")
        self.assertEqual(out, "country,n\nDE,8\nFR,8\nJP,8\nNL,8\nUS,8\n")
        # The literal outside a reader stays a string.
        rows = json.loads(self.ok("sql", "--lake", "--format", "json",
                                  "SELECT 's3://lake/raw/x' AS uri"))
        self.assertEqual(rows, [{"uri": "s3://lake/raw/x"}])

    def test_lake_errors_name_the_object(self):
        line = self.fails("NoSuchKey", "sql", "--lake",
                          "SELECT * FROM read_csv('s3://lake/raw/none-*.csv')")
        self.assertIn("no objects match s3://lake/raw/none-*.csv", line)
        self.upload("raw/bad.csv", "a,b\n1,2\n3\n")
        line = self.fails(None, "sql", "--lake",
                          "SELECT * FROM read_csv('s3://lake/raw/bad.csv', header=true, delim=',')")
        self.assertIn("s3://lake/raw/bad.csv", line)
        self.assertNotIn("/proc/self/fd", line)

    def test_table_output_and_formats(self):
        self.ok("sql", "CREATE TABLE t (name VARCHAR, amount DECIMAL(8,2), note VARCHAR)")
        self.ok("sql", "INSERT INTO t VALUES ('a', 1.5, NULL), ('b, c', 10.25, ''), "
                       "('ünï', -3.00, 'say \"hi\"')")
        table = self.ok("sql", "SELECT * FROM t ORDER BY amount")
        self.assertEqual(table.splitlines(), [
            "name  amount  note",
            "----  ------  --------",
            "ünï    -3.00  say \"hi\"",
            "a       1.50  NULL",
            "b, c   10.25",
            "(3 rows)"])
        self.assertEqual(self.ok("sql", "--format", "csv", "SELECT * FROM t ORDER BY amount"),
                         'name,amount,note\nünï,-3.00,"say ""hi"""\na,1.50,\n"b, c",10.25,""\n')
        self.assertEqual(json.loads(self.ok("sql", "--format", "json",
                                            "SELECT * FROM t ORDER BY amount")),
                         [{"name": "ünï", "amount": -3.0, "note": "say \"hi\""},
                          {"name": "a", "amount": 1.5, "note": None},
                          {"name": "b, c", "amount": 10.25, "note": ""}])
        self.assertEqual(json.loads(self.ok("warehouse", "tables", "--json")),
                         [{"schema": "main", "table": "t", "rows": 3}])

    def test_errors_and_usage(self):
        line = self.fails(None, "sql", "SELEC 1")
        self.assertIn("Parser Error", line)
        self.usage_error("sql", "--format", "xml", "SELECT 1")
        self.usage_error("sql")
        line = self.fails(None, "--warehouse", "mysql://x", "sql", "SELECT 1")
        self.assertIn("mysql://x", line)

    def test_the_warehouse_flag_and_variable_choose_the_file(self):
        self.ok("--warehouse", "duckdb://other.duckdb", "sql", "CREATE TABLE x AS SELECT 1 AS a")
        self.assertTrue(os.path.exists(os.path.join(self.data_dir, "other.duckdb")))
        self.assertEqual(json.loads(self.ok("warehouse", "tables", "--json",
                                            env={"SLUICE_WAREHOUSE": "duckdb://other.duckdb"})),
                         [{"schema": "main", "table": "x", "rows": 1}])
        self.assertEqual(json.loads(self.ok("warehouse", "tables", "--json")), [])


if __name__ == "__main__":
    sluice_case.main("test_sql_cli.py")
