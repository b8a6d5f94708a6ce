#!/usr/bin/env python3
"""End-to-end tests of the real `sluice` binary's event-bus commands.

    python3 tests/cli/test_bus_cli.py --sluice /path/to/sluice [unittest options]

(or set SLUICE_BIN instead of passing --sluice). Standard library only; the base test case and
`main` are sluice_case.py's.

Covers `events put | ls | tail | test-pattern | match`, `rules put | ls | describe | enable |
disable | rm`, `dlq ls | redrive` and `serve [--until-idle]`: patterns, rules and their validation,
the pipeline from a logged event through a rule to a target's output, retries, dead letters and
redrive, and the one-engine-per-data-dir lock.

Every test gets a fresh temporary folder holding `data/` (passed as --data-dir) and `work/`
(the binary's working directory). No test asserts how long anything takes; waits poll with a
deadline that only guards against hangs.
"""

import json
import os
import re
import signal
import subprocess
import threading
import time
from datetime import datetime, timedelta, timezone

import sluice_case
from sluice_case import TIMEOUT_SECONDS


ISO_MILLIS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
UUID_V4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
RFC3339_SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
EVENT_LINE = re.compile(r"^ *(\d+)  (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)  (\S+) +(.*)$")
ARN_PREFIX = "arn:aws:events:us-east-1:000000000000:rule/"

# The example of `aws events test-event-pattern` (reference/eventbridge.md §5).
AWS_EXAMPLE_EVENT = {"id": "1", "source": "com.mycompany.myapp", "detail-type": "myDetailType",
                     "account": "123456789012", "region": "us-east-1",
                     "time": "2017-04-11T20:11:04Z"}
ENVELOPE_FIELDS = ["id", "account", "source", "time", "region", "detail-type"]


def envelope(detail=None, **fields):
    """A whole EventBridge event with `detail` (and any envelope field overridden)."""
    event = {"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
             "detail-type": "Thing Happened", "source": "com.example.app",
             "account": "111122223333", "time": "2026-11-24T10:00:00Z", "region": "us-east-1",
             "resources": [], "detail": detail if detail is not None else {}}
    for key, value in fields.items():
        event[key.replace("_", "-")] = value
    return event


def dumps(value):
    return json.dumps(value, separators=(",", ":"))


def parse_time(text):
    for form in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.strptime(text, form).replace(tzinfo=timezone.utc)
        except ValueError:
            pass
    raise ValueError(text)


class SluiceCase(sluice_case.SluiceCase):
    """sluice_case's base, with helpers for the bus."""

    TEMP_PREFIX = "sluice-bus-test-"
    WAIT_SECONDS = 60

    def start_sluice(self, *args, data_dir=True):
        """Starts sluice in the background (stdout and stderr piped); the test stops it."""
        process = subprocess.Popen(self.argv(args, data_dir), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   cwd=self.work, env=self.environment())

        def stop():
            if process.poll() is None:
                process.kill()
            process.communicate()
        self.addCleanup(stop)
        return process

    # --- bus helpers --------------------------------------------------------------------------

    def put_event(self, source="com.example.app", detail_type="Thing Happened", detail=None,
                  *options):
        """`events put`; returns the new event's id."""
        args = ["events", "put", "--source", source, "--detail-type", detail_type]
        if detail is not None:
            args += ["--detail", detail if isinstance(detail, str) else dumps(detail)]
        out = self.ok(*(args + list(options)))
        self.assertRegex(out, r"^[0-9a-f-]{36}\n$")
        return out.strip()

    def events(self, *filters):
        """The log as [(seq, event)], through `events ls --json`."""
        listing = json.loads(self.ok("events", "ls", "--json", "--limit", "10000", *filters))
        self.assertEqual(set(listing), {"Events"})
        return [(e["Seq"], e["Event"]) for e in listing["Events"]]

    def put_rule(self, name, pattern=None, targets=None, *options):
        args = ["rules", "put", "--name", name]
        if pattern is not None:
            args += ["--pattern", pattern if isinstance(pattern, str) else dumps(pattern)]
        if targets is not None:
            args += ["--targets", dumps(targets)]
        self.assertEqual(self.ok(*(args + list(options))), ARN_PREFIX + name + "\n")

    def put_rule_file(self, rule):
        path = self.write("rule-{}.json".format(rule["Name"]), json.dumps(rule, indent=2))
        self.assertEqual(self.ok("rules", "put", "--file", path), ARN_PREFIX + rule["Name"] + "\n")

    def rules(self):
        listing = json.loads(self.ok("rules", "ls", "--json"))
        self.assertEqual(set(listing), {"Rules"})
        return listing["Rules"]

    def dead_letters(self):
        listing = json.loads(self.ok("dlq", "ls", "--json"))
        self.assertEqual(set(listing), {"DeadLetters"})
        return listing["DeadLetters"]

    def log_path(self, name="out.jsonl"):
        return os.path.join(self.root, name)

    def log_lines(self, path):
        """The JSON lines a write_log target appended ([] when the file does not exist)."""
        if not os.path.exists(path):
            return []
        text = self.read(path).decode()
        self.assertTrue(text == "" or text.endswith("\n"), text)
        return [json.loads(line) for line in text.splitlines()]

    @staticmethod
    def write_log(target_id, path, **fields):
        target = {"Id": target_id, "Action": "write_log", "Parameters": {"Path": path}}
        target.update(fields)
        return target


# --- events test-pattern and events match ---------------------------------------------------------

# (name, pattern, [(detail or whole event, expected)]): a dozen operators and their edge cases,
# with EventBridge's semantics (reference/eventbridge.md §2). A dict with a "detail-type" key is a
# whole event; anything else is the detail of an otherwise fixed event.
OPERATOR_CASES = [
    ("exact string", {"detail": {"state": ["running"]}},
     [({"state": "running"}, True), ({"state": "Running"}, False), ({}, False),
      ({"state": ["stopped", "running"]}, True)]),
    ("case-sensitive source", {"source": ["COM.example.app"]},
     [({}, False)]),
    ("prefix", {"detail": {"key": [{"prefix": "raw/"}]}},
     [({"key": "raw/a.csv"}, True), ({"key": "cooked/raw/a.csv"}, False), ({"key": "raw"}, False),
      ({"key": 5}, False), ({}, False)]),
    ("empty prefix matches every string", {"detail": {"key": [{"prefix": ""}]}},
     [({"key": "anything"}, True), ({"key": ""}, True), ({"key": 1}, False)]),
    ("prefix ignoring case", {"detail": {"key": [{"prefix": {"equals-ignore-case": "RAW/"}}]}},
     [({"key": "Raw/x"}, True), ({"key": "rawx"}, False)]),
    ("suffix", {"detail": {"key": [{"suffix": ".csv"}]}},
     [({"key": "raw/a.csv"}, True), ({"key": "raw/a.csv.gz"}, False)]),
    ("suffix ignoring case", {"detail": {"key": [{"suffix": {"equals-ignore-case": ".PNG"}}]}},
     [({"key": "a.png"}, True), ({"key": "a.jpg"}, False)]),
    ("equals-ignore-case", {"detail": {"user": [{"equals-ignore-case": "alice"}]}},
     [({"user": "ALICE"}, True), ({"user": "Alice"}, True), ({"user": "alicia"}, False)]),
    ("anything-but a string", {"detail": {"state": [{"anything-but": "initializing"}]}},
     [({"state": "running"}, True), ({"state": "initializing"}, False),
      ({}, False),                        # a missing field is not "anything but"
      ({"state": None}, True),            # an explicit null is
      ({"state": 12}, True)]),
    ("anything-but numbers", {"detail": {"code": [{"anything-but": [100, 200]}]}},
     [({"code": 150}, True), ({"code": 200}, False), ({"code": 200.0}, False)]),
    ("anything-but prefix", {"detail": {"state": [{"anything-but": {"prefix": "init"}}]}},
     [({"state": "initializing"}, False), ({"state": "running"}, True), ({"state": 12}, True)]),
    ("anything-but suffix", {"detail": {"key": [{"anything-but": {"suffix": ".tmp"}}]}},
     [({"key": "a.tmp"}, False), ({"key": "a.csv"}, True)]),
    ("anything-but ignoring case",
     {"detail": {"state": [{"anything-but": {"equals-ignore-case": ["Stopped", "Failed"]}}]}},
     [({"state": "STOPPED"}, False), ({"state": "failed"}, False), ({"state": "running"}, True)]),
    ("anything-but or missing", {"detail": {"state": [{"anything-but": "x"}, {"exists": False}]}},
     [({}, True), ({"state": "x"}, False), ({"state": "y"}, True)]),
    ("numeric range", {"detail": {"n": [{"numeric": [">", 0, "<=", 5]}]}},
     [({"n": 5}, True), ({"n": 0.5}, True), ({"n": 0}, False), ({"n": 5.000001}, False),
      ({"n": "3"}, False), ({}, False)]),
    ("numeric equals", {"detail": {"n": [{"numeric": ["=", 3.018e2]}]}},
     [({"n": 301.8}, True), ({"n": 301}, False)]),
    ("numeric below", {"detail": {"n": [{"numeric": ["<", -1]}]}},
     [({"n": -1.5}, True), ({"n": -1}, False)]),
    ("exact number", {"detail": {"n": [300]}},
     [({"n": 300}, True), ({"n": 300.0}, True), ({"n": 3e2}, True), ({"n": "300"}, False),
      ({"n": 301}, False)]),
    ("exists", {"detail": {"id": [{"exists": True}]}},
     [({"id": "x"}, True), ({"id": None}, True), ({}, False), ({"id": []}, False)]),
    ("exists false", {"detail": {"id": [{"exists": False}]}},
     [({}, True), ({"id": "x"}, False), ({"id": {"nested": 1}}, True)]),
    ("cidr v4", {"detail": {"ip": [{"cidr": "10.0.0.0/24"}]}},
     [({"ip": "10.0.0.255"}, True), ({"ip": "10.0.1.1"}, False), ({"ip": "not an ip"}, False)]),
    ("cidr v6", {"detail": {"ip": [{"cidr": "2001:db8::/32"}]}},
     [({"ip": "2001:db8::1"}, True), ({"ip": "2001:db9::1"}, False)]),
    ("wildcard", {"detail": {"key": [{"wildcard": "dir/*.png"}]}},
     [({"key": "dir/a.png"}, True), ({"key": "dir/a/b.png"}, True), ({"key": "dir/a.jpg"}, False),
      ({"key": "other/dir/a.png"}, False)]),
    ("escaped wildcard", {"detail": {"key": [{"wildcard": "a\\*b"}]}},
     [({"key": "a*b"}, True), ({"key": "axxb"}, False)]),
    ("$or", {"source": ["com.example.app"],
             "$or": [{"detail": {"a": [1]}}, {"detail": {"b": [{"prefix": "x"}]}}]},
     [({"a": 1}, True), ({"b": "xy"}, True), ({"a": 2, "b": "y"}, False)]),
    ("nested $or", {"detail": {"$or": [{"c": [{"numeric": [">", 10]}]}, {"d": [True]}]}},
     [({"c": 11}, True), ({"d": True}, True), ({"c": 10, "d": False}, False)]),
    ("null, empty string, booleans",
     {"detail": {"a": [None], "b": [""], "c": [True]}},
     [({"a": None, "b": "", "c": True}, True), ({"a": "", "b": "", "c": True}, False),
      ({"b": "", "c": True}, False), ({"a": None, "b": "", "c": "true"}, False)]),
    ("any element of an array", {"resources": ["arn:a", "arn:b", "arn:c"]},
     [(envelope(resources=["arn:x", "arn:b"]), True), (envelope(resources=["arn:x"]), False),
      (envelope(resources=[]), False)]),
    ("objects in arrays, one element for all fields",
     {"detail": {"employees": {"first": ["Anna"], "last": ["Jones"]}}},
     [({"employees": [{"first": "Anna", "last": "Smith"}, {"first": "John", "last": "Jones"}]},
       False),
      ({"employees": [{"first": "Anna", "last": "Jones"}]}, True)]),
    ("dotted key is the nested path", {"detail.state": ["on"]},
     [({"state": "on"}, True), ({"state": "off"}, False)]),
    ("candidates of mixed kinds", {"detail": {"k": [{"prefix": "a"}, {"numeric": [">", 5]}, "z"]}},
     [({"k": "ab"}, True), ({"k": 6}, True), ({"k": "z"}, True), ({"k": "b"}, False)]),
]

