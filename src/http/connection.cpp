#include "sluice/http/connection.h"

#include <boost/asio/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <sstream>

#include "sluice/common/posix_file.h"

namespace sluice::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using boost::system::error_code;

// A body left unread is drained to keep the connection when it is at most this long.
constexpr uint64_t kMaxDrainBytes = 1 << 20;
constexpr size_t kObjectBufferBytes = 1 << 20;
// Objects up to this size are read into memory and sent with the header, not with sendfile.
constexpr uint64_t kInlineObjectBytes = 64 << 10;
// After an error response on a closing connection, how long the client's remaining bytes are
// read and dropped, so that closing with unread data does not reset the connection before the
// client has read the response.
constexpr auto kLingerTime = std::chrono::seconds(1);
constexpr uint64_t kMaxLingerBytes = 64 << 20;

using Parser = bhttp::request_parser<bhttp::buffer_body>;

// A failed body read, with the AWS error code the service answers it with.
Status BodyError(std::string_view aws_code, std::string message) {
  return Status::InvalidArgument(std::move(message), std::string(aws_code));
}

// The body of the request being served, read through the parser on demand.
class ParsedBody final : public RequestBody {
 public:
  ParsedBody(TimedSocket& socket, beast::flat_buffer& buffer, Parser& parser, bool expects_continue)
      : socket_(socket), buffer_(buffer), parser_(parser), expects_continue_(expects_continue) {}

  bool done() const override { return parser_.is_done(); }
  bool failed() const { return failed_; }
  // The client waits for "100 Continue" before it sends the body, and has not had it.
  bool awaiting_continue() const { return expects_continue_ && !continue_sent_; }

  Result<size_t> Read(char* out, size_t size) override {
    if (failed_) return BodyError("IncompleteBody", "the request body could not be read");
    if (awaiting_continue()) {
      bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, 11};
      error_code error;
      bhttp::write(socket_, go_on, error);
      continue_sent_ = true;
      if (error) return Fail(error);
    }
    while (!parser_.is_done() && size > 0) {
      parser_.get().body().data = out;
      parser_.get().body().size = size;
      error_code error;
      bhttp::read_some(socket_, buffer_, parser_, error);
      if (error == bhttp::error::need_buffer) error = {};
      size_t n = size - parser_.get().body().size;
      if (error) return Fail(error);
      if (n > 0) return n;
    }
    return size_t{0};
  }

 private:
  Status Fail(const error_code& error) {
    failed_ = true;
    if (error == boost::asio::error::timed_out) {
      return BodyError("RequestTimeout",
                       "Your socket connection to the server was not read from or written to "
                       "within the timeout period.");
    }
    return BodyError("IncompleteBody",
                     "the request body ended early or is malformed: " + error.message());
  }

  TimedSocket& socket_;
  beast::flat_buffer& buffer_;
  Parser& parser_;
  bool expects_continue_;
  bool continue_sent_ = false;
  bool failed_ = false;
};

