#!/usr/bin/env python3
"""End-to-end tests of the real `sluice` binary's lake and event-log commands.

    python3 tests/cli/test_cli.py --sluice /path/to/sluice [unittest options]

(or set SLUICE_BIN instead of passing --sluice). Standard library only.

Every test gets a fresh temporary folder holding `data/` (passed as --data-dir) and `work/`
(the binary's working directory), so tests never share state and may run in parallel with
other test binaries.
"""

import hashlib
import json
import os
import pathlib
import re
import socket
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import sluice_case
from sluice_case import TIMEOUT_SECONDS


EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"
ISO_MILLIS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
LS_PREFIX_LINE = re.compile(r"^\s*PRE (.*)$")
LS_OBJECT_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+(\d+) (.*)$")
LS_BUCKET_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (\S+)$")
UUID_V4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
RFC3339_SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
EVENT_LINE = re.compile(
    r"^ *(\d+)  (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)  (\S+) +(Object Created|Object Deleted) +(.*)$")


def md5(data):
    return hashlib.md5(data).hexdigest()


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def s3_sorted(keys):
    """S3 lists keys in UTF-8 byte order."""
    return sorted(keys, key=lambda k: k.encode())


def tree(path):
    """Every path under `path` (relative), for before/after comparisons."""
    found = set()
    for folder, dirs, files in os.walk(path):
        for name in dirs + files:
            found.add(os.path.relpath(os.path.join(folder, name), path))
    return found


class SluiceCase(sluice_case.SluiceCase):
    """sluice_case's base, with helpers for the lake."""

    TEMP_PREFIX = "sluice-cli-test-"

    # --- lake helpers -------------------------------------------------------------------------

    def mb(self, bucket):
        self.assertEqual(self.ok("mb", "s3://" + bucket), "make_bucket: {}\n".format(bucket))

    def put_bytes(self, uri, data):
        """Uploads `data` through stdin."""
        self.assertEqual(self.ok("put", "-", uri, stdin=data), "upload: - to {}\n".format(uri))

    def put_process(self, uri, data):
        """Uploads `data` through stdin and returns the finished process, for parallel puts."""
        return self.run_sluice("put", "-", uri, stdin=data)

    def get_bytes(self, uri, *options):
        """Downloads through stdout; stdout must hold the object's bytes and nothing else."""
        process = self.run_sluice("get", uri, "-", *options)
        self.assertEqual(process.returncode, 0, self.describe(process))
        self.assertEqual(process.stderr, b"", self.describe(process))
        return process.stdout

    def list_json(self, uri=None, recursive=False):
        args = ["ls", "--json"] + (["--recursive"] if recursive else []) + ([uri] if uri else [])
        return json.loads(self.ok(*args))

    def keys(self, bucket):
        """Every key in the bucket, in listing order."""
        listing = self.list_json("s3://" + bucket, recursive=True)
        self.assertEqual(listing["CommonPrefixes"], [])
        return [entry["Key"] for entry in listing["Contents"]]

    def lake_bytes(self):
        """Total size of the files in the data dir's lake folder (object bytes live there)."""
        total = 0
        for folder, _, files in os.walk(os.path.join(self.data_dir, "lake")):
            total += sum(os.path.getsize(os.path.join(folder, f)) for f in files)
        return total

    def stored_headers(self, bucket, key):
        """(content type, user metadata) of an object, read from the state store.

        The CLI has no head-object command and `ls --json` carries no metadata, so this peeks
        into state.db (read-only). Skips if the schema no longer has these columns.
        """
        path = pathlib.Path(self.data_dir, "state.db")
        connection = sqlite3.connect(path.as_uri() + "?mode=ro", uri=True)
        try:
            row = connection.execute(
                "SELECT content_type, metadata FROM objects WHERE bucket = ? AND key = ?",
                (bucket, key.encode())).fetchone()
        except sqlite3.OperationalError as e:
            self.skipTest("state.db schema changed, cannot read metadata: {}".format(e))
        finally:
            connection.close()
        self.assertIsNotNone(row, "s3://{}/{} not in state.db".format(bucket, key))
        return row[0], json.loads(row[1])


class VersionAndHelpTest(SluiceCase):
    def test_version_names_the_pinned_duckdb(self):
        lines = self.ok("version").splitlines()
        self.assertEqual(len(lines), 3, lines)
        self.assertRegex(lines[0], r"^sluice \d+\.\d+\.\d+")
        self.assertRegex(lines[1], r"^sqlite 3\.\d+\.\d+$")
        self.assertEqual(lines[2], "duckdb v1.4.4")
        self.assertEqual(self.ok("--version").strip(), lines[0])

    def test_help_on_every_subcommand_exits_0_without_touching_the_data_dir(self):
        self.assertIn("Subcommands:", self.ok("--help"))
        for command in ["mb", "rb", "ls", "rm", "put", "get", "cp", "version"]:
            with self.subTest(command=command):
                self.assertIn("Usage: sluice {}".format(command), self.ok(command, "--help"))
        self.assertFalse(os.path.exists(self.data_dir))


class ExitCodeTest(SluiceCase):
    def test_bad_usage_exits_2_and_changes_nothing(self):
        self.mb("lake")
        self.write("a.txt", b"a")
        cases = [
            [],                                          # no subcommand
            ["bogus"],                                   # unknown subcommand
            ["ls", "--bogus"],                           # unknown option
            ["mb"],                                      # missing argument
            ["mb", "lake"],                              # not an s3:// URI
            ["mb", "s3://"],                             # URI names no bucket
            ["mb", "s3:///key"],
            ["ls", "lake/a"],
            ["put", "a.txt"],
            ["put", "a.txt", "lake/a.txt"],
            ["put", "-", "s3://lake/"],                  # stdin needs a full key
            ["put", "a.txt", "s3://lake/a", "--metadata", "novalue"],
            ["put", "a.txt", "s3://lake/a", "--metadata", "=value"],
            ["get"],
            ["get", "lake/a.txt"],
            ["get", "s3://lake"],                        # names no object
            ["get", "s3://lake/a", "-", "--range", "abc"],
            ["get", "s3://lake/a", "-", "--range", "5-3"],
            ["get", "s3://lake/a", "-", "--range", "1-2-3"],
            ["rm", "s3://lake/"],                        # names no object, no --recursive
            ["rm", "lake/a"],
            ["rb", "lake"],
            ["cp", "a.txt", "b.txt"],                    # local to local
            ["cp", "s3://lake/a", "s3://lake/b", "--metadata-directive", "MERGE"],
        ]
        for args in cases:
            with self.subTest(args=args):
                self.usage_error(*args)
        self.assertEqual(self.keys("lake"), [])
        self.assertEqual(sorted(os.listdir(self.work)), ["a.txt"])

    def test_failed_operation_exits_1_with_one_error_line(self):
        process = self.run_sluice("get", "s3://lake/x")
        self.assertEqual(process.returncode, 1, self.describe(process))
        self.assertEqual(
            process.stderr.decode(),
            "sluice: error: download s3://lake/x to ./x: bucket lake does not exist (NoSuchBucket)\n")
        self.assertEqual(process.stdout, b"")

    def test_local_file_errors_exit_1(self):
        self.mb("lake")
        self.assertIn("missing.txt", self.fails(None, "put", "missing.txt", "s3://lake/k"))
        os.mkdir(os.path.join(self.work, "folder"))
        self.assertIn("folder", self.fails(None, "put", "folder", "s3://lake/k"))
        self.assertEqual(self.keys("lake"), [])

    def test_local_file_errors_name_the_object(self):
        """Every failure's one line names the object it was about, local causes included."""
        self.mb("lake")
        self.put_bytes("s3://lake/k", b"data")
        for args in [["put", "missing.txt", "s3://lake/k"],
                     ["put", ".", "s3://lake/k"],
                     ["get", "s3://lake/k", "no/such/folder/out"]]:
            with self.subTest(args=args):
                self.assertIn("s3://lake/k", self.fails(None, *args))

    def test_unusable_data_dir_exits_1(self):
        path = self.write("not-a-dir", b"keep")
        self.fails(None, "mb", "s3://lake", data_dir=path)
        self.assertEqual(self.read(path), b"keep")


