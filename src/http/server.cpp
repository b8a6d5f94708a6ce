#include "sluice/http/server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

namespace sluice::http {
namespace {

constexpr int kListenBacklog = 1024;

struct HostPort {
  std::string host;
  std::string port;
};

Result<HostPort> SplitListenAddress(std::string_view listen) {
  auto invalid = [&] {
    return Status::InvalidArgument("listen address '" + std::string(listen) +
                                   "' is not HOST:PORT (a port of 0 picks a free one)");
  };
  size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == listen.size()) return invalid();
  std::string host(listen.substr(0, colon));
  std::string port(listen.substr(colon + 1));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty() || port.find_first_not_of("0123456789") != std::string::npos ||
      port.size() > 5 || std::stoi(port) > 65535) {
    return invalid();
  }
  return HostPort{host, port};
}

std::string Describe(const sockaddr* address) {
  char host[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    ::inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host);
    return "[" + std::string(host) + "]:" + std::to_string(ntohs(v6->sin6_port));
  }
  const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
  ::inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host);
  return std::string(host) + ":" + std::to_string(ntohs(v4->sin_port));
}

// The client's IP address alone, as events record it.
std::string PeerIp(const sockaddr_storage& address) {
  std::string described = Describe(reinterpret_cast<const sockaddr*>(&address));
  std::string host = described.substr(0, described.rfind(':'));
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  return host;
}

Result<UniqueFd> Listen(const HostPort& where, std::string& bound) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(where.host.c_str(), where.port.c_str(), &hints, &found); rc != 0) {
    return Status::InvalidArgument("cannot listen on " + where.host + ":" + where.port + ": " +
                                   gai_strerror(rc));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owned(found, ::freeaddrinfo);
  std::string last_error = "no address";
  for (addrinfo* candidate = found; candidate != nullptr; candidate = candidate->ai_next) {
    UniqueFd fd(::socket(candidate->ai_family, candidate->ai_socktype | SOCK_CLOEXEC, 0));
    if (!fd.valid()) {
      last_error = std::strerror(errno);
      continue;
    }
    int on = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(fd.get(), candidate->ai_addr, candidate->ai_addrlen) != 0 ||
        ::listen(fd.get(), kListenBacklog) != 0) {
      last_error = std::strerror(errno);
      continue;
    }
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length);
    bound = Describe(reinterpret_cast<const sockaddr*>(&address));
    return fd;
  }
  return Status::IoError("cannot listen on " + where.host + ":" + where.port + ": " + last_error);
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Start(RequestHandler& handler,
                                                      ServerOptions options) {
  SLUICE_ASSIGN_OR_RETURN(HostPort where, SplitListenAddress(options.listen));
  std::unique_ptr<HttpServer> server(new HttpServer(handler, std::move(options)));
  SLUICE_ASSIGN_OR_RETURN(server->listener_, Listen(where, server->address_));
  server->stop_event_ = UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!server->stop_event_.valid())
    return Status::IoError("eventfd: " + std::string(strerror(errno)));
  server->acceptor_ = std::thread([s = server.get()] { s->AcceptLoop(); });
  return server;
}

HttpServer::HttpServer(RequestHandler& handler, ServerOptions options)
    : handler_(handler),
      options_(std::move(options)),
      busy_response_(
          SerializeResponse(handler.Reject("SlowDown", "Too many connections; retry later."))) {}

HttpServer::~HttpServer() {
  Stop();
}

int HttpServer::port() const {
  return std::stoi(address_.substr(address_.rfind(':') + 1));
}
void HttpServer::Stop() {
  if (stopped_.exchange(true)) return;
  uint64_t one = 1;
  if (stop_event_.valid()) (void)::write(stop_event_.get(), &one, sizeof one);
  if (acceptor_.joinable()) acceptor_.join();
  std::unique_lock lock(mutex_);
  all_closed_.wait(lock, [&] { return connections_ == 0; });
}

void HttpServer::AcceptLoop() {
  for (;;) {
    pollfd fds[2] = {{listener_.get(), POLLIN, 0}, {stop_event_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    UniqueFd client(
        ::accept4(listener_.get(), reinterpret_cast<sockaddr*>(&address), &length, SOCK_CLOEXEC));
    if (!client.valid()) {
      // Out of descriptors or a connection that died in the backlog: try again shortly.
      if (errno == EMFILE || errno == ENFILE) ::poll(nullptr, 0, 10);
      continue;
    }
    int on = 1;
    ::setsockopt(client.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    {
      std::lock_guard lock(mutex_);
      if (connections_ >= options_.max_connections) {
        (void)::send(client.get(), busy_response_.data(), busy_response_.size(),
                     MSG_NOSIGNAL | MSG_DONTWAIT);
        continue;
      }
      ++connections_;
    }
    std::thread(&HttpServer::Serve, this, std::move(client), PeerIp(address)).detach();
  }
}

void HttpServer::Serve(UniqueFd client, std::string peer) {
  // sendfile has no MSG_NOSIGNAL: a client that leaves mid-download must cost this thread an
  // EPIPE, not the process a SIGPIPE. (A signal a thread blocks dies with the thread.)
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
  {
    TimedSocket socket(std::move(client), stop_event_.get(), options_.progress_timeout);
    ServeConnection(socket, peer, options_.limits, handler_);
  }
  std::lock_guard lock(mutex_);
  if (--connections_ == 0) all_closed_.notify_all();
}

}  // namespace sluice::http
