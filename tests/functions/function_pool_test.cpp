// The pool and its sandboxes with real runtime processes: the built-in python3 and node runtimes,
// a shell-script runtime speaking the Runtime API with curl, and runtimes that misbehave on
// purpose (crash, hang, eat memory, fail to import). Timeouts are real seconds, so they are short.
#include "sluice/functions/function_pool.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <future>
#include <nlohmann/json.hpp>

#include "sluice/common/ids.h"
#include "support/temp_dir.h"

namespace sluice::functions {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// An AWS tutorial's custom runtime: a shell script looping on the Runtime API with curl.
constexpr char kShellBootstrap[] = R"(#!/bin/sh
set -eu
api="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation"
while true; do
  headers=$(mktemp)
  event=$(curl -sS -D "$headers" "$api/next")
  id=$(grep -i '^lambda-runtime-aws-request-id:' "$headers" | tr -d '\r' | cut -d' ' -f2)
  rm -f "$headers"
  echo "handling $id"
  curl -sS -o /dev/null -X POST "$api/$id/response" -d "{\"shell\":true,\"event\":$event}"
done
)";

constexpr char kPythonHandlers[] = R"(import os, time
def echo(event, context):
    print("echoing", event)
    return {"event": event, "name": context.function_name,
            "memory": context.memory_limit_in_mb, "left": context.get_remaining_time_in_millis(),
            "request": context.aws_request_id, "pid": os.getpid(),
            "env": {k: v for k, v in os.environ.items()
                    if k.startswith(("AWS_", "LAMBDA_", "_HANDLER", "GREETING", "SLUICE_"))}}
def fail(event, context):
    raise KeyError("missing")
def crash(event, context):
    os._exit(3)
def sleep(event, context):
    time.sleep(event.get("seconds", 30))
    return "woke"
def eat(event, context):
    hog = b"x" * (event["mb"] << 20)
    return len(hog)
)";

class FunctionPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("AWS_PROFILE", "engine-users-own", 1);  // must not reach functions
    PoolOptions options;
    options.functions_root = dir_ / "functions";
    options.clock = &clock_;
    options.idle_timeout = 600s;
    options.environment = {{"AWS_ENDPOINT_URL", "http://127.0.0.1:1"}};
    Open(options);
  }
  void TearDown() override { ::unsetenv("AWS_PROFILE"); }

  void Open(PoolOptions options) {
    pool_.reset();
    auto pool = FunctionPool::Create(std::move(options));
    ASSERT_TRUE(pool.ok()) << pool.status().ToString();
    pool_ = std::move(pool).value();
  }

  // A function whose code is `files`, deployed under a fresh folder.
  StoredFunction Function(const std::string& name, const std::string& runtime,
                          const std::string& handler,
                          const std::map<std::string, std::string>& files) {
    StoredFunction function;
    function.config.name = name;
    function.config.runtime = runtime;
    function.config.handler = handler;
    function.config.timeout_seconds = 3;
    function.revision_id = NewUuid();
    function.code.folder = name + "/" + function.revision_id;
    std::filesystem::path code = dir_ / "functions" / function.code.folder;
    std::filesystem::create_directories(code);
    for (const auto& [file, content] : files) {
      std::ofstream(code / file) << content;
      if (file == "bootstrap") ::chmod((code / file).c_str(), 0755);
    }
    return function;
  }
  StoredFunction Python(const std::string& handler) {
    return Function("py", "python3", "app." + handler, {{"app.py", kPythonHandlers}});
  }

  InvokeResponse Invoke(const StoredFunction& function, std::string payload = "{}",
                        bool tail = false) {
    InvokeRequest request;
    request.payload = std::move(payload);
    request.tail_log = tail;
    auto response = pool_->Invoke(function, request);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? *response : InvokeResponse{};
  }

  static bool ProcessExists(int pid) { return ::kill(pid, 0) == 0; }

  testing::TempDir dir_;
  ManualClock clock_{FromUnixMillis(1'800'000'000'000)};
  std::unique_ptr<FunctionPool> pool_;
};