class DataDirTest(SluiceCase):
    def bucket_names(self, data_dir):
        listing = json.loads(self.ok("ls", "--json", data_dir=data_dir))
        return [b["Name"] for b in listing["Buckets"]]

    def test_flag_wins_over_env(self):
        home = os.path.join(self.root, "home")
        self.ok("mb", "s3://flagged", env={"SLUICE_HOME": home})
        self.assertFalse(os.path.exists(home))
        self.assertEqual(self.bucket_names(self.data_dir), ["flagged"])

    def test_env_var_when_no_flag(self):
        home = os.path.join(self.root, "home")
        self.ok("mb", "s3://from-env", env={"SLUICE_HOME": home}, data_dir=None)
        self.assertEqual(os.listdir(self.work), [])
        self.assertEqual(self.bucket_names(home), ["from-env"])

    def test_default_is_dot_sluice_in_cwd(self):
        for env in [{}, {"SLUICE_HOME": ""}]:  # an empty SLUICE_HOME counts as unset
            with self.subTest(env=env):
                bucket = "default-{}".format(len(env))
                self.ok("mb", "s3://" + bucket, env=env, data_dir=None)
                self.assertIn(bucket, self.bucket_names(os.path.join(self.work, ".sluice")))
        self.assertEqual(os.listdir(self.work), [".sluice"])

    def test_relative_flag_is_relative_to_cwd_and_dirs_are_isolated(self):
        self.ok("mb", "s3://one", data_dir="rel")
        self.assertEqual(self.bucket_names(os.path.join(self.work, "rel")), ["one"])
        self.assertEqual(self.bucket_names(self.data_dir), [])


class BucketTest(SluiceCase):
    def test_make_list_and_remove_buckets(self):
        for name in ["zeta", "abc", "a.b-c1", "9lives", "x" * 63]:
            self.mb(name)
        expected = ["9lives", "a.b-c1", "abc", "x" * 63, "zeta"]
        listing = self.list_json()
        self.assertEqual([b["Name"] for b in listing["Buckets"]], expected)
        now = datetime.now(timezone.utc)
        for bucket in listing["Buckets"]:
            self.assertRegex(bucket["CreationDate"], ISO_MILLIS)
            created = datetime.strptime(bucket["CreationDate"], "%Y-%m-%dT%H:%M:%S.%fZ")
            self.assertLess(abs(created.replace(tzinfo=timezone.utc) - now), timedelta(days=1))
        lines = self.ok("ls").splitlines()
        self.assertEqual([LS_BUCKET_LINE.match(line).group(1) for line in lines], expected)

        self.assertEqual(self.ok("rb", "s3://zeta"), "remove_bucket: zeta\n")
        self.assertNotIn("zeta", [b["Name"] for b in self.list_json()["Buckets"]])

    def test_invalid_bucket_names(self):
        bad = ["ab", "x" * 64, "Upper", "under_score", "-start", "end-", "two..dots",
               "192.168.1.1", "xn--punycode", "sthree-bucket", "bucket-s3alias", "bucket--ol-s3",
               "spa ce", "ünï"]
        for name in bad:
            with self.subTest(name=name):
                line = self.fails("InvalidBucketName", "mb", "s3://" + name)
                self.assertIn(name, line)
        self.assertEqual(self.list_json()["Buckets"], [])

    def test_bucket_already_owned_by_you(self):
        self.mb("lake")
        self.put_bytes("s3://lake/k", b"kept")
        self.assertIn("lake", self.fails("BucketAlreadyOwnedByYou", "mb", "s3://lake"))
        self.assertEqual(self.get_bytes("s3://lake/k"), b"kept")

    def test_no_such_bucket(self):
        self.write("f", b"x")
        for args in [["rb", "s3://nope"], ["rb", "--force", "s3://nope"], ["ls", "s3://nope"],
                     ["put", "f", "s3://nope/k"], ["put", "-", "s3://nope/k"],
                     ["get", "s3://nope/k", "-"], ["rm", "s3://nope/k"],
                     ["rm", "--recursive", "s3://nope/"], ["cp", "s3://nope/a", "f2"]]:
            with self.subTest(args=args):
                self.assertIn("nope", self.fails("NoSuchBucket", *args, stdin=b""))
        self.assertEqual(sorted(os.listdir(self.work)), ["f"])
        self.assertEqual(self.lake_bytes(), 0)

    def test_bucket_not_empty_then_force(self):
        self.mb("lake")
        keys = ["a", "dir/b", "dir/sub/c"]
        for key in keys:
            self.put_bytes("s3://lake/" + key, key.encode())
        self.assertIn("lake", self.fails("BucketNotEmpty", "rb", "s3://lake"))
        self.assertEqual(self.keys("lake"), keys)

        out = self.ok("rb", "--force", "s3://lake").splitlines()
        self.assertEqual(sorted(out[:-1]), ["delete: s3://lake/" + k for k in keys])
        self.assertEqual(out[-1], "remove_bucket: lake")
        self.assertEqual(self.list_json()["Buckets"], [])
        self.assertEqual(self.lake_bytes(), 0)

        self.mb("lake")  # a new bucket of the same name starts empty
        self.assertEqual(self.keys("lake"), [])


