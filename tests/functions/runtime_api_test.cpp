// The Runtime API one sandbox serves, spoken to over a real socket as a runtime client would:
// /next blocks until an event is posted and carries Lambda's headers; replies are accepted once,
// for the event handed out; init errors only before the first /next; oversized replies are 413.
#include "functions/runtime_api.h"

#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "sluice/functions/invocation.h"
#include "sluice/http/server.h"
#include "support/loopback_http.h"

namespace sluice::functions {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::HttpReply;
using testing::LoopbackHttp;

constexpr char kNext[] = "/2018-06-01/runtime/invocation/next";

class RuntimeApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = http::HttpServer::Start(api_, {});
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }
  void TearDown() override {
    api_.Close();
    server_->Stop();
  }

  RuntimeEvent Event(std::string id, std::string payload = R"({"n":1})") {
    return {std::move(id),
            std::move(payload),
            3000ms,
            &clock_,
            "arn:aws:lambda:us-east-1:000000000000:function:f",
            "Root=1-abc",
            ""};
  }

  static std::string ReplyPath(const std::string& id, const std::string& what) {
    return "/2018-06-01/runtime/invocation/" + id + "/" + what;
  }

  std::optional<RuntimeReply> Reply() {
    return api_.WaitForReply(std::chrono::steady_clock::now() + 5s);
  }

  ManualClock clock_{FromUnixMillis(1'700'000'000'000)};
  RuntimeApi api_;
  std::unique_ptr<http::HttpServer> server_;
};

TEST_F(RuntimeApiTest, NextWaitsForAnEventAndCarriesLambdasHeaders) {
  LoopbackHttp runtime(server_->port());
  auto next = std::async(std::launch::async, [&] { return runtime.Request("GET", kNext); });
  EXPECT_EQ(next.wait_for(200ms), std::future_status::timeout) << "/next must block";
  EXPECT_TRUE(api_.initialized_at().has_value());
  api_.Post(Event("req-1"));
  HttpReply event = next.get();
  ASSERT_EQ(event.status, 200);
  EXPECT_EQ(event.body, R"({"n":1})");
  EXPECT_EQ(event.headers["lambda-runtime-aws-request-id"], "req-1");
  // Absolute: the clock's time when the runtime took the event, plus the timeout.
  EXPECT_EQ(event.headers["lambda-runtime-deadline-ms"], "1700000003000");
  EXPECT_EQ(event.headers["lambda-runtime-invoked-function-arn"],
            "arn:aws:lambda:us-east-1:000000000000:function:f");
  EXPECT_EQ(event.headers["lambda-runtime-trace-id"], "Root=1-abc");
  EXPECT_EQ(event.headers.count("lambda-runtime-client-context"), 0u) << "empty ones are left out";

  HttpReply accepted = runtime.Request("POST", ReplyPath("req-1", "response"), R"({"ok":true})");
  EXPECT_EQ(accepted.status, 202);
  EXPECT_EQ(json::parse(accepted.body), json({{"status", "OK"}}));
  auto reply = Reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->kind, RuntimeReply::Kind::kResponse);
  EXPECT_EQ(reply->body, R"({"ok":true})");
}

TEST_F(RuntimeApiTest, ASecondReplyIsAnInvalidStateTransitionAndAnUnknownIdIsRefused) {
  LoopbackHttp runtime(server_->port());
  api_.Post(Event("req-1"));
  ASSERT_EQ(runtime.Request("GET", kNext).status, 200);
  EXPECT_EQ(runtime.Request("POST", ReplyPath("someone-else", "response"), "1").status, 400);
  ASSERT_EQ(runtime.Request("POST", ReplyPath("req-1", "response"), "1").status, 202);
  HttpReply again = runtime.Request("POST", ReplyPath("req-1", "error"), "{}");
  EXPECT_EQ(again.status, 403);
  EXPECT_EQ(json::parse(again.body)["errorType"], "InvalidStateTransition");
  auto reply = Reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->body, "1") << "the first reply stands";
}

