"""Functions end to end, through a real `sluice serve`: AWS's own clients invoke them (the aws CLI
and boto3's lambda client, signed for "lambda" on the engine's endpoint), an S3 upload starts one
through a rule and it writes back to the lake with boto3, asynchronous failures are retried and
dead-lettered, and AWS's official Node runtime client (aws-lambda-ric, built by
install_aws_lambda_ric.sh) runs a handler against sluice's Runtime API.

    python3 tests/functions/test_functions.py --sluice /path/to/sluice
"""

import base64
import json
import os
import shutil
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir, "s3"))
import s3_server_case  # noqa: E402
from s3_server_case import S3ServerCase  # noqa: E402

import boto3  # noqa: E402
import botocore.config  # noqa: E402
import botocore.exceptions  # noqa: E402

WAIT_SECONDS = 60  # only a guard: asynchronous work is polled until done or this passes
RIC_CACHE = os.path.join(HERE, os.pardir, os.pardir, "third_party", "test", "aws-lambda-ric")

ECHO = '''import os
def handler(event, context):
    print("echo", event)
    return {"event": event, "function": context.function_name,
            "request": context.aws_request_id,
            "endpoint": os.environ.get("AWS_ENDPOINT_URL", "")}
def fail(event, context):
    raise ValueError("no good: " + str(event))
'''

# Reads the object an S3 event names and writes it back upper-cased under derived/.
DERIVE = '''import os, boto3
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
def handler(event, context):
    bucket = event["detail"]["bucket"]["name"]
    key = event["detail"]["object"]["key"]
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    target = "derived/" + key.split("/", 1)[1]
    s3.put_object(Bucket=bucket, Key=target, Body=body.upper())
    return {"wrote": target}
'''

NODE = '''exports.handler = async (event, context) => {
  if (event.fail) throw new TypeError("node says no");
  return {node: true, event, function: context.functionName};
};
'''