class TransferTest(SluiceCase):
    def setUp(self):
        super().setUp()
        self.mb("lake")

    def assert_listed(self, bucket, key, data):
        entry = [e for e in self.list_json("s3://{}/{}".format(bucket, key), True)["Contents"]
                 if e["Key"] == key]
        self.assertEqual(len(entry), 1, key)
        self.assertEqual(entry[0]["Size"], len(data))
        self.assertEqual(entry[0]["ETag"], '"{}"'.format(md5(data)))

    def test_binary_round_trip_of_a_few_megabytes(self):
        data = os.urandom(5 * 1024 * 1024 + 123)
        source = self.write("big.bin", data)
        self.assertEqual(self.ok("put", source, "s3://lake/data/big.bin"),
                         "upload: {} to s3://lake/data/big.bin\n".format(source))
        out = os.path.join(self.work, "copy.bin")
        self.assertEqual(self.ok("get", "s3://lake/data/big.bin", out),
                         "download: s3://lake/data/big.bin to {}\n".format(out))
        self.assertEqual(sha256(self.read(out)), sha256(data))
        self.assertEqual(sha256(self.get_bytes("s3://lake/data/big.bin")), sha256(data))
        self.assert_listed("lake", "data/big.bin", data)
        self.assertEqual(sorted(os.listdir(self.work)), ["big.bin", "copy.bin"])  # no temp files

    def test_every_byte_value_survives(self):
        data = bytes(range(256)) * 3 + b"\r\n\x00\n\r"
        self.write("bytes.bin", data)
        self.ok("put", "bytes.bin", "s3://lake/bytes.bin")
        self.assertEqual(self.get_bytes("s3://lake/bytes.bin"), data)
        self.assert_listed("lake", "bytes.bin", data)

    def test_empty_file(self):
        self.write("empty", b"")
        self.ok("put", "empty", "s3://lake/empty")
        self.ok("get", "s3://lake/empty", "out")
        self.assertEqual(self.read(os.path.join(self.work, "out")), b"")
        self.assertEqual(self.get_bytes("s3://lake/empty"), b"")
        self.assert_listed("lake", "empty", b"")
        self.assertEqual(self.list_json("s3://lake/empty")["Contents"][0]["ETag"],
                         '"{}"'.format(EMPTY_MD5))

    def test_stdin_upload_and_stdout_download(self):
        data = os.urandom(2 * 1024 * 1024) + b"\x00tail"
        self.put_bytes("s3://lake/piped", data)
        self.assertEqual(self.get_bytes("s3://lake/piped"), data)
        self.assert_listed("lake", "piped", data)
        self.put_bytes("s3://lake/empty-pipe", b"")
        self.assertEqual(self.get_bytes("s3://lake/empty-pipe"), b"")

    def test_key_ending_in_slash_or_empty_gets_the_file_name(self):
        self.write("report.csv", b"a,b\n")
        self.assertEqual(self.ok("put", "report.csv", "s3://lake/in/"),
                         "upload: report.csv to s3://lake/in/report.csv\n")
        self.assertEqual(self.ok("put", "report.csv", "s3://lake"),
                         "upload: report.csv to s3://lake/report.csv\n")
        self.ok("put", "report.csv", "s3://lake/")
        self.assertEqual(self.keys("lake"), ["in/report.csv", "report.csv"])

    def test_download_destinations(self):
        self.put_bytes("s3://lake/deep/name.txt", b"payload")
        self.assertEqual(self.ok("get", "s3://lake/deep/name.txt"),
                         "download: s3://lake/deep/name.txt to ./name.txt\n")
        self.assertEqual(self.read(os.path.join(self.work, "name.txt")), b"payload")
        os.mkdir(os.path.join(self.work, "folder"))
        self.ok("get", "s3://lake/deep/name.txt", "folder")
        self.ok("get", "s3://lake/deep/name.txt", "folder/renamed.txt")
        self.assertEqual(sorted(os.listdir(os.path.join(self.work, "folder"))),
                         ["name.txt", "renamed.txt"])
        self.assertEqual(self.read(os.path.join(self.work, "folder", "renamed.txt")), b"payload")

    def test_overwrite_then_get_returns_the_new_bytes(self):
        old, new = os.urandom(1024 * 1024), b"new and short"
        self.put_bytes("s3://lake/k", old)
        self.write("k", b"local stale copy")
        self.put_bytes("s3://lake/k", new)
        self.assertEqual(self.get_bytes("s3://lake/k"), new)
        self.ok("get", "s3://lake/k", "k")  # overwrites the existing local file
        self.assertEqual(self.read(os.path.join(self.work, "k")), new)
        self.assert_listed("lake", "k", new)
        self.assertEqual(self.keys("lake"), ["k"])
        self.assertEqual(self.lake_bytes(), len(new), "the replaced object's bytes leaked")

    def test_content_type_and_metadata_are_stored(self):
        self.write("data.csv", b"x")
        self.ok("put", "data.csv", "s3://lake/guessed.csv")
        self.ok("put", "data.csv", "s3://lake/given", "--content-type", "application/x-custom",
                "--metadata", "Owner=me", "--metadata", "team=data=eng")
        self.assertEqual(self.stored_headers("lake", "guessed.csv"), ("text/csv", {}))
        self.assertEqual(self.stored_headers("lake", "given"),
                         ("application/x-custom", {"owner": "me", "team": "data=eng"}))


class RangeTest(SluiceCase):
    DATA = bytes(range(256)) * 4  # 1024 bytes, every offset distinguishable mod 256

    def setUp(self):
        super().setUp()
        self.mb("lake")
        self.put_bytes("s3://lake/r", self.DATA)

    def test_satisfiable_ranges(self):
        d = self.DATA
        cases = {"0-0": d[:1], "10-19": d[10:20], "0-1023": d, "1000-5000": d[1000:],
                 "1000-": d[1000:], "1023-": d[1023:], "0-": d, "-24": d[-24:], "-1": d[-1:],
                 "-5000": d}
        for spec, expected in cases.items():
            with self.subTest(range=spec):
                self.assertEqual(self.get_bytes("s3://lake/r", "--range", spec), expected)

    def test_range_into_a_file_and_through_cp(self):
        self.ok("get", "--range", "256-511", "s3://lake/r", "part")
        self.assertEqual(self.read(os.path.join(self.work, "part")), self.DATA[256:512])
        self.ok("cp", "--range", "-3", "s3://lake/r", "tail")
        self.assertEqual(self.read(os.path.join(self.work, "tail")), self.DATA[-3:])

    def test_unsatisfiable_ranges(self):
        self.put_bytes("s3://lake/empty", b"")
        cases = [("r", "1024-"), ("r", "1024-2000"), ("r", "5000-"), ("r", "-0"),
                 ("empty", "0-"), ("empty", "-1")]
        for key, spec in cases:
            with self.subTest(key=key, range=spec):
                self.assertIn("s3://lake/" + key, self.fails(
                    "InvalidRange", "get", "s3://lake/" + key, "-", "--range", spec))
        self.fails("InvalidRange", "get", "s3://lake/r", "out", "--range", "2000-")
        self.assertFalse(os.path.exists(os.path.join(self.work, "out")))

    def test_huge_range_number_is_a_clear_error(self):
        """A first byte past 2^64 is unsatisfiable (exit 1, InvalidRange) or bad usage (exit 2)."""
        process = self.run_sluice("get", "s3://lake/r", "-", "--range", "99999999999999999999999-")
        error = process.stderr.decode()
        if process.returncode == 2:
            self.assertIn("--range", error)
        else:
            self.assertEqual(process.returncode, 1, self.describe(process))
            self.assertRegex(error, r"^sluice: error: .*s3://lake/r.*\(InvalidRange\)\n$")


