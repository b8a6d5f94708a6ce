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
    {2, "bus: rules, routing cursor, deliveries, dead letters, batches", R"sql(
-- Scheduled events go to their rule's targets only, never through pattern matching.
ALTER TABLE events ADD COLUMN only_rule TEXT;

CREATE TABLE rules (
  name         TEXT PRIMARY KEY,
  definition   TEXT NOT NULL,     -- the rule as JSON, AWS field names
  state        TEXT NOT NULL,     -- ENABLED | DISABLED
  schedule     TEXT,              -- scheduled rules: rate(...) / cron(...)
  next_fire_ms INTEGER,           -- scheduled rules: when they fire next
  created_ms   INTEGER NOT NULL,
  updated_ms   INTEGER NOT NULL
) WITHOUT ROWID;

-- How far each consumer of the event log has read.
CREATE TABLE log_cursors (
  consumer TEXT PRIMARY KEY,
  seq      INTEGER NOT NULL
) WITHOUT ROWID;

-- One row per (event or batch, rule, target): the unit of at-least-once delivery.
CREATE TABLE deliveries (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  delivery_key    TEXT NOT NULL UNIQUE,  -- the idempotency key the target sees
  rule            TEXT NOT NULL,
  target          TEXT NOT NULL,         -- the target as JSON when the delivery was made
  event_ids       TEXT NOT NULL,         -- JSON array
  input           TEXT NOT NULL,         -- what the target receives
  state           TEXT NOT NULL,         -- PENDING | RUNNING | SUCCEEDED | DEAD_LETTERED
  attempts        INTEGER NOT NULL,
  event_time_ms   INTEGER NOT NULL,      -- the oldest event's time, for MaximumEventAgeInSeconds
  next_attempt_ms INTEGER NOT NULL,
  created_ms      INTEGER NOT NULL,
  updated_ms      INTEGER NOT NULL,
  last_error      TEXT
);
CREATE INDEX deliveries_due ON deliveries(state, next_attempt_ms);

CREATE TABLE dead_letters (
  delivery_id         INTEGER PRIMARY KEY REFERENCES deliveries(id),
  rule                TEXT NOT NULL,
  target_id           TEXT NOT NULL,
  error_code          TEXT NOT NULL,
  error_message       TEXT NOT NULL,
  exhausted_condition TEXT,           -- MaximumRetryAttempts | MaximumEventAgeInSeconds
  retry_attempts      INTEGER NOT NULL,
  created_ms          INTEGER NOT NULL
);

-- Open batches of targets that collect events; at most one per target.
CREATE TABLE batches (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  rule       TEXT NOT NULL,
  target_id  TEXT NOT NULL,
  target     TEXT NOT NULL,
  opened_ms  INTEGER NOT NULL,
  closes_ms  INTEGER NOT NULL,
  size_limit INTEGER NOT NULL,
  count      INTEGER NOT NULL,
  UNIQUE (rule, target_id)
);
CREATE TABLE batch_items (
  batch_id      INTEGER NOT NULL REFERENCES batches(id),
  position      INTEGER NOT NULL,
  event_id      TEXT NOT NULL,
  event_time_ms INTEGER NOT NULL,
  input         TEXT NOT NULL,
  PRIMARY KEY (batch_id, position)
) WITHOUT ROWID;
)sql"},
    {3, "events: when the bus received each event", R"sql(
-- NULL for events logged before this column existed: their `time_ms` stands in.
ALTER TABLE events ADD COLUMN received_ms INTEGER;
)sql"},
    {4, "clusters: templates, clusters, steps, cost ledger", R"sql(
CREATE TABLE cluster_templates (
  name       TEXT PRIMARY KEY,
  spec       TEXT NOT NULL,             -- the template as JSON (RunJobFlow's shape)
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE clusters (
  id               TEXT PRIMARY KEY,    -- j-XXXXXXXXXXXXX
  name             TEXT NOT NULL,
  template         TEXT NOT NULL,
  spec             TEXT NOT NULL,       -- the template as it was at creation, tags merged in
  state            TEXT NOT NULL,
  reason_code      TEXT NOT NULL,       -- '' while live
  reason_message   TEXT NOT NULL,
  created_ms       INTEGER NOT NULL,
  ready_ms         INTEGER,
  end_ms           INTEGER,
  waiting_since_ms INTEGER,             -- when it last became WAITING: the idle timer
  ran_steps        INTEGER NOT NULL,    -- 1 once a step has run (auto-termination needs work first)
  delivery_key     TEXT UNIQUE          -- the delivery that created it: a retry finds it again
);
CREATE INDEX clusters_by_state ON clusters(state);
CREATE INDEX clusters_by_template ON clusters(template, state);

CREATE TABLE steps (
  seq               INTEGER PRIMARY KEY AUTOINCREMENT,  -- FIFO order within a cluster
  id                TEXT NOT NULL UNIQUE,               -- s-XXXXXXXXXXXXX
  cluster_id        TEXT NOT NULL REFERENCES clusters(id),
  name              TEXT NOT NULL,
  config            TEXT NOT NULL,      -- StepConfig as JSON
  state             TEXT NOT NULL,
  cancel_option     TEXT,               -- SEND_INTERRUPT | TERMINATE_PROCESS once cancelled
  failure_reason    TEXT,
  failure_message   TEXT,
  failure_log       TEXT,
  created_ms        INTEGER NOT NULL,
  start_ms          INTEGER,
  end_ms            INTEGER,
  pid               INTEGER,            -- its process (group leader) while it runs here
  exit_code         INTEGER,
  delivery_key      TEXT UNIQUE         -- '<delivery>#<index>': a retried add_steps adds nothing
);
CREATE INDEX steps_by_cluster ON steps(cluster_id, state);

-- What each cluster's nodes cost, booked when it ends: one row per instance group.
CREATE TABLE cost_ledger (
  cluster_id     TEXT NOT NULL REFERENCES clusters(id),
  instance_group TEXT NOT NULL,         -- MASTER, CORE, TASK (or its name)
  instance_type  TEXT NOT NULL,
  instance_count INTEGER NOT NULL,
  template       TEXT NOT NULL,
  pipeline       TEXT NOT NULL,         -- the cluster's sluice:pipeline tag, or ''
  start_ms       INTEGER NOT NULL,
  end_ms         INTEGER NOT NULL,
  billed_seconds INTEGER NOT NULL,      -- per node: per second, one minute at least
  ec2_usd_hour   REAL NOT NULL,
  emr_usd_hour   REAL NOT NULL,
  local_usd      REAL NOT NULL,         -- what the run cost here, at the local price
  emr_usd        REAL NOT NULL,         -- what the same node-seconds cost on EMR (EC2 + EMR fee)
  PRIMARY KEY (cluster_id, instance_group)
) WITHOUT ROWID;
)sql"},
    {5, "steps: what a finished step reports (a sql step's rows, bytes and outputs)", R"sql(
ALTER TABLE steps ADD COLUMN result TEXT;  -- JSON, or NULL when the step reported nothing
)sql"},
    {6, "pipelines: what each applied spec declared, and its warehouse", R"sql(
-- Applying a spec again drops the rules and templates it no longer declares; commands given no
-- warehouse use the one of the spec applied last.
CREATE TABLE pipelines (
  name       TEXT PRIMARY KEY,
  warehouse  TEXT NOT NULL,  -- the spec's warehouse URL; '' when it names none
  rules      TEXT NOT NULL,  -- JSON array of rule names
  templates  TEXT NOT NULL,  -- JSON array of cluster template names
  applied_ms INTEGER NOT NULL
) WITHOUT ROWID;
)sql"},
    {7, "objects: the response headers a writer stored with them, and multipart uploads", R"sql(
-- Cache-Control, Content-Disposition, Content-Encoding, Content-Language, Expires and the
-- x-amz-checksum-* a writer sent, returned on GET and HEAD: a JSON object, names lower-case.
ALTER TABLE objects ADD COLUMN headers TEXT NOT NULL DEFAULT '{}';
-- A multipart object's part sizes (a JSON array), for GET ?partNumber=N; NULL for the others.
ALTER TABLE objects ADD COLUMN part_sizes TEXT;

-- A multipart upload in progress. Its parts are blob files of their own until completion
-- concatenates them into the object's blob; completing or aborting removes these rows.
CREATE TABLE multipart_uploads (
  upload_id    TEXT PRIMARY KEY,
  bucket       TEXT NOT NULL REFERENCES buckets(name),
  key          BLOB NOT NULL,
  content_type TEXT NOT NULL,
  metadata     TEXT NOT NULL,     -- user metadata, a JSON object
  headers      TEXT NOT NULL,     -- as objects.headers
  initiated_ms INTEGER NOT NULL
) WITHOUT ROWID;
-- ListMultipartUploads lists by key, then by when each upload began.
CREATE INDEX multipart_uploads_by_key ON multipart_uploads(bucket, key, initiated_ms);

CREATE TABLE multipart_parts (
  upload_id        TEXT NOT NULL REFERENCES multipart_uploads(upload_id),
  part_number      INTEGER NOT NULL,  -- 1 to 10000
  blob_id          TEXT NOT NULL,
  size             INTEGER NOT NULL,
  etag             TEXT NOT NULL,     -- hex MD5 of the part, unquoted
  last_modified_ms INTEGER NOT NULL,
  PRIMARY KEY (upload_id, part_number)
) WITHOUT ROWID;
-- Crash recovery asks whether a leftover blob file is a committed part.
CREATE INDEX multipart_parts_by_blob ON multipart_parts(blob_id);
)sql"},
    {8, "functions: user code run through the Lambda Runtime API", R"sql(
CREATE TABLE functions (
  name             TEXT PRIMARY KEY,
  config           TEXT NOT NULL,     -- JSON in Lambda's field names (function_config.h)
  code_sha256      TEXT NOT NULL,     -- base64, as Lambda's CodeSha256
  code_size        INTEGER NOT NULL,
  code_folder      TEXT NOT NULL,     -- the unpacked code, under the data dir's functions/
  revision_id      TEXT NOT NULL,
  last_modified_ms INTEGER NOT NULL
) WITHOUT ROWID;
)sql"},
    {9, "function_invocations: Lambda's asynchronous invocation queue", R"sql(
CREATE TABLE function_invocations (
  id               INTEGER PRIMARY KEY,
  request_id       TEXT NOT NULL UNIQUE,  -- the same on every attempt, as Lambda's
  dedupe_key       TEXT UNIQUE,           -- a rule delivery's key: enqueued once however often
                                          -- the delivery runs; NULL for Invoke API events
  function         TEXT NOT NULL,
  payload          TEXT NOT NULL,
  source           TEXT NOT NULL,         -- who asked: "rule/NAME", "invoke"
  state            TEXT NOT NULL,         -- PENDING, RUNNING, SUCCEEDED, FAILED
  attempts         INTEGER NOT NULL DEFAULT 0,  -- invocations tried (throttles not counted)
  throttles        INTEGER NOT NULL DEFAULT 0,
  enqueued_ms      INTEGER NOT NULL,      -- the event's age counts from here
  next_attempt_ms  INTEGER NOT NULL,
  updated_ms       INTEGER NOT NULL,
  condition        TEXT,                  -- FAILED: RetriesExhausted or EventAgeExceeded
  error_type       TEXT,                  -- the last attempt's, when it failed
  response         TEXT,                  -- the last attempt's answer or error document
  dead_lettered    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX function_invocations_due ON function_invocations(state, next_attempt_ms);
)sql"},
    {10, "pipelines: the functions a spec declared", R"sql(
ALTER TABLE pipelines ADD COLUMN functions TEXT NOT NULL DEFAULT '[]';  -- JSON array of names
)sql"},
};

}  // namespace

std::span<const Migration> Migrations() {
  return kMigrations;
}

}  // namespace sluice::store