# (pattern JSON text, the reason EventBridge gives).
INVALID_PATTERNS = [
    ('{"source":"x"}', '"source" must be an object or an array'),
    ('{"detail":{"n":42}}', '"n" must be an object or an array'),
    ('{"source":[]}', "Empty arrays are not allowed"),
    ('[1]', "Filter is not an object"),
    ('{"detail":{}}', "Empty objects are not allowed"),
    ('{"a":[{"NUMERIC":[">",1]}]}', "Unrecognized match type NUMERIC"),
    ('{"a":[{"numeric":[">",0,">",0]}]}', "Bad numeric range operator: >"),
    ('{"a":[{"numeric":["<","x"]}]}', "Value of < must be numeric"),
    ('{"a":[{"numeric":">"}]}', "Value of numeric must be an array."),
    ('{"a":[{"cidr":"10.0.0.0"}]}', "Malformed CIDR, one '/' required"),
    ('{"a":[{"anything-but":[null]}]}',
     "Inside anything but list, start|null|boolean is not supported."),
    ('{"a":[{"anything-but":{"prefix":""}}]}', "Null prefix/suffix not allowed"),
    # Ruler counts the position in the quoted string: the first `*` of "abc**def" is at 4.
    ('{"a":[{"wildcard":"abc**def"}]}', "Consecutive wildcard characters at pos 4"),
]


def case_event(subject):
    return subject if isinstance(subject, dict) and "detail-type" in subject else envelope(subject)


class TestPatternTest(SluiceCase):
    """`events test-pattern`: the contract of `aws events test-event-pattern`."""

    def check(self, pattern, event):
        """Runs test-pattern; asserts exit 0 and a lone true/false; returns it as a bool."""
        out = self.ok("events", "test-pattern", "--pattern",
                      pattern if isinstance(pattern, str) else dumps(pattern),
                      "--event", event if isinstance(event, str) else dumps(event))
        self.assertIn(out, ["true\n", "false\n"])
        return out == "true\n"

    def bad_input(self, expected_message, *args):
        """Exit 2, nothing on stdout, exactly `sluice: MESSAGE` on stderr (no --help hint)."""
        process = self.run_sluice(*args)
        self.assertEqual(process.returncode, 2, self.describe(process))
        self.assertEqual(process.stdout, b"", self.describe(process))
        if expected_message is not None:
            self.assertEqual(process.stderr.decode(), "sluice: {}\n".format(expected_message))
        else:
            self.assertRegex(process.stderr.decode(), r"^sluice: [^\n]+\n$")
        return process.stderr.decode()

    def test_the_aws_cli_example(self):
        self.assertTrue(self.check({"source": ["com.mycompany.myapp"]}, AWS_EXAMPLE_EVENT))
        self.assertFalse(self.check({"source": ["com.other"]}, AWS_EXAMPLE_EVENT))
        self.assertFalse(self.check({"detail": {"k": ["v"]}}, AWS_EXAMPLE_EVENT))
        # Neither `resources` nor `detail` is required of the event.
        self.assertTrue(self.check({"detail-type": ["myDetailType"]}, AWS_EXAMPLE_EVENT))

    def test_needs_no_data_dir(self):
        self.check({"source": ["com.mycompany.myapp"]}, AWS_EXAMPLE_EVENT)
        self.assertFalse(os.path.exists(self.data_dir))
        self.assertEqual(os.listdir(self.work), [])

    def test_invalid_pattern_gives_eventbridges_reason_and_exit_2(self):
        for pattern, reason in INVALID_PATTERNS:
            with self.subTest(pattern=pattern):
                self.bad_input("Event pattern is not valid. Reason: " + reason, "events",
                               "test-pattern", "--pattern", pattern,
                               "--event", dumps(AWS_EXAMPLE_EVENT))
        message = self.bad_input(None, "events", "test-pattern", "--pattern", "not json",
                                 "--event", dumps(AWS_EXAMPLE_EVENT))
        self.assertTrue(message.startswith("sluice: Event pattern is not valid. Reason: "),
                        message)

    def test_event_missing_an_envelope_field_exits_2(self):
        pattern = dumps({"source": ["com.mycompany.myapp"]})
        for field in ENVELOPE_FIELDS:
            with self.subTest(field=field):
                event = {k: v for k, v in AWS_EXAMPLE_EVENT.items() if k != field}
                self.bad_input('Parameter Event is not valid: it has no "{}" field'.format(field),
                               "events", "test-pattern", "--pattern", pattern,
                               "--event", dumps(event))
        for event in ["[1]", '"text"', "not json", "{"]:
            with self.subTest(event=event):
                message = self.bad_input(None, "events", "test-pattern", "--pattern", pattern,
                                         "--event", event)
                self.assertIn("Parameter Event is not valid", message)

    def test_pattern_and_event_from_files(self):
        pattern = self.write("pattern.json", json.dumps({"source": ["com.mycompany.myapp"]},
                                                        indent=2))
        event = self.write("event.json", json.dumps(AWS_EXAMPLE_EVENT, indent=2))
        self.assertTrue(self.check("@" + pattern, "@" + event))
        self.assertTrue(self.check("@pattern.json", "@event.json"))  # relative to cwd
        self.assertFalse(self.check(dumps({"source": ["x"]}), "@" + event))
        bad = self.write("bad.json", '{"source": "x"}')
        self.bad_input('Event pattern is not valid. Reason: "source" must be an object or an array',
                       "events", "test-pattern", "--pattern", "@" + bad, "--event", "@" + event)
        self.assertIn("missing.json", self.fails(None, "events", "test-pattern", "--pattern",
                                                 "@missing.json", "--event", "@" + event))
        self.assertIn("missing.json", self.fails(None, "events", "test-pattern", "--pattern",
                                                 "@" + pattern, "--event", "@missing.json"))

    def test_operators(self):
        for name, pattern, cases in OPERATOR_CASES:
            for subject, expected in cases:
                event = case_event(subject)
                with self.subTest(operator=name, event=subject):
                    self.assertEqual(self.check(pattern, event), expected)

    def test_usage_errors(self):
        event = dumps(AWS_EXAMPLE_EVENT)
        for args in [["events", "test-pattern"], ["events", "test-pattern", "--event", event],
                     ["events", "test-pattern", "--pattern", '{"source":["x"]}'],
                     ["events", "test-pattern", "--pattern", '{"source":["x"]}', "--event",
                      event, "extra"]]:
            with self.subTest(args=args):
                self.usage_error(*args)


