// bench/s3's load client (bench/s3_bench.py runs it): small-object PUT and GET throughput over
// keep-alive HTTP/1.1, against sluice's S3 endpoint (SigV4-signed, as an S3 client signs) or
// against any plain HTTP server that accepts PUT (nginx with WebDAV, unsigned); and presigned URLs
// so that curl can be the client for the large transfers.
//
//   s3_load small --endpoint HOST:PORT --bucket B [--auth sigv4|none] [--clients N]
//                 [--size BYTES] [--seconds S] [--prefix P]
//   s3_load presign --endpoint HOST:PORT --method GET|PUT --bucket B [--key K] [--expires S]
//
// small: N threads, each with ONE keep-alive connection opened before the clock starts. For
// --seconds, each PUTs objects of --size bytes (P c<client>-<n>) one after another; then, after a
// sync() (not timed), for as long again, each GETs back the objects it put, in turn. Every
// response must be 2xx on a connection the server keeps open, and every GET must return exactly
// the bytes put; anything else ends the run with exit status 1. Prints one line per operation:
//   PUT 16 clients x 4096 B: 20000 ops in 5.00 s = 4000.0 ops/s, p50 3.20 ms, p99 9.10 ms, ...
// With --auth sigv4 each request carries x-amz-content-sha256 (the hex SHA-256 of the body,
// computed per request as boto3 and s3cmd do over http) and an Authorization header from
// sluice's signer.
//
// presign: prints a presigned URL (UNSIGNED-PAYLOAD) for the bucket, or for the object --key.
//
// sigv4 and presign sign with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment
// (`sluice credentials --env` prints them) for --region (default us-east-1).
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "sluice/common/sha256.h"
#include "sluice/s3/sigv4.h"
#include "sluice/s3/sigv4_signer.h"

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

// Ends the process at once, from any thread: a benchmark that saw an error has no figure to give.
[[noreturn]] void Die(const std::string& what) {
  std::fflush(stdout);
  std::fprintf(stderr, "s3_load: %s\n", what.c_str());
  std::_Exit(1);
}

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU seconds (user + system) this process has used so far, all threads.
double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::string RequireEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') Die(std::string(name) + " is not set");
  return value;
}

// Signs requests for sluice, or leaves them as they are (nginx).
class Signer {
 public:
  // No signing: requests go out without credentials.
  Signer() = default;
  // SigV4 with the access key in the environment.
  explicit Signer(const std::string& region) {
    params_.emplace();
    params_->access_key = RequireEnv("AWS_ACCESS_KEY_ID");
    params_->secret_key = RequireEnv("AWS_SECRET_ACCESS_KEY");
    params_->region = region;
  }

  // Adds x-amz-date, x-amz-content-sha256 and Authorization to `request`, whose target is a
  // path without a query.
  void Sign(HttpRequest& request, const std::string& host) const {
    if (!params_) return;
    sluice::s3::SigningRequest signing;
    signing.method = std::string(request.method_string());
    signing.path = std::string(request.target());
    signing.headers = {{"Host", host}};
    signing.payload_hash = sluice::Sha256Hex(request.body());
    sluice::s3::SigningParams params = *params_;
    params.time = std::chrono::system_clock::now();
    sluice::s3::SignWithHeader(signing, {}, params);
    for (const auto& [name, value] : signing.headers) {
      if (name != "Host") request.set(name, value);
    }
  }

  // The URL of a presigned request for `path`.
  std::string Presign(const std::string& method, const std::string& host, const std::string& path,
                      std::chrono::seconds expires) const {
    sluice::s3::SigningRequest signing;
    signing.method = method;
    signing.path = path;
    signing.headers = {{"Host", host}};
    sluice::s3::SigningParams params = *params_;
    params.time = std::chrono::system_clock::now();
    sluice::s3::Presign(signing, {}, params, expires);
    return "http://" + host + signing.path + "?" + signing.query;
  }

 private:
  std::optional<sluice::s3::SigningParams> params_;
};

// One keep-alive HTTP/1.1 connection, used by one thread.
class Connection {
 public:
  explicit Connection(const std::string& endpoint) : socket_(io_) {
    auto colon = endpoint.rfind(':');
    if (colon == std::string::npos) Die("--endpoint must be HOST:PORT, not " + endpoint);
    asio::ip::tcp::resolver resolver(io_);
    boost::system::error_code error;
    auto addresses = resolver.resolve(endpoint.substr(0, colon), endpoint.substr(colon + 1), error);
    if (!error) asio::connect(socket_, addresses, error);
    if (error) Die("cannot connect to " + endpoint + ": " + error.message());
    socket_.set_option(asio::ip::tcp::no_delay(true));
  }

