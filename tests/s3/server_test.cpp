// The S3 server's connection handling, in process over real sockets, with short limits: slow
// clients time out, connections over the cap are told to slow down, keep-alive carries several
// requests (pipelined ones too), Expect: 100-continue, and Stop() ends idle connections.
// Operations and clients are covered end to end by the Python suites (tests/s3/test_*.py).
#include "sluice/s3/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "lake/lake_fixture.h"
#include "sluice/s3/sigv4_signer.h"

namespace sluice::s3 {
namespace {

using namespace std::chrono_literals;

constexpr char kAccessKey[] = "SKTESTTESTTESTTEST01";
constexpr char kSecret[] = "test-secret-test-secret-test-secret-0000";

// The lake the server serves is the lake tests' own (a fresh folder, a manual clock for it);
// requests are signed on the system clock, which the server checks them against.
class ServerTest : public lake::LakeTest {
 protected:
  void SetUp() override {
    LakeTest::SetUp();
    ASSERT_TRUE(lake_->CreateBucket("lake").ok());
  }

  void Start(ServerOptions options = {}) {
    options.listen = "127.0.0.1:0";
    auto secrets = [](std::string_view key) -> std::optional<std::string> {
      if (key == kAccessKey) return std::string(kSecret);
      return std::nullopt;
    };
    auto server = S3Server::Start(*lake_, secrets, options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }

  int Connect() {
    std::string address = server_->address();
    int port = std::stoi(address.substr(address.rfind(':') + 1));
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
    timeval limit{10, 0};  // only a guard against a hung test
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    return fd;
  }

  // A signed request for `path`, as the text a client sends.
  std::string Signed(const std::string& method, const std::string& path,
                     const std::string& body = "", std::vector<Header> extra = {}) {
    SigningRequest request;
    request.method = method;
    request.path = path;
    request.headers = {{"host", "127.0.0.1"}};
    for (auto& header : extra)
      request.headers.push_back(header);
    request.payload_hash = std::string(kUnsignedPayload);
    SigningParams params{kAccessKey, kSecret, "", "us-east-1", "s3", SystemClock::Instance().Now()};
    SignWithHeader(request, {}, params);
    std::string text = method + " " + path + " HTTP/1.1\r\n";
    for (const auto& [name, value] : request.headers)
      text += name + ": " + value + "\r\n";
    if (method == "PUT") text += "content-length: " + std::to_string(body.size()) + "\r\n";
    return text + "\r\n" + body;
  }

  static void Send(int fd, const std::string& text) {
    ASSERT_EQ(::send(fd, text.data(), text.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(text.size()));
  }

  // Everything the server sends until it closes the connection or `quiet` passes.
  static std::string ReadAll(int fd, std::chrono::milliseconds quiet = 3000ms) {
    std::string out;
    char buffer[4096];
    for (;;) {
      pollfd ready{fd, POLLIN, 0};
      if (::poll(&ready, 1, static_cast<int>(quiet.count())) <= 0) return out;
      ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) return out;
      out.append(buffer, static_cast<size_t>(n));
    }
  }

  static bool ClosedByServer(int fd) {
    char byte;
    pollfd ready{fd, POLLIN, 0};
    if (::poll(&ready, 1, 5000) <= 0) return false;
    return ::recv(fd, &byte, 1, 0) <= 0;
  }

  static int Count(const std::string& text, const std::string& what) {
    int count = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
      ++count;
    return count;
  }

  std::unique_ptr<S3Server> server_;
};

TEST_F(ServerTest, KeepAliveCarriesSeveralRequestsPipelinedOrNot) {
  Start();
  int fd = Connect();
  Send(fd, Signed("PUT", "/lake/a", "first"));
  Send(fd, Signed("GET", "/lake/a") + Signed("GET", "/lake/missing") + Signed("GET", "/lake/a"));
  std::string replies = ReadAll(fd, 1000ms);
  EXPECT_EQ(Count(replies, "HTTP/1.1 200 OK"), 3) << replies;
  EXPECT_EQ(Count(replies, "HTTP/1.1 404 Not Found"), 1) << replies;
  EXPECT_EQ(Count(replies, "\r\n\r\nfirst"), 2) << replies;
  EXPECT_NE(replies.find("<Code>NoSuchKey</Code>"), std::string::npos);
  ::close(fd);
}

TEST_F(ServerTest, AClientTooSlowWithItsHeaderIsToldSoAndDisconnected) {
  ServerOptions options;
  options.header_timeout = 300ms;
  Start(options);
  int fd = Connect();
  std::string request = Signed("GET", "/lake/a");
  Send(fd, request.substr(0, 10));  // then nothing more
  std::string reply = ReadAll(fd);
  EXPECT_NE(reply.find("400 Bad Request"), std::string::npos) << reply;
  EXPECT_NE(reply.find("<Code>RequestTimeout</Code>"), std::string::npos) << reply;
  ::close(fd);

  // An idle keep-alive connection is simply closed.
  fd = Connect();
  EXPECT_TRUE(ClosedByServer(fd));
  ::close(fd);
}

TEST_F(ServerTest, ABodyThatStopsComingTimesOutAndCommitsNothing) {
  ServerOptions options;
  options.progress_timeout = 300ms;
  Start(options);
  int fd = Connect();
  std::string request = Signed("PUT", "/lake/partial", std::string(100, 'x'));
  Send(fd, request.substr(0, request.size() - 50));
  std::string reply = ReadAll(fd);
  EXPECT_NE(reply.find("RequestTimeout"), std::string::npos) << reply;
  ::close(fd);
  EXPECT_EQ(lake_->HeadObject("lake", "partial").status().aws_code(), "NoSuchKey");
}

TEST_F(ServerTest, HeadersOverTheLimitAreRefused) {
  ServerOptions options;
  options.max_header_bytes = 4096;
  Start(options);
  int fd = Connect();
  Send(fd, Signed("GET", "/lake/a", "", {{"x-filler", std::string(8000, 'f')}}));
  std::string reply = ReadAll(fd);
  EXPECT_NE(reply.find("<Code>RequestHeaderSectionTooLarge</Code>"), std::string::npos) << reply;
  ::close(fd);
}

TEST_F(ServerTest, ConnectionsOverTheCapAreToldToSlowDown) {
  ServerOptions options;
  options.max_connections = 2;
  Start(options);
  int first = Connect();
  int second = Connect();
  // Both are being served once a request on each has been answered.
  Send(first, Signed("GET", "/lake/none"));
  Send(second, Signed("GET", "/lake/none"));
  EXPECT_NE(ReadAll(first, 500ms).find("404"), std::string::npos);
  EXPECT_NE(ReadAll(second, 500ms).find("404"), std::string::npos);
  int third = Connect();
  std::string reply = ReadAll(third);
  EXPECT_NE(reply.find("503"), std::string::npos) << reply;
  EXPECT_NE(reply.find("<Code>SlowDown</Code>"), std::string::npos) << reply;
  ::close(third);
  ::close(first);
  ::close(second);
}

TEST_F(ServerTest, ExpectContinueIsAnsweredOnlyForAcceptedRequests) {
  Start();
  int fd = Connect();
  std::string accepted = Signed("PUT", "/lake/b", "", {{"expect", "100-continue"}});
  accepted.replace(accepted.find("content-length: 0"), 17, "content-length: 4");
  Send(fd, accepted);
  std::string interim = ReadAll(fd, 1000ms);
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  Send(fd, "body");
  EXPECT_NE(ReadAll(fd, 1000ms).find("200 OK"), std::string::npos);
  ::close(fd);

  fd = Connect();
  std::string refused = Signed("PUT", "/nobucket/b", "", {{"expect", "100-continue"}});
  refused.replace(refused.find("content-length: 0"), 17, "content-length: 4");
  Send(fd, refused);
  std::string reply = ReadAll(fd, 1000ms);
  EXPECT_EQ(reply.find("100 Continue"), std::string::npos) << reply;
  EXPECT_NE(reply.find("<Code>NoSuchBucket</Code>"), std::string::npos) << reply;
  ::close(fd);
}

TEST_F(ServerTest, StopEndsOpenConnections) {
  Start();
  int fd = Connect();
  Send(fd, Signed("GET", "/lake/none"));
  EXPECT_NE(ReadAll(fd, 500ms).find("404"), std::string::npos);
  std::thread stopper([&] { server_->Stop(); });
  EXPECT_TRUE(ClosedByServer(fd));
  stopper.join();
  ::close(fd);
}

TEST_F(ServerTest, AClientGoingAwayMidDownloadHarmsNothing) {
  // Large enough for sendfile, which unlike send has no MSG_NOSIGNAL: the server must not take a
  // SIGPIPE for a reader that left.
  lake::StringByteSource big(std::string(32 << 20, 'x'));
  ASSERT_TRUE(lake_->PutObject("lake", "big", big, {}).ok());
  Start();
  for (int i = 0; i < 3; ++i) {
    int fd = Connect();
    Send(fd, Signed("GET", "/lake/big"));
    char some[1024];
    ASSERT_GT(::recv(fd, some, sizeof some, 0), 0);
    linger reset{1, 0};  // close with a reset, as a killed client would
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    ::close(fd);
  }
  int fd = Connect();
  Send(fd, Signed("GET", "/lake/none"));
  EXPECT_NE(ReadAll(fd, 1000ms).find("404"), std::string::npos);
  ::close(fd);
}

TEST_F(ServerTest, ABadListenAddressIsRefused) {
  ServerOptions options;
  options.listen = "localhost";
  auto server = S3Server::Start(
      *lake_, [](std::string_view) { return std::nullopt; }, options);
  EXPECT_FALSE(server.ok());
}

}  // namespace
}  // namespace sluice::s3
