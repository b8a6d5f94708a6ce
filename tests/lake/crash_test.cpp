// Crash safety: a writer process is killed with SIGKILL mid-flight; the next Open() must find a
// consistent lake: no partial object visible, no leaked files, and an event log that holds
// exactly one event per committed change.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "lake/lake_fixture.h"
#include "sluice/common/md5.h"

namespace sluice::lake {
namespace {

// Endless bytes, slowly: tells `notify_fd` once `notify_after` bytes have been produced, then
// keeps producing, so the put is still running when the test kills it.
class SlowEndlessSource final : public ByteSource {
 public:
  SlowEndlessSource(int notify_fd, uint64_t notify_after)
      : notify_fd_(notify_fd), notify_after_(notify_after) {}
  Result<size_t> Read(char* buffer, size_t size) override {
    std::memset(buffer, 'z', size);
    produced_ += size;
    if (produced_ >= notify_after_ && !notified_) {
      notified_ = true;
      char byte = 1;
      (void)!::write(notify_fd_, &byte, 1);
    }
    if (notified_) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return size;
  }

 private:
  int notify_fd_;
  uint64_t notify_after_;
  uint64_t produced_ = 0;
  bool notified_ = false;
};

class CrashTest : public LakeTest {
 protected:
  void SetUp() override {
    LakeTest::SetUp();
    ASSERT_TRUE(lake_->CreateBucket("lake").ok());
  }

  // Runs `work` in a child process on its own handles to the data dir, never returning there.
  // The child exits with what `work` returns (0 when it returns nothing), 3 or 4 if it could not
  // open the store or the lake.
  template <typename Work>
  pid_t Spawn(Work work) {
    pid_t pid = ::fork();
    if (pid == 0) {
      auto db = store::Database::Open(dir_ / "state.db");
      if (!db.ok()) ::_exit(3);
      auto lake = LocalObjectStore::Open(**db, dir_ / "lake");
      if (!lake.ok()) ::_exit(4);
      if constexpr (std::is_void_v<decltype(work(**lake))>) {
        work(**lake);
        ::_exit(0);
      } else {
        ::_exit(work(**lake));
      }
    }
    return pid;
  }

  // Waits for a child Spawn() started and returns its exit code.
  static int ExitCodeOf(pid_t pid) {
    int status = 0;
    EXPECT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status));
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  static void Kill(pid_t pid) {
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer finished before it was killed";
  }

  // Every object's file exists and holds bytes matching its size and ETag; no other files exist.
  void ExpectFilesMatchTheStore() {
    std::map<std::string, std::filesystem::path> on_disk;  // blob id -> file
    for (const auto& file : FilesUnder("objects"))
      on_disk[file.filename().string()] = file;
    std::set<std::string> referenced;
    ASSERT_TRUE(db_->Read([&](store::Transaction& tx) -> Status {
                     SLUICE_ASSIGN_OR_RETURN(store::Cursor rows,
                                             tx.Query("SELECT blob_id, size, etag FROM objects"));
                     while (true) {
                       SLUICE_ASSIGN_OR_RETURN(bool more, rows.Next());
                       if (!more) return Status::Ok();
                       std::string id = rows.Text(0);
                       referenced.insert(id);
                       std::ifstream in(on_disk[id], std::ios::binary);
                       EXPECT_TRUE(in.good()) << "missing file for blob " << id;
                       std::string bytes((std::istreambuf_iterator<char>(in)), {});
                       EXPECT_EQ(bytes.size(), static_cast<uint64_t>(rows.Int(1)));
                       Md5 md5;
                       md5.Update(bytes);
                       EXPECT_EQ(md5.FinishHex(), rows.Text(2));
                     }
                   })
                    .ok());
    std::set<std::string> files;
    for (const auto& [id, path] : on_disk)
      files.insert(id);
    EXPECT_EQ(files, referenced);
    EXPECT_TRUE(FilesUnder("tmp").empty());
  }