class MatchTest(SluiceCase):
    """`events match`: rules JSONL x events JSONL through the indexed rule machine."""

    RULES = [
        '{"name": "zeta", "pattern": {"source": ["a"]}}',
        '',
        '{"name": "alpha", "pattern": "{\\"source\\": [\\"a\\", \\"b\\"]}"}',  # pattern as text
        '{"name": "num", "pattern": {"detail": {"n": [{"numeric": [">", 5]}]}}}',
    ]
    EVENTS = [
        '{"source": "a", "detail": {"n": 1}}',
        '{"source": "b", "detail": {"n": 10}}',
        '{"source": "c"}',
        '   ',
        '{"source": "c", "detail": {"n": 6}}',
    ]

    def files(self, rules=None, events=None):
        return (self.write("rules.jsonl", "\n".join(rules or self.RULES) + "\n"),
                self.write("events.jsonl", "\n".join(events or self.EVENTS) + "\n"))

    def test_one_line_per_event_with_sorted_rule_names(self):
        rules, events = self.files()
        out = self.ok("events", "match", "--rules", rules, "--events", events)
        self.assertEqual(out, "alpha zeta\nalpha num\n\nnum\n")  # blank lines are skipped
        self.assertFalse(os.path.exists(self.data_dir))

    def test_count_prints_totals(self):
        rules, events = self.files()
        lines = self.ok("events", "match", "--rules", rules, "--events", events,
                        "--count").splitlines()
        totals = dict(line.split(" ", 1) for line in lines)
        self.assertEqual([line.split(" ")[0] for line in lines],
                         ["rules", "events", "matches", "compile_seconds", "match_seconds",
                          "events_per_second"])
        self.assertEqual((totals["rules"], totals["events"], totals["matches"]), ("3", "4", "5"))
        for key in ["compile_seconds", "match_seconds", "events_per_second"]:
            self.assertGreaterEqual(float(totals[key]), 0)

    def test_a_rule_name_given_twice_ors_its_patterns_and_is_listed_once(self):
        rules, events = self.files(
            ['{"name": "dup", "pattern": {"source": ["a"]}}',
             '{"name": "dup", "pattern": {"detail": {"n": [{"numeric": [">", 0]}]}}}'])
        out = self.ok("events", "match", "--rules", rules, "--events", events)
        self.assertEqual(out, "dup\ndup\n\ndup\n")

    def test_bad_rule_line_is_reported_with_file_and_line(self):
        rules, events = self.files(self.RULES + ['{"name": "bad", "pattern": {"source": "x"}}'])
        line = self.fails("InvalidEventPatternException", "events", "match", "--rules", rules,
                          "--events", events)
        self.assertEqual(line, 'sluice: error: {}:5: Event pattern is not valid. Reason: "source" '
                               'must be an object or an array (InvalidEventPatternException)'
                         .format(rules))
        for bad in ['{"nam": "x", "pattern": {"source": ["a"]}}', '{"name": "x"}', '[1]',
                    'not json', '{"name": 5, "pattern": {"source": ["a"]}}']:
            with self.subTest(rule=bad):
                rules, events = self.files(['{"name": "ok", "pattern": {"source": ["a"]}}', bad])
                line = self.fails(None, "events", "match", "--rules", rules, "--events", events)
                self.assertTrue(line.startswith("sluice: error: {}:2: ".format(rules)), line)

    def test_bad_event_line_is_reported_with_file_and_line(self):
        rules, events = self.files(None, self.EVENTS[:2] + ["not json"])
        process = self.run_sluice("events", "match", "--rules", rules, "--events", events)
        self.assertEqual(process.returncode, 1, self.describe(process))
        self.assertTrue(process.stderr.decode().startswith(
            "sluice: error: {}:3: ".format(events)), self.describe(process))

    def test_missing_files_fail(self):
        rules, events = self.files()
        self.assertIn("nope.jsonl", self.fails(None, "events", "match", "--rules", "nope.jsonl",
                                               "--events", events))
        self.assertIn("nope.jsonl", self.fails(None, "events", "match", "--rules", rules,
                                               "--events", "nope.jsonl"))
        self.usage_error("events", "match", "--rules", rules)
        self.usage_error("events", "match", "--events", events)

    def test_agrees_with_test_pattern_on_every_operator_case(self):
        """The indexed machine (match) and direct evaluation (test-pattern) give one answer."""
        rules, events, expected = [], [], []
        for i, (name, pattern, cases) in enumerate(OPERATOR_CASES):
            rules.append(dumps({"name": "case-{:02d}".format(i), "pattern": pattern}))
            for subject, matches in cases:
                events.append(dumps(case_event(subject)))
                expected.append(("case-{:02d}".format(i), name, subject, matches))
        rules_file, events_file = self.files(rules, events)
        lines = self.ok("events", "match", "--rules", rules_file, "--events",
                        events_file).split("\n")
        self.assertEqual(lines[-1], "")
        self.assertEqual(len(lines) - 1, len(events))
        for line, (rule, name, subject, matches) in zip(lines, expected):
            with self.subTest(operator=name, event=subject):
                names = line.split()
                self.assertEqual(names, sorted(names))
                self.assertEqual(rule in names, matches, line)


# --- events put / ls / tail -----------------------------------------------------------------------

class EventsPutTest(SluiceCase):
    def test_put_logs_a_custom_event(self):
        before = datetime.now(timezone.utc).replace(microsecond=0)
        event_id = self.put_event("com.example.orders", "Order Placed", {"order": 42, "x": [1]})
        self.assertRegex(event_id, UUID_V4)
        [(seq, event)] = self.events()
        self.assertEqual(seq, 1)
        self.assertEqual(set(event), {"version", "id", "detail-type", "source", "account", "time",
                                      "region", "resources", "detail"})
        self.assertEqual(event["id"], event_id)
        self.assertEqual(event["version"], "0")
        self.assertEqual(event["source"], "com.example.orders")
        self.assertEqual(event["detail-type"], "Order Placed")
        self.assertEqual(event["detail"], {"order": 42, "x": [1]})
        self.assertEqual(event["resources"], [])
        self.assertEqual(event["account"], "000000000000")
        self.assertEqual(event["region"], "us-east-1")
        self.assertRegex(event["time"], RFC3339_SECONDS)
        self.assertLess(abs(parse_time(event["time"]) - before), timedelta(days=1))

    def test_defaults_resources_time_and_detail_from_a_file(self):
        self.put_event("com.example.app", "Empty")  # --detail defaults to {}
        detail = self.write("detail.json", json.dumps({"from": "file"}, indent=2))
        self.put_event("com.example.app", "From File", "@" + detail, "--resources", "arn:aws:x:1",
                       "arn:aws:x:2", "--time", "2026-01-02T03:04:05Z")
        self.put_event("com.example.app", "Offset", None, "--time", "2026-01-02T04:04:05+01:00")
        events = [e for _, e in self.events()]
        self.assertEqual(events[0]["detail"], {})
        self.assertEqual(events[1]["detail"], {"from": "file"})
        self.assertEqual(events[1]["resources"], ["arn:aws:x:1", "arn:aws:x:2"])
        self.assertEqual(events[1]["time"], "2026-01-02T03:04:05Z")
        self.assertEqual(events[2]["time"], "2026-01-02T03:04:05Z")  # in UTC
        lines = self.ok("events", "ls").splitlines()
        self.assertEqual(len(lines), 3, lines)
        match = EVENT_LINE.match(lines[1].rstrip())
        self.assertIsNotNone(match, lines[1])
        self.assertEqual(match.group(3), "com.example.app")

    def test_json_output_is_putevents_response(self):
        response = json.loads(self.ok("events", "put", "--source", "com.example.app",
                                      "--detail-type", "T", "--json"))
        self.assertEqual(set(response), {"Entries", "FailedEntryCount"})
        self.assertEqual(response["FailedEntryCount"], 0)
        self.assertEqual(len(response["Entries"]), 1)
        self.assertEqual(set(response["Entries"][0]), {"EventId"})
        self.assertEqual(self.events()[0][1]["id"], response["Entries"][0]["EventId"])

    def test_aws_sources_are_refused(self):
        for source in ["aws.s3", "aws.events", "aws."]:
            with self.subTest(source=source):
                line = self.fails("ValidationException", "events", "put", "--source", source,
                                  "--detail-type", "T")
                self.assertIn('Source "{}" is reserved for AWS services'.format(source), line)
        self.put_event("awsome.app", "T")  # only the "aws." prefix is reserved
        self.assertEqual([e["source"] for _, e in self.events()], ["awsome.app"])

    def test_detail_must_be_a_json_object(self):
        for detail, reason in [("[1]", "Detail must be a JSON object"),
                               ('"text"', "Detail must be a JSON object"),
                               ("42", "Detail must be a JSON object"),
                               ("null", "Detail must be a JSON object"),
                               ("not json", "Detail is not valid JSON"),
                               ("", "Detail is required")]:
            with self.subTest(detail=detail):
                line = self.fails("ValidationException", "events", "put", "--source", "a.b",
                                  "--detail-type", "T", "--detail", detail)
                self.assertIn(reason, line)
        self.assertIn("missing.json", self.fails(None, "events", "put", "--source", "a.b",
                                                 "--detail-type", "T", "--detail",
                                                 "@missing.json"))
        self.assertEqual(self.events(), [])

    def test_usage_errors_change_nothing(self):
        for args in [["events", "put"],
                     ["events", "put", "--source", "a.b"],                 # no --detail-type
                     ["events", "put", "--detail-type", "T"],              # no --source
                     ["events", "put", "--source", "a.b", "--detail-type", "T", "--time", "now"],
                     ["events", "put", "--source", "a.b", "--detail-type", "T", "--time",
                      "2026-01-02T03:04:05"],                              # no zone
                     ["events", "put", "--source", "a.b", "--detail-type", "T", "extra"]]:
            with self.subTest(args=args):
                self.usage_error(*args)
        message = self.usage_error("events", "put", "--source", "a.b")
        self.assertIn("--detail-type", message)
        self.assertEqual(self.events(), [])

    def test_long_fields_are_refused(self):
        self.assertIn("DetailType is longer than 128", self.fails(
            "ValidationException", "events", "put", "--source", "a.b", "--detail-type", "x" * 129))
        self.assertIn("Source is longer than 256", self.fails(
            "ValidationException", "events", "put", "--source", "s" * 257, "--detail-type", "T"))
        self.put_event("a.b", "x" * 128)
        self.assertEqual(len(self.events()), 1)


