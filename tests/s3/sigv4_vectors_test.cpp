// Runs the aws-c-auth SigV4 suite (SLUICE_SIGV4_VECTORS_DIR, one folder per case): signs each
// request.txt with the header and the presigned form and compares the canonical request, string
// to sign and signature with the case's files; then hands each signed request the suite holds to
// the S3 verifier, which must accept it unless S3's rules differ from the generic ones there.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "sluice/common/sha256.h"
#include "sluice/common/time_format.h"
#include "sluice/s3/sigv4.h"
#include "sluice/s3/sigv4_verifier.h"

namespace sluice::s3 {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// An expected-result file, without the final line break some editors add.
std::string ReadExpected(const fs::path& path) {
  std::string text = ReadText(path);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

struct HttpRequest {
  SigningRequest request;
  std::string body;
};

// "METHOD target HTTP/1.1", then headers (a line starting with blanks continues the previous
// header's value), a blank line and the body. The target may hold spaces (get-space-*).
std::optional<HttpRequest> ParseHttpRequest(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  size_t first = line.find(' '), last = line.rfind(' ');
  if (first == std::string::npos || last <= first) return std::nullopt;
  HttpRequest http;
  http.request.method = line.substr(0, first);
  std::string target = line.substr(first + 1, last - first - 1);
  size_t question = target.find('?');
  http.request.path = target.substr(0, question);
  if (question != std::string::npos) http.request.query = target.substr(question + 1);
  while (std::getline(in, line) && !line.empty()) {
    if ((line[0] == ' ' || line[0] == '\t') && !http.request.headers.empty()) {
      http.request.headers.back().second += "\n" + line;
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string::npos) return std::nullopt;
    http.request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  std::stringstream rest;
  rest << in.rdbuf();
  http.body = rest.str();
  return http;
}

struct Case {
  fs::path dir;
  std::string name;
  HttpRequest http;
  json context;
  TimePoint time;
  std::string amz_date;
  std::string scope;
  std::string signing_key;
  UriRules rules = UriRules::kS3;

  // The session token the signer must add, if any.
  std::string Token() const {
    if (context.value("omit_session_token", false)) return "";
    return context["credentials"].value("token", "");
  }
  std::string AccessKey() const { return context["credentials"]["access_key_id"]; }
};

std::vector<fs::path> CaseDirs() {
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(SLUICE_SIGV4_VECTORS_DIR)) {
    if (entry.is_directory()) dirs.push_back(entry.path());
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

// Every case that can be read, and why the others cannot (none, today).
std::vector<Case> LoadCases() {
  std::vector<Case> cases;
  for (const fs::path& dir : CaseDirs()) {
    Case c;
    c.dir = dir;
    c.name = dir.filename().string();
    std::optional<HttpRequest> http = ParseHttpRequest(ReadText(dir / "request.txt"));
    if (!http || !fs::exists(dir / "context.json")) {
      ADD_FAILURE() << c.name << ": skipped, request.txt or context.json unreadable";
      continue;
    }
    c.http = std::move(*http);
    c.context = json::parse(ReadText(dir / "context.json"));
    c.time = ParseRfc3339(c.context["timestamp"].get<std::string>()).value();
    c.amz_date = FormatAmzDate(c.time);
    std::string date = c.amz_date.substr(0, 8);
    std::string region = c.context["region"], service = c.context["service"];
    c.scope = CredentialScope(date, region, service);
    c.signing_key = SigningKey(c.context["credentials"]["secret_access_key"].get<std::string>(),
                               date, region, service);
    c.rules = c.context["normalize"].get<bool>() ? UriRules::kGeneric : UriRules::kS3;
    cases.push_back(std::move(c));
  }
  return cases;
}

std::vector<std::string> HeaderNames(const std::vector<Header>& headers) {
  std::vector<std::string> names;
  for (const auto& header : headers)
    names.push_back(header.first);
  return names;
}

void ExpectSigned(const Case& c, std::string_view form, const std::string& canonical) {
  std::string to_sign = StringToSign(c.amz_date, c.scope, canonical);
  EXPECT_EQ(canonical, ReadExpected(c.dir / (std::string(form) + "-canonical-request.txt")));
  EXPECT_EQ(to_sign, ReadExpected(c.dir / (std::string(form) + "-string-to-sign.txt")));
  EXPECT_EQ(Signature(c.signing_key, to_sign),
            ReadExpected(c.dir / (std::string(form) + "-signature.txt")));
}

TEST(SigV4Vectors, HeaderForm) {
  std::vector<Case> cases = LoadCases();
  size_t ran = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    SigningRequest request = c.http.request;
    // The payload hash is the body's, whether or not the signer also sends it as a header.
    request.payload_hash = Sha256Hex(c.http.body);
    request.headers.emplace_back("X-Amz-Date", c.amz_date);
    if (!c.Token().empty()) request.headers.emplace_back("X-Amz-Security-Token", c.Token());
    if (c.context["sign_body"].get<bool>()) {
      request.headers.emplace_back("x-amz-content-sha256", request.payload_hash);
    }
    ExpectSigned(
        c, "header",
        CanonicalRequest(request, HeaderNames(request.headers), c.rules, AuthLocation::kHeader));
    ++ran;
  }
  std::cout << "[ header form ] " << ran << " of " << CaseDirs().size() << " cases ran\n";
  ASSERT_GE(ran, 30u);
}

TEST(SigV4Vectors, PresignedForm) {
  std::vector<Case> cases = LoadCases();
  size_t ran = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    SigningRequest request = c.http.request;
    request.payload_hash = Sha256Hex(c.http.body);
    std::vector<std::string> signed_headers = SortedSignedHeaders(HeaderNames(request.headers));
    std::string joined;
    for (const std::string& name : signed_headers)
      joined += (joined.empty() ? "" : ";") + name;
    std::vector<std::pair<std::string, std::string>> params = {
        {"X-Amz-Algorithm", std::string(kAlgorithm)},
        {"X-Amz-Credential", c.AccessKey() + "/" + c.scope},
        {"X-Amz-Date", c.amz_date},
        {"X-Amz-SignedHeaders", joined},
        {"X-Amz-Expires", std::to_string(c.context["expiration_in_seconds"].get<int>())}};
    if (!c.Token().empty()) params.emplace_back("X-Amz-Security-Token", c.Token());
    for (const auto& [name, value] : params) {
      request.query += (request.query.empty() ? "" : "&") + name + "=" + UriEncode(value, false);
    }
    ExpectSigned(c, "query",
                 CanonicalRequest(request, signed_headers, c.rules, AuthLocation::kQuery));
    ++ran;
  }
  std::cout << "[ presigned form ] " << ran << " of " << CaseDirs().size() << " cases ran\n";
  ASSERT_GE(ran, 30u);
}

// The generic signer resolved these paths ("//" -> "/", "/example/.." -> "/"); S3 signs paths
// as sent, so it must refuse what was signed over the resolved one.
const std::set<std::string> kNormalizedAway = {"get-relative-normalized",
                                               "get-relative-relative-normalized",
                                               "get-slash-dot-slash-normalized",
                                               "get-slash-normalized",
                                               "get-slash-pointless-dot-normalized",
                                               "get-slashes-normalized"};

void ReplayThroughVerifier(std::string_view form, const std::set<std::string>& refused) {
  size_t accepted = 0, rejected = 0;
  for (const Case& c : LoadCases()) {
    SCOPED_TRACE(c.name);
    std::optional<HttpRequest> signed_http =
        ParseHttpRequest(ReadText(c.dir / (std::string(form) + "-signed-request.txt")));
    ASSERT_TRUE(signed_http);
    signed_http->request.payload_hash = Sha256Hex(signed_http->body);
    std::string secret = c.context["credentials"]["secret_access_key"];
    SigV4Verifier verifier(
        [&](std::string_view key) -> std::optional<std::string> {
          if (key == c.AccessKey()) return secret;
          return std::nullopt;
        },
        c.context["region"], c.context["service"]);
    Result<VerifiedRequest> verified = verifier.Verify(signed_http->request, c.time);
    if (refused.count(c.name)) {
      EXPECT_EQ(verified.status().aws_code(), "SignatureDoesNotMatch");
      ++rejected;
      continue;
    }
    ASSERT_TRUE(verified.ok()) << verified.status().ToString();
    EXPECT_EQ(verified->seed_signature,
              ReadExpected(c.dir / (std::string(form) + "-signature.txt")));
    ++accepted;
  }
  EXPECT_EQ(rejected, refused.size());
  ASSERT_GE(accepted, 30u);
}

TEST(SigV4Vectors, VerifierAcceptsHeaderSignedRequests) {
  ReplayThroughVerifier("header", kNormalizedAway);
}

TEST(SigV4Vectors, VerifierAcceptsPresignedRequests) {
  std::set<std::string> refused = kNormalizedAway;
  // Its URL carries X-Amz-Security-Token outside the signature; S3 signs every X-Amz-* parameter
  // but X-Amz-Signature.
  refused.insert("post-sts-header-after");
  ReplayThroughVerifier("query", refused);
}

}  // namespace
}  // namespace sluice::s3
