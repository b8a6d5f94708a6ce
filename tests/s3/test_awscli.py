#!/usr/bin/env python3
"""sluice's S3 endpoint driven by the aws command line (Debian's awscli 2 as pip's awscli 1):
the high-level `aws s3` commands (mb, ls, cp, mv, rm, sync of a tree with nested folders and odd
names up and back down, rb), `aws s3 presign` fetched with curl, and one `aws s3api` call for
each implemented operation, with the errors they report.

MultipartAwsCliTest copies a ~20 MB file through `aws s3 cp` with an 8 MB multipart threshold
set in a config file; it runs on its own with
`python3 tests/s3/test_awscli.py --sluice PATH MultipartAwsCliTest`.
"""

import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s3_server_case import S3ServerCase, main, random_bytes, sample_tree  # noqa: E402

MiB = 1024 * 1024


def quoted_md5(data):
    return '"{}"'.format(hashlib.md5(data).hexdigest())


def parse_s3_ls(output):
    """`aws s3 ls s3://BUCKET/...` lines as {name: size}; PRE lines as {prefix: None}."""
    listed = {}
    for line in output.splitlines():
        if not line.strip():
            continue
        if line.lstrip().startswith("PRE "):
            listed[line.lstrip()[4:]] = None
            continue
        _date, _time, size, name = line.split(maxsplit=3)
        listed[name] = int(size)
    return listed


class AwsCliCase(S3ServerCase):
    maxDiff = None
    """A server plus helpers that run `aws --endpoint-url ...`."""

    @classmethod
    def setUpClass(cls):
        cls.require_program("aws", "awscli")
        super().setUpClass()

    def aws_argv(self, args):
        # A read timeout well under the 60 s default: a stalled answer fails the test sooner.
        return ["aws", "--endpoint-url", self.endpoint, "--cli-read-timeout", "30"] + list(args)

    def aws(self, *args, env=None):
        """Runs `aws --endpoint-url ENDPOINT ARGS`, asserts exit 0, returns stdout."""
        return self.client_ok(self.aws_argv(args), env=env)

    def aws_json(self, *args):
        """Runs an `aws s3api` command with JSON output and returns it parsed ({} if empty)."""
        output = self.aws("--output", "json", "s3api", *args)
        return json.loads(output) if output.strip() else {}

    def aws_fails(self, *args):
        """Runs an aws command that must fail; returns its stdout + stderr."""
        return self.client_fails(self.aws_argv(args))

    def new_bucket(self):
        name = self.bucket_name()
        self.aws("s3api", "create-bucket", "--bucket", name)
        return name

    def remote_keys(self, bucket):
        listed = self.aws_json("list-objects-v2", "--bucket", bucket)
        return sorted(entry["Key"] for entry in listed.get("Contents", []))