class EventsLsTest(SluiceCase):
    def setUp(self):
        super().setUp()
        self.ids = [
            self.put_event("com.a", "Alpha", {"i": 0}, "--time", "2026-01-01T00:00:00Z"),
            self.put_event("com.b", "Alpha", {"i": 1}, "--time", "2026-01-01T01:00:00Z"),
            self.put_event("com.a", "Beta", {"i": 2}, "--time", "2026-01-01T02:00:00Z"),
            self.put_event("com.b", "Beta", {"i": 3}, "--time", "2026-01-01T03:00:00Z"),
            self.put_event("com.a", "Alpha", {"i": 4}, "--time", "2026-01-01T04:00:00Z"),
        ]

    def numbers(self, *filters):
        return [e["detail"]["i"] for _, e in self.events(*filters)]

    def test_filters(self):
        self.assertEqual(self.numbers(), [0, 1, 2, 3, 4])
        self.assertEqual(self.numbers("--source", "com.a"), [0, 2, 4])
        self.assertEqual(self.numbers("--detail-type", "Beta"), [2, 3])
        self.assertEqual(self.numbers("--source", "com.b", "--detail-type", "Alpha"), [1])
        self.assertEqual(self.numbers("--source", "com.none"), [])
        # --since is inclusive, --until exclusive.
        self.assertEqual(self.numbers("--since", "2026-01-01T01:00:00Z"), [1, 2, 3, 4])
        self.assertEqual(self.numbers("--until", "2026-01-01T03:00:00Z"), [0, 1, 2])
        self.assertEqual(self.numbers("--since", "2026-01-01T00:30:00Z", "--until",
                                      "2026-01-01T03:30:00Z"), [1, 2, 3])
        self.assertEqual(self.numbers("--since", "2026-01-01T03:00:00+02:00"), [1, 2, 3, 4])
        self.assertEqual(self.numbers("--until", "2026-01-01T00:00:00-02:00"), [0, 1])
        self.assertEqual(self.numbers("--since", "2026-01-01T01:00:00.001Z"), [2, 3, 4])
        self.assertEqual(self.numbers("--since", "2026-01-01T00:00:00Z", "--source", "com.b",
                                      "--until", "2026-01-01T02:00:00Z"), [1])
        # The text listing takes the same filters.
        lines = self.ok("events", "ls", "--source", "com.b").splitlines()
        self.assertEqual([EVENT_LINE.match(line.rstrip()).group(3) for line in lines],
                         ["com.b", "com.b"])

    def test_bad_times_are_usage_errors(self):
        for option in ["--since", "--until"]:
            for value in ["yesterday", "2026-01-01T00:00:00", "2026-13-01T00:00:00Z",
                          "2026-01-01T25:00:00Z", "2026/01/01"]:
                with self.subTest(option=option, value=value):
                    message = self.usage_error("events", "ls", option, value)
                    self.assertIn(option, message)

    def test_after_and_limit_page_through_the_filtered_log(self):
        everything = self.events("--source", "com.a")
        seqs = [seq for seq, _ in everything]
        first = json.loads(self.ok("events", "ls", "--json", "--source", "com.a", "--limit", "2"))
        self.assertEqual([e["Seq"] for e in first["Events"]], seqs[:2])
        self.assertEqual(first["NextAfter"], seqs[1])
        second = json.loads(self.ok("events", "ls", "--json", "--source", "com.a", "--limit", "2",
                                    "--after", str(first["NextAfter"])))
        self.assertEqual([e["Seq"] for e in second["Events"]], seqs[2:])
        self.assertNotIn("NextAfter", second)
        self.assertEqual(self.events("--after", str(seqs[-1])), [])


class EventsTailTest(SluiceCase):
    def wait_for_poll(self, process):
        """Waits until a tail has read where the log ends and sleeps between polls.

        Reads the main thread's wait channel from /proc: the tail sleeps (nanosleep) only after
        it has read the log's end, so events put afterwards are new to it. Without /proc, waits
        a little and hopes.
        """
        wchan = "/proc/{}/wchan".format(process.pid)
        if not os.path.exists(wchan):
            time.sleep(1)
            return

        def sleeping():
            self.assertIsNone(process.poll(), "the tail exited early")
            try:
                with open(wchan) as f:
                    return "sleep" in f.read()
            except OSError:
                return False
        self.wait_until(sleeping, "the tail to start polling")

    def test_tail_prints_the_new_events_and_exits_at_its_limit(self):
        self.put_event("com.example.app", "Before")  # already logged: not shown
        tail = self.start_sluice("events", "tail", "--limit", "2", "--json")
        self.wait_for_poll(tail)
        ids = [self.put_event("com.example.app", "First", {"n": 1}),
               self.put_event("com.example.app", "Second", {"n": 2})]
        stdout, stderr = tail.communicate(timeout=TIMEOUT_SECONDS)
        self.assertEqual(tail.returncode, 0, stderr)
        self.assertEqual(stderr, b"")
        lines = stdout.decode().splitlines()
        self.assertEqual(len(lines), 2, lines)
        shown = [json.loads(line) for line in lines]
        self.assertEqual([e["Event"]["id"] for e in shown], ids)
        self.assertEqual([e["Event"]["detail"] for e in shown], [{"n": 1}, {"n": 2}])
        self.assertEqual([e["Seq"] for e in shown], [2, 3])
        self.assertEqual(shown, [{"Seq": s, "Event": e} for s, e in self.events()[1:]])

    def catch_up(self, *args):
        """Runs a tail that must find everything it needs already logged.

        A tail that instead waits for new events would hang: give it a generous deadline, then
        stop it and report what it printed.
        """
        tail = self.start_sluice("events", "tail", *args)
        try:
            stdout, stderr = tail.communicate(timeout=20)
            waited = False
        except subprocess.TimeoutExpired:
            tail.send_signal(signal.SIGINT)
            stdout, stderr = tail.communicate(timeout=TIMEOUT_SECONDS)
            waited = True
        if waited:
            self.fail("`events tail {}` waited for new events instead of catching up; it "
                      "printed {!r}".format(" ".join(args), stdout))
        self.assertEqual((tail.returncode, stderr), (0, b""))
        return stdout.decode()

    def test_tail_after_catches_up_through_its_filters(self):
        for source in ["com.a", "com.b", "com.a", "com.a", "com.b"]:
            self.put_event(source, "T")
        out = self.catch_up("--after", "1", "--source", "com.a", "--limit", "2", "--json")
        self.assertEqual([json.loads(line)["Seq"] for line in out.splitlines()], [3, 4])
        out = self.catch_up("--after", "1", "--limit", "1")
        match = EVENT_LINE.match(out.rstrip("\n").rstrip())
        self.assertIsNotNone(match, out)
        self.assertEqual((match.group(1), match.group(3)), ("2", "com.b"))

    def test_tail_after_0_starts_at_the_beginning(self):
        """`--after 0` starts the tail at the beginning of the log (0 is a position, not "not
        given")."""
        for source in ["com.a", "com.b", "com.a"]:
            self.put_event(source, "T")
        out = self.catch_up("--after", "0", "--limit", "2", "--json")
        self.assertEqual([json.loads(line)["Seq"] for line in out.splitlines()], [1, 2])

    def test_sigint_stops_a_tail_with_exit_0(self):
        tail = self.start_sluice("events", "tail")
        self.wait_for_poll(tail)
        tail.send_signal(signal.SIGINT)
        stdout, stderr = tail.communicate(timeout=TIMEOUT_SECONDS)
        self.assertEqual((tail.returncode, stdout, stderr), (0, b"", b""))