TEST_F(FunctionPoolTest, APythonFunctionRunsWarmAfterItsColdStart) {
  StoredFunction function = Python("echo");
  function.config.environment = {{"GREETING", "hello"}};
  function.config.memory_mb = 256;
  InvokeResponse cold = Invoke(function, R"({"n":1})");
  ASSERT_EQ(cold.outcome, InvokeOutcome::kSucceeded) << cold.payload;
  EXPECT_GT(cold.init_duration_ms, 0);
  json answer = json::parse(cold.payload);
  EXPECT_EQ(answer["event"], json({{"n", 1}}));
  EXPECT_EQ(answer["name"], "py");
  EXPECT_EQ(answer["memory"], "256");
  EXPECT_EQ(answer["request"], cold.request_id);
  EXPECT_GT(answer["left"].get<int>(), 0);
  EXPECT_LE(answer["left"].get<int>(), 3000);
  const json& env = answer["env"];
  EXPECT_EQ(env["GREETING"], "hello");
  EXPECT_EQ(env["_HANDLER"], "app.echo");
  EXPECT_EQ(env["AWS_LAMBDA_FUNCTION_NAME"], "py");
  EXPECT_EQ(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256");
  EXPECT_EQ(env["AWS_LAMBDA_LOG_GROUP_NAME"], "/aws/lambda/py");
  EXPECT_EQ(env["AWS_REGION"], "us-east-1");
  EXPECT_EQ(env["AWS_ENDPOINT_URL"], "http://127.0.0.1:1");
  EXPECT_TRUE(env.contains("AWS_LAMBDA_RUNTIME_API"));
  EXPECT_FALSE(env.contains("AWS_PROFILE")) << "the engine's own AWS settings stay out";

  InvokeResponse warm = Invoke(function, R"({"n":2})");
  ASSERT_EQ(warm.outcome, InvokeOutcome::kSucceeded);
  EXPECT_EQ(warm.init_duration_ms, 0);
  EXPECT_EQ(json::parse(warm.payload)["pid"], answer["pid"]) << "the same process, warm";
  EXPECT_NE(warm.request_id, cold.request_id);
  EXPECT_EQ(pool_->CountsFor("py").sandboxes, 1);
}

TEST_F(FunctionPoolTest, TheLogHasLambdasLinesAndTheTailIsReturnedWhenAsked) {
  StoredFunction function = Python("echo");
  InvokeResponse response = Invoke(function, R"({"say":"hi"})", /*tail=*/true);
  ASSERT_EQ(response.outcome, InvokeOutcome::kSucceeded);
  const std::string& log = response.log_tail;
  EXPECT_NE(log.find("START RequestId: " + response.request_id + " Version: $LATEST"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("echoing {'say': 'hi'}"), std::string::npos) << log;
  EXPECT_NE(log.find("END RequestId: " + response.request_id), std::string::npos) << log;
  EXPECT_NE(log.find("REPORT RequestId: " + response.request_id), std::string::npos) << log;
  EXPECT_NE(log.find("Init Duration:"), std::string::npos) << log;
  EXPECT_NE(log.find("Max Memory Used:"), std::string::npos) << log;
  // The warm invocation's tail is its own: no START of the first.
  InvokeResponse warm = Invoke(function, "{}", true);
  EXPECT_EQ(warm.log_tail.find(response.request_id), std::string::npos) << warm.log_tail;
  EXPECT_EQ(warm.log_tail.find("Init Duration"), std::string::npos);
  // Without asking, nothing.
  EXPECT_TRUE(Invoke(function).log_tail.empty());
}

TEST_F(FunctionPoolTest, LoggingOutputCarriesLambdasLevelAndRequestId) {
  // The runtime sets logging up when the code imports it (not before: a cold start that never
  // logs does not pay for the module).
  StoredFunction function =
      Function("logs", "python3", "app.handler",
               {{"app.py",
                 "import logging\nlogger = logging.getLogger()\nlogger.setLevel(logging.INFO)\n"
                 "def handler(event, context):\n    logger.info('logged %s', event['n'])\n"
                 "    return 'ok'\n"}});
  InvokeResponse response = Invoke(function, R"({"n":7})", /*tail=*/true);
  ASSERT_EQ(response.outcome, InvokeOutcome::kSucceeded) << response.payload;
  EXPECT_NE(response.log_tail.find("[INFO]\t"), std::string::npos) << response.log_tail;
  EXPECT_NE(response.log_tail.find("\t" + response.request_id + "\tlogged 7"), std::string::npos)
      << response.log_tail;
}

TEST_F(FunctionPoolTest, AHandlersExceptionIsAnUnhandledErrorAndTheSandboxStaysWarm) {
  StoredFunction function = Python("fail");
  InvokeResponse failed = Invoke(function);
  ASSERT_EQ(failed.outcome, InvokeOutcome::kFunctionError);
  EXPECT_EQ(failed.function_error, "Unhandled");
  EXPECT_EQ(failed.error_type, "KeyError");
  json error = json::parse(failed.payload);
  EXPECT_EQ(error["errorType"], "KeyError");
  EXPECT_EQ(error["errorMessage"], "'missing'");
  EXPECT_TRUE(error["stackTrace"].is_array());
  EXPECT_EQ(pool_->CountsFor("py").sandboxes, 1) << "a handler's error leaves the process up";
}

TEST_F(FunctionPoolTest, ACrashMidInvocationIsRuntimeExitErrorAndTheNextInvocationGetsANewSandbox) {
  StoredFunction crash = Python("crash");
  InvokeResponse crashed = Invoke(crash);
  ASSERT_EQ(crashed.outcome, InvokeOutcome::kFunctionError);
  EXPECT_EQ(crashed.error_type, "Runtime.ExitError");
  EXPECT_NE(json::parse(crashed.payload)["errorMessage"].get<std::string>().find(
                "Runtime exited with error: exit status 3"),
            std::string::npos)
      << crashed.payload;
  EXPECT_EQ(pool_->CountsFor("py").sandboxes, 0);
  StoredFunction echo = crash;
  echo.config.handler = "app.echo";
  EXPECT_EQ(Invoke(echo).outcome, InvokeOutcome::kSucceeded);
}

TEST_F(FunctionPoolTest, AnInvocationPastItsTimeoutIsKilledAsSandboxTimedout) {
  StoredFunction function = Python("sleep");
  function.config.timeout_seconds = 1;
  InvokeResponse first = Invoke(function, R"({"seconds":0})");
  ASSERT_EQ(first.outcome, InvokeOutcome::kSucceeded) << first.payload;
  InvokeResponse timed_out = Invoke(function, R"({"seconds":30})");
  ASSERT_EQ(timed_out.outcome, InvokeOutcome::kFunctionError);
  EXPECT_EQ(timed_out.error_type, "Sandbox.Timedout");
  EXPECT_NE(timed_out.payload.find("Task timed out after 1.00 seconds"), std::string::npos)
      << timed_out.payload;
  EXPECT_GE(timed_out.duration_ms, 1000);
  EXPECT_LT(timed_out.duration_ms, 10000);
  EXPECT_EQ(pool_->CountsFor("py").sandboxes, 0) << "the sandbox is gone";
}

TEST_F(FunctionPoolTest, UsingMoreMemoryThanAllowedIsRuntimeOutOfMemory) {
  StoredFunction function = Python("eat");
  function.config.memory_mb = 128;
  InvokeResponse small = Invoke(function, R"({"mb":8})");
  ASSERT_EQ(small.outcome, InvokeOutcome::kSucceeded) << small.payload;
  EXPECT_EQ(small.payload, std::to_string(8 << 20));
  InvokeResponse big = Invoke(function, R"({"mb":300})");
  ASSERT_EQ(big.outcome, InvokeOutcome::kFunctionError);
  EXPECT_EQ(big.error_type, "Runtime.OutOfMemory");
  EXPECT_EQ(big.max_memory_used_mb, 128u);
  EXPECT_EQ(pool_->CountsFor("py").sandboxes, 0);
}

TEST_F(FunctionPoolTest, InitErrorsFailTheInvocationWithTheRuntimesErrorType) {
  struct Case {
    std::string runtime, handler;
    std::map<std::string, std::string> files;
    std::string type;
  } cases[] = {
      {"python3", "missing.handler", {{"app.py", "x = 1\n"}}, "Runtime.ImportModuleError"},
      {"python3", "app.nothing", {{"app.py", "x = 1\n"}}, "Runtime.HandlerNotFound"},
      {"python3", "app.f", {{"app.py", "def f(:\n"}}, "Runtime.UserCodeSyntaxError"},
      {"node", "missing.handler", {{"index.js", "exports.x = 1;\n"}}, "Runtime.ImportModuleError"},
      {"node", "index.nothing", {{"index.js", "exports.x = 1;\n"}}, "Runtime.HandlerNotFound"},
  };
  for (const Case& c : cases) {
    StoredFunction function = Function("broken", c.runtime, c.handler, c.files);
    InvokeResponse response = Invoke(function);
    ASSERT_EQ(response.outcome, InvokeOutcome::kFunctionError) << c.runtime << " " << c.handler;
    EXPECT_EQ(response.error_type, c.type) << c.runtime << " " << c.handler << response.payload;
    EXPECT_EQ(json::parse(response.payload)["errorType"], c.type);
    EXPECT_EQ(pool_->CountsFor("broken").sandboxes, 0) << "a runtime that failed to init is gone";
  }
}

TEST_F(FunctionPoolTest, ARuntimeThatCannotStartIsRuntimeInvalidEntrypoint) {
  StoredFunction function = Function("nobootstrap", "provided", "", {{"README", "no bootstrap"}});
  InvokeResponse response = Invoke(function);
  ASSERT_EQ(response.outcome, InvokeOutcome::kFunctionError);
  EXPECT_EQ(response.error_type, "Runtime.InvalidEntrypoint");
  function.config.command = {"no-such-program-anywhere"};
  EXPECT_EQ(Invoke(function).error_type, "Runtime.InvalidEntrypoint");
}

TEST_F(FunctionPoolTest, ANodeFunctionAndAShellScriptRuntimeAnswer) {
  StoredFunction node =
      Function("node", "node", "index.handler",
               {{"index.js",
                 "exports.handler = async (event, context) => ({node: event.n + 1, "
                 "fn: context.functionName, left: context.getRemainingTimeInMillis() > 0});\n"}});
  InvokeResponse answered = Invoke(node, R"({"n":41})");
  ASSERT_EQ(answered.outcome, InvokeOutcome::kSucceeded) << answered.payload;
  EXPECT_EQ(json::parse(answered.payload), json({{"node", 42}, {"fn", "node"}, {"left", true}}));

  StoredFunction shell = Function("shell", "provided", "", {{"bootstrap", kShellBootstrap}});
  for (int n = 0; n < 3; ++n) {
    InvokeResponse response = Invoke(shell, R"({"n":)" + std::to_string(n) + "}", true);
    ASSERT_EQ(response.outcome, InvokeOutcome::kSucceeded) << response.payload;
    EXPECT_EQ(json::parse(response.payload), json({{"shell", true}, {"event", {{"n", n}}}}));
    EXPECT_NE(response.log_tail.find("handling " + response.request_id), std::string::npos);
  }
  EXPECT_EQ(pool_->CountsFor("shell").sandboxes, 1);
}

TEST_F(FunctionPoolTest, ReservedConcurrencyThrottlesWhatIsOverIt) {
  StoredFunction function = Python("sleep");
  function.config.reserved_concurrency = 1;
  auto busy =
      std::async(std::launch::async, [&] { return Invoke(function, R"({"seconds":1.5})"); });
  // Wait until the first holds its sandbox.
  for (int i = 0; i < 500 && pool_->CountsFor("py").busy == 0; ++i)
    std::this_thread::sleep_for(10ms);
  InvokeResponse throttled = Invoke(function, R"({"seconds":0})");
  EXPECT_EQ(throttled.outcome, InvokeOutcome::kThrottled);
  EXPECT_EQ(throttled.throttle_reason, "ReservedFunctionConcurrentInvocationLimitExceeded");
  EXPECT_EQ(busy.get().payload, "\"woke\"");
  EXPECT_EQ(Invoke(function, R"({"seconds":0})").outcome, InvokeOutcome::kSucceeded);

  function.config.reserved_concurrency = 0;
  EXPECT_EQ(Invoke(function, R"({"seconds":0})").outcome, InvokeOutcome::kThrottled)
      << "zero throttles everything";
}

TEST_F(FunctionPoolTest, ThePoolsOwnLimitThrottlesAcrossFunctions) {
  PoolOptions options;
  options.functions_root = dir_ / "functions";
  options.max_concurrency = 1;
  Open(options);
  StoredFunction sleeper = Python("sleep");
  auto busy = std::async(std::launch::async, [&] { return Invoke(sleeper, R"({"seconds":1.5})"); });
  for (int i = 0; i < 500 && pool_->CountsFor("py").busy == 0; ++i)
    std::this_thread::sleep_for(10ms);
  StoredFunction other = Function("other", "python3", "app.echo", {{"app.py", kPythonHandlers}});
  InvokeResponse throttled = Invoke(other);
  EXPECT_EQ(throttled.outcome, InvokeOutcome::kThrottled);
  EXPECT_EQ(throttled.throttle_reason, "ConcurrentInvocationLimitExceeded");
  busy.get();
}

TEST_F(FunctionPoolTest, IdleSandboxesAreReapedByTheClockAndANewRevisionGetsNewOnes) {
  StoredFunction function = Python("echo");
  int first_pid = json::parse(Invoke(function).payload)["pid"];
  clock_.Advance(599s);
  EXPECT_EQ(pool_->ReapIdle(), 0);
  clock_.Advance(2s);
  EXPECT_EQ(pool_->ReapIdle(), 1);
  EXPECT_EQ(pool_->CountsFor("py").sandboxes, 0);
  EXPECT_FALSE(ProcessExists(first_pid)) << "the reaped runtime is stopped";

  int second_pid = json::parse(Invoke(function).payload)["pid"];
  StoredFunction updated = function;
  updated.revision_id = NewUuid();
  int third_pid = json::parse(Invoke(updated).payload)["pid"];
  EXPECT_NE(third_pid, second_pid) << "a new revision never runs in an old sandbox";
  EXPECT_FALSE(ProcessExists(second_pid));
  EXPECT_EQ(pool_->CountsFor("py").sandboxes, 1);
}

TEST_F(FunctionPoolTest, DestroyingThePoolStopsEveryRuntime) {
  StoredFunction function = Python("echo");
  int pid = json::parse(Invoke(function).payload)["pid"];
  ASSERT_TRUE(ProcessExists(pid));
  pool_.reset();
  EXPECT_FALSE(ProcessExists(pid));
}

}  // namespace
}  // namespace sluice::functions
