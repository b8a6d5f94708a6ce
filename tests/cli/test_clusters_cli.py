#!/usr/bin/env python3
"""End-to-end tests of the real `sluice` binary's cluster commands, with real processes.

    python3 tests/cli/test_clusters_cli.py --sluice /path/to/sluice [unittest options]

(or set SLUICE_BIN instead of passing --sluice). Standard library only; the base test case and
`main` are sluice_case.py's.

Covers `clusters templates put | ls | describe | rm`, `clusters create | ls | describe |
terminate`, `steps add | ls | describe | cancel | logs`, `cost`, and `serve` driving clusters on
the local provider: the pipeline from an upload through create_cluster and add_steps rules to a
terminated cluster with its logs archived in the lake and its cost booked; EMR's failure paths
(bootstrap failure, a missing application, ActionOnFailure, a program that does not exist);
cancelling a running step; what an engine killed with SIGKILL or stopped with SIGINT leaves and
how the next one recovers; and the validation of templates and cluster targets.

Every test gets a fresh temporary folder holding `data/` (passed as --data-dir) and `work/`
(the binary's working directory). No test asserts how long anything takes; waits poll with a
deadline that only guards against hangs. Background engines run in their own process group,
which cleanup kills, together with any process still carrying this test's engine marker
(SLUICE_ENGINE_DIR=<data dir>), so a failing test leaves nothing running.
"""

import gzip
import json
import os
import re
import shutil
import signal
import subprocess

import sluice_case
from sluice_case import TIMEOUT_SECONDS

POLL_SECONDS = 0.05

CLUSTER_ID = re.compile(r"^j-[0-9A-Z]{13}$")
STEP_ID = re.compile(r"^s-[0-9A-Z]{13}$")
ISO_MILLIS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
RULE_ARN_PREFIX = "arn:aws:events:us-east-1:000000000000:rule/"
CLUSTER_ARN_PREFIX = "arn:aws:elasticmapreduce:us-east-1:000000000000:cluster/"

# A step that leaves a child in the background and waits for it: the child's pid lands in
# child.pid in the master node's working folder.
LONG_STEP = ["sh", "-c", "sleep 300 & echo $! > child.pid; wait"]

# The pattern of EMR's cluster state changes into WAITING.
WAITING_PATTERN = {"source": ["aws.emr"], "detail-type": ["EMR Cluster State Change"],
                   "detail": {"state": ["WAITING"]}}


def dumps(value):
    return json.dumps(value, separators=(",", ":"))


def process_alive(pid):
    """True while `pid` runs (a zombie, dead but not yet reaped, counts as gone)."""
    try:
        with open("/proc/{}/stat".format(pid), "rb") as f:
            stat = f.read().decode(errors="replace")
    except (FileNotFoundError, ProcessLookupError):
        return False
    # pid (comm) STATE ...; comm may hold spaces and parentheses.
    return stat[stat.rindex(")") + 2:][:1] not in ("Z", "X")


def processes_marked(prefix, folder):
    """The pids of processes whose environment holds `prefix` (b"NAME=") followed by a path
    naming `folder`, however it is spelled (relative, with a trailing slash, through a symlink).
    """
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open("/proc/{}/environ".format(entry), "rb") as f:
                variables = f.read().split(b"\0")
        except OSError:
            continue
        for variable in variables:
            if variable.startswith(prefix) and os.path.realpath(
                    variable[len(prefix):].decode(errors="replace")) == folder:
                found.append(int(entry))
                break
    return found


def template(name, cores=0, keep_alive=False, protected=False, bootstrap=None, log_uri=None,
             applications=None, concurrency=None, **extra):
    """A RunJobFlow-shaped cluster template: 1 master and `cores` core nodes of m5.xlarge."""
    groups = [{"Name": "Master", "InstanceRole": "MASTER", "InstanceType": "m5.xlarge",
               "InstanceCount": 1}]
    if cores:
        groups.append({"Name": "Core", "InstanceRole": "CORE", "InstanceType": "m5.xlarge",
                       "InstanceCount": cores})
    spec = {"Name": name, "ReleaseLabel": "emr-7.5.0",
            "Applications": [{"Name": a} for a in (applications or [])],
            "Instances": {"InstanceGroups": groups, "KeepJobFlowAliveWhenNoSteps": keep_alive,
                          "TerminationProtected": protected}}
    if bootstrap:
        spec["BootstrapActions"] = [{"Name": "setup", "ScriptBootstrapAction": {"Path": bootstrap}}]
    if log_uri:
        spec["LogUri"] = log_uri
    if concurrency is not None:
        spec["StepConcurrencyLevel"] = concurrency
    spec.update(extra)
    return spec


