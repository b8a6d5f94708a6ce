#include "sluice/common/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

extern char** environ;

namespace sluice {
namespace {

// posix_spawn's attributes and file actions, destroyed on every path out.
struct SpawnSetup {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  SpawnSetup() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

std::vector<std::string> MergedEnvironment(const std::map<std::string, std::string>& extra,
                                           const std::vector<std::string>& drop_prefixes) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    std::string name(entry.substr(0, entry.find('=')));
    bool dropped = false;
    for (const std::string& prefix : drop_prefixes)
      dropped = dropped || name.rfind(prefix, 0) == 0;
    if (!dropped && extra.count(name) == 0) env.emplace_back(entry);
  }
  for (const auto& [name, value] : extra)
    env.push_back(name + "=" + value);
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

Result<pid_t> Spawn(const SpawnOptions& options) {
  if (options.argv.empty() || options.argv[0].empty()) {
    return Status::InvalidArgument("no program to run");
  }
  SpawnSetup setup;
  // Its own session: the child leads a new process group, so SignalGroup reaches its
  // descendants, and a terminal's Ctrl-C does not reach it directly.
  posix_spawnattr_setflags(&setup.attr,
                           POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&setup.attr, &none);
  posix_spawnattr_setsigdefault(&setup.attr, &all);
  posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  auto redirect = [&](int fd, const std::filesystem::path& path) {
    posix_spawn_file_actions_addopen(&setup.actions, fd, path.empty() ? "/dev/null" : path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
  };
  redirect(STDOUT_FILENO, options.stdout_path);
  redirect(STDERR_FILENO, options.stderr_path);
  if (!options.cwd.empty()) {
    posix_spawn_file_actions_addchdir_np(&setup.actions, options.cwd.c_str());
  }
  std::vector<std::string> argv = options.argv;
  std::vector<std::string> env = MergedEnvironment(options.env, options.drop_env_prefixes);
  std::vector<char*> argv_pointers = Pointers(argv);
  std::vector<char*> env_pointers = Pointers(env);
  // posix_spawnp searches the PATH of the engine; the child's PATH is set from `env`.
  pid_t pid = 0;
  int error = posix_spawnp(&pid, argv[0].c_str(), &setup.actions, &setup.attr, argv_pointers.data(),
                           env_pointers.data());
  if (error != 0) {
    return Status::FailedPrecondition("cannot run " + options.argv[0] + ": " +
                                      std::strerror(error));
  }
  return pid;
}

ExitStatus WaitForExit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return {127, 0};
  }
  if (WIFSIGNALED(status)) return {0, WTERMSIG(status)};
  return {WEXITSTATUS(status), 0};
}

std::string DescribeExit(const ExitStatus& status) {
  if (status.signal != 0) {
    return "killed by signal " + std::to_string(status.signal) + " (" + ::strsignal(status.signal) +
           ")";
  }
  return "exit code " + std::to_string(status.exit_code);
}

void SignalGroup(pid_t pgid, int signal) {
  if (pgid > 0) ::kill(-pgid, signal);
}

int KillProcessesMarked(const std::string& name, const std::string& value) {
  const std::string marker = name + "=" + value;
  const pid_t self = ::getpid();
  int found = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string pid_text = entry.path().filename().string();
    if (pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = static_cast<pid_t>(std::stol(pid_text));
    if (pid == self) continue;
    std::ifstream environ_file(entry.path() / "environ", std::ios::binary);
    std::string variable;
    while (std::getline(environ_file, variable, '\0')) {
      if (variable == marker) {
        ::kill(pid, SIGKILL);
        ++found;
        break;
      }
    }
  }
  return found;
}

std::string FindProgram(const std::string& program) {
  if (program.find('/') != std::string::npos) {
    return ::access(program.c_str(), X_OK) == 0 ? program : "";
  }
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

}  // namespace sluice
