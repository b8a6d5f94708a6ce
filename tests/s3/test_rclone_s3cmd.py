#!/usr/bin/env python3
"""sluice's S3 endpoint driven by rclone and by s3cmd: each makes a bucket, copies a folder tree
(nested folders, empty files, names with spaces, unicode, '+', '%') up and back down, lists it,
copies within the lake, deletes and removes the bucket; the tree that comes back must be byte
for byte the one that went up, and the lake's events must show exactly the writes made.

rclone is configured through RCLONE_CONFIG_SLUICE_* variables (and an empty --config file);
s3cmd through a config file passed with -c. Neither reads anything from the real HOME.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s3_server_case import REGION, S3ServerCase, main, sample_tree  # noqa: E402

MiB = 1024 * 1024


class RcloneTest(S3ServerCase):
    """rclone's s3 backend with provider Other."""

    REMOTE = "sluice"

    @classmethod
    def setUpClass(cls):
        cls.require_program("rclone", "rclone")
        super().setUpClass()

    def rclone(self, *args):
        """Runs rclone against this server; asserts exit 0; returns stdout."""
        empty_config = os.path.join(self.root, "rclone.conf")
        open(empty_config, "a").close()
        prefix = "RCLONE_CONFIG_{}_".format(self.REMOTE.upper())
        env = self.env(**{
            prefix + "TYPE": "s3",
            prefix + "PROVIDER": "Other",
            prefix + "ACCESS_KEY_ID": self.access_key,
            prefix + "SECRET_ACCESS_KEY": self.secret_key,
            prefix + "ENDPOINT": self.endpoint,
            prefix + "REGION": REGION,
        })
        # No retries: an error must fail the test, not be papered over by a second try.
        return self.client_ok(["rclone", "--config", empty_config, "--retries", "1",
                               "--low-level-retries", "1", "--timeout", "60s"] + list(args),
                              env=env)

    def remote(self, path):
        return "{}:{}".format(self.REMOTE, path)

    def test_tree_round_trip(self):
        bucket = self.bucket_name()
        files = sample_tree(big_file_size=3 * MiB)
        up = self.write_tree("up", files)
        self.rclone("mkdir", self.remote(bucket))
        self.assertIn(bucket, self.rclone("lsd", self.remote("")).split())

        self.rclone("copy", up, self.remote(bucket + "/tree"))
        listed = self.rclone("lsf", "-R", "--files-only", self.remote(bucket + "/tree"))
        self.assertEqual(sorted(listed.splitlines()), sorted(files))
        sizes = {}
        for line in self.rclone("ls", self.remote(bucket)).splitlines():
            size, name = line.strip().split(" ", 1)
            sizes[name] = int(size)
        self.assertEqual(sizes, {"tree/" + name: len(data) for name, data in files.items()})
        self.rclone("check", up, self.remote(bucket + "/tree"))

        down = os.path.join(self.work, "down")
        self.rclone("copy", self.remote(bucket + "/tree"), down)
        self.assertTreesEqual(up, down)

        created = [("Object Created", "PutObject", "tree/" + name, len(data))
                   for name, data in files.items()]
        self.assertEqual(sorted(self.object_events(bucket)), sorted(created))
        # Copying again finds everything in place and writes nothing.
        self.rclone("copy", up, self.remote(bucket + "/tree"))
        self.assertEqual(len(self.object_events(bucket)), len(files))

        # A server-side copy, then deletes.
        self.rclone("copyto", self.remote(bucket + "/tree/top.txt"),
                    self.remote(bucket + "/copied/top copy.txt"))
        self.assertEqual(self.rclone("cat", self.remote(bucket + "/copied/top copy.txt")),
                         files["top.txt"].decode())
        self.rclone("deletefile", self.remote(bucket + "/tree/name with spaces.txt"))
        self.rclone("delete", self.remote(bucket + "/tree/nested"))
        remaining = self.rclone("lsf", "-R", "--files-only", self.remote(bucket)).splitlines()
        self.assertEqual(sorted(remaining), sorted(
            ["copied/top copy.txt"] + ["tree/" + name for name in files
                                       if name != "name with spaces.txt"
                                       and not name.startswith("nested/")]))
        self.rclone("purge", self.remote(bucket))
        self.assertNotIn(bucket, self.rclone("lsd", self.remote("")).split())
        deleted = [row for row in self.object_events(bucket) if row[0] == "Object Deleted"]
        self.assertEqual(len(deleted), len(files) + 1)


