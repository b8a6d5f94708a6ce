#include "sluice/store/event_log.h"

#include <gtest/gtest.h>

#include "sluice/store/counters.h"
#include "sluice/store/database.h"
#include "support/temp_dir.h"

namespace sluice::store {
namespace {

using sluice::testing::TempDir;

LoggedEvent MakeEvent(std::string id) {
  return {0,
          std::move(id),
          FromUnixMillis(1000),
          FromUnixMillis(1000),
          "aws.s3",
          "Object Created",
          "{}",
          ""};
}

TEST(EventLogTest, AppendsInOrderAndReadsAfterASeq) {
  TempDir dir;
  auto db = std::move(Database::Open(dir / "state.db")).value();
  std::vector<int64_t> seqs;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(db->Write([&](Transaction& tx) -> Status {
                    SLUICE_ASSIGN_OR_RETURN(int64_t seq,
                                            AppendEvent(tx, MakeEvent("e" + std::to_string(i))));
                    seqs.push_back(seq);
                    return Status::Ok();
                  }).ok());
  }
  for (size_t i = 1; i < seqs.size(); ++i)
    EXPECT_GT(seqs[i], seqs[i - 1]);

  std::vector<LoggedEvent> events;
  ASSERT_TRUE(db->Read([&](Transaction& tx) -> Status {
                  SLUICE_ASSIGN_OR_RETURN(events, ReadEvents(tx, seqs[1], 2));
                  return Status::Ok();
                }).ok());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].id, "e2");
  EXPECT_EQ(events[1].id, "e3");
  EXPECT_EQ(events[0].seq, seqs[2]);
  EXPECT_EQ(events[0].source, "aws.s3");
  EXPECT_EQ(events[0].detail_type, "Object Created");
  EXPECT_EQ(ToUnixMillis(events[0].time), 1000);
}

TEST(EventLogTest, EventsOfARolledBackTransactionNeverAppear) {
  TempDir dir;
  auto db = std::move(Database::Open(dir / "state.db")).value();
  Status s = db->Write([&](Transaction& tx) -> Status {
    SLUICE_RETURN_IF_ERROR(AppendEvent(tx, MakeEvent("lost")).status());
    return Status::Conflict("abort");
  });
  ASSERT_FALSE(s.ok());
  std::vector<LoggedEvent> events;
  ASSERT_TRUE(db->Read([&](Transaction& tx) -> Status {
                  SLUICE_ASSIGN_OR_RETURN(events, ReadEvents(tx, 0, 100));
                  return Status::Ok();
                }).ok());
  EXPECT_TRUE(events.empty());
}

TEST(EventLogTest, DuplicateEventIdIsRejected) {
  TempDir dir;
  auto db = std::move(Database::Open(dir / "state.db")).value();
  ASSERT_TRUE(
      db->Write([&](Transaction& tx) { return AppendEvent(tx, MakeEvent("x")).status(); }).ok());
  EXPECT_FALSE(
      db->Write([&](Transaction& tx) { return AppendEvent(tx, MakeEvent("x")).status(); }).ok());
}

TEST(TransactionTest, AnEmptyStringBindsAsEmptyTextNotNull) {
  TempDir dir;
  auto db = std::move(Database::Open(dir / "state.db")).value();
  int64_t matches = -1;
  ASSERT_TRUE(db->Read([&](Transaction& tx) -> Status {
                  SLUICE_ASSIGN_OR_RETURN(
                      Cursor row,
                      tx.Query("SELECT ? = '', ? IS NULL", std::string_view(), std::string_view()));
                  SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
                  if (found) matches = row.Int(0) * 10 + row.Int(1);
                  return Status::Ok();
                }).ok());
  EXPECT_EQ(matches, 10);  // equal to '', and not NULL
}

TEST(CountersTest, CountFromOnePerName) {
  TempDir dir;
  auto db = std::move(Database::Open(dir / "state.db")).value();
  std::vector<int64_t> values;
  ASSERT_TRUE(db->Write([&](Transaction& tx) -> Status {
                  for (const char* name : {"a", "a", "b", "a"}) {
                    SLUICE_ASSIGN_OR_RETURN(int64_t v, NextCounterValue(tx, name));
                    values.push_back(v);
                  }
                  return Status::Ok();
                }).ok());
  EXPECT_EQ(values, (std::vector<int64_t>{1, 2, 1, 3}));
}

}  // namespace
}  // namespace sluice::store