# --- rules ----------------------------------------------------------------------------------------

class RulesTest(SluiceCase):
    PATTERN = {"source": ["com.example.app"], "detail-type": ["Order Placed"]}

    def test_put_with_flags_and_describe(self):
        path = self.log_path()
        self.put_rule("orders", self.PATTERN, [self.write_log("log", path)],
                      "--description", "orders placed")
        rule = json.loads(self.ok("rules", "describe", "orders"))
        self.assertEqual(set(rule), {"Arn", "CreatedAt", "Description", "EventPattern", "Name",
                                     "State", "Targets"})
        self.assertEqual(rule["Arn"], ARN_PREFIX + "orders")
        self.assertRegex(rule["CreatedAt"], ISO_MILLIS)
        self.assertEqual(rule["Name"], "orders")
        self.assertEqual(rule["Description"], "orders placed")
        self.assertEqual(rule["State"], "ENABLED")
        self.assertIsInstance(rule["EventPattern"], str)  # JSON text, as in AWS
        self.assertEqual(json.loads(rule["EventPattern"]), self.PATTERN)
        self.assertEqual(rule["Targets"], [{
            "Id": "log", "Action": "write_log", "Parameters": {"Path": path},
            "RetryPolicy": {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400}}])
        # --pattern and --targets also take @file; a name may be 64 characters long.
        self.write("pattern.json", json.dumps(self.PATTERN, indent=2))
        self.write("targets.json", json.dumps([self.write_log("log", path)], indent=2))
        self.put_rule("n" * 64, "@pattern.json", None, "--targets", "@targets.json")
        again = json.loads(self.ok("rules", "describe", "n" * 64))
        self.assertEqual(json.loads(again["EventPattern"]), self.PATTERN)
        self.assertEqual(again["Targets"], rule["Targets"])

    def test_put_from_a_file_with_aws_field_names(self):
        path = self.log_path()
        target = self.write_log(
            "log", path, RetryPolicy={"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 60},
            InputTransformer={"InputPathsMap": {"order": "$.detail.order"},
                              "InputTemplate": '{"order": <order>}'},
            Batch={"Size": 10, "WindowSeconds": 5})
        self.put_rule_file({"Name": "from-file", "Description": "d", "State": "DISABLED",
                            "EventPattern": self.PATTERN, "Targets": [target]})
        # EventPattern may also be JSON text, as the AWS API takes it.
        self.put_rule_file({"Name": "as-text", "EventPattern": dumps(self.PATTERN)})
        self.put_rule_file({"Name": "nightly", "ScheduleExpression": "cron(0 12 * * ? *)",
                            "Targets": [self.write_log("log", path, Input='{"tick": true}')]})
        rules = {r["Name"]: r for r in self.rules()}
        self.assertEqual(sorted(rules), ["as-text", "from-file", "nightly"])
        self.assertEqual(rules["from-file"]["State"], "DISABLED")
        self.assertEqual(rules["from-file"]["Description"], "d")
        self.assertEqual(json.loads(rules["from-file"]["EventPattern"]), self.PATTERN)
        self.assertEqual(rules["from-file"]["Targets"], [target])
        self.assertEqual(json.loads(rules["as-text"]["EventPattern"]), self.PATTERN)
        self.assertEqual(rules["as-text"]["Targets"], [])
        self.assertEqual(rules["nightly"]["ScheduleExpression"], "cron(0 12 * * ? *)")
        self.assertNotIn("EventPattern", rules["nightly"])
        self.assertEqual(rules["nightly"]["Targets"][0]["Input"], '{"tick": true}')
        # The next noon (UTC) after the rule was made.
        created = parse_time(rules["nightly"]["CreatedAt"])
        next_fire = parse_time(rules["nightly"]["NextFireAt"])
        self.assertRegex(rules["nightly"]["NextFireAt"], r"T12:00:00\.000Z$")
        self.assertTrue(timedelta(0) < next_fire - created <= timedelta(days=1))
        self.assertNotIn("NextFireAt", rules["from-file"])

    def test_rate_schedules_count_from_creation(self):
        self.put_rule("every-minute", None, None, "--schedule", "rate(1 minute)")
        self.put_rule("every-2-hours", None, None, "--schedule", "rate(2 hours)")
        for rule in self.rules():
            with self.subTest(rule=rule["Name"]):
                period = {"every-minute": timedelta(minutes=1),
                          "every-2-hours": timedelta(hours=2)}[rule["Name"]]
                self.assertEqual(parse_time(rule["NextFireAt"]) - parse_time(rule["CreatedAt"]),
                                 period)

    def test_ls_as_table_and_json(self):
        self.assertEqual(self.ok("rules", "ls"), "{:<32} {:<9} {:<8} {}\n".format(
            "NAME", "STATE", "TARGETS", "PATTERN / SCHEDULE"))
        self.assertEqual(self.rules(), [])
        path = self.log_path()
        self.put_rule("zulu", {"source": ["z"]}, [self.write_log("a", path),
                                                  self.write_log("b", path)])
        self.put_rule("alpha", {"source": ["a"]})
        self.put_rule("alpha-2", None, None, "--schedule", "rate(5 minutes)", "--disabled")
        lines = self.ok("rules", "ls").splitlines()
        self.assertEqual(lines[0].split(), ["NAME", "STATE", "TARGETS", "PATTERN", "/",
                                            "SCHEDULE"])
        self.assertEqual([line.split(None, 3) for line in lines[1:]], [
            ["alpha", "ENABLED", "0", '{"source":["a"]}'],
            ["alpha-2", "DISABLED", "0", "rate(5 minutes)"],
            ["zulu", "ENABLED", "2", '{"source":["z"]}'],
        ])
        self.assertEqual([r["Name"] for r in self.rules()], ["alpha", "alpha-2", "zulu"])
        prefixed = json.loads(self.ok("rules", "ls", "--json", "--prefix", "alpha"))["Rules"]
        self.assertEqual([r["Name"] for r in prefixed], ["alpha", "alpha-2"])
        self.assertEqual(len(self.ok("rules", "ls", "--prefix", "zz").splitlines()), 1)
        for rule in self.rules():
            self.assertEqual(rule["Arn"], ARN_PREFIX + rule["Name"])
            self.assertEqual(json.loads(self.ok("rules", "describe", rule["Name"])), rule)

    def test_enable_and_disable(self):
        self.put_rule("r", {"source": ["a"]})
        self.assertEqual(self.ok("rules", "disable", "r"), "disabled: r\n")
        self.assertEqual(self.rules()[0]["State"], "DISABLED")
        self.assertEqual(self.ok("rules", "disable", "r"), "disabled: r\n")  # idempotent
        self.assertEqual(self.rules()[0]["State"], "DISABLED")
        self.assertEqual(self.ok("rules", "enable", "r"), "enabled: r\n")
        rule = json.loads(self.ok("rules", "describe", "r"))
        self.assertEqual(rule["State"], "ENABLED")
        self.assertEqual(json.loads(rule["EventPattern"]), {"source": ["a"]})

    def test_rm(self):
        self.put_rule("r", {"source": ["a"]})
        self.put_rule("keep", {"source": ["b"]})
        self.assertEqual(self.ok("rules", "rm", "r"), "deleted: r\n")
        self.assertEqual([r["Name"] for r in self.rules()], ["keep"])
        for verb in ["describe", "enable", "disable", "rm"]:
            with self.subTest(verb=verb):
                line = self.fails("ResourceNotFoundException", "rules", verb, "r")
                self.assertIn("rule r does not exist", line)

    def test_failed_change_does_not_claim_it_was_made(self):
        """A failed change must not read as done: no "deleted nope:" before the error."""
        for verb, past in [("rm", "deleted"), ("enable", "enabled"), ("disable", "disabled")]:
            with self.subTest(verb=verb):
                line = self.fails("ResourceNotFoundException", "rules", verb, "nope")
                self.assertFalse(line.startswith("sluice: error: {} nope:".format(past)), line)

    def test_put_replaces_a_rule_of_the_same_name(self):
        path = self.log_path()
        self.put_rule("r", {"source": ["a"]}, [self.write_log("one", path)])
        created = self.rules()[0]["CreatedAt"]
        self.ok("rules", "disable", "r")
        self.put_rule("r", {"source": ["b"]}, [self.write_log("two", path),
                                               self.write_log("three", path)],
                      "--description", "new")
        [rule] = self.rules()
        self.assertEqual(json.loads(rule["EventPattern"]), {"source": ["b"]})
        self.assertEqual([t["Id"] for t in rule["Targets"]], ["two", "three"])
        self.assertEqual(rule["Description"], "new")
        self.assertEqual(rule["State"], "ENABLED")  # PutRule's default state
        self.assertEqual(rule["CreatedAt"], created)
        # A pattern rule may become a scheduled one.
        self.put_rule("r", None, None, "--schedule", "rate(1 day)")
        [rule] = self.rules()
        self.assertNotIn("EventPattern", rule)
        self.assertEqual(rule["ScheduleExpression"], "rate(1 day)")

    def test_validation_errors(self):
        path = self.log_path()
        log = self.write_log("t", path)
        pattern = dumps({"source": ["a"]})

        def targets(*items):
            return ["--targets", dumps(list(items))]

        def with_(**fields):
            target = dict(log)
            target.update(fields)
            return target

        cases = [
            # (args, AWS code, the message's tail)
            (["--name", "bad name", "--pattern", pattern], "ValidationException",
             "rule name \"bad name\" may hold only letters, digits, '.', '-' and '_'"),
            (["--name", "x" * 65, "--pattern", pattern], "ValidationException",
             "must be 1 to 64 characters long"),
            (["--name", "r", "--pattern", pattern, "--schedule", "rate(5 minutes)"],
             "ValidationException",
             "rule r: give an EventPattern or a ScheduleExpression (exactly one of them)"),
            (["--name", "r"], "ValidationException",
             "rule r: give an EventPattern or a ScheduleExpression (exactly one of them)"),
            (["--name", "r", "--pattern", '{"source":"x"}'], "InvalidEventPatternException",
             'Event pattern is not valid. Reason: "source" must be an object or an array'),
            (["--name", "r", "--pattern", '{"source":[]}'], "InvalidEventPatternException",
             "Event pattern is not valid. Reason: Empty arrays are not allowed"),
            (["--name", "r", "--pattern", '{"a":"' + "x" * 4096 + '"}'], "ValidationException",
             "EventPattern is longer than 4096 characters"),
            (["--name", "r", "--schedule", "rate(5 minute)"], "ValidationException",
             "Parameter ScheduleExpression is not valid."),
            (["--name", "r", "--schedule", "every day"], "ValidationException",
             "Parameter ScheduleExpression is not valid."),
            (["--name", "r", "--schedule", "cron(0 12 * * * *)"], "ValidationException",
             "Parameter ScheduleExpression is not valid."),
            (["--name", "r", "--pattern", pattern, "--description", "d" * 513],
             "ValidationException", "Description is longer than 512 characters"),
            (["--name", "r", "--pattern", pattern] + targets(*[
                with_(Id="t{}".format(i)) for i in range(6)]), "ValidationException",
             "rule r has 6 targets; a rule may have at most 5"),
            (["--name", "r", "--pattern", pattern] + targets(log, log), "ValidationException",
             "rule r: two targets have the id t"),
            (["--name", "r", "--pattern", pattern] + targets(with_(Id="bad id")),
             "ValidationException", "target id \"bad id\" may hold only letters"),
            (["--name", "r", "--pattern", pattern] + targets({"Id": "t", "Action": "nope"}),
             "ValidationException", 'unknown action "nope" (known: add_steps, create_cluster, put_events, run_sql, terminate_cluster, write_log)'),
            (["--name", "r", "--pattern", pattern] + targets({"Id": "t"}),
             "ValidationException", "name exactly one of Action and Function"),
            (["--name", "r", "--pattern", pattern] + targets(
                {"Id": "t", "Action": "write_log"}), "ValidationException",
             "Parameters.Path must name a file"),
            (["--name", "r", "--pattern", pattern] + targets(
                {"Id": "t", "Action": "put_events",
                 "Parameters": {"Source": "aws.s3", "DetailType": "x"}}),
             "ValidationException", "reserved for AWS services"),
            (["--name", "r", "--pattern", pattern] + targets(
                {"Id": "t", "Action": "put_events", "Parameters": {"Source": "a.b"}}),
             "ValidationException", "DetailType is required"),
            (["--name", "r", "--pattern", pattern] + targets(
                with_(RetryPolicy={"MaximumRetryAttempts": 186})), "ValidationException",
             "RetryPolicy.MaximumRetryAttempts must be between 0 and 185"),
            (["--name", "r", "--pattern", pattern] + targets(
                with_(RetryPolicy={"MaximumRetryAttempts": -1})), "ValidationException",
             "RetryPolicy.MaximumRetryAttempts must be between 0 and 185"),
            (["--name", "r", "--pattern", pattern] + targets(
                with_(RetryPolicy={"MaximumEventAgeInSeconds": 59})), "ValidationException",
             "RetryPolicy.MaximumEventAgeInSeconds must be between 60 and 86400"),
            (["--name", "r", "--pattern", pattern] + targets(
                with_(RetryPolicy={"MaximumEventAgeInSeconds": 86401})), "ValidationException",
             "RetryPolicy.MaximumEventAgeInSeconds must be between 60 and 86400"),
            (["--name", "r", "--pattern", pattern] + targets(
                with_(RetryPolicy={"Maximum": 1})), "ValidationException", "unknown field Maximum"),
            (["--name", "r", "--pattern", pattern] + targets(
                with_(Input="{}", InputPath="$.detail")), "ValidationException",
             "Input, InputPath and InputTransformer are mutually exclusive"),
            (["--name", "r", "--pattern", pattern] + targets(
                with_(InputPath="$.detail", InputTransformer={"InputTemplate": "x"})),
             "ValidationException", "Input, InputPath and InputTransformer are mutually exclusive"),
            (["--name", "r", "--pattern", pattern] + targets(with_(Input="not json")),
             "ValidationException", "Input is not valid JSON"),
            (["--name", "r", "--pattern", pattern] + targets(
                with_(InputTransformer={"InputPathsMap": {"k": "$.detail.k"},
                                        "InputTemplate": "<nope>"})), "ValidationException",
             "InputTemplate contains invalid placeholder <nope>"),
            (["--name", "r", "--pattern", pattern] + targets(
                with_(InputTransformer={"InputPathsMap": {"AWS.k": "$.detail.k"},
                                        "InputTemplate": "<AWS.k>"})), "ValidationException",
             'InputPathsMap key "AWS.k" must not start with "AWS."'),
            (["--name", "r", "--pattern", pattern] + targets(
                with_(InputTransformer={"InputPathsMap": {}, "InputTemplate": ""})),
             "ValidationException", "InputTemplate must be 1 to 8192 characters long"),
            (["--name", "r", "--pattern", pattern] + targets(
                with_(InputTransformer={"InputTemplate": "x", "Extra": 1})),
             "ValidationException", "unknown field Extra"),
            (["--name", "r", "--pattern", pattern] + targets(with_(Bogus=1)),
             "ValidationException", "unknown field Bogus"),
            (["--name", "r", "--pattern", pattern] + targets(with_(Batch={"Size": 0})),
             "ValidationException", "Batch.Size must be between 1 and 10000"),
            (["--name", "r", "--pattern", pattern] + targets(
                with_(Batch={"Size": 2, "WindowSeconds": 86401})), "ValidationException",
             "Batch.WindowSeconds must be between 0 and 86400"),
            (["--name", "r", "--pattern", pattern] + targets(with_(Parameters=[1])),
             "ValidationException", "Parameters must be an object"),
        ]
        for args, code, message in cases:
            with self.subTest(args=args):
                line = self.fails(code, "rules", "put", *args)
                self.assertIn(message, line)
        self.assertEqual(self.rules(), [])

    def test_file_validation_errors(self):
        cases = [
            ({"Name": "r", "EventPattern": {"source": ["a"]}, "State": "ON"},
             "ValidationException", "State must be ENABLED or DISABLED, not ON"),
            ({"Name": "r", "EventPattern": {"source": ["a"]}, "Extra": 1},
             "ValidationException", "unknown field Extra"),
            ({"Name": "r", "EventPattern": {"source": "a"}},
             "InvalidEventPatternException", "Event pattern is not valid."),
            ({"Name": "r", "EventPattern": {"source": ["a"]}, "Targets": {"Id": "t"}},
             "ValidationException", "Targets must be an array"),
            ({"Name": 5, "EventPattern": {"source": ["a"]}},
             "ValidationException", "Name has the wrong type"),
            ([1], "ValidationException", "a rule must be a JSON object"),
        ]
        for rule, code, message in cases:
            with self.subTest(rule=rule):
                path = self.write("bad.json", json.dumps(rule))
                line = self.fails(code, "rules", "put", "--file", path)
                self.assertIn(message, line)
        self.assertIn("missing.json", self.fails(None, "rules", "put", "--file", "missing.json"))
        self.write("notjson.json", "{")
        self.usage_error("rules", "put", "--file", "notjson.json")
        self.assertEqual(self.rules(), [])

    def test_usage_errors(self):
        rule = self.write("rule.json", json.dumps({"Name": "r", "EventPattern": {"source": ["a"]}}))
        for args in [["rules"], ["rules", "put"], ["rules", "put", "--pattern", '{"source":["a"]}'],
                     ["rules", "put", "--file", rule, "--name", "r"],
                     ["rules", "put", "--file", rule, "--pattern", '{"source":["a"]}'],
                     ["rules", "put", "--name", "r", "--pattern", '{"source":["a"]}',
                      "--targets", '{"Id": "t"}'],
                     ["rules", "put", "--name", "r", "--pattern", '{"source":["a"]}',
                      "--targets", "not json"],
                     ["rules", "describe"], ["rules", "enable"], ["rules", "rm"],
                     ["rules", "ls", "extra"], ["rules", "bogus"]]:
            with self.subTest(args=args):
                self.usage_error(*args)
        self.assertEqual(self.rules(), [])

    def test_file_refuses_the_flags_it_would_ignore(self):
        """With --file, flags the file would override are refused rather than ignored."""
        rule = self.write("rule.json", json.dumps({"Name": "r", "EventPattern": {"source": ["a"]}}))
        targets = dumps([self.write_log("t", self.log_path())])
        for extra in [["--targets", targets], ["--description", "d"], ["--disabled"]]:
            with self.subTest(extra=extra):
                process = self.run_sluice("rules", "put", "--file", rule, *extra)
                self.assertEqual(process.returncode, 2, self.describe(process))


# --- serve: the pipeline --------------------------------------------------------------------------

class PipelineTest(SluiceCase):
    def test_s3_object_created_through_an_input_transformer_to_write_log(self):
        path = self.log_path()
        self.put_rule_file({
            "Name": "raw-arrived",
            "EventPattern": {"source": ["aws.s3"], "detail-type": ["Object Created"],
                             "detail": {"object": {"key": [{"prefix": "raw/"}]}}},
            "Targets": [self.write_log("log", path, InputTransformer={
                "InputPathsMap": {"bucket": "$.detail.bucket.name", "key": "$.detail.object.key",
                                  "size": "$.detail.object.size"},
                "InputTemplate": '{"uri": "s3://<bucket>/<key>", "size": <size>, '
                                 '"rule": <aws.events.rule-name>, "arn": "<aws.events.rule-arn>"}'
            })]})
        self.ok("mb", "s3://lake")
        self.write("a.csv", b"a,b\n1,2\n")
        self.ok("put", "a.csv", "s3://lake/raw/a.csv")
        self.ok("put", "a.csv", "s3://lake/other/a.csv")
        self.serve_until_idle()
        created = [e for _, e in self.events()]
        self.assertEqual([e["detail"]["object"]["key"] for e in created],
                         ["raw/a.csv", "other/a.csv"])
        [line] = self.log_lines(path)
        self.assertEqual(set(line), {"delivery", "attempt", "rule", "time", "input"})
        self.assertEqual(line["input"], {"uri": "s3://lake/raw/a.csv", "size": 8,
                                         "rule": "raw-arrived", "arn": ARN_PREFIX + "raw-arrived"})
        self.assertEqual(line["delivery"], "{}/raw-arrived/log".format(created[0]["id"]))
        self.assertEqual(line["attempt"], 1)
        self.assertEqual(line["rule"], "raw-arrived")
        self.assertRegex(line["time"], ISO_MILLIS)
        # Nothing is left to do, so a second run delivers nothing new.
        self.serve_until_idle()
        self.assertEqual(self.log_lines(path), [line])
        self.assertEqual(self.dead_letters(), [])

    def test_put_events_chain_delivers_once_however_often_serve_runs(self):
        path = self.log_path()
        self.put_rule("relay", {"source": ["com.example.shop"], "detail-type": ["Order Placed"]},
                      [{"Id": "emit", "Action": "put_events", "InputPath": "$.detail",
                        "Parameters": {"Source": "com.example.relay",
                                       "DetailType": "Order Relayed"}}])
        self.put_rule("relayed", {"source": ["com.example.relay"]},
                      [self.write_log("log", path)])
        original = self.put_event("com.example.shop", "Order Placed", {"order": 42})
        self.serve_until_idle()
        self.serve_until_idle()
        events = [e for _, e in self.events()]
        self.assertEqual([(e["source"], e["detail-type"]) for e in events],
                         [("com.example.shop", "Order Placed"),
                          ("com.example.relay", "Order Relayed")])
        relayed = events[1]
        self.assertEqual(relayed["detail"], {"order": 42})  # the target's input is the detail
        self.assertRegex(relayed["id"], UUID)
        self.assertNotEqual(relayed["id"], original)
        [line] = self.log_lines(path)
        self.assertEqual(line["input"], relayed)
        self.assertEqual(line["delivery"], "{}/relayed/log".format(relayed["id"]))
        self.assertEqual(line["attempt"], 1)

    def test_every_matching_target_gets_its_own_input(self):
        paths = [self.log_path("whole.jsonl"), self.log_path("constant.jsonl"),
                 self.log_path("path.jsonl"), self.log_path("text.jsonl")]
        self.put_rule("fan-out", {"source": ["com.example.app"]}, [
            self.write_log("whole", paths[0]),
            self.write_log("constant", paths[1], Input='{"fixed": [1, 2]}'),
            self.write_log("path", paths[2], InputPath="$.detail.name"),
            self.write_log("text", paths[3], InputTransformer={
                "InputPathsMap": {"name": "$.detail.name"},
                "InputTemplate": "<name> happened"})])
        self.put_rule("other", {"source": ["com.example.app"]},
                      [self.write_log("whole", paths[0])])
        event_id = self.put_event("com.example.app", "T", {"name": "launch"})
        self.put_event("com.example.elsewhere", "T", {"name": "ignored"})
        self.serve_until_idle()
        [event] = [e for _, e in self.events("--source", "com.example.app")]
        whole = self.log_lines(paths[0])
        self.assertEqual(sorted(line["delivery"] for line in whole),
                         ["{}/fan-out/whole".format(event_id), "{}/other/whole".format(event_id)])
        self.assertEqual([line["input"] for line in whole], [event, event])
        self.assertEqual([line["input"] for line in self.log_lines(paths[1])], [{"fixed": [1, 2]}])
        self.assertEqual([line["input"] for line in self.log_lines(paths[2])], ["launch"])
        self.assertEqual([line["input"] for line in self.log_lines(paths[3])],
                         ["launch happened"])

    def test_disabled_rules_route_nothing_and_enabling_does_not_replay(self):
        path = self.log_path()
        self.put_rule("r", {"source": ["com.example.app"]}, [self.write_log("log", path)],
                      "--disabled")
        self.put_event("com.example.app", "While Disabled")
        self.serve_until_idle()
        self.assertEqual(self.log_lines(path), [])
        self.ok("rules", "enable", "r")
        later = self.put_event("com.example.app", "While Enabled")
        self.serve_until_idle()
        self.assertEqual([line["delivery"] for line in self.log_lines(path)],
                         ["{}/r/log".format(later)])
        self.ok("rules", "rm", "r")
        self.put_event("com.example.app", "After Removal")
        self.serve_until_idle()
        self.assertEqual(len(self.log_lines(path)), 1)

    def test_batches_collect_events_into_one_delivery(self):
        path = self.log_path()
        self.put_rule("batched", {"source": ["com.example.app"]}, [self.write_log(
            "log", path, InputPath="$.detail", Batch={"Size": 2, "WindowSeconds": 1})])
        for n in range(3):
            self.put_event("com.example.app", "T", {"n": n})
        self.serve_until_idle()  # waits for the window of the third event's batch
        lines = self.log_lines(path)
        self.assertEqual([line["input"] for line in lines], [[{"n": 0}, {"n": 1}], [{"n": 2}]])
        for line in lines:
            self.assertTrue(line["delivery"].startswith("batch-"), line)
            self.assertEqual(line["attempt"], 1)
        self.assertEqual(len({line["delivery"] for line in lines}), 2)
        self.serve_until_idle()
        self.assertEqual(len(self.log_lines(path)), 2)

    def test_an_event_with_an_old_time_is_still_delivered(self):
        """MaximumEventAgeInSeconds counts from when the bus received the event, not from its
        `time` field, which the producer sets and "may precede receipt"."""
        path = self.log_path()
        self.put_rule("backfill", {"source": ["com.example.app"]}, [self.write_log("log", path)])
        two_days_ago = (datetime.now(timezone.utc) - timedelta(days=2)).strftime(
            "%Y-%m-%dT%H:%M:%SZ")
        event_id = self.put_event("com.example.app", "Backfill", None, "--time", two_days_ago)
        self.serve_until_idle()
        self.assertEqual(self.dead_letters(), [])
        self.assertEqual([line["delivery"] for line in self.log_lines(path)],
                         ["{}/backfill/log".format(event_id)])

    def test_a_rule_does_not_see_events_from_before_it_was_made(self):
        path = self.log_path()
        self.put_event("com.example.app", "Before")
        self.put_rule("late", {"source": ["com.example.app"]}, [self.write_log("log", path)])
        after = self.put_event("com.example.app", "After")
        self.serve_until_idle()
        self.assertEqual([line["delivery"] for line in self.log_lines(path)],
                         ["{}/late/log".format(after)])

    def test_serve_until_idle_with_nothing_to_do(self):
        self.serve_until_idle()
        self.put_event("com.example.app", "No Rules")
        self.serve_until_idle()


class DeadLetterTest(SluiceCase):
    def setUp(self):
        super().setUp()
        self.folder = os.path.join(self.root, "not-yet")
        self.path = os.path.join(self.folder, "out.jsonl")
        self.put_rule("failing", {"source": ["com.example.app"]}, [self.write_log(
            "log", self.path, RetryPolicy={"MaximumRetryAttempts": 0})])

    def test_dead_lettered_then_redriven(self):
        event_id = self.put_event("com.example.app", "T", {"n": 1})
        stderr = self.serve_until_idle()
        self.assertIn("1 dead-lettered", stderr)
        [letter] = self.dead_letters()
        self.assertEqual(set(letter), {"DeliveryId", "Rule", "TargetId", "ErrorCode",
                                       "ErrorMessage", "ExhaustedRetryCondition", "RetryAttempts",
                                       "Time", "EventIds", "Input"})
        self.assertEqual(letter["Rule"], "failing")
        self.assertEqual(letter["TargetId"], "log")
        self.assertEqual(letter["ErrorCode"], "NO_RESOURCE")
        self.assertIn(self.path, letter["ErrorMessage"])
        self.assertEqual(letter["ExhaustedRetryCondition"], "MaximumRetryAttempts")
        self.assertEqual(letter["RetryAttempts"], 0)
        self.assertEqual(letter["EventIds"], [event_id])
        self.assertEqual(letter["Input"]["id"], event_id)
        self.assertRegex(letter["Time"], ISO_MILLIS)

        lines = self.ok("dlq", "ls").splitlines()
        self.assertEqual(lines[0].split(), ["ID", "TIME", "RULE/TARGET", "ERROR", "RETRIES",
                                            "MESSAGE"])
        self.assertEqual(lines[1].split(None, 5)[:5], [
            str(letter["DeliveryId"]), letter["Time"], "failing/log", "NO_RESOURCE", "0"])
        self.assertEqual(len(lines), 2)

        # Still failing: running again changes nothing (a dead letter is not retried).
        self.serve_until_idle()
        self.assertEqual(self.dead_letters(), [letter])

        os.mkdir(self.folder)
        out = self.ok("dlq", "redrive", "--all")
        match = re.match(r"^redrive: delivery (\d+) as delivery (\d+)\n$", out)
        self.assertIsNotNone(match, out)
        self.assertEqual(int(match.group(1)), letter["DeliveryId"])
        self.assertEqual(self.dead_letters(), [])
        self.serve_until_idle()
        [line] = self.log_lines(self.path)
        self.assertTrue(line["delivery"].startswith("{}/failing/log".format(event_id)), line)
        self.assertEqual(line["attempt"], 1)
        self.assertEqual(line["input"]["id"], event_id)
        self.assertEqual(self.dead_letters(), [])
        self.assertEqual(self.ok("dlq", "ls").splitlines()[1:], [])
        self.assertEqual(self.ok("dlq", "redrive", "--all"), "")
        self.serve_until_idle()
        self.assertEqual(len(self.log_lines(self.path)), 1)

    def test_redrive_by_id_and_paging(self):
        ids = [self.put_event("com.example.app", "T", {"n": n}) for n in range(3)]
        self.serve_until_idle()
        letters = self.dead_letters()
        self.assertEqual([l["EventIds"] for l in letters], [[i] for i in ids])
        delivery_ids = [l["DeliveryId"] for l in letters]
        page = json.loads(self.ok("dlq", "ls", "--json", "--after", str(delivery_ids[0]),
                                  "--limit", "1"))["DeadLetters"]
        self.assertEqual([l["DeliveryId"] for l in page], [delivery_ids[1]])
        os.mkdir(self.folder)
        self.ok("dlq", "redrive", str(delivery_ids[1]))
        self.assertEqual([l["DeliveryId"] for l in self.dead_letters()],
                         [delivery_ids[0], delivery_ids[2]])
        self.serve_until_idle()
        self.assertEqual([line["input"]["detail"] for line in self.log_lines(self.path)],
                         [{"n": 1}])
        line = self.fails("ResourceNotFoundException", "dlq", "redrive", str(delivery_ids[1]))
        self.assertIn("no dead letter for delivery {}".format(delivery_ids[1]), line)

    def test_redrive_of_an_unknown_delivery_fails(self):
        line = self.fails("ResourceNotFoundException", "dlq", "redrive", "999999")
        self.assertEqual(line, "sluice: error: no dead letter for delivery 999999 "
                               "(ResourceNotFoundException)")
        for args in [["dlq"], ["dlq", "redrive"], ["dlq", "redrive", "--all", "1"],
                     ["dlq", "redrive", "abc"], ["dlq", "ls", "extra"],
                     ["dlq", "ls", "--limit", "0"], ["dlq", "ls", "--after", "-5"]]:
            with self.subTest(args=args):
                self.usage_error(*args)

    def test_input_that_cannot_be_made_is_dead_lettered_at_once(self):
        path = self.log_path()
        self.put_rule("quoted", {"source": ["com.example.quotes"]}, [self.write_log(
            "log", path, InputTransformer={"InputPathsMap": {"v": "$.detail.v"},
                                           "InputTemplate": '{"v": "<v>"}'})])
        bad = self.put_event("com.example.quotes", "T", {"v": 'a"b'})  # unescaped: not JSON
        self.put_event("com.example.quotes", "T", {"v": "fine"})
        self.serve_until_idle()
        self.assertEqual([line["input"] for line in self.log_lines(path)], [{"v": "fine"}])
        [letter] = self.dead_letters()
        self.assertEqual((letter["Rule"], letter["ErrorCode"], letter["RetryAttempts"],
                          letter["ExhaustedRetryCondition"], letter["EventIds"]),
                         ("quoted", "INVALID_INPUT", 0, "", [bad]))

    def test_redriven_invalid_input_is_not_delivered_untransformed(self):
        """A delivery dead-lettered with INVALID_INPUT holds the raw event: redriving it must not
        hand the target an input its InputTransformer did not make."""
        path = self.log_path()
        self.put_rule("quoted", {"source": ["com.example.quotes"]}, [self.write_log(
            "log", path, InputTransformer={"InputPathsMap": {"v": "$.detail.v"},
                                           "InputTemplate": '{"v": "<v>"}'})])
        self.put_event("com.example.quotes", "T", {"v": 'a"b'})
        self.serve_until_idle()
        [letter] = self.dead_letters()
        self.assertEqual(letter["ErrorCode"], "INVALID_INPUT")
        line = self.fails("InvalidInput", "dlq", "redrive", str(letter["DeliveryId"]))
        self.assertIn("INVALID_INPUT", line)
        # --all sends back what it can and says what it skipped.
        process = self.run_sluice("dlq", "redrive", "--all")
        self.assertEqual(process.returncode, 0, self.describe(process))
        self.assertIn(b"skipped: delivery", process.stderr)
        self.assertEqual(len(self.dead_letters()), 1)
        self.serve_until_idle()
        for line in self.log_lines(path):
            self.assertNotIn("detail-type", line["input"],
                             "the raw event was delivered: {}".format(line))


class ServeTest(SluiceCase):
    def start_engine(self):
        """Starts `serve` in the background; returns once it holds the data dir."""
        engine = self.start_sluice("serve")
        first = engine.stderr.readline().decode()
        self.assertEqual(first, "sluice: engine running on {} (Ctrl-C to stop)\n"
                         .format(self.data_dir))
        # Keep draining stderr so the engine never blocks on a full pipe.
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(engine.stderr), daemon=True)
        reader.start()
        return engine, reader, lines

    def stop_engine(self, engine, reader):
        engine.send_signal(signal.SIGINT)
        engine.wait(timeout=TIMEOUT_SECONDS)
        reader.join(timeout=TIMEOUT_SECONDS)
        self.assertEqual(engine.returncode, 0)

    def test_one_engine_per_data_dir(self):
        engine, reader, lines = self.start_engine()
        for args in [["serve"], ["serve", "--until-idle"]]:
            with self.subTest(args=args):
                line = self.fails(None, *args)
                self.assertEqual(line, "sluice: error: another sluice engine is running on "
                                 + self.data_dir)
        self.assertIsNone(engine.poll())
        self.stop_engine(engine, reader)
        self.assertFalse(any(b"error" in line.lower() for line in lines), lines)
        self.serve_until_idle()  # the lock went with the engine

    def test_a_running_engine_delivers_what_other_processes_log(self):
        path = self.log_path()
        engine, reader, _ = self.start_engine()
        self.put_rule("live", {"source": ["com.example.app"]}, [self.write_log("log", path)])
        event_id = self.put_event("com.example.app", "T")
        [line] = self.wait_until(lambda: self.log_lines(path), "the engine to deliver")
        self.assertEqual(line["delivery"], "{}/live/log".format(event_id))
        self.stop_engine(engine, reader)
        self.serve_until_idle()
        self.assertEqual(len(self.log_lines(path)), 1)


class HelpTest(SluiceCase):
    def test_help_on_every_bus_command_exits_0_without_touching_the_data_dir(self):
        for command in [["events", "put"], ["events", "ls"], ["events", "tail"],
                        ["events", "test-pattern"], ["events", "match"], ["rules"],
                        ["rules", "put"], ["rules", "ls"], ["rules", "describe"],
                        ["rules", "enable"], ["rules", "disable"], ["rules", "rm"], ["dlq"],
                        ["dlq", "ls"], ["dlq", "redrive"], ["serve"]]:
            with self.subTest(command=command):
                self.assertIn("Usage: sluice " + " ".join(command),
                              self.ok(*(command + ["--help"])))
        self.assertFalse(os.path.exists(self.data_dir))



if __name__ == "__main__":
    sluice_case.main("test_bus_cli.py")
