#include "warehouse/postgres_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "sluice/common/subprocess.h"

namespace sluice::warehouse::testing {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kFolderPrefix = "sluice-pgtest-";
constexpr int kStartAttempts = 5;  // a port another process took between our pick and its bind

std::unique_ptr<PostgresServer>& TheServer() {
  static std::unique_ptr<PostgresServer> server;
  return server;
}

// The bin folder of the highest PostgreSQL version installed the Debian way.
Result<fs::path> FindBinDir() {
  fs::path best;
  double best_version = -1;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", error)) {
    fs::path bin = entry.path() / "bin";
    if (::access((bin / "initdb").c_str(), X_OK) != 0 ||
        ::access((bin / "pg_ctl").c_str(), X_OK) != 0) {
      continue;
    }
    double version = std::strtod(entry.path().filename().c_str(), nullptr);
    if (version > best_version) {
      best_version = version;
      best = bin;
    }
  }
  if (best.empty()) {
    return Status::NotFound(
        "PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin: "
        "run `make deps` (it installs the Debian package postgresql)");
  }
  return best;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Under root, the server's programs run as `nobody`.
struct ServerUser {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

Result<ServerUser> GetServerUser() {
  ServerUser user;
  if (::geteuid() != 0) return user;
  struct passwd* nobody = ::getpwnam("nobody");
  if (nobody == nullptr) return Status::NotFound("running as root, and there is no user nobody");
  if (FindProgram("runuser").empty() && ::access("/usr/sbin/runuser", X_OK) != 0) {
    return Status::NotFound("running as root, and runuser (util-linux) is missing");
  }
  user.switch_user = true;
  user.uid = nobody->pw_uid;
  user.gid = nobody->pw_gid;
  return user;
}

// Runs a server program (as nobody under root), its output appended to `log`.
Status RunServerProgram(const ServerUser& user, std::vector<std::string> argv,
                        const fs::path& log) {
  if (user.switch_user) {
    std::string runuser = FindProgram("runuser");
    if (runuser.empty()) runuser = "/usr/sbin/runuser";
    argv.insert(argv.begin(), {runuser, "-u", "nobody", "--"});
  }
  SpawnOptions options;
  options.argv = argv;
  options.stdout_path = log;
  options.stderr_path = log;
  SLUICE_ASSIGN_OR_RETURN(pid_t pid, Spawn(options));
  ExitStatus exit = WaitForExit(pid);
  if (!exit.ok()) {
    return Status::Internal(argv[user.switch_user ? 4 : 0] + " failed (" + DescribeExit(exit) +
                            "):\n" + ReadFile(log));
  }
  return Status::Ok();
}

Status GiveTo(const ServerUser& user, const fs::path& path) {
  if (user.switch_user && ::chown(path.c_str(), user.uid, user.gid) != 0) {
    return ErrnoStatus("chown " + path.string(), errno);
  }
  return Status::Ok();
}

// A port nobody listens on right now (the kernel's pick for port 0).
Result<int> FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return ErrnoStatus("socket", errno);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    Status status = ErrnoStatus("bind 127.0.0.1:0", errno);
    ::close(fd);
    return status;
  }
  ::close(fd);
  return static_cast<int>(ntohs(address.sin_port));
}

// Whether `pid` is a live process (a zombie, dead but not yet reaped, is not).
bool IsRunning(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
  std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  size_t end_of_name = stat.rfind(')');
  return end_of_name == std::string::npos || stat.substr(end_of_name + 2, 1) != "Z";
}

// Stops the servers of test processes that died without stopping theirs, and removes their
// folders: /tmp/sluice-pgtest-<pid>-XXXXXX whose <pid> is gone.
void StopAbandonedServers(const fs::path& bin_dir, const ServerUser& user) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator("/tmp", error)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(kFolderPrefix, 0) != 0) continue;
    pid_t pid = static_cast<pid_t>(std::atol(name.c_str() + kFolderPrefix.size()));
    if (pid <= 0 || pid == ::getpid() || IsRunning(pid)) continue;
    if (fs::exists(entry.path() / "data" / "postmaster.pid")) {
      (void)RunServerProgram(user,
                             {(bin_dir / "pg_ctl").string(), "-D", (entry.path() / "data").string(),
                              "-m", "immediate", "-w", "stop"},
                             "/dev/null");
    }
    fs::remove_all(entry.path(), error);
  }
}

class StopServerAtEnd : public ::testing::Environment {
 public:
  void TearDown() override { PostgresServer::StopIfStarted(); }
};

[[maybe_unused]] ::testing::Environment* const kStopServerAtEnd =
    ::testing::AddGlobalTestEnvironment(new StopServerAtEnd);

}  // namespace