class AwsS3CommandsTest(AwsCliCase):
    """aws s3 mb / ls / cp / mv / rm / sync / rb / presign."""

    def test_mb_ls_rb(self):
        bucket = self.bucket_name()
        self.assertIn("make_bucket: " + bucket, self.aws("s3", "mb", "s3://" + bucket))
        listed = [line.split()[-1] for line in self.aws("s3", "ls").splitlines()]
        self.assertIn(bucket, listed)
        self.assertEqual(self.aws("s3", "ls", "s3://" + bucket).strip(), "")
        self.assertIn("remove_bucket: " + bucket, self.aws("s3", "rb", "s3://" + bucket))
        listed = [line.split()[-1] for line in self.aws("s3", "ls").splitlines()]
        self.assertNotIn(bucket, listed)
        self.assertIn("NoSuchBucket", self.aws_fails("s3", "ls", "s3://" + bucket))

    def test_rb_force_empties_the_bucket_first(self):
        bucket = self.new_bucket()
        tree = self.write_tree("tree", {"a.txt": b"a", "sub/b.txt": b"b"})
        self.aws("s3", "cp", "--recursive", "--no-progress", tree, "s3://{}/".format(bucket))
        self.assertIn("BucketNotEmpty", self.aws_fails("s3", "rb", "s3://" + bucket))
        self.aws("s3", "rb", "--force", "s3://" + bucket)
        self.assertIn("NoSuchBucket", self.aws_fails("s3", "ls", "s3://" + bucket))

    def test_cp_up_down_and_within(self):
        bucket = self.new_bucket()
        data = random_bytes(300_000, seed=1)
        local = self.write_file("up load.bin", data)
        self.aws("s3", "cp", "--no-progress", local, "s3://{}/dir/up load.bin".format(bucket))
        self.assertEqual(parse_s3_ls(self.aws("s3", "ls", "s3://{}/dir/".format(bucket))),
                         {"up load.bin": len(data)})
        self.assertEqual(parse_s3_ls(self.aws("s3", "ls", "s3://{}/".format(bucket))),
                         {"dir/": None})
        down = os.path.join(self.work, "down.bin")
        self.aws("s3", "cp", "--no-progress", "s3://{}/dir/up load.bin".format(bucket), down)
        self.assertEqual(self.read_file(down), data)
        self.aws("s3", "cp", "--no-progress", "s3://{}/dir/up load.bin".format(bucket),
                 "s3://{}/copy/ü+%.bin".format(bucket))
        copied = os.path.join(self.work, "copied.bin")
        self.aws("s3", "cp", "--no-progress", "s3://{}/copy/ü+%.bin".format(bucket), copied)
        self.assertEqual(self.read_file(copied), data)
        self.assertEqual(self.remote_keys(bucket), ["copy/ü+%.bin", "dir/up load.bin"])
        self.assertEqual(self.object_events(bucket), [
            ("Object Created", "PutObject", "dir/up load.bin", len(data)),
            ("Object Created", "CopyObject", "copy/ü+%.bin", len(data))])

    def test_cp_from_stdin_and_to_stdout(self):
        bucket = self.new_bucket()
        self.client_ok(self.aws_argv(["s3", "cp", "-", "s3://{}/streamed".format(bucket)]),
                       stdin=b"piped in\n")
        self.assertEqual(self.aws("s3", "cp", "s3://{}/streamed".format(bucket), "-"),
                         "piped in\n")

    def test_mv_and_rm(self):
        bucket = self.new_bucket()
        local = self.write_file("moving.txt", b"moving")
        self.aws("s3", "mv", "--no-progress", local, "s3://{}/moved/once".format(bucket))
        self.assertFalse(os.path.exists(local))
        self.aws("s3", "mv", "--no-progress", "s3://{}/moved/once".format(bucket),
                 "s3://{}/moved/twice".format(bucket))
        self.assertEqual(self.remote_keys(bucket), ["moved/twice"])
        back = os.path.join(self.work, "back.txt")
        self.aws("s3", "mv", "--no-progress", "s3://{}/moved/twice".format(bucket), back)
        self.assertEqual(self.read_file(back), b"moving")
        self.assertEqual(self.remote_keys(bucket), [])
        self.assertEqual([row[:3] for row in self.object_events(bucket)], [
            ("Object Created", "PutObject", "moved/once"),
            ("Object Created", "CopyObject", "moved/twice"),
            ("Object Deleted", "DeleteObject", "moved/once"),
            ("Object Deleted", "DeleteObject", "moved/twice")])

        tree = self.write_tree("rm-tree", {"keep.txt": b"k", "gone/a": b"a", "gone/b/c": b"c"})
        self.aws("s3", "cp", "--recursive", "--no-progress", tree, "s3://{}/".format(bucket))
        self.aws("s3", "rm", "s3://{}/keep.txt".format(bucket))
        self.assertEqual(self.remote_keys(bucket), ["gone/a", "gone/b/c"])
        self.aws("s3", "rm", "--recursive", "s3://{}/gone/".format(bucket))
        self.assertEqual(self.remote_keys(bucket), [])

    def test_sync_a_tree_up_and_down(self):
        bucket = self.new_bucket()
        files = sample_tree(big_file_size=2 * MiB)
        up = self.write_tree("up", files)
        self.aws("s3", "sync", "--no-progress", up, "s3://{}/tree".format(bucket))
        self.assertEqual(self.remote_keys(bucket), sorted("tree/" + name for name in files))
        listed = parse_s3_ls(self.aws("s3", "ls", "--recursive", "s3://{}/".format(bucket)))
        self.assertEqual(listed, {"tree/" + name: len(data) for name, data in files.items()})
        created = self.object_events(bucket)
        self.assertEqual(sorted(created), sorted(("Object Created", "PutObject", "tree/" + name,
                                                  len(data)) for name, data in files.items()))

        down = os.path.join(self.work, "down")
        self.aws("s3", "sync", "--no-progress", "s3://{}/tree".format(bucket), down)
        self.assertTreesEqual(up, down)

        # A second sync either way finds nothing to do.
        self.assertEqual(self.aws("s3", "sync", "--no-progress", up,
                                  "s3://{}/tree".format(bucket)).strip(), "")
        self.assertEqual(self.aws("s3", "sync", "--no-progress", "s3://{}/tree".format(bucket),
                                  down).strip(), "")
        self.assertEqual(len(self.object_events(bucket)), len(files))

        # A changed file and a deleted one travel with --delete.
        self.write_file(os.path.join("up", "top.txt"), b"top level, changed\n")
        os.remove(os.path.join(up, "plus+sign.txt"))
        self.aws("s3", "sync", "--no-progress", "--delete", up, "s3://{}/tree".format(bucket))
        self.assertEqual(sorted(self.object_events(bucket)[len(files):]), [
            ("Object Created", "PutObject", "tree/top.txt", len(b"top level, changed\n")),
            ("Object Deleted", "DeleteObject", "tree/plus+sign.txt", None)])
        self.aws("s3", "sync", "--no-progress", "--delete", "s3://{}/tree".format(bucket), down)
        self.assertTreesEqual(up, down)

    def test_presign_then_curl(self):
        self.require_program("curl", "curl")
        bucket = self.new_bucket()
        data = random_bytes(200_000, seed=2)
        key = "presigned/ä file+1.bin"
        self.aws("s3", "cp", "--no-progress", self.write_file("p.bin", data),
                 "s3://{}/{}".format(bucket, key))
        # awscli 1 presigns with SigV2 unless told otherwise; sluice takes SigV4 only.
        config = self.write_file("aws-config", "[default]\ns3 =\n  signature_version = s3v4\n")
        url = self.aws("s3", "presign", "--expires-in", "600", "s3://{}/{}".format(bucket, key),
                       env=self.env(AWS_CONFIG_FILE=config)).strip()
        self.assertTrue(url.startswith(self.endpoint + "/"), url)
        self.assertIn("X-Amz-Signature=", url)
        fetched = os.path.join(self.work, "fetched.bin")
        self.client_ok(["curl", "--silent", "--show-error", "--fail", "--output", fetched, url])
        self.assertEqual(self.read_file(fetched), data)
        # The same URL for another key is refused.
        tampered = url.replace("presigned/", "other/", 1)
        process = self.run_client(["curl", "--silent", "--show-error", "--output", "-",
                                   "--write-out", "%{http_code}", tampered])
        self.assertTrue(process.stdout.endswith(b"403"), process.stdout)
        self.assertIn(b"<Code>SignatureDoesNotMatch</Code>", process.stdout)