  // Sends `request` and reads the whole response. Dies when the connection breaks, and when the
  // server says it will close the connection: every client keeps its one connection throughout.
  HttpResponse RoundTrip(HttpRequest& request) {
    request.prepare_payload();
    boost::system::error_code error;
    http::write(socket_, request, error);
    if (error) Die("sending " + Describe(request) + ": " + error.message());
    HttpResponse response;
    http::read(socket_, buffer_, response, error);
    if (error) Die("reading the response to " + Describe(request) + ": " + error.message());
    if (!response.keep_alive()) {
      Die("the server closes the connection after " + Describe(request) + " (status " +
          std::to_string(response.result_int()) + ")");
    }
    return response;
  }

  static std::string Describe(const HttpRequest& request) {
    return std::string(request.method_string()) + " " + std::string(request.target());
  }

 private:
  asio::io_context io_;
  asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

// ---- small ------------------------------------------------------------------------------------

struct SmallOptions {
  std::string endpoint;
  std::string bucket;
  std::string auth = "sigv4";
  std::string region = "us-east-1";
  std::string prefix = "small/";
  int clients = 16;
  size_t size = 4096;
  double seconds = 5;
};

// One simulated client: its connection, the bytes it puts, and how many objects it has put.
struct Client {
  int id = 0;
  std::unique_ptr<Connection> connection;
  std::string body;  // the object's bytes, but for the first 8, which hold the object's number
  uint64_t objects_put = 0;
  std::vector<double> latencies;  // seconds per request in the current phase
};

std::string RandomBytes(size_t size, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::string bytes(size, '\0');
  for (char& byte : bytes)
    byte = static_cast<char>(random());
  return bytes;
}

// The bytes of object `number` of `client`: its random body stamped with the number.
std::string ObjectBytes(const Client& client, uint64_t number) {
  std::string bytes = client.body;
  std::memcpy(bytes.data(), &number, std::min(sizeof number, bytes.size()));
  return bytes;
}

std::string ObjectPath(const SmallOptions& options, const Client& client, uint64_t number) {
  char name[64];
  std::snprintf(name, sizeof name, "c%02d-%06llu", client.id,
                static_cast<unsigned long long>(number));
  return "/" + options.bucket + "/" + options.prefix + name;
}

void CheckSuccess(const HttpRequest& request, const HttpResponse& response) {
  if (response.result_int() / 100 == 2) return;
  Die(Connection::Describe(request) + " answered " + std::to_string(response.result_int()) + ": " +
      response.body().substr(0, 500));
}

void PutObject(const SmallOptions& options, const Signer& signer, Client& client, uint64_t number) {
  HttpRequest request{http::verb::put, ObjectPath(options, client, number), 11};
  request.set(http::field::host, options.endpoint);
  request.body() = ObjectBytes(client, number);
  signer.Sign(request, options.endpoint);
  CheckSuccess(request, client.connection->RoundTrip(request));
}

void GetObject(const SmallOptions& options, const Signer& signer, Client& client, uint64_t number) {
  HttpRequest request{http::verb::get, ObjectPath(options, client, number), 11};
  request.set(http::field::host, options.endpoint);
  signer.Sign(request, options.endpoint);
  HttpResponse response = client.connection->RoundTrip(request);
  CheckSuccess(request, response);
  if (response.body().size() != options.size) {
    Die(Connection::Describe(request) + " returned " + std::to_string(response.body().size()) +
        " bytes, not " + std::to_string(options.size));
  }
  if (response.body() != ObjectBytes(client, number)) {
    Die(Connection::Describe(request) + " returned other bytes than were put");
  }
}

enum class Operation { kPut, kGet };

// One client's part of a phase: requests back to back until `deadline`.
void RunClient(const SmallOptions& options, const Signer& signer, Client& client,
               Operation operation, Clock::time_point deadline) {
  client.latencies.clear();
  for (uint64_t n = 0; Clock::now() < deadline; ++n) {
    auto start = Clock::now();
    if (operation == Operation::kPut) {
      PutObject(options, signer, client, n);
      client.objects_put = n + 1;
    } else {
      GetObject(options, signer, client, n % client.objects_put);
    }
    client.latencies.push_back(SecondsSince(start));
  }
}

double Percentile(std::vector<double>& values, double fraction) {
  if (values.empty()) return 0;
  size_t index = std::min(values.size() - 1, static_cast<size_t>(fraction * values.size()));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(index),
                   values.end());
  return values[index];
}

void PrintPhase(const SmallOptions& options, Operation operation, std::vector<Client>& clients,
                double seconds, double cpu_seconds) {
  std::vector<double> latencies;
  for (const Client& client : clients)
    latencies.insert(latencies.end(), client.latencies.begin(), client.latencies.end());
  double ops = static_cast<double>(latencies.size());
  std::printf(
      "%s %d clients x %zu B: %zu ops in %.2f s = %.1f ops/s, p50 %.2f ms, p99 %.2f ms, "
      "client CPU %.0f%% of one core\n",
      operation == Operation::kPut ? "PUT" : "GET", options.clients, options.size, latencies.size(),
      seconds, ops / seconds, Percentile(latencies, 0.5) * 1e3, Percentile(latencies, 0.99) * 1e3,
      100 * cpu_seconds / seconds);
  std::fflush(stdout);
}