class S3cmdTest(S3ServerCase):
    """s3cmd with a config file: SigV4, plain HTTP, path-style addressing."""

    @classmethod
    def setUpClass(cls):
        cls.require_program("s3cmd", "s3cmd")
        super().setUpClass()
        cls.config = os.path.join(cls.root, "s3cmd.cfg")
        with open(cls.config, "w") as f:
            f.write("\n".join([
                "[default]",
                "access_key = " + cls.access_key,
                "secret_key = " + cls.secret_key,
                "host_base = " + cls.address,
                "host_bucket = " + cls.address,  # no %(bucket)s: path-style requests
                "bucket_location = " + REGION,
                "use_https = False",
                "signature_v2 = False",
                "check_ssl_certificate = False",
                "",
            ]))

    def s3cmd(self, *args):
        """Runs s3cmd with this server's config; asserts exit 0; returns stdout."""
        return self.client_ok(["s3cmd", "-c", self.config, "--no-progress"] + list(args))

    def s3cmd_fails(self, *args):
        return self.client_fails(["s3cmd", "-c", self.config, "--no-progress"] + list(args))

    @staticmethod
    def parse_ls(output):
        """`s3cmd ls` / `la` lines (DATE TIME SIZE s3://...) as {url: size}."""
        listed = {}
        for line in output.splitlines():
            fields = line.split(None, 3)
            if len(fields) == 4 and fields[3].startswith("s3://"):
                listed[fields[3]] = int(fields[2])
        return listed

    def test_tree_round_trip(self):
        bucket = self.bucket_name()
        url = "s3://{}/".format(bucket)
        files = sample_tree(big_file_size=2 * MiB)
        up = self.write_tree("up", files)
        self.s3cmd("mb", "s3://" + bucket)
        self.assertIn("s3://" + bucket, self.s3cmd("ls"))

        self.s3cmd("sync", up + "/", url + "tree/")
        listed = self.parse_ls(self.s3cmd("ls", "--recursive", url))
        self.assertEqual(listed, {url + "tree/" + name: len(data)
                                  for name, data in files.items()})
        self.assertEqual(self.parse_ls(self.s3cmd("la", "--recursive")), listed)

        down = os.path.join(self.work, "down")
        os.mkdir(down)
        self.s3cmd("sync", url + "tree/", down + "/")
        self.assertTreesEqual(up, down)

        got = os.path.join(self.work, "got.bin")
        self.s3cmd("get", url + "tree/nested/big.bin", got)
        self.assertEqual(self.read_file(got), files["nested/big.bin"])
        info = self.s3cmd("info", url + "tree/name with spaces.txt")
        self.assertIn("File size: {}".format(len(files["name with spaces.txt"])), info)

        created = [("Object Created", "PutObject", "tree/" + name, len(data))
                   for name, data in files.items()]
        self.assertEqual(sorted(self.object_events(bucket)), sorted(created))
        # A second sync finds nothing to do.
        self.s3cmd("sync", up + "/", url + "tree/")
        self.assertEqual(len(self.object_events(bucket)), len(files))

        self.s3cmd("cp", url + "tree/plus+sign.txt", url + "copied/plus+sign copy.txt")
        self.s3cmd("mv", url + "copied/plus+sign copy.txt", url + "moved/ü.txt")
        moved = os.path.join(self.work, "moved.txt")
        self.s3cmd("get", url + "moved/ü.txt", moved)
        self.assertEqual(self.read_file(moved), files["plus+sign.txt"])

        self.assertIn("BucketNotEmpty", self.s3cmd_fails("rb", "s3://" + bucket))
        self.s3cmd("del", "--recursive", "--force", url)
        self.assertEqual(self.parse_ls(self.s3cmd("ls", "--recursive", url)), {})
        self.s3cmd("rb", "s3://" + bucket)
        self.assertNotIn("s3://" + bucket, self.s3cmd("ls"))
        kinds = [row[:2] for row in self.object_events(bucket)[len(files):]]
        self.assertEqual(kinds[:2], [("Object Created", "CopyObject"),
                                     ("Object Created", "CopyObject")])
        self.assertEqual(kinds.count(("Object Deleted", "DeleteObject")) + kinds.count(
            ("Object Deleted", "DeleteObjects")), len(files) + 1 + 1)


if __name__ == "__main__":
    main(__file__)
