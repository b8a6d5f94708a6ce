// A local lake in a fresh folder, on a manual clock, for lake tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "sluice/lake/byte_sources.h"
#include "sluice/lake/local_object_store.h"
#include "sluice/store/database.h"
#include "sluice/store/event_log.h"
#include "support/temp_dir.h"

namespace sluice::lake {

class LakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.Set(FromUnixMillis(1'700'000'000'000));
    Reopen();
  }

  // Closes and reopens the lake and the store, as a restart would.
  void Reopen() {
    lake_.reset();
    db_.reset();
    auto db = store::Database::Open(dir_ / "state.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    LocalObjectStoreOptions options;
    options.clock = &clock_;
    auto lake = LocalObjectStore::Open(*db_, dir_ / "lake", options);
    ASSERT_TRUE(lake.ok()) << lake.status().ToString();
    lake_ = std::move(lake).value();
  }

  Result<ObjectInfo> Put(const std::string& bucket, const std::string& key, std::string bytes,
                         PutOptions options = {}) {
    StringByteSource source(std::move(bytes));
    return lake_->PutObject(bucket, key, source, options);
  }

  // The object's bytes, or the error's AWS code prefixed with "!".
  std::string Get(const std::string& bucket, const std::string& key,
                  std::optional<ByteRange> range = std::nullopt) {
    auto reader = lake_->GetObject(bucket, key, range);
    if (!reader.ok()) return "!" + reader.status().aws_code();
    std::string out;
    char buffer[7];  // small on purpose: exercises partial reads
    while (true) {
      auto n = (*reader)->Read(buffer, sizeof buffer);
      if (!n.ok()) return "!read: " + n.status().ToString();
      if (*n == 0) return out;
      out.append(buffer, *n);
    }
  }

  std::vector<store::LoggedEvent> Events() {
    std::vector<store::LoggedEvent> events;
    EXPECT_TRUE(db_->Read([&](store::Transaction& tx) -> Status {
                     SLUICE_ASSIGN_OR_RETURN(events, store::ReadEvents(tx, 0, 1'000'000));
                     return Status::Ok();
                   })
                    .ok());
    return events;
  }

  // The keys of the Object Created events logged so far, in order.
  std::vector<std::string> ObjectCreatedKeys() {
    std::vector<std::string> keys;
    for (const store::LoggedEvent& e : Events()) {
      if (e.detail_type != "Object Created") continue;
      keys.push_back(nlohmann::json::parse(e.body)["detail"]["object"]["key"]);
    }
    return keys;
  }

  // Every regular file under the lake's folder `sub` ("objects" or "tmp").
  std::vector<std::filesystem::path> FilesUnder(const std::string& sub) {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir_ / "lake" / sub)) {
      if (e.is_regular_file()) files.push_back(e.path());
    }
    return files;
  }

  sluice::testing::TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<LocalObjectStore> lake_;
};

}  // namespace sluice::lake