class KeyTest(SluiceCase):
    HOSTILE = ["../x", "../../x", "a//b", "/leading-slash", "with space", " lead", "trail ",
               "ünïcødé/ключ/鍵", "emoji 😀", "a/./b", "a/../b", "..", ".", "a/..",
               "tab\there", "new\nline", "back\\slash", "q?uery#frag&amp;", "%2e%2e%2fx",
               "*glob[1]", "$HOME `id` 'quote' \"dq\"", "~tilde"]

    def setUp(self):
        super().setUp()
        self.mb("lake")

    def test_hostile_keys_round_trip_and_list_verbatim(self):
        for i, key in enumerate(self.HOSTILE):
            with self.subTest(key=key):
                data = "{}:{}".format(i, key).encode()
                self.put_bytes("s3://lake/" + key, data)
                self.assertEqual(self.get_bytes("s3://lake/" + key), data)
        self.assertEqual(self.keys("lake"), s3_sorted(self.HOSTILE))
        for i, key in enumerate(self.HOSTILE):  # no key clobbered another
            self.assertEqual(self.get_bytes("s3://lake/" + key), "{}:{}".format(i, key).encode())

    def test_key_length_limit_is_1024_bytes(self):
        for key in ["k" * 1024, "é" * 512]:
            self.put_bytes("s3://lake/" + key, b"fits")
            self.assertEqual(self.get_bytes("s3://lake/" + key), b"fits")
        self.write("f", b"too long")
        for key in ["k" * 1025, "k" + "é" * 512]:  # the limit counts UTF-8 bytes
            self.fails("KeyTooLongError", "put", "f", "s3://lake/" + key)
        self.assertEqual(self.keys("lake"), s3_sorted(["k" * 1024, "é" * 512]))

    def test_invalid_utf8_key_is_rejected(self):
        self.write("f", b"x")
        self.fails("InvalidArgument", "put", "f", b"s3://lake/bad\xff")
        self.assertEqual(self.keys("lake"), [])

    def test_keys_never_become_file_paths(self):
        """Object bytes live in files named by internal ids, never by key: a key like
        ../escape must not create or overwrite anything outside the data dir's lake folder."""
        name = "escape-" + os.urandom(6).hex()
        keys = ["../" + name, "../../" + name, "../../../" + name, "/" + name,
                "a/../../" + name, "lake/../../" + name, "..\\" + name, name + "/" + name]
        payload = os.urandom(4096)
        self.write("src", payload)
        self.ok("ls")  # creates the data dir
        before = tree(self.root)
        for key in keys:
            self.ok("put", "src", "s3://lake/" + key)
        self.put_bytes("s3://lake/" + keys[0], payload + b"v2")  # overwrite too

        def outside_data_dir(paths):
            return {p for p in paths if p != "data" and not p.startswith("data" + os.sep)}
        self.assertEqual(outside_data_dir(tree(self.root)), outside_data_dir(before))
        lake_dir = os.path.join(self.data_dir, "lake")
        holders = []
        for folder, dirs, files in os.walk(self.root):
            for entry in dirs + files:
                self.assertNotIn(name, entry, os.path.join(folder, entry))
            for f in files:
                path = os.path.join(folder, f)
                if self.read(path) == payload:
                    holders.append(path)
        for folder in [self.root, os.path.dirname(self.root), "/"]:
            self.assertFalse(os.path.exists(os.path.join(folder, name)), folder)
        self.assertEqual(self.read(os.path.join(self.work, "src")), payload)
        # The source file, plus one file per key still holding the payload, inside the lake.
        self.assertEqual(len(holders), len(keys))
        for path in holders:
            if path != os.path.join(self.work, "src"):
                self.assertEqual(os.path.commonpath([path, lake_dir]), lake_dir)
        for key in keys[1:]:
            self.assertEqual(self.get_bytes("s3://lake/" + key), payload)
        self.assertEqual(self.get_bytes("s3://lake/" + keys[0]), payload + b"v2")

    def test_downloading_dot_dot_keys_stays_in_the_destination(self):
        """A key whose basename is '..' or '.' must not write outside (or over) the folder."""
        os.mkdir(os.path.join(self.work, "dest"))
        sentinel = self.write("sentinel", b"keep")
        for key in ["a/..", "..", "a/."]:
            self.put_bytes("s3://lake/" + key, b"bytes of " + key.encode())
            before = tree(self.root)
            process = self.run_sluice("get", "s3://lake/" + key, "dest")
            self.assertIn(process.returncode, (0, 1), self.describe(process))
            changed = tree(self.root) ^ before
            self.assertTrue(all(p.startswith(os.path.join("work", "dest") + os.sep) or
                                p.startswith("data") for p in changed), changed)
            if process.returncode == 1:
                self.assertEqual(os.listdir(os.path.join(self.work, "dest")), [])
        self.assertEqual(self.read(sentinel), b"keep")


class ListingTest(SluiceCase):
    TREE = {"a.txt": b"a", "dir/b.txt": b"bb", "dir/sub/c.txt": b"ccc", "dir/sum.txt": b"dddd",
            "dir2/d.txt": b"eeeee", "dirx": b"ffffff", "é/z": b"g"}

    def setUp(self):
        super().setUp()
        self.mb("lake")
        for key, data in self.TREE.items():
            self.put_bytes("s3://lake/" + key, data)

    def ls_text(self, *args):
        """Parses `ls` output into (prefixes, [(name, size)])."""
        prefixes, objects = [], []
        for line in self.ok("ls", *args).splitlines():
            match = LS_PREFIX_LINE.match(line)
            if match:
                prefixes.append(match.group(1))
                continue
            match = LS_OBJECT_LINE.match(line)
            self.assertIsNotNone(match, line)
            objects.append((match.group(2), int(match.group(1))))
        return prefixes, objects

    def test_one_level(self):
        self.assertEqual(self.ls_text("s3://lake"),
                         (["dir/", "dir2/", "é/"], [("a.txt", 1), ("dirx", 6)]))
        self.assertEqual(self.ls_text("s3://lake/"), self.ls_text("s3://lake"))
        self.assertEqual(self.ls_text("s3://lake/dir/"), (["sub/"], [("b.txt", 2), ("sum.txt", 4)]))
        # Names are relative to the prefix's last '/'.
        self.assertEqual(self.ls_text("s3://lake/dir"), (["dir/", "dir2/"], [("dirx", 6)]))
        self.assertEqual(self.ls_text("s3://lake/dir/su"), (["sub/"], [("sum.txt", 4)]))
        self.assertEqual(self.ls_text("s3://lake/nothing"), ([], []))

    def test_recursive(self):
        everything = [(k, len(self.TREE[k])) for k in s3_sorted(self.TREE)]
        self.assertEqual(self.ls_text("--recursive", "s3://lake"), ([], everything))
        self.assertEqual(self.ls_text("-r", "s3://lake/dir/"),
                         ([], [("dir/b.txt", 2), ("dir/sub/c.txt", 3), ("dir/sum.txt", 4)]))

    def test_json(self):
        listing = self.list_json("s3://lake/dir/")
        self.assertEqual(listing["CommonPrefixes"], [{"Prefix": "dir/sub/"}])
        self.assertEqual([e["Key"] for e in listing["Contents"]], ["dir/b.txt", "dir/sum.txt"])
        listing = self.list_json("s3://lake", recursive=True)
        self.assertEqual(listing["CommonPrefixes"], [])
        self.assertEqual([e["Key"] for e in listing["Contents"]], s3_sorted(self.TREE))
        now = datetime.now(timezone.utc)
        for entry in listing["Contents"]:
            data = self.TREE[entry["Key"]]
            self.assertEqual(set(entry), {"Key", "Size", "ETag", "LastModified", "StorageClass"})
            self.assertEqual(entry["Size"], len(data))
            self.assertEqual(entry["ETag"], '"{}"'.format(md5(data)))
            self.assertEqual(entry["StorageClass"], "STANDARD")
            self.assertRegex(entry["LastModified"], ISO_MILLIS)
            modified = datetime.strptime(entry["LastModified"], "%Y-%m-%dT%H:%M:%S.%fZ")
            self.assertLess(abs(modified.replace(tzinfo=timezone.utc) - now), timedelta(days=1))
        self.assertEqual(self.list_json("s3://lake/dir2/", recursive=True)["Contents"][0]["Key"],
                         "dir2/d.txt")
        self.assertEqual(self.list_json("s3://lake/none/"), {"Contents": [], "CommonPrefixes": []})

    def test_empty_bucket(self):
        self.mb("empty")
        self.assertEqual(self.ok("ls", "s3://empty"), "")
        self.assertEqual(self.list_json("s3://empty"), {"Contents": [], "CommonPrefixes": []})

    def test_byte_order(self):
        self.mb("order")
        keys = ["a", "B", "é", "z", "~", "a/b", "a-b", "Z"]
        for key in keys:
            self.put_bytes("s3://order/" + key, b"")
        self.assertEqual(self.keys("order"), s3_sorted(keys))