class SluiceCase(sluice_case.SluiceCase):
    """sluice_case's base, with helpers for clusters; cleanup stops what an engine left."""

    TEMP_PREFIX = "sluice-clusters-test-"
    POLL_SECONDS = POLL_SECONDS

    def setUp(self):
        super().setUp()
        # Runs before the folder is removed and after every background engine is stopped.
        self.addCleanup(self.kill_leftovers)
        self.serve_logs = 0

    def kill_leftovers(self):
        """Kills what an engine of this test left running (it carries the engine's marker)."""
        for pid in processes_marked(b"SLUICE_ENGINE_DIR=", os.path.realpath(self.data_dir)):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    # --- the engine ---------------------------------------------------------------------------

    def start_serve(self, *args, env=None, unset=(), data_dir=True):
        """Starts `serve ARGS` in the background, in its own session and process group, with its
        output in a file (see serve_output). Cleanup kills the group if it still runs."""
        self.serve_logs += 1
        log_path = os.path.join(self.root, "serve-{}.log".format(self.serve_logs))
        log = open(log_path, "wb")
        process = subprocess.Popen(self.argv(["serve"] + list(args), data_dir),
                                   stdin=subprocess.DEVNULL,
                                   stdout=log, stderr=subprocess.STDOUT, cwd=self.work,
                                   env=self.environment(env, unset), start_new_session=True)
        process.log_path = log_path

        def stop():
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            process.wait()
            log.close()
        self.addCleanup(stop)
        # The engine has the data dir once it says so (it takes its lock before).
        self.wait_until(lambda: process.poll() is not None or
                        b"sluice: engine running on" in self.read(log_path),
                        "the background engine to start")
        self.assertIsNone(process.returncode, self.serve_output(process))
        return process

    def serve_output(self, process):
        return self.read(process.log_path).decode(errors="replace")

    def wait_for_exit(self, process):
        try:
            return process.wait(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.fail("the background engine did not stop:\n" + self.serve_output(process))

    # --- lake, templates, clusters and steps --------------------------------------------------

    def make_lake(self):
        self.assertEqual(self.ok("mb", "s3://lake"), "make_bucket: lake\n")

    def upload(self, key, data, mode=None):
        path = self.write(os.path.basename(key), data, mode)
        self.ok("put", path, "s3://lake/" + key)

    def lake_object(self, key):
        process = self.run_sluice("get", "s3://lake/" + key, "-")
        self.assertEqual(process.returncode, 0, self.describe(process))
        return process.stdout

    def lake_keys(self, prefix):
        listing = json.loads(self.ok("ls", "--recursive", "--json", "s3://lake/" + prefix))
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def put_template(self, spec):
        path = self.write("template-{}.json".format(spec["Name"]), json.dumps(spec, indent=2))
        self.assertEqual(self.ok("clusters", "templates", "put", "--file", "@" + path),
                         spec["Name"] + "\n")

    def create_cluster(self, template_name, *tags):
        args = ["clusters", "create", "--template", template_name]
        for tag in tags:
            args += ["--tag", tag]
        out = self.ok(*args)
        self.assertRegex(out, r"^j-[0-9A-Z]{13}\n$")
        return out.strip()

    def add_step(self, cluster_id, name, command, action_on_failure=None):
        args = ["steps", "add", cluster_id, "--name", name]
        if action_on_failure:
            args += ["--action-on-failure", action_on_failure]
        out = self.ok(*(args + ["--"] + list(command)))
        self.assertRegex(out, r"^s-[0-9A-Z]{13}\n$")
        return out.strip()

    def add_steps(self, cluster_id, steps):
        """`steps add --steps JSON --json`; returns the new step ids in order."""
        out = json.loads(self.ok("steps", "add", cluster_id, "--steps", dumps(steps), "--json"))
        self.assertEqual(set(out), {"StepIds"})
        return out["StepIds"]

    def cluster(self, cluster_id):
        out = json.loads(self.ok("clusters", "describe", cluster_id))
        self.assertEqual(set(out), {"Cluster"})
        return out["Cluster"]

    def clusters(self, *filters):
        out = json.loads(self.ok("clusters", "ls", "--json", *filters))
        self.assertEqual(set(out), {"Clusters"})
        return out["Clusters"]

    def state(self, cluster_id):
        return self.cluster(cluster_id)["Status"]["State"]

    def step(self, cluster_id, step_id):
        out = json.loads(self.ok("steps", "describe", cluster_id, step_id))
        self.assertEqual(set(out), {"Step"})
        return out["Step"]

    def steps(self, cluster_id, *filters):
        """`steps ls --json`: newest first, as ListSteps returns them."""
        out = json.loads(self.ok("steps", "ls", cluster_id, "--json", *filters))
        self.assertEqual(set(out), {"Steps"})
        return out["Steps"]

    def step_state(self, cluster_id, step_id):
        return self.step(cluster_id, step_id)["Status"]["State"]

    def assert_ended(self, cluster_id, state, code, message=None):
        status = self.cluster(cluster_id)["Status"]
        self.assertEqual(status["State"], state, status)
        self.assertEqual(status["StateChangeReason"]["Code"], code, status)
        if message is not None:
            self.assertIn(message, status["StateChangeReason"]["Message"], status)
        self.assertRegex(status["Timeline"]["EndDateTime"], ISO_MILLIS)
        return status

    def events(self, *filters):
        listing = json.loads(self.ok("events", "ls", "--json", "--limit", "10000", *filters))
        self.assertEqual(set(listing), {"Events"})
        return [e["Event"] for e in listing["Events"]]

    def emr_events(self, cluster_id=None):
        """The aws.emr events of the log, in order, as (detail-type, detail.state[, step name])."""
        out = []
        for event in self.events("--source", "aws.emr"):
            detail = event["detail"]
            if cluster_id is not None and detail["clusterId"] != cluster_id:
                continue
            if event["detail-type"] == "EMR Step Status Change":
                out.append(("step", detail["name"], detail["state"]))
            else:
                self.assertEqual(event["detail-type"], "EMR Cluster State Change", event)
                out.append(("cluster", detail["state"]))
        return out

    def put_rule(self, name, pattern, targets):
        self.assertEqual(self.ok("rules", "put", "--name", name, "--pattern", dumps(pattern),
                                 "--targets", dumps(targets)), RULE_ARN_PREFIX + name + "\n")

    def dead_letters(self):
        listing = json.loads(self.ok("dlq", "ls", "--json"))
        self.assertEqual(set(listing), {"DeadLetters"})
        return listing["DeadLetters"]

    def master_folder(self, cluster_id):
        return os.path.join(self.data_dir, "clusters", cluster_id, "work", "master-1")

    def child_pid(self, cluster_id):
        """The pid LONG_STEP's background child wrote, once the file is complete."""
        path = os.path.join(self.master_folder(cluster_id), "child.pid")

        def written():
            try:
                text = self.read(path).decode()
            except FileNotFoundError:
                return None
            return int(text) if text.endswith("\n") else None
        pid = self.wait_until(written, "the step to write child.pid")
        self.addCleanup(self.kill_quietly, pid)
        return pid

    @staticmethod
    def kill_quietly(pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def wait_for_step(self, cluster_id, step_id, state):
        return self.wait_until(lambda: self.step_state(cluster_id, step_id) == state,
                               "step {} to be {}".format(step_id, state))

    def wait_for_cluster(self, cluster_id, state):
        return self.wait_until(lambda: self.state(cluster_id) == state,
                               "cluster {} to be {}".format(cluster_id, state))


# --- the reference flow --------------------------------------------------------------------------

class ReferenceFlowTest(SluiceCase):
    """An upload starts a cluster, the cluster's WAITING event adds its step, and it ends alone."""

    BOOTSTRAP = ("#!/bin/sh\n"
                 "echo \"$SLUICE_NODE_ID\" > node-id\n"
                 "echo \"bootstrapped $SLUICE_NODE_ID\"\n")

    def set_up_pipeline(self):
        self.make_lake()
        self.upload("bootstrap/setup.sh", self.BOOTSTRAP, 0o755)
        self.put_template(template("orders-etl", cores=2, bootstrap="s3://lake/bootstrap/setup.sh",
                                   log_uri="s3://lake/logs/",
                                   AutoTerminationPolicy={"IdleTimeout": 3600}))
        self.put_rule("start-etl",
                      {"source": ["aws.s3"], "detail-type": ["Object Created"],
                       "detail": {"bucket": {"name": ["lake"]},
                                  "object": {"key": [{"prefix": "raw/"}]}}},
                      [{"Id": "cluster", "Action": "create_cluster",
                        "Parameters": {"Template": "orders-etl",
                                       "Tags": {"source_key": "${detail.object.key}"}}}])
        self.put_rule("run-etl", WAITING_PATTERN,
                      [{"Id": "steps", "Action": "add_steps",
                        "Parameters": {"Unique": True, "Steps": [
                            {"Name": "process", "ActionOnFailure": "TERMINATE_CLUSTER",
                             "Command": ["sh", "-c",
                                         "echo \"processing ${cluster.tags.source_key} on "
                                         "$(cat node-id)\"; echo to-stderr >&2"]}]}}])

    def test_upload_runs_a_cluster_to_completion(self):
        self.set_up_pipeline()
        self.upload("raw/orders-2026-11-24.csv", "id,amount\n1,9.50\n")
        self.serve_until_idle()

        clusters = self.clusters()
        self.assertEqual(len(clusters), 1, clusters)
        cluster_id = clusters[0]["Id"]
        self.assertRegex(cluster_id, CLUSTER_ID)
        self.assertEqual(clusters[0]["ClusterArn"], CLUSTER_ARN_PREFIX + cluster_id)
        cluster = self.cluster(cluster_id)
        self.assertEqual(cluster["Name"], "orders-etl")
        self.assertEqual(cluster["Template"], "orders-etl")
        self.assertEqual(cluster["Tags"], [{"Key": "source_key",
                                            "Value": "raw/orders-2026-11-24.csv"}])
        self.assertIs(cluster["AutoTerminate"], True)
        self.assertEqual(cluster["LogUri"], "s3://lake/logs/")
        self.assertEqual(cluster["AutoTerminationPolicy"], {"IdleTimeout": 3600})
        status = self.assert_ended(cluster_id, "TERMINATED", "ALL_STEPS_COMPLETED")
        timeline = status["Timeline"]
        for field in ("CreationDateTime", "ReadyDateTime", "EndDateTime"):
            self.assertRegex(timeline[field], ISO_MILLIS)
        self.assertLessEqual(timeline["CreationDateTime"], timeline["ReadyDateTime"])
        self.assertLessEqual(timeline["ReadyDateTime"], timeline["EndDateTime"])

        steps = self.steps(cluster_id)
        self.assertEqual(len(steps), 1, steps)
        step = steps[0]
        step_id = step["Id"]
        self.assertRegex(step_id, STEP_ID)
        self.assertEqual(step["Name"], "process")
        self.assertEqual(step["Status"]["State"], "COMPLETED")
        self.assertNotIn("FailureDetails", step["Status"])
        self.assertEqual(step["ExitCode"], 0)
        self.assertEqual(step["Config"]["Jar"], "command-runner.jar")
        # The step's variables were filled in from the cluster when the step was added.
        self.assertEqual(step["Config"]["Args"][2],
                         "echo \"processing raw/orders-2026-11-24.csv on $(cat node-id)\"; "
                         "echo to-stderr >&2")
        self.assertEqual(self.step(cluster_id, step_id), step)

        # Every change announced itself on the bus, in EMR's order.
        self.assertEqual(self.emr_events(), [
            ("cluster", "STARTING"),
            ("cluster", "BOOTSTRAPPING"),
            ("cluster", "WAITING"),
            ("step", "process", "PENDING"),
            ("cluster", "RUNNING"),
            ("step", "process", "RUNNING"),
            ("step", "process", "COMPLETED"),
            ("cluster", "TERMINATING"),
            ("cluster", "TERMINATED"),
        ])
        last = self.events("--source", "aws.emr")[-1]
        self.assertEqual(json.loads(last["detail"]["stateChangeReason"]),
                         {"code": "ALL_STEPS_COMPLETED", "message": "Steps completed"})
        self.assertEqual(last["detail"]["clusterId"], cluster_id)

        # The step ran on the master, in the folder its bootstrap action wrote to.
        expected = "processing raw/orders-2026-11-24.csv on master-1\n"
        self.assertEqual(self.ok("steps", "logs", cluster_id, step_id), expected)
        self.assertEqual(self.ok("steps", "logs", cluster_id, step_id, "--log", "stderr"),
                         "to-stderr\n")
        controller = self.ok("steps", "logs", cluster_id, step_id, "--log", "controller")
        self.assertIn("exit code 0", controller)

        # The logs are archived gzipped in the lake, in EMR's layout.
        prefix = "logs/{}/".format(cluster_id)
        keys = self.lake_keys(prefix)
        expected_keys = ["{}steps/{}/{}.gz".format(prefix, step_id, name)
                         for name in ("controller", "stderr", "stdout")]
        for node in ("core-1", "core-2", "master-1"):
            expected_keys += ["{}node/{}/bootstrap-actions/1/{}.gz".format(prefix, node, name)
                              for name in ("stderr", "stdout")]
        self.assertEqual(keys, sorted(expected_keys))
        self.assertEqual(gzip.decompress(self.lake_object(prefix + "steps/{}/stdout.gz"
                                                          .format(step_id))).decode(), expected)
        self.assertEqual(gzip.decompress(self.lake_object(prefix + "steps/{}/stderr.gz"
                                                          .format(step_id))).decode(),
                         "to-stderr\n")
        self.assertIn("exit code 0", gzip.decompress(
            self.lake_object(prefix + "steps/{}/controller.gz".format(step_id))).decode())
        for node in ("master-1", "core-1", "core-2"):
            log = prefix + "node/{}/bootstrap-actions/1/".format(node)
            self.assertEqual(gzip.decompress(self.lake_object(log + "stdout.gz")).decode(),
                             "bootstrapped {}\n".format(node))
            self.assertEqual(gzip.decompress(self.lake_object(log + "stderr.gz")), b"")

        # The nodes are gone; with the local copy gone too, `steps logs` reads the archive.
        self.assertFalse(os.path.exists(os.path.join(self.data_dir, "clusters", cluster_id,
                                                     "work")))
        shutil.rmtree(os.path.join(self.data_dir, "clusters", cluster_id, "steps"))
        self.assertEqual(self.ok("steps", "logs", cluster_id, step_id), expected)

        # Billed as EMR bills: 3 nodes, each for at least a minute.
        cost = json.loads(self.ok("cost", "--json"))
        self.assertEqual(cost["By"], "cluster")
        self.assertEqual(len(cost["Costs"]), 1, cost)
        line = cost["Costs"][0]
        self.assertEqual(line["Key"], cluster_id)
        self.assertEqual(line["Clusters"], 1)
        self.assertEqual(line["NodeSeconds"], 3 * 60)
        self.assertAlmostEqual(line["EmrUsd"], 3 * 60 * (0.192 + 0.048) / 3600)
        table = self.ok("cost")
        self.assertRegex(table, r"(?m)^{} +1 +180 ".format(cluster_id))
        self.assertRegex(table, r"(?m)^TOTAL +1 +180 ")
        by_day = json.loads(self.ok("cost", "--by", "day", "--json"))
        self.assertEqual([(c["Key"], c["NodeSeconds"]) for c in by_day["Costs"]],
                         [(timeline["CreationDateTime"][:10], 180)])
        by_template = json.loads(self.ok("cost", "--by", "pipeline", "--json"))
        self.assertEqual([(c["Key"], c["NodeSeconds"]) for c in by_template["Costs"]],
                         [("orders-etl", 180)])

        # A second engine finds nothing left to do.
        before = len(self.events())
        self.serve_until_idle()
        self.assertEqual(len(self.events()), before)

    def test_create_cluster_with_its_steps(self):
        self.put_template(template("oneshot", cores=1))
        load = {"Name": "load", "ActionOnFailure": "TERMINATE_CLUSTER",
                "Command": ["sh", "-c", "echo loading ${detail.batch}"]}
        self.put_rule("oneshot", {"source": ["com.example.app"], "detail-type": ["Batch Ready"]},
                      [{"Id": "run", "Action": "create_cluster",
                        "Parameters": {"Template": "oneshot", "Steps": [load],
                                       "Tags": {"batch": "${detail.batch}"}}}])
        self.ok("events", "put", "--source", "com.example.app", "--detail-type", "Batch Ready",
                "--detail", dumps({"batch": 1234}))
        self.serve_until_idle()
        [summary] = self.clusters()
        cluster_id = summary["Id"]
        self.assertEqual(self.cluster(cluster_id)["Tags"], [{"Key": "batch", "Value": "1234"}])
        [step] = self.steps(cluster_id)
        self.assertEqual(step["Status"]["State"], "COMPLETED")
        self.assertEqual(self.ok("steps", "logs", cluster_id, step["Id"]), "loading 1234\n")
        self.assert_ended(cluster_id, "TERMINATED", "ALL_STEPS_COMPLETED")
        self.assertEqual(self.emr_events(), [
            ("cluster", "STARTING"),
            ("step", "load", "PENDING"),
            ("cluster", "BOOTSTRAPPING"),
            ("cluster", "RUNNING"),
            ("step", "load", "RUNNING"),
            ("step", "load", "COMPLETED"),
            ("cluster", "TERMINATING"),
            ("cluster", "TERMINATED"),
        ])

    def test_two_uploads_make_two_clusters(self):
        self.set_up_pipeline()
        self.upload("raw/a.csv", "a\n")
        self.upload("raw/b.csv", "b\n")
        self.upload("other/c.csv", "c\n")  # does not match the rule
        self.serve_until_idle()
        clusters = self.clusters()
        self.assertEqual(len(clusters), 2, clusters)
        keys = set()
        for summary in clusters:
            cluster_id = summary["Id"]
            self.assert_ended(cluster_id, "TERMINATED", "ALL_STEPS_COMPLETED")
            tags = {t["Key"]: t["Value"] for t in self.cluster(cluster_id)["Tags"]}
            keys.add(tags["source_key"])
            steps = self.steps(cluster_id)
            self.assertEqual([s["Status"]["State"] for s in steps], ["COMPLETED"])
            self.assertEqual(self.ok("steps", "logs", cluster_id, steps[0]["Id"]),
                             "processing {} on master-1\n".format(tags["source_key"]))
        self.assertEqual(keys, {"raw/a.csv", "raw/b.csv"})
        cost = json.loads(self.ok("cost", "--by", "pipeline", "--json"))
        self.assertEqual([(c["Key"], c["Clusters"], c["NodeSeconds"]) for c in cost["Costs"]],
                         [("orders-etl", 2, 360)])


# --- failures ------------------------------------------------------------------------------------

class FailureTest(SluiceCase):

    def test_failing_bootstrap_action_ends_with_bootstrap_failure(self):
        self.make_lake()
        self.upload("bootstrap/broken.sh",
                    "#!/bin/sh\necho 'disk /mnt is too small for the job' >&2\nexit 3\n", 0o755)
        self.put_template(template("broken", cores=2, bootstrap="s3://lake/bootstrap/broken.sh",
                                   log_uri="s3://lake/logs/"))
        cluster_id = self.create_cluster("broken")
        step_id = self.add_step(cluster_id, "never", ["true"])
        self.serve_until_idle()

        status = self.assert_ended(cluster_id, "TERMINATED_WITH_ERRORS", "BOOTSTRAP_FAILURE")
        message = status["StateChangeReason"]["Message"]
        self.assertIn("disk /mnt is too small for the job", message)
        self.assertIn("exit code 3", message)
        self.assertNotIn("ReadyDateTime", status["Timeline"])
        self.assertEqual(self.step_state(cluster_id, step_id), "CANCELLED")
        self.assertEqual(self.emr_events(), [
            ("cluster", "STARTING"),
            ("step", "never", "PENDING"),
            ("cluster", "BOOTSTRAPPING"),
            ("cluster", "TERMINATING"),
            ("step", "never", "CANCELLED"),
            ("cluster", "TERMINATED_WITH_ERRORS"),
        ])
        last = self.events("--source", "aws.emr")[-1]["detail"]
        self.assertEqual(last["severity"], "CRITICAL")
        self.assertEqual(json.loads(last["stateChangeReason"])["code"], "BOOTSTRAP_FAILURE")
        # The failing nodes' logs are archived.
        stderr = self.lake_object(
            "logs/{}/node/master-1/bootstrap-actions/1/stderr.gz".format(cluster_id))
        self.assertEqual(gzip.decompress(stderr), b"disk /mnt is too small for the job\n")
        self.assertEqual([c["Id"] for c in self.clusters("--state", "TERMINATED_WITH_ERRORS")],
                         [cluster_id])
        self.assertEqual(self.clusters("--state", "TERMINATED"), [])
        self.assertEqual(self.clusters("--active"), [])
        # It is billed all the same.
        cost = json.loads(self.ok("cost", "--json"))
        self.assertEqual([(c["Key"], c["NodeSeconds"]) for c in cost["Costs"]],
                         [(cluster_id, 180)])

    def test_bootstrap_script_missing_from_the_lake(self):
        self.make_lake()
        self.put_template(template("lost", bootstrap="s3://lake/bootstrap/missing.sh"))
        cluster_id = self.create_cluster("lost")
        self.serve_until_idle()
        status = self.assert_ended(cluster_id, "TERMINATED_WITH_ERRORS", "BOOTSTRAP_FAILURE")
        self.assertIn("s3://lake/bootstrap/missing.sh", status["StateChangeReason"]["Message"])

    def test_missing_spark_is_a_validation_error(self):
        path = "/usr/bin:/bin"
        if shutil.which("spark-submit", path=path):
            self.skipTest("spark-submit is installed in " + path)
        self.put_template(template("spark", applications=["Spark"]))
        cluster_id = self.create_cluster("spark")
        self.serve_until_idle(env={"PATH": path}, unset=("SPARK_HOME",))
        status = self.assert_ended(cluster_id, "TERMINATED_WITH_ERRORS", "VALIDATION_ERROR")
        self.assertIn("spark-submit", status["StateChangeReason"]["Message"])
        self.assertIn("SPARK_HOME", status["StateChangeReason"]["Message"])
        self.assertEqual(self.emr_events(), [
            ("cluster", "STARTING"), ("cluster", "TERMINATING"),
            ("cluster", "TERMINATED_WITH_ERRORS")])

    def test_unknown_application_is_a_validation_error(self):
        self.put_template(template("odd", applications=["Zeppelin"]))
        cluster_id = self.create_cluster("odd")
        self.serve_until_idle()
        status = self.assert_ended(cluster_id, "TERMINATED_WITH_ERRORS", "VALIDATION_ERROR")
        self.assertIn("Zeppelin", status["StateChangeReason"]["Message"])

    def test_terminate_cluster_on_failure_cancels_the_steps_after_it(self):
        self.make_lake()
        self.put_template(template("etl", cores=1, log_uri="s3://lake/logs"))
        cluster_id = self.create_cluster("etl")
        first, second = self.add_steps(cluster_id, [
            {"Name": "fails", "ActionOnFailure": "TERMINATE_CLUSTER",
             "HadoopJarStep": {"Jar": "command-runner.jar",
                               "Args": ["sh", "-c", "echo 'bad row 17' >&2; exit 1"]}},
            {"Name": "after", "ActionOnFailure": "CONTINUE",
             "Command": ["sh", "-c", "echo should-not-run > ran"]}])
        self.serve_until_idle()

        failed = self.step(cluster_id, first)
        self.assertEqual(failed["Status"]["State"], "FAILED")
        self.assertEqual(failed["ExitCode"], 1)
        details = failed["Status"]["FailureDetails"]
        self.assertEqual(details["Reason"], "Unknown Error")
        self.assertIn("exit code 1", details["Message"])
        self.assertEqual(details["LogFile"],
                         "s3://lake/logs/{}/steps/{}/stderr.gz".format(cluster_id, first))
        self.assertEqual(gzip.decompress(self.lake_object(details["LogFile"][len("s3://lake/"):])),
                         b"bad row 17\n")
        self.assertEqual(self.ok("steps", "logs", cluster_id, first, "--log", "stderr"),
                         "bad row 17\n")
        cancelled = self.step(cluster_id, second)
        self.assertEqual(cancelled["Status"]["State"], "CANCELLED")
        self.assertNotIn("StartDateTime", cancelled["Status"]["Timeline"])
        self.assert_ended(cluster_id, "TERMINATED_WITH_ERRORS", "STEP_FAILURE",
                          "Shut down as step failed")
        self.assertEqual(self.emr_events(), [
            ("cluster", "STARTING"),
            ("step", "fails", "PENDING"),
            ("step", "after", "PENDING"),
            ("cluster", "BOOTSTRAPPING"),
            ("cluster", "RUNNING"),
            ("step", "fails", "RUNNING"),
            ("step", "fails", "FAILED"),
            ("cluster", "TERMINATING"),
            ("step", "after", "CANCELLED"),
            ("cluster", "TERMINATED_WITH_ERRORS"),
        ])
        # Newest first, and filtered by state.
        self.assertEqual([s["Id"] for s in self.steps(cluster_id)], [second, first])
        self.assertEqual([s["Id"] for s in self.steps(cluster_id, "--state", "FAILED")], [first])
        self.assertEqual(self.steps(cluster_id, "--state", "COMPLETED"), [])

    def test_termination_protection_and_terminate_cluster(self):
        # Protection holds a cluster that keeps alive: the failure cancels the rest and it waits.
        self.put_template(template("guarded", keep_alive=True, protected=True))
        guarded = self.create_cluster("guarded")
        first, second = self.add_steps(guarded, [
            {"Name": "fails", "ActionOnFailure": "TERMINATE_CLUSTER", "Command": ["false"]},
            {"Name": "after", "Command": ["true"]}])
        engine = self.start_serve()
        self.wait_for_step(guarded, second, "CANCELLED")
        self.wait_for_cluster(guarded, "WAITING")
        self.assertEqual(self.step_state(guarded, first), "FAILED")
        self.fails("ValidationException", "clusters", "terminate", guarded)
        os.killpg(engine.pid, signal.SIGINT)
        self.assertEqual(self.wait_for_exit(engine), 0, self.serve_output(engine))
        self.assertEqual(self.state(guarded), "WAITING")

        # A cluster that auto-terminates ends anyway (EMR's newer rule).
        self.put_template(template("oneshot", protected=True))
        oneshot = self.create_cluster("oneshot")
        first, second = self.add_steps(oneshot, [
            {"Name": "fails", "ActionOnFailure": "TERMINATE_CLUSTER", "Command": ["false"]},
            {"Name": "after", "Command": ["true"]}])
        engine = self.start_serve("--until-idle")
        self.wait_for_cluster(oneshot, "TERMINATED_WITH_ERRORS")
        self.assert_ended(oneshot, "TERMINATED_WITH_ERRORS", "STEP_FAILURE")
        self.assertEqual(self.step_state(oneshot, second), "CANCELLED")
        self.assertEqual(self.state(guarded), "WAITING")
        os.killpg(engine.pid, signal.SIGINT)  # the guarded cluster keeps it from being idle
        self.assertEqual(self.wait_for_exit(engine), 0, self.serve_output(engine))

    def test_continue_runs_the_next_step(self):
        self.put_template(template("etl"))
        cluster_id = self.create_cluster("etl")
        first, second = self.add_steps(cluster_id, [
            {"Name": "fails", "Command": ["sh", "-c", "exit 7"]},
            {"Name": "after", "Command": ["sh", "-c", "echo ran"]}])
        self.serve_until_idle()
        self.assertEqual(self.step(cluster_id, first)["ActionOnFailure"], "CONTINUE")
        self.assertEqual(self.step(cluster_id, first)["ExitCode"], 7)
        self.assertEqual(self.step_state(cluster_id, first), "FAILED")
        self.assertEqual(self.step_state(cluster_id, second), "COMPLETED")
        self.assertEqual(self.ok("steps", "logs", cluster_id, second), "ran\n")
        self.assert_ended(cluster_id, "TERMINATED", "ALL_STEPS_COMPLETED")

    def test_cancel_and_wait_keeps_a_keep_alive_cluster_waiting(self):
        self.put_template(template("warm", keep_alive=True))
        cluster_id = self.create_cluster("warm")
        first, second, third = self.add_steps(cluster_id, [
            {"Name": "fails", "ActionOnFailure": "CANCEL_AND_WAIT",
             "Command": ["sh", "-c", "exit 2"]},
            {"Name": "second", "Command": ["sh", "-c", "echo ran > second"]},
            {"Name": "third", "Command": ["sh", "-c", "echo ran > third"]}])
        engine = self.start_serve()
        self.wait_for_step(cluster_id, third, "CANCELLED")
        self.wait_for_cluster(cluster_id, "WAITING")
        self.assertEqual(self.step_state(cluster_id, first), "FAILED")
        self.assertEqual(self.step_state(cluster_id, second), "CANCELLED")
        self.assertFalse(os.path.exists(os.path.join(self.master_folder(cluster_id), "second")))
        self.assertEqual(self.cluster(cluster_id)["Status"]["StateChangeReason"], {})
        self.assertEqual([c["Id"] for c in self.clusters("--active")], [cluster_id])
        events = self.emr_events()
        self.assertEqual(events[-4], ("step", "fails", "FAILED"))
        self.assertEqual(sorted(events[-3:-1]), [("step", "second", "CANCELLED"),
                                                 ("step", "third", "CANCELLED")])
        self.assertEqual(events[-1], ("cluster", "WAITING"))
        os.killpg(engine.pid, signal.SIGINT)
        self.assertEqual(self.wait_for_exit(engine), 0, self.serve_output(engine))

        # A waiting cluster stays up until it is told to end.
        self.assertEqual(self.state(cluster_id), "WAITING")
        self.assertEqual(self.ok("clusters", "terminate", cluster_id),
                         "terminating: {}\n".format(cluster_id))
        self.assertEqual(self.state(cluster_id), "TERMINATING")
        self.serve_until_idle()
        self.assert_ended(cluster_id, "TERMINATED", "USER_REQUEST", "Terminated by user request")
        # Terminating an ended cluster changes nothing.
        self.assertEqual(self.ok("clusters", "terminate", cluster_id),
                         "terminating: {}\n".format(cluster_id))
        self.assert_ended(cluster_id, "TERMINATED", "USER_REQUEST")
        # Nor can it take steps any more.
        line = self.fails("ValidationException", "steps", "add", cluster_id, "--name", "late",
                          "--", "true")
        self.assertIn("TERMINATED", line)

    def test_a_program_that_does_not_exist_fails_its_step(self):
        self.put_template(template("etl"))
        cluster_id = self.create_cluster("etl")
        ghost = self.add_step(cluster_id, "ghost", ["no-such-program-3f9a", "--flag"])
        after = self.add_step(cluster_id, "after", ["true"])
        self.serve_until_idle()
        step = self.step(cluster_id, ghost)
        self.assertEqual(step["Status"]["State"], "FAILED")
        self.assertIn("no-such-program-3f9a", step["Status"]["FailureDetails"]["Message"])
        self.assertEqual(self.step_state(cluster_id, after), "COMPLETED")  # CONTINUE
        self.assertIn("no-such-program-3f9a",
                      self.ok("steps", "logs", cluster_id, ghost, "--log", "controller"))
        self.assert_ended(cluster_id, "TERMINATED", "ALL_STEPS_COMPLETED")

    def test_a_program_that_does_not_exist_with_terminate_cluster(self):
        self.put_template(template("etl"))
        cluster_id = self.create_cluster("etl")
        ghost = self.add_step(cluster_id, "ghost", ["/nonexistent/bin/tool"], "TERMINATE_CLUSTER")
        after = self.add_step(cluster_id, "after", ["true"])
        self.serve_until_idle()
        step = self.step(cluster_id, ghost)
        self.assertEqual(step["Status"]["State"], "FAILED")
        self.assertIn("/nonexistent/bin/tool", step["Status"]["FailureDetails"]["Message"])
        self.assertEqual(self.step_state(cluster_id, after), "CANCELLED")
        self.assert_ended(cluster_id, "TERMINATED_WITH_ERRORS", "STEP_FAILURE")


# --- manual control ------------------------------------------------------------------------------

class ManualControlTest(SluiceCase):

    def test_create_add_steps_and_read_them_back(self):
        self.put_template(template("adhoc", cores=1, Tags=[{"Key": "team", "Value": "data"}]))
        cluster_id = self.create_cluster("adhoc", "run=42", "team=ops")
        cluster = self.cluster(cluster_id)
        self.assertEqual(cluster["Status"]["State"], "STARTING")
        self.assertEqual(cluster["Status"]["StateChangeReason"], {})
        self.assertEqual(cluster["Tags"], [{"Key": "run", "Value": "42"},
                                           {"Key": "team", "Value": "ops"}])
        other = json.loads(self.ok("clusters", "create", "--template", "adhoc", "--json"))
        self.assertEqual(set(other), {"ClusterId"})
        self.assertRegex(other["ClusterId"], CLUSTER_ID)
        first = self.add_step(cluster_id, "greet",
                              ["sh", "-c", "echo \"hello from $SLUICE_NODE_ID in $(basename "
                                           "\"$PWD\") as $SLUICE_STEP_ID\""])
        second = self.add_step(cluster_id, "count", ["sh", "-c", "echo 1; echo 2; echo oops >&2"])
        listed = self.steps(cluster_id)
        self.assertEqual([s["Id"] for s in listed], [second, first])
        self.assertEqual([s["Status"]["State"] for s in listed], ["PENDING", "PENDING"])
        table = self.ok("steps", "ls", cluster_id)
        self.assertRegex(table, r"(?m)^{} +greet +PENDING +CONTINUE ".format(first))

        # A cluster that does not keep alive waits for its first step: this one is ended by hand.
        self.assertEqual(self.ok("clusters", "terminate", other["ClusterId"]),
                         "terminating: {}\n".format(other["ClusterId"]))
        self.serve_until_idle()
        self.assert_ended(other["ClusterId"], "TERMINATED", "USER_REQUEST")
        self.assertEqual(self.ok("steps", "logs", cluster_id, first),
                         "hello from master-1 in master-1 as {}\n".format(first))
        self.assertEqual(self.ok("steps", "logs", cluster_id, second), "1\n2\n")
        self.assertEqual(self.ok("steps", "logs", cluster_id, second, "--log", "stderr"),
                         "oops\n")
        for step_id in (first, second):
            step = self.step(cluster_id, step_id)
            self.assertEqual(step["Status"]["State"], "COMPLETED")
            for field in ("CreationDateTime", "StartDateTime", "EndDateTime"):
                self.assertRegex(step["Status"]["Timeline"][field], ISO_MILLIS)
        self.assert_ended(cluster_id, "TERMINATED", "ALL_STEPS_COMPLETED")
        table = self.ok("clusters", "ls")
        self.assertRegex(table, r"(?m)^{} +adhoc +TERMINATED +\S+ +ALL_STEPS_COMPLETED$"
                         .format(cluster_id))
        self.assertEqual(len(self.clusters("--limit", "1")), 1)

    def test_steps_added_while_waiting_run_in_order(self):
        self.put_template(template("warm", keep_alive=True))
        cluster_id = self.create_cluster("warm")
        engine = self.start_serve()
        self.wait_for_cluster(cluster_id, "WAITING")
        one = self.add_step(cluster_id, "one", ["sh", "-c", "echo one >> order"])
        two = self.add_step(cluster_id, "two", ["sh", "-c", "echo two >> order; cat order"])
        self.wait_for_step(cluster_id, two, "COMPLETED")
        self.assertEqual(self.step_state(cluster_id, one), "COMPLETED")
        self.assertEqual(self.ok("steps", "logs", cluster_id, two), "one\ntwo\n")
        self.wait_for_cluster(cluster_id, "WAITING")
        self.assertEqual(self.ok("clusters", "terminate", cluster_id),
                         "terminating: {}\n".format(cluster_id))
        self.wait_for_cluster(cluster_id, "TERMINATED")
        engine.send_signal(signal.SIGTERM)
        self.assertEqual(self.wait_for_exit(engine), 0, self.serve_output(engine))
        self.assert_ended(cluster_id, "TERMINATED", "USER_REQUEST")

    def test_concurrency_above_one_allows_only_continue(self):
        self.put_template(template("wide", concurrency=2))
        cluster_id = self.create_cluster("wide")
        for action in ("TERMINATE_CLUSTER", "CANCEL_AND_WAIT", "TERMINATE_JOB_FLOW"):
            with self.subTest(action=action):
                line = self.fails("ValidationException", "steps", "add", cluster_id, "--name",
                                  "s", "--action-on-failure", action, "--", "true")
                self.assertIn("ActionOnFailure setting is not valid", line)
        self.assertEqual(self.steps(cluster_id), [])
        # Nothing of a refused batch is added.
        line = self.fails("ValidationException", "steps", "add", cluster_id, "--steps", dumps([
            {"Name": "ok", "Command": ["true"]},
            {"Name": "bad", "ActionOnFailure": "TERMINATE_CLUSTER", "Command": ["true"]}]))
        self.assertIn("ActionOnFailure setting is not valid", line)
        self.assertEqual(self.steps(cluster_id), [])
        # CONTINUE steps run two at a time: each waits until it sees the other running.
        a = self.add_step(cluster_id, "a", ["sh", "-c", "touch a; while [ ! -e b ]; do sleep 0.05; "
                                                        "done; echo a saw b"])
        b = self.add_step(cluster_id, "b", ["sh", "-c", "touch b; while [ ! -e a ]; do sleep 0.05; "
                                                        "done; echo b saw a"])
        self.serve_until_idle()
        self.assertEqual(self.ok("steps", "logs", cluster_id, a), "a saw b\n")
        self.assertEqual(self.ok("steps", "logs", cluster_id, b), "b saw a\n")
        self.assert_ended(cluster_id, "TERMINATED", "ALL_STEPS_COMPLETED")

    def test_protected_cluster_refuses_terminate(self):
        self.put_template(template("guarded", keep_alive=True, protected=True))
        cluster_id = self.create_cluster("guarded")
        line = self.fails("ValidationException", "clusters", "terminate", cluster_id)
        self.assertIn("termination protected", line)
        self.assertIn(cluster_id, line)
        self.assertEqual(self.state(cluster_id), "STARTING")
        self.assertIs(self.cluster(cluster_id)["TerminationProtected"], True)
        # With another cluster in the same call, nothing is terminated.
        self.put_template(template("plain", keep_alive=True))
        plain = self.create_cluster("plain")
        self.fails("ValidationException", "clusters", "terminate", plain, cluster_id)
        self.assertEqual(self.state(plain), "STARTING")
        self.assertEqual(self.ok("clusters", "terminate", plain), "terminating: {}\n".format(plain))
        self.assertEqual(self.state(plain), "TERMINATING")

    def test_cancel_a_running_step_kills_its_process_group(self):
        self.put_template(template("etl"))
        cluster_id = self.create_cluster("etl")
        long_step = self.add_step(cluster_id, "long", LONG_STEP, "TERMINATE_CLUSTER")
        after = self.add_step(cluster_id, "after", ["sh", "-c", "echo after"])
        engine = self.start_serve("--until-idle")
        self.wait_for_step(cluster_id, long_step, "RUNNING")
        child = self.child_pid(cluster_id)
        self.assertTrue(process_alive(child))
        self.assertEqual(self.step_state(cluster_id, after), "PENDING")

        out = json.loads(self.ok("steps", "cancel", cluster_id, long_step, "--json"))
        self.assertEqual(out, {"CancelStepsInfoList": [
            {"StepId": long_step, "Status": "SUBMITTED", "Reason": ""}]})
        self.wait_for_step(cluster_id, long_step, "CANCELLED")
        self.wait_until(lambda: not process_alive(child), "the step's child to be killed")
        # Cancelling never fires ActionOnFailure: the next step runs and the cluster ends well.
        self.assertEqual(self.wait_for_exit(engine), 0, self.serve_output(engine))
        self.assertEqual(self.step_state(cluster_id, after), "COMPLETED")
        self.assert_ended(cluster_id, "TERMINATED", "ALL_STEPS_COMPLETED")
        self.assertNotIn("FailureDetails", self.step(cluster_id, long_step)["Status"])
        states = [e for e in self.emr_events() if e[:2] == ("step", "long")]
        self.assertEqual(states, [("step", "long", s) for s in
                                  ("PENDING", "RUNNING", "CANCEL_PENDING", "CANCELLED")])
        # A finished step cannot be cancelled: FAILED for it, exit 1.
        process = self.run_sluice("steps", "cancel", cluster_id, long_step)
        self.assertEqual(process.returncode, 1, self.describe(process))
        self.assertRegex(process.stdout.decode(),
                         r"^{} FAILED: step {} is CANCELLED and cannot be cancelled\n$"
                         .format(long_step, long_step))

    def test_force_cancel_kills_a_step_that_ignores_sigterm(self):
        self.put_template(template("warm", keep_alive=True))
        cluster_id = self.create_cluster("warm")
        stubborn = self.add_step(cluster_id, "stubborn",
                                 ["sh", "-c", "trap '' TERM; " + LONG_STEP[2]])
        engine = self.start_serve()
        self.wait_for_step(cluster_id, stubborn, "RUNNING")
        child = self.child_pid(cluster_id)
        self.assertEqual(self.ok("steps", "cancel", cluster_id, stubborn, "--force"),
                         "{} SUBMITTED\n".format(stubborn))
        self.wait_for_step(cluster_id, stubborn, "CANCELLED")
        self.assertFalse(process_alive(child))
        self.assertEqual(self.step(cluster_id, stubborn)["ExitCode"], signal.SIGKILL)
        self.wait_for_cluster(cluster_id, "WAITING")
        os.killpg(engine.pid, signal.SIGINT)
        self.assertEqual(self.wait_for_exit(engine), 0, self.serve_output(engine))

    def test_terminate_stops_the_running_step_and_cancels_the_rest(self):
        self.put_template(template("warm", keep_alive=True))
        cluster_id = self.create_cluster("warm")
        long_step = self.add_step(cluster_id, "long", LONG_STEP, "TERMINATE_CLUSTER")
        after = self.add_step(cluster_id, "after", ["true"])
        line = self.fails(None, "steps", "logs", cluster_id, after)
        self.assertIn("no stdout log yet", line)
        engine = self.start_serve("--until-idle")
        self.wait_for_step(cluster_id, long_step, "RUNNING")
        child = self.child_pid(cluster_id)
        self.assertEqual(self.ok("clusters", "terminate", cluster_id),
                         "terminating: {}\n".format(cluster_id))
        self.assertEqual(self.wait_for_exit(engine), 0, self.serve_output(engine))
        self.assertFalse(process_alive(child))
        self.assertEqual(self.step_state(cluster_id, long_step), "CANCELLED")
        self.assertEqual(self.step_state(cluster_id, after), "CANCELLED")
        # A step stopped by its cluster's end is not a failure: no STEP_FAILURE.
        self.assert_ended(cluster_id, "TERMINATED", "USER_REQUEST", "Terminated by user request")
        self.assertFalse(os.path.exists(self.master_folder(cluster_id)))

    def test_cancel_a_pending_step(self):
        self.put_template(template("etl"))
        cluster_id = self.create_cluster("etl")
        first = self.add_step(cluster_id, "first", ["sh", "-c", "echo first"])
        second = self.add_step(cluster_id, "second", ["sh", "-c", "echo second"])
        process = self.run_sluice("steps", "cancel", cluster_id, second, "s-0000000000000")
        self.assertEqual(process.returncode, 1, self.describe(process))
        self.assertEqual(process.stdout.decode(),
                         "{} SUBMITTED\ns-0000000000000 FAILED: step s-0000000000000 is not in "
                         "cluster {}\n".format(second, cluster_id))
        self.assertEqual(self.step_state(cluster_id, second), "CANCELLED")
        self.serve_until_idle()
        self.assertEqual(self.step_state(cluster_id, first), "COMPLETED")
        self.assertEqual(self.step_state(cluster_id, second), "CANCELLED")
        self.assert_ended(cluster_id, "TERMINATED", "ALL_STEPS_COMPLETED")

    def test_usage_errors_exit_2(self):
        self.put_template(template("etl"))
        cluster_id = self.create_cluster("etl")
        step_id = self.add_step(cluster_id, "s", ["true"])
        cases = [
            ["clusters"],
            ["clusters", "ls", "--state", "BOGUS"],
            ["clusters", "ls", "--state", "terminated"],
            ["clusters", "create"],
            ["clusters", "create", "--template", "etl", "--tag", "novalue"],
            ["clusters", "create", "--template", "etl", "--tag", "=v"],
            ["clusters", "describe"],
            ["clusters", "terminate"],
            ["clusters", "templates"],
            ["clusters", "templates", "put"],
            ["clusters", "templates", "describe"],
            ["steps"],
            ["steps", "ls"],
            ["steps", "ls", cluster_id, "--state", "DONE"],
            ["steps", "add", cluster_id],
            ["steps", "add", cluster_id, "--name", "n"],
            ["steps", "add", cluster_id, "--", "true"],
            ["steps", "add", cluster_id, "--steps", "[]", "--name", "n", "--", "true"],
            ["steps", "describe", cluster_id],
            ["steps", "cancel", cluster_id],
            ["steps", "logs", cluster_id],
            ["steps", "logs", cluster_id, step_id, "--log", "syslog"],
            ["cost", "--by", "week"],
        ]
        for args in cases:
            with self.subTest(args=args):
                self.usage_error(*args)
        # None of them changed anything.
        self.assertEqual(len(self.clusters()), 1)
        self.assertEqual([s["Id"] for s in self.steps(cluster_id)], [step_id])

    def test_bad_step_definitions_are_refused(self):
        self.put_template(template("etl"))
        cluster_id = self.create_cluster("etl")
        cases = [
            ({"Name": "s", "ActionOnFailure": "EXPLODE", "Command": ["true"]}, "ActionOnFailure"),
            ({"Name": "s", "Command": []}, "Args[0]"),
            ({"Name": "s"}, "HadoopJarStep"),
            ({"Name": "s", "HadoopJarStep": {"Jar": "s3://b/app.jar", "Args": []}},
             "s3://b/app.jar"),
            ({"Name": "s", "Command": ["true"], "Extra": 1}, "Extra"),
            ({"Command": ["true"]}, "Name"),
        ]
        for step, named in cases:
            with self.subTest(step=step):
                line = self.fails("ValidationException", "steps", "add", cluster_id, "--steps",
                                  dumps([step]))
                self.assertIn(named, line)
        self.fails("ValidationException", "steps", "add", cluster_id, "--name", "s",
                   "--action-on-failure", "NOPE", "--", "true")
        self.assertEqual(self.steps(cluster_id), [])

    def test_unknown_cluster_or_step(self):
        self.put_template(template("etl"))
        cluster_id = self.create_cluster("etl")
        step_id = self.add_step(cluster_id, "s", ["true"])
        other = self.create_cluster("etl")
        missing = "j-0000000000000"
        cases = [
            ["clusters", "describe", missing],
            ["clusters", "terminate", missing],
            ["clusters", "create", "--template", "nope"],
            ["clusters", "templates", "describe", "nope"],
            ["steps", "ls", missing],
            ["steps", "add", missing, "--name", "s", "--", "true"],
            ["steps", "describe", missing, step_id],
            ["steps", "describe", cluster_id, "s-0000000000000"],
            ["steps", "describe", other, step_id],  # a step of another cluster
            ["steps", "logs", cluster_id, "s-0000000000000"],
            ["steps", "cancel", missing, step_id],
        ]
        for args in cases:
            with self.subTest(args=args):
                self.fails("ResourceNotFoundException", *args)
        self.assertEqual(self.step_state(cluster_id, step_id), "PENDING")


# --- crash recovery ------------------------------------------------------------------------------

class RecoveryTest(SluiceCase):

    def test_restart_after_kill_9_interrupts_the_step_and_applies_its_action(self):
        self.put_template(template("warm", keep_alive=True))
        cluster_id = self.create_cluster("warm")
        long_step = self.add_step(cluster_id, "long", LONG_STEP, "TERMINATE_CLUSTER")
        engine = self.start_serve()
        self.wait_for_step(cluster_id, long_step, "RUNNING")
        child = self.child_pid(cluster_id)
        self.assertEqual(self.state(cluster_id), "RUNNING")

        os.killpg(engine.pid, signal.SIGKILL)
        self.assertEqual(self.wait_for_exit(engine), -signal.SIGKILL)
        # The step's processes live on (they are in their own session), and its record too.
        self.assertTrue(process_alive(child))
        self.assertEqual(self.step_state(cluster_id, long_step), "RUNNING")

        output = self.serve_until_idle()
        self.assertIn("1 running steps marked INTERRUPTED", output)
        self.assertFalse(process_alive(child))
        step = self.step(cluster_id, long_step)
        self.assertEqual(step["Status"]["State"], "INTERRUPTED")
        details = step["Status"]["FailureDetails"]
        self.assertEqual(details["Reason"], "Unknown Error")
        self.assertIn("engine stopped", details["Message"])
        self.assert_ended(cluster_id, "TERMINATED_WITH_ERRORS", "STEP_FAILURE")
        self.assertEqual(self.emr_events()[-4:], [
            ("step", "long", "RUNNING"),
            ("step", "long", "INTERRUPTED"),
            ("cluster", "TERMINATING"),
            ("cluster", "TERMINATED_WITH_ERRORS"),
        ])

    def test_restart_finds_the_leftovers_whatever_the_data_dir_is_called(self):
        """The first engine gets the data dir through a symlink and with a trailing slash; the
        second by its plain path. Found as a bug: the marker the engines put on their processes
        was the path as given (made absolute), so the second engine found nothing to reap, marked
        the step INTERRUPTED and left its processes running for good."""
        self.put_template(template("warm", keep_alive=True))
        cluster_id = self.create_cluster("warm")
        long_step = self.add_step(cluster_id, "long", LONG_STEP, "TERMINATE_CLUSTER")
        link = os.path.join(self.root, "link")
        os.symlink(self.data_dir, link)
        engine = self.start_serve(data_dir=link + "/")
        self.wait_for_step(cluster_id, long_step, "RUNNING")
        child = self.child_pid(cluster_id)
        os.killpg(engine.pid, signal.SIGKILL)
        self.wait_for_exit(engine)
        self.assertTrue(process_alive(child))

        output = self.serve_until_idle()
        self.assertIn("1 running steps marked INTERRUPTED", output)
        self.assertNotIn("recovered: 0 leftover processes", output)
        self.assertFalse(process_alive(child))
        self.assertEqual(self.step_state(cluster_id, long_step), "INTERRUPTED")
        self.assert_ended(cluster_id, "TERMINATED_WITH_ERRORS", "STEP_FAILURE")

    def test_restart_after_kill_9_with_continue_keeps_a_keep_alive_cluster(self):
        self.put_template(template("warm", keep_alive=True))
        cluster_id = self.create_cluster("warm")
        long_step = self.add_step(cluster_id, "long", LONG_STEP)
        after = self.add_step(cluster_id, "after", ["sh", "-c", "echo after"])
        engine = self.start_serve()
        self.wait_for_step(cluster_id, long_step, "RUNNING")
        child = self.child_pid(cluster_id)
        os.killpg(engine.pid, signal.SIGKILL)
        self.wait_for_exit(engine)
        self.assertTrue(process_alive(child))

        engine = self.start_serve()
        self.wait_for_step(cluster_id, after, "COMPLETED")
        self.wait_for_cluster(cluster_id, "WAITING")
        self.assertFalse(process_alive(child))
        self.assertEqual(self.step_state(cluster_id, long_step), "INTERRUPTED")
        self.assertEqual(self.ok("steps", "logs", cluster_id, after), "after\n")
        self.assertEqual(self.ok("clusters", "terminate", cluster_id),
                         "terminating: {}\n".format(cluster_id))
        self.wait_for_cluster(cluster_id, "TERMINATED")
        os.killpg(engine.pid, signal.SIGINT)
        self.assertEqual(self.wait_for_exit(engine), 0, self.serve_output(engine))

    def test_restart_while_bootstrapping_runs_the_bootstrap_again(self):
        self.restart_while_bootstrapping(signal.SIGKILL)

    def test_sigint_while_bootstrapping_leaves_the_bootstrap_to_the_next_engine(self):
        self.restart_while_bootstrapping(signal.SIGINT)

    def restart_while_bootstrapping(self, stop_signal):
        self.make_lake()
        self.upload("bootstrap/slow.sh",
                    "#!/bin/sh\n"
                    "if [ -e ran-once ]; then echo \"second run on $SLUICE_NODE_ID\"; exit 0; fi\n"
                    "touch ran-once\n"
                    "sleep 300 &\n"
                    "echo $! > boot.pid\n"
                    "wait\n", 0o755)
        self.put_template(template("slow", bootstrap="s3://lake/bootstrap/slow.sh"))
        cluster_id = self.create_cluster("slow")
        step_id = self.add_step(cluster_id, "after", ["sh", "-c", "echo done"])
        engine = self.start_serve()
        pid_file = os.path.join(self.master_folder(cluster_id), "boot.pid")
        self.wait_until(lambda: os.path.exists(pid_file) and
                        self.read(pid_file).endswith(b"\n"), "the bootstrap action to start")
        child = int(self.read(pid_file))
        self.addCleanup(self.kill_quietly, child)
        self.assertEqual(self.state(cluster_id), "BOOTSTRAPPING")
        os.killpg(engine.pid, stop_signal)
        self.wait_for_exit(engine)
        if stop_signal == signal.SIGKILL:
            self.assertTrue(process_alive(child))
            output = self.serve_until_idle()
            self.assertIn("leftover processes stopped", output)
        else:
            # A stopped engine stops what it ran; the cluster is left for the next one to bring
            # up, not failed for an interruption that was not its own.
            self.assertEqual(engine.returncode, 0, self.serve_output(engine))
            self.assertFalse(process_alive(child))
            self.assertEqual(self.state(cluster_id), "BOOTSTRAPPING")
            self.serve_until_idle()
        self.assertFalse(process_alive(child))
        self.assertEqual(self.step_state(cluster_id, step_id), "COMPLETED")
        self.assert_ended(cluster_id, "TERMINATED", "ALL_STEPS_COMPLETED")
        self.assertEqual(self.emr_events().count(("cluster", "BOOTSTRAPPING")), 1)
        log = os.path.join(self.data_dir, "clusters", cluster_id, "node", "master-1",
                           "bootstrap-actions", "1", "stdout")
        self.assertEqual(self.read(log), b"second run on master-1\n")

    def test_sigint_stops_a_running_step_as_interrupted(self):
        self.put_template(template("etl"))
        cluster_id = self.create_cluster("etl")
        long_step = self.add_step(cluster_id, "long", LONG_STEP)
        engine = self.start_serve()
        self.wait_for_step(cluster_id, long_step, "RUNNING")
        child = self.child_pid(cluster_id)

        os.killpg(engine.pid, signal.SIGINT)  # what Ctrl-C in its terminal sends
        self.assertEqual(self.wait_for_exit(engine), 0, self.serve_output(engine))
        self.assertIn("stopped 1 running steps (INTERRUPTED)", self.serve_output(engine))
        self.assertFalse(process_alive(child))
        step = self.step(cluster_id, long_step)
        self.assertEqual(step["Status"]["State"], "INTERRUPTED")
        self.assertIn("shut down", step["Status"]["FailureDetails"]["Message"])
        self.assertRegex(step["Status"]["Timeline"]["EndDateTime"], ISO_MILLIS)
        self.assertEqual(self.emr_events()[-1], ("step", "long", "INTERRUPTED"))

        # The next engine ends the cluster: it has no step left and does not keep alive.
        self.serve_until_idle()
        self.assert_ended(cluster_id, "TERMINATED", "ALL_STEPS_COMPLETED")
        self.assertEqual(self.step_state(cluster_id, long_step), "INTERRUPTED")

    def test_one_engine_per_data_dir(self):
        self.put_template(template("warm", keep_alive=True))
        cluster_id = self.create_cluster("warm")
        engine = self.start_serve()
        self.wait_for_cluster(cluster_id, "WAITING")
        line = self.fails(None, "serve", "--until-idle")
        self.assertIn("another sluice engine is running", line)
        os.killpg(engine.pid, signal.SIGTERM)
        self.assertEqual(self.wait_for_exit(engine), 0, self.serve_output(engine))


# --- templates and cluster targets ---------------------------------------------------------------

class TemplateTest(SluiceCase):

    def test_put_ls_describe_rm(self):
        spec = template("orders", cores=2, keep_alive=True, bootstrap="s3://lake/setup.sh",
                        log_uri="s3://lake/logs/", applications=["Spark", "Hadoop"],
                        concurrency=3, AutoTerminationPolicy={"IdleTimeout": 600},
                        Tags=[{"Key": "team", "Value": "data"}])
        self.put_template(spec)
        described = json.loads(self.ok("clusters", "templates", "describe", "orders"))
        self.assertEqual(described["Name"], "orders")
        self.assertEqual(described["Provider"], "local")
        self.assertEqual(described["Applications"], [{"Name": "Spark"}, {"Name": "Hadoop"}])
        self.assertEqual([(g["InstanceRole"], g["InstanceCount"])
                          for g in described["Instances"]["InstanceGroups"]],
                         [("MASTER", 1), ("CORE", 2)])
        self.assertIs(described["Instances"]["KeepJobFlowAliveWhenNoSteps"], True)
        self.assertEqual(described["StepConcurrencyLevel"], 3)
        self.assertEqual(described["AutoTerminationPolicy"], {"IdleTimeout": 600})
        self.assertEqual(described["LogUri"], "s3://lake/logs/")
        self.assertEqual(described["Tags"], [{"Key": "team", "Value": "data"}])
        # What describe prints can be put back as it is.
        self.assertEqual(self.ok("clusters", "templates", "put", "--file", dumps(described)),
                         "orders\n")
        self.assertEqual(json.loads(self.ok("clusters", "templates", "describe", "orders")),
                         described)
        # RunJobFlow's shorthand for the instances.
        self.put_template({"Name": "small", "Instances": {
            "MasterInstanceType": "m5.large", "SlaveInstanceType": "m5.xlarge",
            "InstanceCount": 3}})
        listing = json.loads(self.ok("clusters", "templates", "ls", "--json"))
        self.assertEqual([t["Name"] for t in listing["Templates"]], ["orders", "small"])
        table = self.ok("clusters", "templates", "ls")
        self.assertRegex(table, r"(?m)^orders +3 +emr-7.5.0 +yes +Spark,Hadoop$")
        self.assertRegex(table, r"(?m)^small +3 +no *$")
        self.assertEqual(self.ok("clusters", "templates", "rm", "small"), "deleted: small\n")
        self.fails("ResourceNotFoundException", "clusters", "templates", "describe", "small")
        self.fails("ResourceNotFoundException", "clusters", "templates", "rm", "small")
        self.assertEqual([t["Name"] for t in json.loads(
            self.ok("clusters", "templates", "ls", "--json"))["Templates"]], ["orders"])

    def test_validation_errors_name_the_field(self):
        master = {"InstanceRole": "MASTER", "InstanceType": "m5.xlarge", "InstanceCount": 1}
        core = {"InstanceRole": "CORE", "InstanceType": "m5.xlarge", "InstanceCount": 2}

        def spec(**fields):
            out = {"Name": "t", "Instances": {"InstanceGroups": [master]}}
            out.update(fields)
            return out
        cases = [
            (spec(Instances={"InstanceGroups": [core]}), "MASTER"),
            (spec(Instances={"InstanceGroups": [master, master]}), "MASTER"),
            (spec(Instances={"InstanceGroups": [dict(master, InstanceCount=2)]}), "MASTER"),
            (spec(StepConcurrencyLevel=0), "StepConcurrencyLevel"),
            (spec(StepConcurrencyLevel=257), "StepConcurrencyLevel"),
            (spec(AutoTerminationPolicy={"IdleTimeout": 30}), "IdleTimeout"),
            (spec(AutoTerminationPolicy={"IdleTimeout": 604801}), "IdleTimeout"),
            (spec(Bogus=1), "Bogus"),
            (spec(Instances={"InstanceGroups": [dict(master, Colour="red")]}), "Colour"),
            (spec(Instances={"InstanceGroups": [master], "Shape": 1}), "Shape"),
            (spec(Instances={"InstanceGroups": [dict(master, InstanceRole="BOSS")]}),
             "InstanceRole"),
            (spec(Instances={"InstanceGroups": [dict(master, Market="CHEAP")]}), "Market"),
            (spec(LogUri="/var/log"), "LogUri"),
            (spec(BootstrapActions=[{"Name": "b", "ScriptBootstrapAction":
                                     {"Path": "/local/setup.sh"}}]), "Path"),
            (spec(Provider="emr"), "Provider"),
            (spec(MaximumLifetimeSeconds=10), "MaximumLifetimeSeconds"),
            (spec(StepConcurrencyLevel="two"), "StepConcurrencyLevel"),
            ({"Name": "t"}, "Instances"),
            ({"Instances": {"InstanceGroups": [master]}}, "Name"),
        ]
        for body, field in cases:
            with self.subTest(field=field, body=body):
                path = self.write("bad.json", json.dumps(body))
                line = self.fails("ValidationException", "clusters", "templates", "put",
                                  "--file", "@" + path)
                self.assertIn(field, line)
                self.assertIn("bad.json", line)
        self.assertEqual(json.loads(self.ok("clusters", "templates", "ls", "--json")),
                         {"Templates": []})
        self.usage_error("clusters", "templates", "put", "--file", "{not json")
        self.fails(None, "clusters", "templates", "put", "--file",
                   "@" + os.path.join(self.work, "missing.json"))

    def test_create_cluster_target_naming_a_missing_template_is_refused(self):
        line = self.fails("ResourceNotFoundException", "rules", "put", "--name", "r",
                          "--pattern", dumps({"source": ["aws.s3"]}),
                          "--targets", dumps([{"Id": "c", "Action": "create_cluster",
                                               "Parameters": {"Template": "nope"}}]))
        self.assertIn("nope", line)
        self.assertEqual(json.loads(self.ok("rules", "ls", "--json"))["Rules"], [])

    def test_cluster_variables_are_refused_where_there_is_no_cluster(self):
        self.put_template(template("etl"))
        pattern = dumps({"source": ["aws.s3"]})
        cases = [
            {"Id": "c", "Action": "create_cluster",
             "Parameters": {"Template": "etl", "Tags": {"x": "${cluster.tags.x}"}}},
            {"Id": "c", "Action": "create_cluster",
             "Parameters": {"Template": "etl", "Steps": [
                 {"Name": "s", "Command": ["echo", "${cluster.id}"]}]}},
            {"Id": "s", "Action": "add_steps",
             "Parameters": {"ClusterId": "${cluster.id}", "Steps": [
                 {"Name": "s", "Command": ["true"]}]}},
            {"Id": "t", "Action": "terminate_cluster",
             "Parameters": {"ClusterId": "${cluster.id}"}},
        ]
        for target in cases:
            with self.subTest(target=target):
                line = self.fails("ValidationException", "rules", "put", "--name", "r",
                                  "--pattern", pattern, "--targets", dumps([target]))
                self.assertIn("${cluster.", line)
        for variable in ("${nope.x}", "${detail.a", "${}"):
            with self.subTest(variable=variable):
                line = self.fails("ValidationException", "rules", "put", "--name", "r",
                                  "--pattern", pattern, "--targets", dumps([
                                      {"Id": "s", "Action": "add_steps", "Parameters": {"Steps": [
                                          {"Name": "s", "Command": ["echo", variable]}]}}]))
                self.assertIn(variable, line)
        self.assertEqual(json.loads(self.ok("rules", "ls", "--json"))["Rules"], [])
        # A step may read the cluster and the event; a literal `$${` is not a variable.
        self.put_rule("r", {"source": ["aws.s3"]}, [
            {"Id": "s", "Action": "add_steps", "Parameters": {"Steps": [
                {"Name": "s", "Command": ["echo", "${cluster.tags.x}", "${detail.object.key}",
                                          "$${literal}"]}]}}])

    def test_an_unknown_variable_in_add_steps_dead_letters_its_delivery(self):
        self.put_template(template("etl"))
        self.put_rule("start", {"source": ["com.example.app"]},
                      [{"Id": "cluster", "Action": "create_cluster",
                        "Parameters": {"Template": "etl"}}])
        self.put_rule("on-waiting", WAITING_PATTERN, [
            {"Id": "steps", "Action": "add_steps", "Parameters": {"Steps": [
                {"Name": "s", "Command": ["echo", "${detail.nope}"]}]}},
            {"Id": "stop", "Action": "terminate_cluster", "Parameters": {}}])
        self.ok("events", "put", "--source", "com.example.app", "--detail-type", "Go",
                "--detail", "{}")
        self.serve_until_idle()

        clusters = self.clusters()
        self.assertEqual(len(clusters), 1, clusters)
        cluster_id = clusters[0]["Id"]
        self.assertEqual(self.steps(cluster_id), [])
        self.assert_ended(cluster_id, "TERMINATED", "USER_REQUEST")
        [letter] = self.dead_letters()
        self.assertEqual((letter["Rule"], letter["TargetId"]), ("on-waiting", "steps"))
        self.assertIn("${detail.nope}", letter["ErrorMessage"])
        self.assertEqual(letter["ErrorCode"], "INVALID_PARAMETER")
        # No retry can fix it: dead-lettered at once.
        self.assertEqual((letter["RetryAttempts"], letter["ExhaustedRetryCondition"]), (0, ""))
        self.assertEqual(letter["Input"]["detail"]["clusterId"], cluster_id)
        self.assertRegex(self.ok("dlq", "ls"), r"(?m)^\d+ +\S+ +on-waiting/steps +\S+ +0 +"
                         r"add_steps: \$\{detail\.nope\} ")

    def test_an_unknown_variable_in_create_cluster_dead_letters_its_delivery(self):
        self.put_template(template("etl"))
        self.put_rule("start", {"source": ["com.example.app"]},
                      [{"Id": "cluster", "Action": "create_cluster",
                        "Parameters": {"Template": "etl", "Tags": {"k": "${detail.missing.key}"}}}])
        self.ok("events", "put", "--source", "com.example.app", "--detail-type", "Go",
                "--detail", dumps({"missing": {}}))
        self.serve_until_idle()
        self.assertEqual(self.clusters(), [])
        [letter] = self.dead_letters()
        self.assertEqual((letter["Rule"], letter["TargetId"]), ("start", "cluster"))
        self.assertIn("${detail.missing.key}", letter["ErrorMessage"])
        self.assertEqual(letter["ErrorCode"], "INVALID_PARAMETER")
        self.assertEqual(letter["RetryAttempts"], 0)



if __name__ == "__main__":
    sluice_case.main("test_clusters_cli.py")
