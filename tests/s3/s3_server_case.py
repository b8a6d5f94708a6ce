"""What the end-to-end S3 tests share: a base TestCase that runs one real `sluice serve` per test
class on a private data dir and a free port, the credentials and environment S3 clients need to
reach it, and the `main` that takes the binary's path. Standard library only.

Each test script imports this module (it sits beside them) and runs as

    python3 tests/s3/test_NAME.py --sluice /path/to/sluice [unittest options]

(or with SLUICE_BIN set instead of --sluice). Scripts can run side by side (ctest -j): every
server has its own temporary folder and a port the kernel picked.
"""

import filecmp
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

# The CLI tests' base module, for its command-line handling (--sluice PATH).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "cli"))
import sluice_case  # noqa: E402

SLUICE = None  # absolute path of the binary under test, set by main()
CLIENT_TIMEOUT_SECONDS = 120  # only a guard against hangs; no test asserts how long anything takes
START_TIMEOUT_SECONDS = 60    # how long the server may take to print its address
STOP_TIMEOUT_SECONDS = 30     # how long it may take to exit after SIGTERM before it is killed
REGION = "us-east-1"


class S3ServerCase(unittest.TestCase):
    """Base class: one `sluice serve --listen 127.0.0.1:0` for the whole test class.

    Class attributes once setUpClass ran: root (the temporary folder), data_dir, home (HOME for
    clients), address ("127.0.0.1:PORT"), port, endpoint ("http://127.0.0.1:PORT"), access_key,
    secret_key.
    """

    TEMP_PREFIX = "sluice-s3-test-"

    # --- the server's life ----------------------------------------------------------------------

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.root = tempfile.mkdtemp(prefix=cls.TEMP_PREFIX)
        cls.addClassCleanup(shutil.rmtree, cls.root, ignore_errors=True)
        cls.data_dir = os.path.join(cls.root, "data")
        cls.home = os.path.join(cls.root, "home")
        os.mkdir(cls.home)
        cls.bucket_count = 0
        cls.server_stdout_path = os.path.join(cls.root, "server.stdout")
        cls.server_stderr_path = os.path.join(cls.root, "server.stderr")
        cls._start_server()
        cls.addClassCleanup(cls._stop_server)
        cls.access_key, cls.secret_key = cls._read_credentials()
        # The test process runs clients too (boto3, botocore's signer): keep it away from ~/.aws
        # and from whatever AWS_* settings the caller had, exactly as the client subprocesses.
        for name in [name for name in os.environ if name.startswith("AWS_")]:
            del os.environ[name]
        os.environ.update(cls.aws_settings())

    @classmethod
    def _start_server(cls):
        # Both streams go to files: nothing can block on a full pipe, and stderr stays for
        # diagnostics. The engine also logs to stdout after the address line.
        with open(cls.server_stdout_path, "wb") as stdout, \
                open(cls.server_stderr_path, "wb") as stderr:
            cls.server = subprocess.Popen(
                [SLUICE, "--data-dir", cls.data_dir, "serve", "--listen", "127.0.0.1:0"],
                stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, cwd=cls.root,
                env={k: v for k, v in os.environ.items() if k != "SLUICE_HOME"})
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            first_line = cls._first_stdout_line()
            if first_line is not None:
                break
            if cls.server.poll() is not None:
                raise AssertionError("sluice serve exited with {} before printing its address{}"
                                     .format(cls.server.returncode, cls.server_diagnostics()))
            if time.monotonic() > deadline:
                cls.server.kill()
                cls.server.wait()
                raise AssertionError("sluice serve printed no address within {} s{}".format(
                    START_TIMEOUT_SECONDS, cls.server_diagnostics()))
            time.sleep(0.02)
        if not re.fullmatch(r"127\.0\.0\.1:[0-9]+", first_line):
            raise AssertionError("sluice serve's first line is not HOST:PORT: {!r}{}".format(
                first_line, cls.server_diagnostics()))
        cls.address = first_line
        cls.port = int(first_line.rsplit(":", 1)[1])
        cls.endpoint = "http://" + cls.address

    @classmethod
    def _first_stdout_line(cls):
        with open(cls.server_stdout_path, "rb") as f:
            text = f.read()
        if b"\n" not in text:
            return None
        return text.split(b"\n", 1)[0].decode(errors="replace").strip()

    @classmethod
    def _stop_server(cls):
        """SIGTERM, then a kill after STOP_TIMEOUT_SECONDS. Fails if the server had died early
        or did not exit 0."""
        crashed = cls.server.poll()
        if crashed is None:
            cls.server.send_signal(signal.SIGTERM)
            try:
                cls.server.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                cls.server.kill()
                cls.server.wait()
                raise AssertionError("sluice serve did not exit within {} s of SIGTERM{}".format(
                    STOP_TIMEOUT_SECONDS, cls.server_diagnostics()))
        if crashed is not None:
            raise AssertionError("sluice serve died during the tests (exit {}){}".format(
                crashed, cls.server_diagnostics()))
        if cls.server.returncode != 0:
            raise AssertionError("sluice serve exited {} after SIGTERM{}".format(
                cls.server.returncode, cls.server_diagnostics()))

    @classmethod
    def server_diagnostics(cls):
        """The tail of the server's stderr and stdout, for failure messages."""
        parts = []
        # stdout after the address is mostly the engine's round reports: less of it.
        for name, path, size in (("stderr", cls.server_stderr_path, 4000),
                                 ("stdout", cls.server_stdout_path, 1000)):
            try:
                with open(path, "rb") as f:
                    text = f.read()[-size:].decode(errors="replace")
            except OSError:
                text = "(unreadable)"
            parts.append("\n--- sluice serve {} (tail) ---\n{}".format(name, text))
        return "".join(parts)

    def setUp(self):
        super().setUp()
        if self.server.poll() is not None:
            self.fail("sluice serve is no longer running (exit {}){}".format(
                self.server.returncode, self.server_diagnostics()))
        self.work = tempfile.mkdtemp(prefix="work-", dir=self.root)
        self.addCleanup(shutil.rmtree, self.work, ignore_errors=True)

    # --- sluice's own CLI -----------------------------------------------------------------------

    @classmethod
    def run_sluice(cls, *args):
        """Runs `sluice --data-dir DATA ARGS`; returns stdout as text, failing unless exit 0."""
        process = subprocess.run(
            [SLUICE, "--data-dir", cls.data_dir] + list(args), stdin=subprocess.DEVNULL,
            capture_output=True, timeout=CLIENT_TIMEOUT_SECONDS, cwd=cls.root)
        if process.returncode != 0:
            raise AssertionError(describe(process))
        return process.stdout.decode()

    @classmethod
    def _read_credentials(cls):
        values = {}
        for line in cls.run_sluice("credentials", "--env").splitlines():
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
        if not values.get("AWS_ACCESS_KEY_ID") or not values.get("AWS_SECRET_ACCESS_KEY"):
            raise AssertionError("sluice credentials --env printed no keys: {!r}".format(values))
        return values["AWS_ACCESS_KEY_ID"], values["AWS_SECRET_ACCESS_KEY"]

    def events(self, bucket=None):
        """The events the lake logged, oldest first, each an EventBridge event (a dict); only
        those of `bucket` when given."""
        page_size = 10000  # the most `events ls --limit` takes
        events, after = [], 0
        while True:
            document = json.loads(self.run_sluice("events", "ls", "--json", "--limit",
                                                  str(page_size), "--after", str(after)))
            events += [entry["Event"] for entry in document["Events"]]
            if len(document["Events"]) < page_size:
                break
            after = document["Events"][-1]["Seq"]
        if bucket is not None:
            events = [event for event in events
                      if event.get("detail", {}).get("bucket", {}).get("name") == bucket]
        return events

    def object_events(self, bucket, detail_type=None):
        """(detail-type, reason, key, size) of each S3 event of `bucket`, oldest first."""
        rows = []
        for event in self.events(bucket):
            if event.get("source") != "aws.s3":
                continue
            if detail_type is not None and event["detail-type"] != detail_type:
                continue
            detail = event["detail"]
            rows.append((event["detail-type"], detail.get("reason"), detail["object"]["key"],
                         detail["object"].get("size")))
        return rows

    # --- clients --------------------------------------------------------------------------------

    @classmethod
    def aws_settings(cls):
        """The AWS_* variables every client gets: this server's keys and region, and config and
        credentials files that do not exist (so ~/.aws never leaks in)."""
        return {
            "AWS_ACCESS_KEY_ID": cls.access_key,
            "AWS_SECRET_ACCESS_KEY": cls.secret_key,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_CONFIG_FILE": os.path.join(cls.root, "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(cls.root, "no-aws-credentials"),
            "AWS_PAGER": "",  # aws v2 would page its output through less
            "AWS_MAX_ATTEMPTS": "1",  # every error shows; no hidden retry writes twice
        }

    def env(self, **overrides):
        """The environment for a client subprocess: the caller's, less every AWS_*, RCLONE_* and
        SLUICE_HOME setting, plus aws_settings() and HOME in the temporary folder; `overrides`
        last."""
        environment = {k: v for k, v in os.environ.items()
                       if not k.startswith(("AWS_", "RCLONE_")) and k != "SLUICE_HOME"}
        environment.update(self.aws_settings())
        environment["HOME"] = self.home
        environment.update(overrides)
        return environment

    @staticmethod
    def require_program(name, debian_package):
        """Fails (never skips) when the client `name` is not on PATH."""
        if shutil.which(name) is None:
            raise AssertionError("{} is not on PATH: install the Debian package {} "
                                 "(apt-get install {})".format(name, debian_package,
                                                               debian_package))

    def run_client(self, argv, env=None, cwd=None, stdin=None, timeout=CLIENT_TIMEOUT_SECONDS):
        """Runs a client command (bytes output); returns the CompletedProcess, whatever its exit."""
        return subprocess.run(
            [str(arg) for arg in argv], input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL, capture_output=True,
            env=env if env is not None else self.env(), cwd=cwd or self.work, timeout=timeout)

    def client_ok(self, argv, **kwargs):
        """Runs a client command, asserts exit 0 and returns its stdout as text."""
        process = self.run_client(argv, **kwargs)
        self.assertEqual(process.returncode, 0, describe(process) + self.server_diagnostics())
        return process.stdout.decode(errors="replace")

    def client_fails(self, argv, **kwargs):
        """Runs a client command, asserts a non-zero exit and returns stdout + stderr as text."""
        process = self.run_client(argv, **kwargs)
        self.assertNotEqual(process.returncode, 0, describe(process))
        return (process.stdout + process.stderr).decode(errors="replace")

    # --- names and files ------------------------------------------------------------------------

    def bucket_name(self):
        """A bucket name no other test of this class uses: valid for S3 (3-63 of a-z 0-9 -)."""
        type(self).bucket_count += 1
        method = re.sub(r"[^a-z0-9]+", "-", self._testMethodName.lower()).strip("-")
        return "b{}-{}".format(self.bucket_count, method)[:63].rstrip("-")

    def write_file(self, relative_path, data):
        """Writes bytes or text under this test's working folder; returns the full path."""
        path = os.path.join(self.work, relative_path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        return path

    @staticmethod
    def read_file(path):
        with open(path, "rb") as f:
            return f.read()

    def write_tree(self, folder, files):
        """Writes {relative path: bytes} under `folder` (inside the working folder); returns its
        full path."""
        for relative_path, data in files.items():
            self.write_file(os.path.join(folder, relative_path), data)
        return os.path.join(self.work, folder)

    @staticmethod
    def files_under(folder):
        """The relative paths of the files under `folder`, sorted."""
        found = []
        for parent, _, names in os.walk(folder):
            found += [os.path.relpath(os.path.join(parent, name), folder) for name in names]
        return sorted(found)

    def assertTreesEqual(self, expected_folder, actual_folder):
        """Same files in the same folders with the same bytes (filecmp.dircmp for the shape,
        a byte-by-byte comparison for every file, as dircmp alone trusts size and mtime)."""
        def compare(comparison, relative):
            self.assertEqual((comparison.left_only, comparison.right_only),
                             ([], []), "files only on one side under {!r}".format(relative))
            self.assertEqual(comparison.common_funny + comparison.funny_files, [],
                             "uncomparable entries under {!r}".format(relative))
            _, mismatched, errors = filecmp.cmpfiles(comparison.left, comparison.right,
                                                     comparison.common_files, shallow=False)
            self.assertEqual((mismatched, errors), ([], []),
                             "files that differ under {!r}".format(relative))
            for name, sub in comparison.subdirs.items():
                compare(sub, os.path.join(relative, name))
        compare(filecmp.dircmp(expected_folder, actual_folder, ignore=[]), ".")
        self.assertEqual(self.files_under(expected_folder), self.files_under(actual_folder))


def describe(process):
    """A CompletedProcess as text for failure messages."""
    return "\n$ {}\nexit {}\nstdout: {}\nstderr: {}".format(
        " ".join(map(str, process.args)), process.returncode,
        process.stdout[-3000:].decode(errors="replace"),
        process.stderr[-3000:].decode(errors="replace"))


def random_bytes(size, seed):
    """`size` bytes that depend on `seed` alone (so a failure can be reproduced)."""
    return random.Random(seed).randbytes(size)


def sample_tree(big_file_size=0):
    """{relative path: bytes} of a folder tree clients find awkward: nested folders, an empty
    file, names with spaces, unicode, '+', '%', '&', '=' and '#'; plus big.bin when
    big_file_size is set."""
    tree = {
        "top.txt": b"top level\n",
        "empty.txt": b"",
        "name with spaces.txt": b"spaces\n",
        "plus+sign.txt": b"plus\n",
        "percent%41.txt": b"percent, not an escape of A\n",
        "amp&equals=hash#.txt": b"punctuation\n",
        "ünïcödé/日本語 ファイル.txt": "unicode body ü\n".encode(),
        "dir with space/inner file.txt": b"inner\n",
        "nested/a/b/c/deep.bin": random_bytes(5000, seed=7),
        "nested/a/sibling.txt": b"sibling\n",
        "nested/a/b/empty-in-deep": b"",
    }
    if big_file_size:
        tree["nested/big.bin"] = random_bytes(big_file_size, seed=8)
    return tree


def main(script):
    """Takes --sluice PATH (or SLUICE_BIN) out of the arguments and runs the script's tests."""
    global SLUICE
    SLUICE, argv = sluice_case.take_sluice_argument(script)
    unittest.main(module="__main__", argv=argv)