class FunctionsTest(S3ServerCase):
    TEMP_PREFIX = "sluice-functions-test-"

    @classmethod
    def setUpClass(cls):
        # The built-in python3 runtime runs the first python3 on the engine's PATH: make it this
        # interpreter, which has boto3.
        os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]
        super().setUpClass()
        cls.lambda_client = boto3.client(
            "lambda", endpoint_url=cls.endpoint, region_name=s3_server_case.REGION,
            config=botocore.config.Config(retries={"max_attempts": 1}))
        cls.s3 = boto3.client("s3", endpoint_url=cls.endpoint, region_name=s3_server_case.REGION)

    def code(self, files):
        folder = "code-{}".format(len(os.listdir(self.work)))
        return self.write_tree(folder, files)

    def put_function(self, name, runtime, handler, files, *options):
        self.run_sluice("functions", "put", name, "--runtime", runtime, "--handler", handler,
                        "--code", self.code(files), *options)

    def invocations(self, name):
        return json.loads(self.run_sluice("functions", "invocations", name,
                                          "--json"))["Invocations"]

    def wait_for(self, what, probe):
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            value = probe()
            if value:
                return value
            if time.monotonic() > deadline:
                self.fail("gave up waiting for " + what + self.server_diagnostics())
            time.sleep(0.1)

    # --- the aws CLI ----------------------------------------------------------------------------

    def test_aws_cli_invokes_with_its_log_tail_and_reports_function_errors(self):
        self.require_program("aws", "awscli")
        self.put_function("cli-echo", "python3", "app.handler", {"app.py": ECHO})
        out = os.path.join(self.work, "out.json")
        answer = json.loads(self.client_ok(
            ["aws", "--endpoint-url", self.endpoint, "lambda", "invoke", "--function-name",
             "cli-echo", "--payload", '{"n": 1}', "--log-type", "Tail", out]))
        self.assertEqual(answer["StatusCode"], 200)
        self.assertEqual(answer["ExecutedVersion"], "$LATEST")
        self.assertNotIn("FunctionError", answer)
        result = json.loads(self.read_file(out))
        self.assertEqual(result["event"], {"n": 1})
        self.assertEqual(result["function"], "cli-echo")
        self.assertEqual(result["endpoint"], self.endpoint)
        log = base64.b64decode(answer["LogResult"]).decode()
        self.assertIn("START RequestId: " + result["request"], log)
        self.assertIn("echo {'n': 1}", log)
        self.assertIn("REPORT RequestId: " + result["request"], log)

        self.put_function("cli-fail", "python3", "app.fail", {"app.py": ECHO})
        answer = json.loads(self.client_ok(
            ["aws", "--endpoint-url", self.endpoint, "lambda", "invoke", "--function-name",
             "arn:aws:lambda:us-east-1:000000000000:function:cli-fail", "--payload", '"x"', out]))
        self.assertEqual(answer["FunctionError"], "Unhandled")
        error = json.loads(self.read_file(out))
        self.assertEqual(error["errorType"], "ValueError")
        self.assertEqual(error["errorMessage"], "no good: x")

        missing = self.client_fails(["aws", "--endpoint-url", self.endpoint, "lambda", "invoke",
                                     "--function-name", "nope", out])
        self.assertIn("ResourceNotFoundException", missing)
        listed = json.loads(self.client_ok(["aws", "--endpoint-url", self.endpoint, "lambda",
                                            "list-functions"]))
        names = [f["FunctionName"] for f in listed["Functions"]]
        self.assertIn("cli-echo", names)
        self.assertIn("cli-fail", names)

    # --- boto3 ----------------------------------------------------------------------------------

    def test_boto3_invokes_synchronously_asynchronously_and_dry(self):
        self.put_function("b3-echo", "python3", "app.handler", {"app.py": ECHO})
        answer = self.lambda_client.invoke(FunctionName="b3-echo", Payload=b'{"k": "v"}')
        self.assertEqual(answer["StatusCode"], 200)
        self.assertEqual(json.loads(answer["Payload"].read())["event"], {"k": "v"})

        dry = self.lambda_client.invoke(FunctionName="b3-echo", InvocationType="DryRun")
        self.assertEqual(dry["StatusCode"], 204)

        queued = self.lambda_client.invoke(FunctionName="b3-echo", InvocationType="Event",
                                           Payload=b'{"async": true}')
        self.assertEqual(queued["StatusCode"], 202)
        request_id = queued["ResponseMetadata"]["RequestId"]
        done = self.wait_for("the Event invocation", lambda: [
            i for i in self.invocations("b3-echo")
            if i["RequestId"] == request_id and i["State"] == "SUCCEEDED"])
        self.assertEqual(done[0]["Attempts"], 1)

        configuration = self.lambda_client.get_function_configuration(FunctionName="b3-echo")
        self.assertEqual(configuration["Handler"], "app.handler")
        self.assertEqual(configuration["Version"], "$LATEST")
        got = self.lambda_client.get_function(FunctionName="b3-echo")
        self.assertEqual(got["Configuration"]["FunctionName"], "b3-echo")

    def test_boto3_pages_through_functions(self):
        for n in range(3):
            self.put_function("page-{}".format(n), "python3", "app.handler", {"app.py": ECHO})
        pages = self.lambda_client.get_paginator("list_functions").paginate(
            PaginationConfig={"PageSize": 2})
        names = [f["FunctionName"] for page in pages for f in page["Functions"]]
        for n in range(3):
            self.assertEqual(names.count("page-{}".format(n)), 1)

    def test_errors_are_lambdas(self):
        self.put_function("err-echo", "python3", "app.handler", {"app.py": ECHO})

        def code_of(call):
            with self.assertRaises(botocore.exceptions.ClientError) as caught:
                call()
            return caught.exception.response["Error"]["Code"]

        self.assertEqual(code_of(lambda: self.lambda_client.invoke(FunctionName="ghost")),
                         "ResourceNotFoundException")
        self.assertEqual(code_of(lambda: self.lambda_client.invoke(
            FunctionName="err-echo", Payload=b"{not json")), "InvalidRequestContentException")
        self.assertEqual(code_of(lambda: self.lambda_client.invoke(
            FunctionName="err-echo", Qualifier="7")), "ResourceNotFoundException")
        stranger = boto3.client("lambda", endpoint_url=self.endpoint,
                                region_name=s3_server_case.REGION,
                                aws_access_key_id="SKNOBODYNOBODYNOBODY",
                                aws_secret_access_key="x" * 40)
        self.assertEqual(code_of(lambda: stranger.invoke(FunctionName="err-echo")),
                         "UnrecognizedClientException")
        forger = boto3.client("lambda", endpoint_url=self.endpoint,
                              region_name=s3_server_case.REGION,
                              aws_access_key_id=self.access_key,
                              aws_secret_access_key="y" * 40)
        self.assertEqual(code_of(lambda: forger.invoke(FunctionName="err-echo")),
                         "InvalidSignatureException")

        self.put_function("throttled", "python3", "app.handler", {"app.py": ECHO},
                          "--reserved-concurrency", "0")
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            self.lambda_client.invoke(FunctionName="throttled")
        self.assertEqual(caught.exception.response["Error"]["Code"], "TooManyRequestsException")
        self.assertEqual(caught.exception.response["ResponseMetadata"]["HTTPStatusCode"], 429)

    # --- rules and the lake ---------------------------------------------------------------------

    def test_an_upload_runs_a_function_that_writes_back_to_the_lake(self):
        bucket = self.bucket_name()
        self.s3.create_bucket(Bucket=bucket)
        self.put_function("derive", "python3", "app.handler", {"app.py": DERIVE})
        pattern = {"source": ["aws.s3"], "detail-type": ["Object Created"],
                   "detail": {"bucket": {"name": [bucket]},
                              "object": {"key": [{"prefix": "incoming/"}]}}}
        self.run_sluice("rules", "put", "--name", "derive-on-upload", "--pattern",
                        json.dumps(pattern),
                        "--targets", json.dumps([{"Id": "derive", "Function": "derive"}]))
        self.s3.put_object(Bucket=bucket, Key="incoming/note.txt", Body=b"hello lake")

        def derived():
            try:
                return self.s3.get_object(Bucket=bucket, Key="derived/note.txt")["Body"].read()
            except botocore.exceptions.ClientError:
                return None
        self.assertEqual(self.wait_for("derived/note.txt", derived), b"HELLO LAKE")
        # The derived object is in the lake like any other: its own Object Created event.
        keys = [row[2] for row in self.object_events(bucket, "Object Created")]
        self.assertEqual(keys, ["incoming/note.txt", "derived/note.txt"])
        succeeded = self.invocations("derive")
        self.assertEqual(len(succeeded), 1, succeeded)
        self.assertEqual(succeeded[0]["Source"], "rule/derive-on-upload")

    def test_an_asynchronous_failure_is_dead_lettered_as_lambda_records_it(self):
        self.put_function("doomed", "python3", "app.fail", {"app.py": ECHO},
                          "--max-retries", "0")
        queued = self.lambda_client.invoke(FunctionName="doomed", InvocationType="Event",
                                           Payload=b'{"please": "fail"}')
        request_id = queued["ResponseMetadata"]["RequestId"]
        lines = self.wait_for("the dead letter", lambda: self.run_sluice(
            "functions", "dlq", "doomed").splitlines())
        record = json.loads(lines[0])
        self.assertEqual(record["requestContext"]["requestId"], request_id)
        self.assertEqual(record["requestContext"]["condition"], "RetriesExhausted")
        self.assertEqual(record["requestContext"]["approximateInvokeCount"], 1)
        self.assertEqual(record["requestPayload"], {"please": "fail"})
        self.assertEqual(record["responseContext"]["functionError"], "Unhandled")
        self.assertEqual(record["responsePayload"]["errorType"], "ValueError")

    # --- other runtimes -------------------------------------------------------------------------

    def test_node_and_the_cli_invoke(self):
        self.put_function("node-echo", "node", "index.handler", {"index.js": NODE})
        answer = json.loads(self.run_sluice("invoke", "node-echo", "--payload", '{"x": 2}'))
        self.assertEqual(answer, {"node": True, "event": {"x": 2}, "function": "node-echo"})
        failed = subprocess.run(
            [s3_server_case.SLUICE, "--data-dir", self.data_dir, "invoke", "node-echo",
             "--payload", '{"fail": true}'], capture_output=True, timeout=60)
        self.assertEqual(failed.returncode, 1)
        error = json.loads(failed.stdout)
        self.assertEqual(error["errorType"], "TypeError")
        self.assertIn("trace", error)

    def test_awss_own_node_runtime_client_runs_against_the_runtime_api(self):
        install = os.path.join(HERE, "install_aws_lambda_ric.sh")
        built = subprocess.run([install, RIC_CACHE], capture_output=True, timeout=900)
        self.assertEqual(built.returncode, 0, s3_server_case.describe(built))
        client = os.path.join(RIC_CACHE, "node_modules", "aws-lambda-ric", "bin", "index.mjs")
        node = shutil.which("node")
        self.put_function("ric", "provided", "index.handler", {"index.js": NODE},
                          "--command", "{} {} index.handler".format(node, client))
        answer = self.lambda_client.invoke(FunctionName="ric", Payload=b'{"via": "ric"}')
        self.assertNotIn("FunctionError", answer)
        self.assertEqual(json.loads(answer["Payload"].read()),
                         {"node": True, "event": {"via": "ric"}, "function": "ric"})
        # Warm: the same client process answers again; then a thrown error, as the client
        # reports it (errorType, errorMessage, trace).
        again = self.lambda_client.invoke(FunctionName="ric", Payload=b'{"fail": true}')
        self.assertEqual(again["FunctionError"], "Unhandled")
        error = json.loads(again["Payload"].read())
        self.assertEqual(error["errorType"], "TypeError")
        self.assertEqual(error["errorMessage"], "node says no")
        self.assertIsInstance(error["trace"], list)
        # A handler the client cannot find: its init error, with the client's type.
        self.put_function("ric-missing", "provided", "index.nope", {"index.js": NODE},
                          "--command", "{} {} index.nope".format(node, client))
        broken = self.lambda_client.invoke(FunctionName="ric-missing")
        self.assertEqual(broken["FunctionError"], "Unhandled")
        self.assertEqual(json.loads(broken["Payload"].read())["errorType"],
                         "Runtime.HandlerNotFound")


if __name__ == "__main__":
    s3_server_case.main(__file__)