class PagingTest(SluiceCase):
    def test_listing_and_rb_force_span_pages(self):
        """More than 1000 entries: ls, ls --json and rb --force must follow the markers. The
        1000th one-level entry is a common prefix, so the second page starts right after it."""
        self.mb("many")
        keys = ["k{:03d}".format(i) for i in range(999)] + ["p/1", "p/2", "q"]
        with ThreadPoolExecutor(max_workers=4) as pool:
            for process in pool.map(
                    lambda k: self.put_process("s3://many/" + k, k.encode()), keys):
                self.assertEqual(process.returncode, 0, self.describe(process))

        self.assertEqual(self.keys("many"), keys)
        listing = self.list_json("s3://many")
        self.assertEqual([e["Key"] for e in listing["Contents"]], keys[:999] + ["q"])
        self.assertEqual(listing["CommonPrefixes"], [{"Prefix": "p/"}])
        lines = self.ok("ls", "s3://many").splitlines()
        self.assertEqual(len(lines), 1001)
        self.assertEqual(sum(1 for line in lines if LS_PREFIX_LINE.match(line)), 1)
        self.assertEqual(len(self.ok("ls", "-r", "s3://many").splitlines()), 1002)

        out = self.ok("rb", "--force", "s3://many").splitlines()
        self.assertEqual(sorted(out[:-1]), ["delete: s3://many/" + k for k in keys])
        self.assertEqual(out[-1], "remove_bucket: many")
        self.assertEqual(self.lake_bytes(), 0)


class RemoveTest(SluiceCase):
    def setUp(self):
        super().setUp()
        self.mb("lake")
        for key in ["logs/1", "logs/2", "logs/deep/3", "logs-old/4", "logsx", "keep"]:
            self.put_bytes("s3://lake/" + key, key.encode())

    def test_rm_one_object(self):
        self.assertEqual(self.ok("rm", "s3://lake/logs/1"), "delete: s3://lake/logs/1\n")
        self.assertIn("s3://lake/logs/1", self.fails("NoSuchKey", "get", "s3://lake/logs/1", "-"))
        self.assertEqual(self.keys("lake"), ["keep", "logs-old/4", "logs/2", "logs/deep/3", "logsx"])

    def test_rm_missing_key_succeeds(self):
        self.assertEqual(self.ok("rm", "s3://lake/never"), "delete: s3://lake/never\n")
        self.assertEqual(len(self.keys("lake")), 6)

    def test_rm_recursive_prefix(self):
        out = self.ok("rm", "--recursive", "s3://lake/logs/").splitlines()
        self.assertEqual(sorted(out), ["delete: s3://lake/logs/1", "delete: s3://lake/logs/2",
                                       "delete: s3://lake/logs/deep/3"])
        self.assertEqual(self.keys("lake"), ["keep", "logs-old/4", "logsx"])
        self.assertEqual(self.ok("rm", "-r", "s3://lake/nothing/"), "")

    def test_deleted_bytes_are_reclaimed(self):
        self.ok("rm", "-r", "s3://lake/")
        self.assertEqual(self.keys("lake"), [])
        self.assertEqual(self.lake_bytes(), 0)


class CopyTest(SluiceCase):
    def setUp(self):
        super().setUp()
        self.mb("lake")
        self.mb("other")
        self.data = os.urandom(300 * 1024)
        self.write("src.bin", self.data)

    def test_cp_local_to_lake_and_back(self):
        self.assertEqual(self.ok("cp", "src.bin", "s3://lake/in/"),
                         "upload: src.bin to s3://lake/in/src.bin\n")
        self.assertEqual(self.ok("cp", "s3://lake/in/src.bin", "back.bin"),
                         "download: s3://lake/in/src.bin to back.bin\n")
        self.assertEqual(self.read(os.path.join(self.work, "back.bin")), self.data)
        self.ok("cp", "-", "s3://lake/stdin", stdin=b"from stdin")
        process = self.run_sluice("cp", "s3://lake/stdin", "-")
        self.assertEqual((process.returncode, process.stdout), (0, b"from stdin"))

    def test_cp_within_the_lake(self):
        self.ok("put", "src.bin", "s3://lake/a/src.bin")
        self.assertEqual(self.ok("cp", "s3://lake/a/src.bin", "s3://other/b/copy.bin"),
                         "copy: s3://lake/a/src.bin to s3://other/b/copy.bin\n")
        self.assertEqual(self.ok("cp", "s3://lake/a/src.bin", "s3://other/dir/"),
                         "copy: s3://lake/a/src.bin to s3://other/dir/src.bin\n")
        for uri in ["s3://other/b/copy.bin", "s3://other/dir/src.bin", "s3://lake/a/src.bin"]:
            self.assertEqual(sha256(self.get_bytes(uri)), sha256(self.data), uri)
        etags = {e["Key"]: e["ETag"] for e in self.list_json("s3://other", True)["Contents"]}
        self.assertEqual(etags, {"b/copy.bin": '"{}"'.format(md5(self.data)),
                                 "dir/src.bin": '"{}"'.format(md5(self.data))})
        # The copy is independent of its source.
        self.ok("rm", "s3://lake/a/src.bin")
        self.assertEqual(self.get_bytes("s3://other/b/copy.bin"), self.data)

    def test_copy_keeps_metadata_and_replace_replaces_it(self):
        self.ok("put", "src.bin", "s3://lake/src", "--content-type", "application/x-orig",
                "--metadata", "origin=test", "--metadata", "Stage=raw")
        self.ok("cp", "s3://lake/src", "s3://lake/copied.csv")
        self.ok("cp", "s3://lake/src", "s3://lake/kept.csv", "--metadata-directive", "COPY")
        self.ok("cp", "s3://lake/src", "s3://lake/replaced", "--metadata-directive", "REPLACE",
                "--content-type", "text/x-new", "--metadata", "stage=clean")
        self.assertEqual(self.get_bytes("s3://lake/replaced"), self.data)
        original = ("application/x-orig", {"origin": "test", "stage": "raw"})
        self.assertEqual(self.stored_headers("lake", "src"), original)
        self.assertEqual(self.stored_headers("lake", "copied.csv"), original)
        self.assertEqual(self.stored_headers("lake", "kept.csv"), original)
        self.assertEqual(self.stored_headers("lake", "replaced"), ("text/x-new", {"stage": "clean"}))

    def test_copy_onto_itself(self):
        self.ok("put", "src.bin", "s3://lake/self", "--metadata", "v=1")
        self.assertIn("s3://lake/self",
                      self.fails("InvalidRequest", "cp", "s3://lake/self", "s3://lake/self"))
        self.ok("cp", "s3://lake/self", "s3://lake/self", "--metadata-directive", "REPLACE",
                "--content-type", "text/plain", "--metadata", "v=2")
        self.assertEqual(self.get_bytes("s3://lake/self"), self.data)
        self.assertEqual(self.stored_headers("lake", "self"), ("text/plain", {"v": "2"}))
        self.assertEqual(self.lake_bytes(), len(self.data))

    def test_failed_copies_change_nothing(self):
        self.put_bytes("s3://other/dst", b"original")
        self.assertIn("s3://lake/missing", self.fails(
            "NoSuchKey", "cp", "s3://lake/missing", "s3://other/dst"))
        self.fails("NoSuchBucket", "cp", "s3://nope/x", "s3://other/dst")
        self.put_bytes("s3://lake/x", b"x")
        self.fails("NoSuchBucket", "cp", "s3://lake/x", "s3://nope/x")
        self.fails("KeyTooLongError", "cp", "s3://lake/x", "s3://other/" + "k" * 1025)
        self.assertEqual(self.get_bytes("s3://other/dst"), b"original")
        self.assertEqual(self.keys("other"), ["dst"])