TEST_F(RuntimeApiTest, AnErrorsTypeComesFromTheHeaderElseTheBodyElseIsUnhandled) {
  LoopbackHttp runtime(server_->port());
  struct Case {
    std::map<std::string, std::string> headers;
    std::string body;
    std::string type;
  } cases[] = {
      {{{"Lambda-Runtime-Function-Error-Type", "Runtime.Custom"}},
       R"({"errorType":"ValueError","errorMessage":"x"})",
       "Runtime.Custom"},
      {{}, R"({"errorType":"ValueError","errorMessage":"x","trace":[]})", "ValueError"},
      {{}, "", "Unhandled"},
  };
  int n = 0;
  for (const Case& c : cases) {
    std::string id = "req-" + std::to_string(++n);
    api_.Post(Event(id));
    ASSERT_EQ(runtime.Request("GET", kNext).status, 200);
    ASSERT_EQ(runtime.Request("POST", ReplyPath(id, "error"), c.body, c.headers).status, 202);
    auto reply = Reply();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->kind, RuntimeReply::Kind::kError);
    EXPECT_EQ(reply->error_type, c.type);
    json body = json::parse(reply->body);
    EXPECT_TRUE(body.contains("errorType")) << reply->body;
  }
}

TEST_F(RuntimeApiTest, InitErrorIsTheReplyBeforeTheFirstNextAndRefusedAfter) {
  LoopbackHttp runtime(server_->port());
  api_.Post(Event("req-1"));
  HttpReply accepted = runtime.Request(
      "POST", "/2018-06-01/runtime/init/error",
      R"({"errorType":"Runtime.ImportModuleError","errorMessage":"Unable to import module 'app'"})",
      {{"Lambda-Runtime-Function-Error-Type", "Runtime.ImportModuleError"}});
  EXPECT_EQ(accepted.status, 202);
  EXPECT_FALSE(api_.WaitUntilInitialized(std::chrono::steady_clock::now() + 1s));
  auto reply = Reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->kind, RuntimeReply::Kind::kInitError);
  EXPECT_EQ(reply->error_type, "Runtime.ImportModuleError");

  RuntimeApi second;
  auto server = http::HttpServer::Start(second, {});
  ASSERT_TRUE(server.ok());
  LoopbackHttp other((*server)->port());
  second.Post(Event("req-2"));
  ASSERT_EQ(other.Request("GET", kNext).status, 200);
  EXPECT_EQ(other.Request("POST", "/2018-06-01/runtime/init/error", "{}").status, 403);
  second.Close();
}

TEST_F(RuntimeApiTest, AReplyOverSixMegabytesIs413AndFailsTheInvocation) {
  LoopbackHttp runtime(server_->port());
  api_.Post(Event("req-1"));
  ASSERT_EQ(runtime.Request("GET", kNext).status, 200);
  std::string huge(kMaxSyncPayloadBytes + 1, 'x');
  EXPECT_EQ(runtime.Request("POST", ReplyPath("req-1", "response"), huge).status, 413);
  auto reply = Reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->kind, RuntimeReply::Kind::kError);
  EXPECT_EQ(reply->error_type, "Function.ResponseSizeTooLarge");
}

TEST_F(RuntimeApiTest, CloseEndsAWaitingNextAndUnknownPathsAre404) {
  LoopbackHttp runtime(server_->port());
  EXPECT_EQ(runtime.Request("GET", "/2018-06-01/runtime/nothing").status, 404);
  EXPECT_EQ(runtime.Request("POST", kNext, "{}").status, 405);
  auto next = std::async(std::launch::async, [&] { return runtime.Request("GET", kNext); });
  std::this_thread::sleep_for(100ms);
  api_.Close();
  EXPECT_EQ(next.get().status, 500);
  EXPECT_FALSE(Reply().has_value());
}

TEST_F(RuntimeApiTest, AStreamingResponseIsAcceptedAndABadModeRefused) {
  LoopbackHttp runtime(server_->port());
  api_.Post(Event("req-1"));
  ASSERT_EQ(runtime.Request("GET", kNext).status, 200);
  EXPECT_EQ(runtime
                .Request("POST", ReplyPath("req-1", "response"), "x",
                         {{"Lambda-Runtime-Function-Response-Mode", "buffered-ish"}})
                .status,
            400);
  EXPECT_EQ(runtime
                .Request("POST", ReplyPath("req-1", "response"), "streamed",
                         {{"Lambda-Runtime-Function-Response-Mode", "streaming"}})
                .status,
            202);
  auto reply = Reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->body, "streamed");
}

}  // namespace
}  // namespace sluice::functions
