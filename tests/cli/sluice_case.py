"""What the end-to-end CLI tests share: a base TestCase that runs the real `sluice` binary on a
private data dir, and the `main` that takes the binary's path. Standard library only.

Each test script imports this module (it sits beside them) and runs as

    python3 tests/cli/test_NAME.py --sluice /path/to/sluice [unittest options]

(or with SLUICE_BIN set instead of --sluice).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

SLUICE = None  # absolute path of the binary under test, set by main()
TIMEOUT_SECONDS = 120  # only a guard against hangs; no test asserts how long anything takes


class SluiceCase(unittest.TestCase):
    """Base class: a private data dir and working folder, and helpers to run sluice."""

    TEMP_PREFIX = "sluice-test-"
    WAIT_SECONDS = TIMEOUT_SECONDS  # wait_until's deadline, a guard against hangs
    POLL_SECONDS = 0.02             # how often wait_until asks

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix=self.TEMP_PREFIX)
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)
        self.data_dir = os.path.join(self.root, "data")
        self.work = os.path.join(self.root, "work")
        os.mkdir(self.work)

    # --- running the binary -------------------------------------------------------------------

    def argv(self, args, data_dir=True):
        argv = [SLUICE]
        if data_dir is True:
            argv += ["--data-dir", self.data_dir]
        elif data_dir is not None:
            argv += ["--data-dir", data_dir]
        return argv + list(args)

    @staticmethod
    def environment(env=None, unset=()):
        environment = {k: v for k, v in os.environ.items()
                       if k != "SLUICE_HOME" and k not in unset}
        # Engines started by tests (`serve`, `up`) serve S3 on a free port, so that tests running
        # side by side never contend for the default 127.0.0.1:9000.
        environment["SLUICE_S3_LISTEN"] = "127.0.0.1:0"
        environment.update(env or {})
        return environment

    def run_sluice(self, *args, stdin=None, cwd=None, env=None, unset=(), data_dir=True):
        """Runs sluice and returns the CompletedProcess (bytes output).

        data_dir: True passes this test's --data-dir, a string passes that one, None passes none.
        SLUICE_HOME (and every variable in `unset`) is removed from the environment unless `env`
        sets it.
        """
        return subprocess.run(
            self.argv(args, data_dir),
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            cwd=cwd or self.work,
            env=self.environment(env, unset),
            timeout=TIMEOUT_SECONDS,
        )

    @staticmethod
    def describe(process):
        return "\n$ {}\nexit {}\nstdout: {!r}\nstderr: {!r}".format(
            " ".join(map(str, process.args)), process.returncode, process.stdout[:3000],
            process.stderr[:3000])

    def ok(self, *args, **kwargs):
        """Runs sluice, asserts exit 0 and a silent stderr, and returns stdout as text."""
        process = self.run_sluice(*args, **kwargs)
        self.assertEqual(process.returncode, 0, self.describe(process))
        self.assertEqual(process.stderr, b"", self.describe(process))
        return process.stdout.decode()

    def fails(self, aws_code, *args, **kwargs):
        """Asserts exit 1 with exactly one `sluice: error: ... (CODE)` line; returns that line.

        aws_code None accepts a line without an error code (local failures).
        """
        process = self.run_sluice(*args, **kwargs)
        self.assertEqual(process.returncode, 1, self.describe(process))
        error = process.stderr.decode(errors="replace")
        self.assertTrue(error.startswith("sluice: error: "), self.describe(process))
        self.assertTrue(error.endswith("\n") and error.count("\n") == 1, self.describe(process))
        line = error[:-1]
        if aws_code is not None:
            self.assertTrue(line.endswith(" ({})".format(aws_code)), self.describe(process))
        return line

    def usage_error(self, *args, **kwargs):
        """Asserts exit 2 with a message on stderr and nothing on stdout."""
        process = self.run_sluice(*args, **kwargs)
        self.assertEqual(process.returncode, 2, self.describe(process))
        self.assertNotEqual(process.stderr.strip(), b"", self.describe(process))
        self.assertEqual(process.stdout, b"", self.describe(process))
        return process.stderr.decode(errors="replace")

    def serve_until_idle(self, env=None, unset=(), allow_error=False):
        """`serve --until-idle`: exit 0; returns what the engine reported (stderr + stdout)."""
        process = self.run_sluice("serve", "--until-idle", env=env, unset=unset)
        self.assertEqual(process.returncode, 0, self.describe(process))
        stderr = process.stderr.decode()
        self.assertTrue(stderr.startswith(
            "sluice: engine running on {} until idle\n".format(self.data_dir)),
            self.describe(process))
        # The engine's round reports ("routed 1 events, ...") go to stdout (spdlog's default).
        output = stderr + process.stdout.decode()
        if not allow_error:
            self.assertNotIn("error", output.lower(), self.describe(process))
        return output

    # --- files and waiting ----------------------------------------------------------------------

    def write(self, name, data, mode=None):
        """Writes `data` (bytes or text) to `name` in the working folder; returns its path."""
        path = os.path.join(self.work, name)
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        if mode is not None:
            os.chmod(path, mode)
        return path

    @staticmethod
    def read(path):
        with open(path, "rb") as f:
            return f.read()

    def wait_until(self, predicate, what, deadline_seconds=None):
        """Polls `predicate` until it returns something true; fails after the deadline."""
        deadline = time.monotonic() + (deadline_seconds or self.WAIT_SECONDS)
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                self.fail("timed out waiting for " + what)
            time.sleep(self.POLL_SECONDS)


def take_sluice_argument(script):
    """Takes --sluice PATH (or SLUICE_BIN) out of the command line: returns the binary's absolute
    path and the arguments left for unittest. Exits with a usage message when there is none."""
    sluice = None
    argv = sys.argv[:1]
    args = iter(sys.argv[1:])
    for arg in args:
        if arg == "--sluice":
            sluice = next(args, None)
        elif arg.startswith("--sluice="):
            sluice = arg[len("--sluice="):]
        else:
            argv.append(arg)
    sluice = sluice or os.environ.get("SLUICE_BIN")
    if not sluice:
        sys.exit("usage: {} --sluice PATH [unittest options] (or set SLUICE_BIN)".format(script))
    sluice = os.path.abspath(sluice)
    if not os.access(sluice, os.X_OK):
        sys.exit("{}: {} is not an executable".format(script, sluice))
    return sluice, argv


def main(script):
    """Takes --sluice PATH (or SLUICE_BIN) out of the arguments and runs the script's tests."""
    global SLUICE
    SLUICE, argv = take_sluice_argument(script)
    unittest.main(module="__main__", argv=argv)