class AwsS3ApiTest(AwsCliCase):
    """aws s3api: one call for each implemented operation."""

    def test_bucket_operations(self):
        bucket = self.bucket_name()
        created = self.aws_json("create-bucket", "--bucket", bucket)
        self.assertEqual(created.get("Location"), "/" + bucket)
        self.aws("s3api", "head-bucket", "--bucket", bucket)
        location = self.aws_json("get-bucket-location", "--bucket", bucket)
        self.assertIn(location.get("LocationConstraint"), (None, ""))
        names = [b["Name"] for b in self.aws_json("list-buckets")["Buckets"]]
        self.assertIn(bucket, names)
        self.assertIn("BucketAlreadyOwnedByYou",
                      self.aws_fails("s3api", "create-bucket", "--bucket", bucket))
        self.aws("s3api", "delete-bucket", "--bucket", bucket)
        self.assertIn("404", self.aws_fails("s3api", "head-bucket", "--bucket", bucket))
        self.assertIn("NoSuchBucket", self.aws_fails("s3api", "delete-bucket", "--bucket", bucket))
        self.assertIn("InvalidBucketName",
                      self.aws_fails("s3api", "create-bucket", "--bucket", "Upper_Case"))

    def test_put_head_get_object(self):
        bucket = self.new_bucket()
        data = random_bytes(50_000, seed=3)
        body = self.write_file("body.bin", data)
        put = self.aws_json("put-object", "--bucket", bucket, "--key", "obj/one", "--body", body,
                            "--content-type", "application/x-test",
                            "--metadata", "colour=red,size=large")
        self.assertEqual(put["ETag"], quoted_md5(data))
        head = self.aws_json("head-object", "--bucket", bucket, "--key", "obj/one")
        self.assertEqual(head["ContentLength"], len(data))
        self.assertEqual(head["ETag"], quoted_md5(data))
        self.assertEqual(head["ContentType"], "application/x-test")
        self.assertEqual(head["Metadata"], {"colour": "red", "size": "large"})
        out = os.path.join(self.work, "got.bin")
        got = self.aws_json("get-object", "--bucket", bucket, "--key", "obj/one", out)
        self.assertEqual(got["ContentLength"], len(data))
        self.assertEqual(self.read_file(out), data)
        ranged = self.aws_json("get-object", "--bucket", bucket, "--key", "obj/one",
                               "--range", "bytes=100-199", out)
        self.assertEqual(ranged["ContentRange"], "bytes 100-199/{}".format(len(data)))
        self.assertEqual(self.read_file(out), data[100:200])
        self.assertIn("NoSuchKey", self.aws_fails("s3api", "get-object", "--bucket", bucket,
                                                  "--key", "obj/none", out))
        self.assertIn("404", self.aws_fails("s3api", "head-object", "--bucket", bucket,
                                            "--key", "obj/none"))
        self.assertIn("BadDigest", self.aws_fails(
            "s3api", "put-object", "--bucket", bucket, "--key", "obj/bad", "--body", body,
            "--content-md5", "1B2M2Y8AsgTpgAmY7PhCfg=="))  # the MD5 of nothing
        self.assertEqual(self.remote_keys(bucket), ["obj/one"])

    def test_listings(self):
        bucket = self.new_bucket()
        keys = ["a/1", "a/2", "b/1", "c", "d e/f", "g+h", "ü"]
        tree = self.write_tree("keys", {key: key.encode() for key in keys})
        self.aws("s3", "cp", "--recursive", "--no-progress", tree, "s3://{}/".format(bucket))
        # --page-size makes the CLI follow several continuation tokens / markers.
        v2 = self.aws_json("list-objects-v2", "--bucket", bucket, "--page-size", "2")
        self.assertEqual([entry["Key"] for entry in v2["Contents"]], keys)
        v1 = self.aws_json("list-objects", "--bucket", bucket, "--page-size", "2")
        self.assertEqual([entry["Key"] for entry in v1["Contents"]], keys)
        for operation in ("list-objects-v2", "list-objects"):
            with self.subTest(operation):
                grouped = self.aws_json(operation, "--bucket", bucket, "--delimiter", "/",
                                        "--page-size", "2")
                self.assertEqual([p["Prefix"] for p in grouped["CommonPrefixes"]],
                                 ["a/", "b/", "d e/"])
                self.assertEqual([entry["Key"] for entry in grouped["Contents"]],
                                 ["c", "g+h", "ü"])
                under = self.aws_json(operation, "--bucket", bucket, "--prefix", "a/")
                self.assertEqual([entry["Key"] for entry in under["Contents"]], ["a/1", "a/2"])
        after = self.aws_json("list-objects-v2", "--bucket", bucket, "--start-after", "c")
        self.assertEqual([entry["Key"] for entry in after["Contents"]], ["d e/f", "g+h", "ü"])

    def test_copy_and_deletes(self):
        bucket = self.new_bucket()
        body = self.write_file("src.txt", b"copy me")
        self.aws("s3api", "put-object", "--bucket", bucket, "--key", "src", "--body", body,
                 "--metadata", "origin=src")
        copied = self.aws_json("copy-object", "--bucket", bucket, "--key", "dst",
                               "--copy-source", "{}/src".format(bucket))
        self.assertEqual(copied["CopyObjectResult"]["ETag"], quoted_md5(b"copy me"))
        self.assertEqual(self.aws_json("head-object", "--bucket", bucket, "--key", "dst")
                         ["Metadata"], {"origin": "src"})
        self.aws("s3api", "copy-object", "--bucket", bucket, "--key", "replaced",
                 "--copy-source", "{}/src".format(bucket), "--metadata-directive", "REPLACE",
                 "--metadata", "origin=replaced")
        self.assertEqual(self.aws_json("head-object", "--bucket", bucket, "--key", "replaced")
                         ["Metadata"], {"origin": "replaced"})
        self.assertIn("PreconditionFailed", self.aws_fails(
            "s3api", "copy-object", "--bucket", bucket, "--key", "never",
            "--copy-source", "{}/src".format(bucket), "--copy-source-if-match", '"00"'))

        self.aws("s3api", "delete-object", "--bucket", bucket, "--key", "src")
        self.assertEqual(self.remote_keys(bucket), ["dst", "replaced"])
        deleted = self.aws_json("delete-objects", "--bucket", bucket, "--delete",
                                json.dumps({"Objects": [{"Key": "dst"}, {"Key": "replaced"}]}))
        self.assertEqual(sorted(entry["Key"] for entry in deleted["Deleted"]),
                         ["dst", "replaced"])
        self.assertEqual(self.remote_keys(bucket), [])
        self.aws("s3api", "delete-bucket", "--bucket", bucket)
        self.assertEqual([row[:3] for row in self.object_events(bucket)], [
            ("Object Created", "PutObject", "src"),
            ("Object Created", "CopyObject", "dst"),
            ("Object Created", "CopyObject", "replaced"),
            ("Object Deleted", "DeleteObject", "src"),
            ("Object Deleted", "DeleteObject", "dst"),
            ("Object Deleted", "DeleteObject", "replaced")])