Result<PostgresServer*> PostgresServer::Get() {
  static Status start_error;
  if (TheServer()) return TheServer().get();
  if (!start_error.ok()) return start_error;
  std::unique_ptr<PostgresServer> server(new PostgresServer());
  Status started = server->Start();
  if (!started.ok()) {
    start_error = started;
    return start_error;
  }
  TheServer() = std::move(server);
  return TheServer().get();
}

void PostgresServer::StopIfStarted() {
  if (TheServer()) {
    Status stopped = TheServer()->Stop();
    if (!stopped.ok()) ADD_FAILURE() << stopped.message();
    TheServer().reset();
  }
}

Status PostgresServer::Start() {
  SLUICE_ASSIGN_OR_RETURN(bin_dir_, FindBinDir());
  SLUICE_ASSIGN_OR_RETURN(ServerUser user, GetServerUser());
  StopAbandonedServers(bin_dir_, user);
  std::string pattern =
      "/tmp/" + std::string(kFolderPrefix) + std::to_string(::getpid()) + "-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) return ErrnoStatus("mkdtemp " + pattern, errno);
  root_ = pattern;
  fs::path data = root_ / "data", sock = root_ / "sock";
  fs::create_directory(sock);
  SLUICE_RETURN_IF_ERROR(GiveTo(user, root_));
  SLUICE_RETURN_IF_ERROR(GiveTo(user, sock));
  SLUICE_RETURN_IF_ERROR(
      RunServerProgram(user,
                       {(bin_dir_ / "initdb").string(), "-D", data.string(), "--auth=trust", "-U",
                        "sluice", "-E", "UTF8", "--locale=C", "--no-sync"},
                       root_ / "initdb.log"));
  Status started;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    SLUICE_ASSIGN_OR_RETURN(port_, FreePort());
    std::string server_options = "-k " + sock.string() + " -p " + std::to_string(port_) +
                                 " -c listen_addresses=127.0.0.1 -c fsync=off"
                                 " -c synchronous_commit=off -c full_page_writes=off"
                                 " -c max_connections=20 -c shared_buffers=64MB";
    started = RunServerProgram(
        user,
        {(bin_dir_ / "pg_ctl").string(), "-D", data.string(), "-l", (root_ / "server.log").string(),
         "-o", server_options, "-w", "-t", "60", "start"},
        root_ / "pg_ctl.log");
    if (started.ok()) return started;
    std::string log = ReadFile(root_ / "server.log");
    if (log.find("could not bind") == std::string::npos &&
        log.find("already in use") == std::string::npos) {
      break;
    }
  }
  return Status::Internal(started.message() + "\nserver log:\n" + ReadFile(root_ / "server.log"));
}

Status PostgresServer::Stop() {
  SLUICE_ASSIGN_OR_RETURN(ServerUser user, GetServerUser());
  Status stopped = RunServerProgram(user,
                                    {(bin_dir_ / "pg_ctl").string(), "-D",
                                     (root_ / "data").string(), "-m", "immediate", "-w", "stop"},
                                    root_ / "pg_ctl.log");
  std::error_code ignored;
  fs::remove_all(root_, ignored);
  return stopped;
}

std::string PostgresServer::Url(const std::string& database) const {
  return "postgresql://sluice@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

Result<std::string> PostgresServer::CreateDatabase() {
  std::string name = "test_" + std::to_string(++databases_);
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> admin,
                          PgConnection::Connect(Url("postgres"), Url("postgres")));
  SLUICE_RETURN_IF_ERROR(admin->Execute("CREATE DATABASE " + name));
  return name;
}

void PostgresTest::SetUp() {
  Result<PostgresServer*> server = PostgresServer::Get();
  ASSERT_TRUE(server.ok()) << server.status().message();
  Result<std::string> database = (*server)->CreateDatabase();
  ASSERT_TRUE(database.ok()) << database.status().message();
  url_ = (*server)->Url(*database);
  Result<std::unique_ptr<PgConnection>> pg = PgConnection::Connect(url_, url_);
  ASSERT_TRUE(pg.ok()) << pg.status().message();
  pg_ = std::move(*pg);
}

void PostgresTest::Sql(const std::string& sql) {
  Status status = pg_->Execute(sql);
  ASSERT_TRUE(status.ok()) << sql << ": " << status.message();
}

std::vector<PgRow> PostgresTest::Rows(const std::string& sql) {
  Result<std::vector<PgRow>> rows = pg_->QueryRows(sql);
  EXPECT_TRUE(rows.ok()) << sql << ": " << rows.status().message();
  return rows.ok() ? *rows : std::vector<PgRow>{};
}

std::string PostgresTest::Value(const std::string& sql) {
  std::vector<PgRow> rows = Rows(sql);
  if (rows.empty() || rows[0].empty() || !rows[0][0]) return "";
  return *rows[0][0];
}

}  // namespace sluice::warehouse::testing
