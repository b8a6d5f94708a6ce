#include "sluice/http/timed_socket.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/error.hpp>
#include <cerrno>

namespace sluice::http {

namespace asio_error = boost::asio::error;

TimedSocket::TimedSocket(UniqueFd fd, int stop_fd, std::chrono::milliseconds progress_timeout)
    : fd_(std::move(fd)), stop_fd_(stop_fd), progress_timeout_(progress_timeout) {
  int flags = ::fcntl(fd_.get(), F_GETFL);
  if (flags >= 0) ::fcntl(fd_.get(), F_SETFL, flags | O_NONBLOCK);
}

bool TimedSocket::Wait(short events, boost::system::error_code& error) {
  auto now = Clock::now();
  auto until = std::min(deadline_, now + progress_timeout_);
  for (;;) {
    if (now >= until) {
      error = asio_error::timed_out;
      return false;
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count() + 1;
    pollfd fds[2] = {{fd_.get(), events, 0}, {stop_fd_, POLLIN, 0}};
    int ready = ::poll(fds, 2, static_cast<int>(std::min<int64_t>(wait, 60'000)));
    if (ready < 0 && errno != EINTR) {
      error = boost::system::error_code(errno, boost::system::system_category());
      return false;
    }
    if (ready > 0 && fds[1].revents != 0) {
      error = asio_error::operation_aborted;
      return false;
    }
    // Errors and hang-ups surface from the read or write that follows.
    if (ready > 0 && fds[0].revents != 0) return true;
    now = Clock::now();
  }
}

size_t TimedSocket::ReadVectors(IoVectors& vectors, boost::system::error_code& error) {
  error = {};
  if (vectors.count == 0) return 0;
  for (;;) {
    ssize_t n = ::readv(fd_.get(), vectors.items, vectors.count);
    if (n > 0) return static_cast<size_t>(n);
    if (n == 0) {
      error = asio_error::eof;
      return 0;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      error = boost::system::error_code(errno, boost::system::system_category());
      return 0;
    }
    if (!Wait(POLLIN, error)) return 0;
  }
}

size_t TimedSocket::WriteVectors(IoVectors& vectors, boost::system::error_code& error) {
  error = {};
  if (vectors.count == 0) return 0;
  msghdr message{};
  message.msg_iov = vectors.items;
  message.msg_iovlen = static_cast<size_t>(vectors.count);
  for (;;) {
    // MSG_NOSIGNAL: a peer that went away is an error here, not a SIGPIPE for the process.
    ssize_t n = ::sendmsg(fd_.get(), &message, MSG_NOSIGNAL | (more_follows_ ? MSG_MORE : 0));
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      error = boost::system::error_code(errno, boost::system::system_category());
      return 0;
    }
    if (!Wait(POLLOUT, error)) return 0;
  }
}

void TimedSocket::SendFile(int file_fd, uint64_t offset, uint64_t length,
                           boost::system::error_code& error) {
  error = {};
  auto position = static_cast<off_t>(offset);
  uint64_t left = length;
  while (left > 0) {
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(left, 1 << 30));
    ssize_t n = ::sendfile(fd_.get(), file_fd, &position, chunk);
    if (n > 0) {
      left -= static_cast<uint64_t>(n);
      continue;
    }
    if (n == 0) {  // the file is shorter than it should be
      error = asio_error::eof;
      return;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      error = boost::system::error_code(errno, boost::system::system_category());
      return;
    }
    if (!Wait(POLLOUT, error)) return;
  }
}

void TimedSocket::ShutdownWrite() {
  ::shutdown(fd_.get(), SHUT_WR);
}

}  // namespace sluice::http