  // Replaying the event log gives exactly the objects the store holds, with their ETags.
  void ExpectEventLogMatchesTheStore() {
    std::map<std::string, std::string> replayed;  // key -> etag
    for (const auto& event : Events()) {
      auto body = nlohmann::json::parse(event.body);
      std::string key = body["detail"]["object"]["key"];
      if (event.detail_type == "Object Created") {
        replayed[key] = body["detail"]["object"]["etag"];
      } else {
        EXPECT_EQ(replayed.erase(key), 1u) << "Object Deleted for an absent key " << key;
      }
    }
    std::map<std::string, std::string> stored;
    std::string marker;
    while (true) {
      ListRequest request;
      request.start_after = marker;
      auto page = lake_->ListObjects("lake", request);
      ASSERT_TRUE(page.ok());
      for (const auto& o : page->objects)
        stored[o.key] = o.etag;
      if (!page->truncated) break;
      marker = page->next_marker;
    }
    EXPECT_EQ(replayed, stored);
  }
};

TEST_F(CrashTest, KillDuringALargePutLeavesNoPartialObject) {
  ASSERT_TRUE(Put("lake", "big", "the old version").ok());
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  pid_t pid = Spawn([&](LocalObjectStore& lake) {
    SlowEndlessSource source(pipe_fds[1], 8u << 20);
    (void)lake.PutObject("lake", "big", source, PutOptions{});
  });
  char byte;
  ASSERT_EQ(::read(pipe_fds[0], &byte, 1), 1);  // the child is 8 MiB into the put
  Kill(pid);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  EXPECT_EQ(FilesUnder("tmp").size(), 1u);  // the dead writer's temp file

  Reopen();
  EXPECT_EQ(lake_->recovered_leftovers(), 1);
  EXPECT_EQ(Get("lake", "big"), "the old version");
  EXPECT_EQ(Events().size(), 1u);
  ExpectFilesMatchTheStore();
}

TEST_F(CrashTest, OpeningBesideALiveWriterLeavesItsTempFileAlone) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  pid_t pid = Spawn([&](LocalObjectStore& lake) {
    SlowEndlessSource source(pipe_fds[1], 1u << 20);
    (void)lake.PutObject("lake", "slow", source, PutOptions{});
  });
  char byte;
  ASSERT_EQ(::read(pipe_fds[0], &byte, 1), 1);
  Reopen();  // a second process starting up while the writer is mid-put
  EXPECT_EQ(lake_->recovered_leftovers(), 0);
  EXPECT_EQ(FilesUnder("tmp").size(), 1u);
  Kill(pid);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  Reopen();
  EXPECT_EQ(lake_->recovered_leftovers(), 1);
  EXPECT_TRUE(FilesUnder("tmp").empty());
}

TEST_F(CrashTest, AFullDiskFailsThePutCleanly) {
  // RLIMIT_FSIZE makes write(2) fail with EFBIG past 6 MiB, as a full disk would fail it, in a
  // child process so the limit binds nobody else.
  ::signal(SIGXFSZ, SIG_IGN);  // inherited by the child; restored below
  pid_t pid = Spawn([](LocalObjectStore& lake) {
    struct rlimit limit = {6u << 20, 6u << 20};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    StringByteSource body(std::string(20u << 20, 'f'));
    auto put = lake.PutObject("lake", "too-big", body, PutOptions{});
    if (put.ok()) return 5;
    if (put.status().message().find("File too large") == std::string::npos) return 6;
    if (put.status().message().find("s3://lake/too-big") == std::string::npos) return 7;
    return 0;
  });
  ::signal(SIGXFSZ, SIG_DFL);
  EXPECT_EQ(ExitCodeOf(pid), 0);
  Reopen();
  EXPECT_EQ(lake_->recovered_leftovers(), 0);  // the failed put cleaned up after itself
  EXPECT_EQ(Get("lake", "too-big"), "!NoSuchKey");
  EXPECT_TRUE(Events().empty());
  ExpectFilesMatchTheStore();
}

// Produces `size` bytes without holding them.
class GeneratedSource final : public ByteSource {
 public:
  explicit GeneratedSource(uint64_t size) : left_(size) {}
  Result<size_t> Read(char* buffer, size_t size) override {
    size_t n = static_cast<size_t>(std::min<uint64_t>(size, left_));
    std::memset(buffer, 'g', n);
    left_ -= n;
    return n;
  }

 private:
  uint64_t left_;
};

#if !defined(__SANITIZE_ADDRESS__)  // ASan's own allocations would swamp the figure
TEST_F(CrashTest, APutStreamsInBoundedMemory) {
  constexpr uint64_t kBodyBytes = 768ull << 20;
  pid_t pid = Spawn([](LocalObjectStore& lake) {
    GeneratedSource body(kBodyBytes);
    if (!lake.PutObject("lake", "big", body, PutOptions{}).ok()) return 5;
    struct rusage usage;
    ::getrusage(RUSAGE_SELF, &usage);
    // Peak resident memory in MiB (ru_maxrss is in KiB), as the exit status.
    return static_cast<int>(std::min<long>(usage.ru_maxrss / 1024, 255));
  });
  int peak_mib = ExitCodeOf(pid);
  EXPECT_GT(peak_mib, 5) << "the child failed before measuring";
  EXPECT_LT(peak_mib, 96) << "a 768 MiB put held " << peak_mib << " MiB";
  EXPECT_EQ(lake_->HeadObject("lake", "big")->size, kBodyBytes);
}
#endif

TEST_F(CrashTest, KillsAtRandomMomentsNeverCorruptTheLake) {
  std::mt19937 rng(7);
  for (int round = 0; round < 12; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    pid_t pid = Spawn([round](LocalObjectStore& lake) {
      for (int i = 0;; ++i) {
        std::string key = "r" + std::to_string(round) + "/k" + std::to_string(i % 40);
        if (i % 5 == 4) {
          (void)lake.DeleteObject("lake", key);
        } else {
          StringByteSource body(std::string(1000 + (i * 7919) % 300000, 'a' + i % 26));
          (void)lake.PutObject("lake", key, body, PutOptions{});
        }
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 150));
    Kill(pid);
    Reopen();
    ExpectFilesMatchTheStore();
    ExpectEventLogMatchesTheStore();
  }
}

}  // namespace
}  // namespace sluice::lake