// Holds threads until it opens. (A mutex and a condition variable: GCC 12's std::latch can miss
// its wake-up.)
class Gate {
 public:
  void Wait() {
    std::unique_lock lock(mutex_);
    opened_.wait(lock, [&] { return open_; });
  }
  void Open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    opened_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable opened_;
  bool open_ = false;
};

// All clients at once, released together, for options.seconds; the phase ends when the last
// client's last request has its answer.
void RunPhase(const SmallOptions& options, const Signer& signer, std::vector<Client>& clients,
              Operation operation) {
  Gate gate;
  Clock::time_point deadline;  // set before the gate opens
  std::vector<std::thread> threads;
  for (Client& client : clients) {
    threads.emplace_back([&] {
      gate.Wait();
      RunClient(options, signer, client, operation, deadline);
    });
  }
  double cpu_before = ProcessCpuSeconds();
  auto start = Clock::now();
  deadline = start + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(options.seconds));
  gate.Open();
  for (std::thread& thread : threads)
    thread.join();
  PrintPhase(options, operation, clients, SecondsSince(start), ProcessCpuSeconds() - cpu_before);
}

void RunSmall(const SmallOptions& options) {
  if (options.auth != "sigv4" && options.auth != "none") Die("--auth must be sigv4 or none");
  if (options.size < sizeof(uint64_t)) Die("--size must be at least 8 bytes");
  Signer signer = options.auth == "sigv4" ? Signer(options.region) : Signer();
  std::vector<Client> clients(static_cast<size_t>(options.clients));
  for (int i = 0; i < options.clients; ++i) {
    clients[i].id = i;
    clients[i].connection = std::make_unique<Connection>(options.endpoint);
    clients[i].body = RandomBytes(options.size, static_cast<uint64_t>(i) + 1);
  }
  RunPhase(options, signer, clients, Operation::kPut);
  // The PUTs' dirty pages (all of them, for a server that does not fsync) would otherwise be
  // written back during the GETs, which would then share the disk and the CPU with it.
  ::sync();
  RunPhase(options, signer, clients, Operation::kGet);
}

// ---- presign ----------------------------------------------------------------------------------

struct PresignOptions {
  std::string endpoint;
  std::string method = "GET";
  std::string bucket;
  std::string key;
  std::string region = "us-east-1";
  int expires_seconds = 3600;
};

void RunPresign(const PresignOptions& options) {
  std::string path = "/" + options.bucket;
  if (!options.key.empty()) path += "/" + sluice::s3::UriEncode(options.key, /*keep_slash=*/true);
  Signer signer(options.region);
  std::printf("%s\n", signer
                          .Presign(options.method, options.endpoint, path,
                                   std::chrono::seconds(options.expires_seconds))
                          .c_str());
}

void AddSmallCommand(CLI::App& app, SmallOptions& options) {
  CLI::App* small = app.add_subcommand("small", "PUT then GET small objects, N clients at once");
  small->add_option("--endpoint", options.endpoint, "HOST:PORT")->required();
  small->add_option("--bucket", options.bucket, "The bucket (nginx: the top folder)")->required();
  small->add_option("--auth", options.auth, "sigv4 (sluice) or none (nginx)")
      ->capture_default_str();
  small->add_option("--region", options.region)->capture_default_str();
  small->add_option("--clients", options.clients, "Concurrent clients, one connection each")
      ->capture_default_str();
  small->add_option("--size", options.size, "Object size in bytes")->capture_default_str();
  small->add_option("--seconds", options.seconds, "How long each of PUT and GET runs")
      ->capture_default_str();
  small->add_option("--prefix", options.prefix, "Key prefix")->capture_default_str();
  small->callback([&] { RunSmall(options); });
}

void AddPresignCommand(CLI::App& app, PresignOptions& options) {
  CLI::App* presign = app.add_subcommand("presign", "Print a presigned URL");
  presign->add_option("--endpoint", options.endpoint, "HOST:PORT")->required();
  presign->add_option("--method", options.method, "GET, PUT, ...")->capture_default_str();
  presign->add_option("--bucket", options.bucket)->required();
  presign->add_option("--key", options.key, "The object; none: the bucket itself");
  presign->add_option("--region", options.region)->capture_default_str();
  presign->add_option("--expires", options.expires_seconds, "Seconds")->capture_default_str();
  presign->callback([&] { RunPresign(options); });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench/s3's load client: small-object PUT/GET load, presigned URLs"};
  app.require_subcommand(1);
  SmallOptions small;
  PresignOptions presign;
  AddSmallCommand(app, small);
  AddPresignCommand(app, presign);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