class FailedDownloadTest(SluiceCase):
    """A failed download leaves no partial file, and an existing destination is untouched."""

    def setUp(self):
        super().setUp()
        self.mb("lake")
        self.original = self.write("existing", b"precious local bytes")

    def assert_work_dir_untouched(self):
        self.assertEqual(sorted(os.listdir(self.work)), ["existing"])
        self.assertEqual(self.read(self.original), b"precious local bytes")

    def test_missing_key(self):
        self.fails("NoSuchKey", "get", "s3://lake/missing", "new-file")
        self.fails("NoSuchKey", "get", "s3://lake/missing", "existing")
        self.fails("NoSuchKey", "cp", "s3://lake/missing", "existing")
        self.fails("NoSuchKey", "get", "s3://lake/missing")
        self.fails("NoSuchBucket", "get", "s3://nope/existing")
        self.assert_work_dir_untouched()

    def test_unsatisfiable_range(self):
        self.put_bytes("s3://lake/small", b"0123")
        self.fails("InvalidRange", "get", "s3://lake/small", "existing", "--range", "4-")
        self.assert_work_dir_untouched()

    def test_failure_mid_stream(self):
        """Truncating the stored blob makes the download fail after it has written bytes."""
        data = os.urandom(3 * 1024 * 1024)
        self.put_bytes("s3://lake/big", data)
        blobs = [os.path.join(folder, f)
                 for folder, _, files in os.walk(os.path.join(self.data_dir, "lake"))
                 for f in files if os.path.getsize(os.path.join(folder, f)) == len(data)]
        self.assertEqual(len(blobs), 1, blobs)
        os.truncate(blobs[0], len(data) // 2)

        for destination in ["existing", "new-file", "."]:
            with self.subTest(destination=destination):
                self.assertIn("s3://lake/big",
                              self.fails(None, "get", "s3://lake/big", destination))
                self.assert_work_dir_untouched()
        process = self.run_sluice("get", "s3://lake/big", "-")
        self.assertEqual(process.returncode, 1, self.describe(process))


class ConcurrencyTest(SluiceCase):
    def test_many_parallel_puts_all_succeed(self):
        """Each process opening the lake recovers leftover temp files; it must never take a
        live writer's temp file for a leftover, so no put may fail just because others run."""
        self.mb("lake")
        keys = ["k{:03d}".format(i) for i in range(300)]
        with ThreadPoolExecutor(max_workers=16) as pool:
            processes = list(pool.map(
                lambda k: self.run_sluice("put", "-", "s3://lake/" + k, stdin=k.encode()), keys))
        failed = [p for p in processes if p.returncode != 0]
        if failed:
            self.fail("{} of {} parallel puts failed, e.g.{}".format(
                len(failed), len(keys), "".join(self.describe(p) for p in failed[:3])))
        self.assertEqual(self.keys("lake"), keys)

    def test_parallel_writers_lose_nothing(self):
        """Processes writing at once, some to one key: each object is one whole put's bytes,
        and the replaced versions leak no storage."""
        self.mb("lake")
        payloads = {"k{}".format(i): os.urandom(100 * 1024 + i) for i in range(8)}
        same = [os.urandom(50 * 1024 + i) for i in range(8)]
        jobs = [("s3://lake/" + k, v) for k, v in payloads.items()]
        jobs += [("s3://lake/same", v) for v in same]
        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            processes = list(pool.map(lambda job: self.put_process(*job), jobs))
        for process in processes:
            self.assertEqual(process.returncode, 0, self.describe(process))

        for key, data in payloads.items():
            self.assertEqual(self.get_bytes("s3://lake/" + key), data)
        final = self.get_bytes("s3://lake/same")
        self.assertIn(final, same)
        etags = {e["Key"]: e["ETag"] for e in self.list_json("s3://lake", True)["Contents"]}
        self.assertEqual(etags["same"], '"{}"'.format(md5(final)))
        self.assertEqual(len(etags), 9)
        self.assertEqual(self.lake_bytes(), sum(map(len, payloads.values())) + len(final))


class EventsTest(SluiceCase):
    """`sluice events ls`: the event log the lake appends to with every object change."""

    def events(self, *args):
        """The log as (seq, event) pairs, read with --json and the given options."""
        document = json.loads(self.ok("events", "ls", "--json", *args))
        self.assertEqual(set(document) - {"NextAfter"}, {"Events"}, document)
        for entry in document["Events"]:
            self.assertEqual(set(entry), {"Seq", "Event"}, entry)
        return [(entry["Seq"], entry["Event"]) for entry in document["Events"]]

    def page(self, *args):
        """One --json page: ([(seq, event)], NextAfter or None)."""
        document = json.loads(self.ok("events", "ls", "--json", *args))
        return ([(e["Seq"], e["Event"]) for e in document["Events"]],
                document.get("NextAfter"))

    @staticmethod
    def summary(event):
        """(detail-type, key, reason) of an S3 event."""
        detail = event["detail"]
        return event["detail-type"], detail["object"]["key"], detail["reason"]

    @staticmethod
    def sequencer_key(sequencer):
        """S3 sequencers compare as hex strings right-padded with zeros to the same length."""
        return sequencer.upper().ljust(64, "0")

    def test_empty_data_dir_lists_nothing(self):
        self.assertEqual(self.ok("events", "ls"), "")
        self.assertEqual(json.loads(self.ok("events", "ls", "--json")), {"Events": []})
        self.mb("lake")  # buckets are not objects: no event
        self.assertEqual(self.ok("events", "ls"), "")
        self.assertEqual(self.page(), ([], None))

    def test_one_event_per_change_in_order(self):
        self.mb("lake")
        first, second = b"first version", b"second, longer version"
        self.put_bytes("s3://lake/k", first)
        self.put_bytes("s3://lake/k", second)  # overwrite
        self.ok("cp", "s3://lake/k", "s3://lake/copy")
        self.ok("rm", "s3://lake/k")

        events = self.events()
        self.assertEqual([self.summary(e) for _, e in events], [
            ("Object Created", "k", "PutObject"),
            ("Object Created", "k", "PutObject"),
            ("Object Created", "copy", "CopyObject"),
            ("Object Deleted", "k", "DeleteObject"),
        ])
        created = [e["detail"]["object"] for _, e in events[:3]]
        self.assertEqual([(o["size"], o["etag"]) for o in created],
                         [(len(first), md5(first)), (len(second), md5(second)),
                          (len(second), md5(second))])
        deleted = events[3][1]["detail"]
        self.assertEqual(deleted["deletion-type"], "Permanently Deleted")
        self.assertNotIn("size", deleted["object"])
        self.assertRegex(deleted["object"]["etag"], r"^[0-9a-f]{32}$")
        for _, event in events[:3]:
            self.assertNotIn("deletion-type", event["detail"])

    def test_json_has_the_whole_eventbridge_envelope(self):
        self.mb("lake")
        data = b"a,b\n1,2\n"
        self.put_bytes("s3://lake/raw/a.csv", data)
        self.ok("cp", "s3://lake/raw/a.csv", "s3://lake/raw/b.csv")
        self.ok("rm", "s3://lake/raw/a.csv")
        events = self.events()
        self.assertEqual(len(events), 3)
        seqs = [seq for seq, _ in events]
        self.assertEqual(seqs, sorted(set(seqs)), "Seq must strictly increase")
        self.assertTrue(all(isinstance(seq, int) and seq > 0 for seq in seqs), seqs)
        self.assertEqual(len({e["id"] for _, e in events}), 3, "ids must be unique")

        now = datetime.now(timezone.utc)
        for (seq, event), key in zip(events, ["raw/a.csv", "raw/b.csv", "raw/a.csv"]):
            with self.subTest(seq=seq):
                self.assertEqual(set(event), {"version", "id", "detail-type", "source", "account",
                                              "time", "region", "resources", "detail"})
                self.assertEqual(event["version"], "0")
                self.assertRegex(event["id"], UUID_V4)
                self.assertEqual(event["source"], "aws.s3")
                self.assertEqual(event["account"], "000000000000")
                self.assertEqual(event["region"], "us-east-1")
                self.assertEqual(event["resources"], ["arn:aws:s3:::lake"])
                self.assertRegex(event["time"], RFC3339_SECONDS)
                time = datetime.strptime(event["time"], "%Y-%m-%dT%H:%M:%SZ")
                self.assertLess(abs(time.replace(tzinfo=timezone.utc) - now), timedelta(days=1))

                detail = event["detail"]
                self.assertEqual(detail["version"], "0")
                self.assertEqual(detail["bucket"], {"name": "lake"})
                self.assertEqual(detail["object"]["key"], key)
                self.assertEqual(detail["object"]["etag"], md5(data))
                self.assertRegex(detail["object"]["sequencer"], r"^[0-9A-Fa-f]+$")
                self.assertNotIn("version-id", detail["object"])  # the lake keeps no versions
                self.assertTrue(detail["request-id"], detail)
                self.assertEqual(detail["requester"], "000000000000")
                self.assertNotIn("source-ip-address", detail)  # the CLI's requests have none
        self.assertEqual([e["detail"]["object"].get("size") for _, e in events],
                         [len(data), len(data), None])

    def test_sequencers_increase_for_one_key(self):
        self.mb("lake")
        for i in range(12):  # past 9 and 15, where a careless decimal or hex width would show
            self.put_bytes("s3://lake/k", str(i).encode())
            self.put_bytes("s3://lake/other", str(i).encode())
        self.ok("rm", "s3://lake/k")
        self.put_bytes("s3://lake/k", b"again")
        sequencers = [e["detail"]["object"]["sequencer"] for _, e in self.events()
                      if e["detail"]["object"]["key"] == "k"]
        self.assertEqual(len(sequencers), 14)
        ordered = [self.sequencer_key(s) for s in sequencers]
        for earlier, later in zip(ordered, ordered[1:]):
            self.assertLess(earlier, later, sequencers)

    def test_after_and_limit_page_through_the_log(self):
        self.mb("lake")
        keys = ["k{}".format(i) for i in range(5)]
        for key in keys:
            self.put_bytes("s3://lake/" + key, key.encode())
        everything = self.events()
        self.assertEqual([e["detail"]["object"]["key"] for _, e in everything], keys)
        seqs = [seq for seq, _ in everything]

        page, next_after = self.page("--limit", "2")
        self.assertEqual(page, everything[:2])
        self.assertEqual(next_after, seqs[1])
        page, next_after = self.page("--after", str(next_after), "--limit", "2")
        self.assertEqual(page, everything[2:4])
        self.assertEqual(next_after, seqs[3])
        page, next_after = self.page("--after", str(next_after), "--limit", "2")
        self.assertEqual(page, everything[4:])
        self.assertIsNone(next_after, "a page that is not full has no NextAfter")

        # A full page carries NextAfter even when nothing follows; the next page is empty.
        page, next_after = self.page("--after", str(seqs[2]), "--limit", "2")
        self.assertEqual((page, next_after), (everything[3:], seqs[4]))
        self.assertEqual(self.page("--after", str(seqs[4]), "--limit", "2"), ([], None))
        self.assertEqual(self.page("--after", str(seqs[4] + 1000)), ([], None))
        self.assertEqual(self.page("--after", "0"), (everything, None))
        self.assertEqual(self.page("--limit", "5"), (everything, seqs[4]))
        self.assertEqual(self.page("--limit", "10000"), (everything, None))

        # Paging by NextAfter, one event at a time, visits each event once, in order.
        visited, after = [], 0
        while True:
            page, after = self.page("--after", str(after), "--limit", "1")
            visited += page
            if after is None:
                break
        self.assertEqual(visited, everything)

        # The text listing takes the same options.
        lines = self.ok("events", "ls", "--after", str(seqs[0]), "--limit", "3").splitlines()
        self.assertEqual([int(EVENT_LINE.match(line).group(1)) for line in lines], seqs[1:4])

    def test_refused_operations_add_no_event(self):
        self.mb("lake")
        self.put_bytes("s3://lake/k", b"0123")
        before = self.events()
        self.assertEqual(len(before), 1)
        self.write("f", b"x")

        self.fails("NoSuchBucket", "put", "f", "s3://nope/k")
        self.fails("NoSuchBucket", "put", "-", "s3://nope/k", stdin=b"x")
        self.fails("KeyTooLongError", "put", "f", "s3://lake/" + "k" * 1025)
        self.fails("InvalidArgument", "put", "f", b"s3://lake/bad\xff")
        self.fails(None, "put", "missing-file", "s3://lake/k")
        self.fails("BucketAlreadyOwnedByYou", "mb", "s3://lake")
        self.fails("BucketNotEmpty", "rb", "s3://lake")
        self.fails("NoSuchKey", "cp", "s3://lake/missing", "s3://lake/dst")
        self.fails("NoSuchBucket", "cp", "s3://lake/k", "s3://nope/dst")
        self.fails("InvalidRequest", "cp", "s3://lake/k", "s3://lake/k")
        self.fails("NoSuchBucket", "rm", "s3://nope/k")
        self.ok("rm", "s3://lake/missing")  # succeeds, as in S3, but deletes nothing
        self.assertEqual(self.ok("rm", "-r", "s3://lake/nothing/"), "")
        # Failed downloads, and successful ones, change nothing either.
        self.fails("NoSuchKey", "get", "s3://lake/missing", "out")
        self.fails("InvalidRange", "get", "s3://lake/k", "out", "--range", "4-")
        self.fails(None, "get", "s3://lake/k", "no/such/folder/out")
        self.assertEqual(self.get_bytes("s3://lake/k"), b"0123")
        self.ok("ls", "-r", "s3://lake")
        # Bad usage never reaches the lake.
        self.usage_error("put", "-", "s3://lake/")
        self.usage_error("cp", "s3://lake/k", "s3://lake/k2", "--metadata-directive", "MERGE")
        self.usage_error("rm", "s3://lake/")

        self.assertEqual(self.events(), before)
        self.assertEqual(self.get_bytes("s3://lake/k"), b"0123")

    def test_bad_usage_exits_2(self):
        self.mb("lake")
        self.put_bytes("s3://lake/k", b"x")
        for args in [["events"], ["events", "bogus"], ["events", "ls", "--limit", "0"],
                     ["events", "ls", "--limit", "abc"], ["events", "ls", "--limit", "-1"],
                     ["events", "ls", "--limit", "10001"], ["events", "ls", "--after", "-1"],
                     ["events", "ls", "--after", "abc"], ["events", "ls", "--bogus"],
                     ["events", "ls", "extra"]]:
            with self.subTest(args=args):
                self.usage_error(*args)
        self.assertEqual(len(self.events()), 1)

    def test_help_does_not_touch_the_data_dir(self):
        self.assertIn("Usage: sluice events", self.ok("events", "--help"))
        self.assertIn("--limit", self.ok("events", "ls", "--help"))
        self.assertFalse(os.path.exists(self.data_dir))

    def test_text_output_has_one_line_per_event(self):
        self.mb("lake")
        keys = ["a.csv", "dir/with space.csv", "ünï/鍵"]
        for key in keys:
            self.put_bytes("s3://lake/" + key, b"x")
        self.ok("rm", "s3://lake/a.csv")
        lines = self.ok("events", "ls").splitlines()
        self.assertEqual(len(lines), 4, lines)
        parsed = []
        for line in lines:
            match = EVENT_LINE.match(line)
            self.assertIsNotNone(match, line)
            parsed.append(match.groups())
        self.assertEqual([(p[2], p[3], p[4]) for p in parsed], [
            ("aws.s3", "Object Created", "lake/a.csv"),
            ("aws.s3", "Object Created", "lake/dir/with space.csv"),
            ("aws.s3", "Object Created", "lake/ünï/鍵"),
            ("aws.s3", "Object Deleted", "lake/a.csv"),
        ])
        events = self.events()
        self.assertEqual([int(p[0]) for p in parsed], [seq for seq, _ in events])
        self.assertEqual([p[1] for p in parsed], [e["time"] for _, e in events])

    def test_rb_force_logs_a_delete_per_object(self):
        self.mb("lake")
        keys = ["a", "dir/b", "dir/sub/c"]
        for key in keys:
            self.put_bytes("s3://lake/" + key, key.encode())
        self.ok("rb", "--force", "s3://lake")
        deletes = [self.summary(e) for _, e in self.events()[3:]]
        self.assertEqual(sorted(deletes), [("Object Deleted", k, "DeleteObject") for k in keys])

    def test_parallel_writers_each_log_one_event(self):
        """Processes sharing the data dir append to one log: one event per put, none lost."""
        self.mb("lake")
        keys = ["k{:02d}".format(i) for i in range(24)] + ["same"] * 8
        with ThreadPoolExecutor(max_workers=16) as pool:
            processes = list(pool.map(
                lambda k: self.put_process("s3://lake/" + k, k.encode()), keys))
        for process in processes:
            self.assertEqual(process.returncode, 0, self.describe(process))
        events = self.events()
        self.assertEqual(sorted(e["detail"]["object"]["key"] for _, e in events), sorted(keys))
        seqs = [seq for seq, _ in events]
        self.assertEqual(seqs, sorted(set(seqs)))
        same = [self.sequencer_key(e["detail"]["object"]["sequencer"]) for _, e in events
                if e["detail"]["object"]["key"] == "same"]
        self.assertEqual(same, sorted(set(same)), "sequencers of one key follow the log order")



class CredentialsTest(SluiceCase):

    def test_generated_on_first_use_sourceable_and_managed(self):
        shown = self.ok("credentials")
        key_id = re.match(r"AccessKeyId      (SK[A-Z0-9]{18})\nSecretAccessKey  (\S{40})\n$", shown)
        self.assertIsNotNone(key_id, shown)
        path = os.path.join(self.data_dir, "credentials.json")
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        self.assertEqual(self.ok("credentials", "--env"),
                         "AWS_ACCESS_KEY_ID={}\nAWS_SECRET_ACCESS_KEY={}\n".format(*key_id.groups()))

        self.ok("credentials", "add", "--access-key-id", "AKIAIOSFODNN7EXAMPLE",
                "--secret-access-key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        listed = self.ok("credentials", "ls")
        self.assertIn(key_id.group(1), listed)
        self.assertIn("AKIAIOSFODNN7EXAMPLE", listed)
        self.assertNotIn("wJalrXUtnFEMI", listed)  # no secrets in the listing
        self.assertIn("already exists", self.fails(None, "credentials", "add", "--access-key-id",
                                                   "AKIAIOSFODNN7EXAMPLE",
                                                   "--secret-access-key", "whatever1"))
        self.usage_error("credentials", "add", "--access-key-id", "AKIAIOSFODNN7EXAMPLE")
        self.ok("credentials", "rm", key_id.group(1))
        self.assertIn("last one", self.fails(None, "credentials", "rm", "AKIAIOSFODNN7EXAMPLE"))
        self.assertEqual(self.ok("credentials", "--env"),
                         "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"
                         "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")

        os.chmod(path, 0o644)
        self.assertIn("chmod 600", self.fails(None, "credentials"))


class ListenAddressTest(SluiceCase):
    """Where `serve` and `up` serve S3: --listen, else $SLUICE_S3_LISTEN, else 127.0.0.1:9000."""

    def occupied_address(self):
        """A loopback address some other socket listens on, held until the test ends."""
        holder = socket.socket()
        self.addCleanup(holder.close)
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        return "127.0.0.1:{}".format(holder.getsockname()[1])

    def test_the_variable_sets_where_serve_and_up_listen(self):
        taken = self.occupied_address()
        environment = {"SLUICE_S3_LISTEN": taken}
        line = self.fails(None, "serve", "--until-idle", env=environment)
        self.assertIn("cannot listen on {}".format(taken), line)
        spec = self.write("spec.yaml", "name: listen\nbuckets: [raw]\n")
        line = self.fails(None, "up", spec, env=environment)
        self.assertIn("cannot listen on {}".format(taken), line)

    def test_the_option_wins_over_the_variable(self):
        process = self.run_sluice("serve", "--until-idle", "--listen", "127.0.0.1:0",
                                  env={"SLUICE_S3_LISTEN": self.occupied_address()})
        self.assertEqual(process.returncode, 0, self.describe(process))
        self.assertRegex(process.stdout.decode(), r"^127\.0\.0\.1:\d+\n")

    def test_an_address_that_is_not_host_and_port_is_refused(self):
        for address in ("9000", "127.0.0.1:", "127.0.0.1:70000", "nonsense:80"):
            with self.subTest(address=address):
                line = self.fails(None, "serve", "--until-idle", "--listen", address)
                self.assertIn(address, line)


if __name__ == "__main__":
    sluice_case.main("test_cli.py")