HttpRequest ToHttpRequest(const Parser& parser, const std::string& peer_address) {
  const auto& message = parser.get();
  HttpRequest request;
  request.method = std::string(message.method_string());
  std::string_view target = message.target();
  size_t question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
  for (const auto& field : message) {
    request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  request.peer_address = peer_address;
  request.has_body = !parser.is_done();
  if (auto length = parser.content_length()) request.content_length = *length;
  return request;
}

// Writes the response; false when the connection broke.
bool WriteResponse(TimedSocket& socket, HttpResponse& response, bool head, bool keep_alive) {
  uint64_t length = response.object ? response.object_range.length : response.body.size();
  if (head && response.head_length) length = *response.head_length;
  bool no_body_allowed = response.status == 204 || response.status == 304 || response.status < 200;
  bool send_body = !head && !no_body_allowed;
  auto prepare = [&](auto& message) {
    for (const auto& [name, value] : response.headers)
      message.insert(name, value);
    if (!no_body_allowed) message.content_length(length);
    message.keep_alive(keep_alive);
  };
  error_code error;
  if (response.object && send_body && response.object_range.length <= kInlineObjectBytes &&
      response.object->fd() >= 0) {
    // A small object goes out in the header's write: one system call, one packet.
    const lake::ResolvedRange& range = response.object_range;
    response.body.resize(range.length);
    auto n = ReadAt(response.object->fd(), response.body.data(), range.length,
                    response.object->offset() + range.offset, "object");
    if (!n.ok() || *n != range.length) return false;
    response.object.reset();
  }
  if (!response.object || !send_body) {
    // Header and body in one write.
    bhttp::response<bhttp::string_body> message{static_cast<bhttp::status>(response.status), 11};
    prepare(message);
    if (send_body) message.body() = std::move(response.body);
    bhttp::response_serializer<bhttp::string_body> serializer{message};
    bhttp::write(socket, serializer, error);
    return !error;
  }
  bhttp::response<bhttp::empty_body> header{static_cast<bhttp::status>(response.status), 11};
  prepare(header);
  bhttp::response_serializer<bhttp::empty_body> serializer{header};
  socket.set_more_follows(true);
  bhttp::write_header(socket, serializer, error);
  socket.set_more_follows(false);
  if (error) return false;
  lake::ObjectReader& object = *response.object;
  const lake::ResolvedRange& range = response.object_range;
  if (object.fd() >= 0) {
    socket.SendFile(object.fd(), object.offset() + range.offset, range.length, error);
    return !error;
  }
  // The length is promised: a reader that fails or ends early can only cut the connection.
  std::string buffer(kObjectBufferBytes, '\0');
  uint64_t skip = range.offset;
  uint64_t left = range.length;
  while (left > 0) {
    auto n =
        object.Read(buffer.data(),
                    static_cast<size_t>(std::min<uint64_t>(buffer.size(), skip > 0 ? skip : left)));
    if (!n.ok() || *n == 0) return false;
    if (skip > 0) {
      skip -= *n;
      continue;
    }
    boost::asio::write(socket, boost::asio::buffer(buffer.data(), *n), error);
    if (error) return false;
    left -= *n;
  }
  return true;
}

// Reads and drops what the client still sends, for a little while, before the socket closes.
void Linger(TimedSocket& socket) {
  socket.ShutdownWrite();
  socket.set_deadline(TimedSocket::Clock::now() + kLingerTime);
  char scratch[16 * 1024];
  uint64_t dropped = 0;
  error_code error;
  while (dropped < kMaxLingerBytes) {
    size_t n = socket.read_some(boost::asio::buffer(scratch), error);
    if (error) return;
    dropped += n;
  }
}

// Reads the rest of a short unread body so the connection can carry the next request.
bool Drain(ParsedBody& body, const HttpRequest& request) {
  if (body.done()) return true;
  if (body.failed() || body.awaiting_continue()) return false;
  if (!request.content_length || *request.content_length > kMaxDrainBytes) return false;
  char scratch[16 * 1024];
  while (!body.done()) {
    auto n = body.Read(scratch, sizeof scratch);
    if (!n.ok()) return false;
  }
  return true;
}

}  // namespace

std::string SerializeResponse(const HttpResponse& response) {
  bhttp::response<bhttp::string_body> message{static_cast<bhttp::status>(response.status), 11};
  for (const auto& [name, value] : response.headers)
    message.insert(name, value);
  message.body() = response.body;
  message.keep_alive(false);
  message.prepare_payload();
  std::ostringstream out;
  out << message;
  return out.str();
}

void ServeConnection(TimedSocket& socket, const std::string& peer_address,
                     const ConnectionLimits& limits, RequestHandler& handler) {
  beast::flat_buffer buffer;
  bool first = true;
  for (;;) {
    socket.set_deadline(TimedSocket::Clock::now() +
                        (first ? limits.header_timeout : limits.idle_timeout));
    first = false;
    Parser parser;
    parser.header_limit(static_cast<uint32_t>(limits.max_header_bytes));
    parser.body_limit(boost::none);
    error_code error;
    bhttp::read_header(socket, buffer, parser, error);
    if (error) {
      HttpResponse rejection;
      if (error == bhttp::error::header_limit) {
        rejection = handler.Reject("RequestHeaderSectionTooLarge",
                                   "Your request header section exceeds the maximum allowed size.");
      } else if (error == boost::asio::error::timed_out && buffer.size() > 0) {
        rejection = handler.Reject("RequestTimeout",
                                   "Your socket connection to the server was not read from or "
                                   "written to within the timeout period.");
      } else if (error.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
                 error != bhttp::error::end_of_stream && error != bhttp::error::partial_message) {
        rejection = handler.Reject("InvalidRequest", "malformed HTTP request: " + error.message());
      } else {
        return;  // the client closed or went quiet between requests, or the server stops
      }
      socket.clear_deadline();
      WriteResponse(socket, rejection, /*head=*/false, /*keep_alive=*/false);
      Linger(socket);
      return;
    }
    socket.clear_deadline();

    HttpRequest request = ToHttpRequest(parser, peer_address);
    const auto& message = parser.get();
    // Even an empty body gets its 100 Continue when read: botocore, which expects one with
    // every upload, empty files included, misreads the next response on the connection without.
    bool expects_continue =
        message.version() >= 11 && beast::iequals(message[bhttp::field::expect], "100-continue");
    ParsedBody body(socket, buffer, parser, expects_continue);
    HttpResponse response = handler.Handle(request, body);

    bool keep_alive = message.keep_alive() && !response.close && Drain(body, request);
    bool head = request.method == "HEAD";
    if (!WriteResponse(socket, response, head, keep_alive)) return;
    if (!keep_alive) {
      Linger(socket);
      return;
    }
  }
}

}  // namespace sluice::http
