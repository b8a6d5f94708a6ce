#include "store/schema.h"

namespace sluice::store {
namespace {

constexpr Migration kMigrations[] = {
    {1, "lake objects, event log, counters", R"sql(
CREATE TABLE buckets (
  name       TEXT PRIMARY KEY,
  created_ms INTEGER NOT NULL
) WITHOUT ROWID;

-- Keys are BLOBs so that they sort bytewise (S3 lists in UTF-8 byte order) and hold any byte.
CREATE TABLE objects (
  bucket           TEXT NOT NULL REFERENCES buckets(name),
  key              BLOB NOT NULL,
  blob_id          TEXT NOT NULL,     -- names the file holding the bytes
  size             INTEGER NOT NULL,
  etag             TEXT NOT NULL,     -- hex MD5, unquoted
  content_type     TEXT NOT NULL,
  metadata         TEXT NOT NULL,     -- user metadata, a JSON object
  last_modified_ms INTEGER NOT NULL,
  PRIMARY KEY (bucket, key)
) WITHOUT ROWID;
-- Crash recovery asks whether a leftover blob file was committed.
CREATE INDEX objects_by_blob ON objects(blob_id);

-- Blob files no object refers to any more. A row is added in the transaction that drops the
-- mapping and removed once the file is unlinked, so a crash in between leaks no space.
CREATE TABLE blob_garbage (
  blob_id TEXT PRIMARY KEY
) WITHOUT ROWID;

-- The event log: every change appends its event in the transaction that makes the change.
CREATE TABLE events (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,  -- log order; never reused
  event_id    TEXT NOT NULL UNIQUE,
  time_ms     INTEGER NOT NULL,
  source      TEXT NOT NULL,
  detail_type TEXT NOT NULL,
  body        TEXT NOT NULL                       -- the whole EventBridge envelope
);
CREATE INDEX events_by_time ON events(time_ms);

-- Named monotonic counters (S3 sequencers, ...).
CREATE TABLE counters (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
)sql"},
};

}  // namespace

std::span<const Migration> Migrations() {
  return kMigrations;
}

}  // namespace sluice::store