class MultipartAwsCliTest(AwsCliCase):
    """`aws s3 cp` of a file above the multipart threshold set in an AWS config file."""

    THRESHOLD = 8 * MiB

    def env_with_multipart_config(self):
        config = self.write_file("aws-config", "[default]\ns3 =\n"
                                 "  multipart_threshold = 8MB\n"
                                 "  multipart_chunksize = 8MB\n"
                                 "  max_concurrent_requests = 2\n")
        return self.env(AWS_CONFIG_FILE=config)

    def test_large_file_cp_up_and_down(self):
        bucket = self.new_bucket()
        data = random_bytes(20 * MiB + 12345, seed=4)
        local = self.write_file("large.bin", data)
        env = self.env_with_multipart_config()
        self.aws("s3", "cp", "--no-progress", local, "s3://{}/large/file.bin".format(bucket),
                 env=env)
        head = self.aws_json("head-object", "--bucket", bucket, "--key", "large/file.bin")
        self.assertEqual(head["ContentLength"], len(data))
        parts = [data[i:i + self.THRESHOLD] for i in range(0, len(data), self.THRESHOLD)]
        digests = b"".join(hashlib.md5(part).digest() for part in parts)
        self.assertEqual(head["ETag"], '"{}-{}"'.format(hashlib.md5(digests).hexdigest(),
                                                        len(parts)))
        down = os.path.join(self.work, "large-down.bin")
        self.aws("s3", "cp", "--no-progress", "s3://{}/large/file.bin".format(bucket), down,
                 env=env)
        self.assertEqual(self.read_file(down), data)
        self.assertEqual(self.object_events(bucket), [
            ("Object Created", "CompleteMultipartUpload", "large/file.bin", len(data))])


if __name__ == "__main__":
    main(__file__)
