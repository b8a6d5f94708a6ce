#!/usr/bin/env python3
"""sluice's S3 endpoint driven by boto3, operation by operation: buckets (create, head, list,
location, delete and their errors), object puts, gets and heads (metadata, content type, ranges,
conditional reads and writes, checksums, Content-MD5), copies (COPY and REPLACE directives,
copy-source conditions), deletes (single and batch), listings v1 and v2 through boto3's
paginators (small pages, delimiters, keys that need URL encoding), presigned GET and PUT URLs,
virtual-host addressing, and the "Object Created" / "Object Deleted" events the writes emit.

MultipartBoto3Test covers multipart uploads (create, upload part, upload part copy, complete,
abort, list parts, list uploads, their errors, and boto3's transfer manager); it runs on its own
with `python3 tests/s3/test_boto3.py --sluice PATH MultipartBoto3Test`.

Works with Debian's boto3 1.26 as with newer ones: headers that old versions have no parameter
for (If-Match / If-None-Match on PutObject) are added through botocore's event hooks.
"""

import base64
import datetime
import hashlib
import io
import os
import socket
import sys
import urllib.error
import urllib.parse
import urllib.request
import zlib
from unittest import mock

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s3_server_case import REGION, S3ServerCase, main, random_bytes  # noqa: E402

try:
    import boto3
    import boto3.s3.transfer
    import botocore.config
    import botocore.exceptions
except ImportError:  # fail every test with the reason rather than skipping anything
    boto3 = None

MiB = 1024 * 1024


# --- checksums the tests compute themselves -----------------------------------------------------

def _crc32c_table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC32C_TABLE = _crc32c_table()


def crc32c(data):
    """CRC-32C (Castagnoli), as S3's x-amz-checksum-crc32c carries it (before base64)."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _CRC32C_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def b64(data):
    return base64.b64encode(data).decode()


def expected_checksum(algorithm, data):
    """The base64 value S3 returns for `algorithm` (CRC32, CRC32C, SHA1, SHA256) over `data`."""
    if algorithm == "CRC32":
        return b64((zlib.crc32(data) & 0xFFFFFFFF).to_bytes(4, "big"))
    if algorithm == "CRC32C":
        return b64(crc32c(data).to_bytes(4, "big"))
    return b64(hashlib.new(algorithm.lower(), data).digest())


def quoted_md5(data):
    return '"{}"'.format(hashlib.md5(data).hexdigest())


def multipart_etag(parts):
    """S3's ETag of a completed multipart upload: md5 of the parts' binary md5s, then -N."""
    digests = b"".join(hashlib.md5(part).digest() for part in parts)
    return '"{}-{}"'.format(hashlib.md5(digests).hexdigest(), len(parts))


def botocore_computes(algorithm):
    """Whether this botocore can compute `algorithm` itself (CRC32C needs awscrt in most)."""
    try:
        import botocore.httpchecksum as httpchecksum
        httpchecksum._CHECKSUM_CLS  # noqa: B018 - the table exists in every version we support
    except (ImportError, AttributeError):
        return False
    if algorithm.lower() in httpchecksum._CHECKSUM_CLS:
        return True
    try:
        import awscrt  # noqa: F401
    except ImportError:
        return False
    return algorithm.lower() in getattr(httpchecksum, "_CRT_CHECKSUM_ALGORITHMS", ())


class Boto3Case(S3ServerCase):
    """A server plus boto3 clients for it, and assertions on S3 errors."""

    @classmethod
    def setUpClass(cls):
        if boto3 is None:
            raise AssertionError("boto3 is not importable: install the Debian package "
                                 "python3-boto3")
        super().setUpClass()
        cls.s3 = cls.client()

    @classmethod
    def client(cls, addressing_style="path", endpoint=None):
        """A boto3 S3 client signing SigV4 for this server; no retries, so every error shows."""
        config = botocore.config.Config(
            signature_version="s3v4", s3={"addressing_style": addressing_style},
            retries={"total_max_attempts": 1}, connect_timeout=30, read_timeout=120)
        session = boto3.session.Session(
            aws_access_key_id=cls.access_key, aws_secret_access_key=cls.secret_key,
            region_name=REGION)
        return session.client("s3", endpoint_url=endpoint or cls.endpoint, config=config)

    def new_bucket(self):
        name = self.bucket_name()
        self.s3.create_bucket(Bucket=name)
        return name

    def assertS3Error(self, code, status, call, *args, **kwargs):
        """Asserts call(*args, **kwargs) fails with S3 error `code` (None: any, e.g. for HEAD,
        whose errors have no body) and HTTP `status`; returns the error response."""
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            call(*args, **kwargs)
        response = caught.exception.response
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], status, response)
        if code is not None:
            self.assertEqual(response["Error"]["Code"], code, response)
        return response

    def put_with_headers(self, headers, **put_args):
        """put_object with extra request headers (e.g. If-None-Match, which boto3 1.26 has no
        parameter for), added just before signing."""
        def add_headers(request, **_):
            for name, value in headers.items():
                request.headers[name] = value
        self.s3.meta.events.register("before-sign.s3.PutObject", add_headers)
        try:
            return self.s3.put_object(**put_args)
        finally:
            self.s3.meta.events.unregister("before-sign.s3.PutObject", add_headers)

    def body_of(self, bucket, key, **get_args):
        return self.s3.get_object(Bucket=bucket, Key=key, **get_args)["Body"].read()

    def keys_of(self, bucket, **list_args):
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, **list_args)
        return [entry["Key"] for page in pages for entry in page.get("Contents", [])]

    def assertMissing(self, bucket, key):
        self.assertS3Error(None, 404, self.s3.head_object, Bucket=bucket, Key=key)


class BucketTest(Boto3Case):
    """CreateBucket, HeadBucket, ListBuckets, GetBucketLocation, DeleteBucket and their errors."""

    def test_bucket_life_cycle(self):
        name = self.bucket_name()
        self.assertS3Error(None, 404, self.s3.head_bucket, Bucket=name)
        self.s3.create_bucket(Bucket=name)
        self.assertEqual(self.s3.head_bucket(Bucket=name)["ResponseMetadata"]["HTTPStatusCode"],
                         200)
        listed = {b["Name"]: b for b in self.s3.list_buckets()["Buckets"]}
        self.assertIn(name, listed)
        self.assertIsInstance(listed[name]["CreationDate"], datetime.datetime)
        # us-east-1 answers an empty LocationConstraint, which boto3 turns into None.
        self.assertIsNone(self.s3.get_bucket_location(Bucket=name).get("LocationConstraint"))
        self.s3.delete_bucket(Bucket=name)
        self.assertS3Error(None, 404, self.s3.head_bucket, Bucket=name)
        self.assertNotIn(name, [b["Name"] for b in self.s3.list_buckets()["Buckets"]])

    def test_create_existing_bucket_is_already_owned_by_you(self):
        name = self.new_bucket()
        self.s3.put_object(Bucket=name, Key="kept", Body=b"still here")
        self.assertS3Error("BucketAlreadyOwnedByYou", 409, self.s3.create_bucket, Bucket=name)
        self.assertEqual(self.body_of(name, "kept"), b"still here")

    def test_delete_bucket_that_has_objects_is_bucket_not_empty(self):
        name = self.new_bucket()
        self.s3.put_object(Bucket=name, Key="dir/inside", Body=b"x")
        self.assertS3Error("BucketNotEmpty", 409, self.s3.delete_bucket, Bucket=name)
        self.assertEqual(self.keys_of(name), ["dir/inside"])
        self.s3.delete_object(Bucket=name, Key="dir/inside")
        self.s3.delete_bucket(Bucket=name)
        self.assertS3Error(None, 404, self.s3.head_bucket, Bucket=name)

    def test_operations_on_a_missing_bucket_are_no_such_bucket(self):
        name = self.bucket_name()  # never created
        for call, args in [
                (self.s3.delete_bucket, {}),
                (self.s3.get_bucket_location, {}),
                (self.s3.list_objects_v2, {}),
                (self.s3.list_objects, {}),
                (self.s3.put_object, {"Key": "k", "Body": b"x"}),
                (self.s3.get_object, {"Key": "k"}),
                (self.s3.delete_object, {"Key": "k"}),
                (self.s3.delete_objects, {"Delete": {"Objects": [{"Key": "k"}]}}),
        ]:
            with self.subTest(call.__name__):
                response = self.assertS3Error("NoSuchBucket", 404, call, Bucket=name, **args)
                self.assertEqual(response["Error"].get("BucketName"), name, response)
        self.assertS3Error(None, 404, self.s3.head_object, Bucket=name, Key="k")
        self.assertNotIn(name, [b["Name"] for b in self.s3.list_buckets()["Buckets"]])

    def test_invalid_bucket_name(self):
        self.assertS3Error("InvalidBucketName", 400, self.s3.create_bucket, Bucket="no_underscores")
        self.assertNotIn("no_underscores", [b["Name"] for b in self.s3.list_buckets()["Buckets"]])


class ObjectTest(Boto3Case):
    """PutObject, GetObject, HeadObject, DeleteObject: bodies, metadata, ranges, conditions,
    checksums and digests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bucket = "objects"
        cls.s3.create_bucket(Bucket=cls.bucket)

    def test_put_get_head_round_trip_with_metadata_and_content_type(self):
        body = random_bytes(100_000, seed=1)
        put = self.s3.put_object(Bucket=self.bucket, Key="round/trip.bin", Body=body,
                                 ContentType="application/x-sluice-test",
                                 Metadata={"colour": "blue", "Mixed-Case": "Value With Spaces"})
        self.assertEqual(put["ETag"], quoted_md5(body))
        got = self.s3.get_object(Bucket=self.bucket, Key="round/trip.bin")
        self.assertEqual(got["Body"].read(), body)
        head = self.s3.head_object(Bucket=self.bucket, Key="round/trip.bin")
        for response in (got, head):
            self.assertEqual(response["ETag"], quoted_md5(body))
            self.assertEqual(response["ContentLength"], len(body))
            self.assertEqual(response["ContentType"], "application/x-sluice-test")
            # S3 lower-cases metadata names; values come back as sent.
            self.assertEqual(response["Metadata"],
                             {"colour": "blue", "mixed-case": "Value With Spaces"})
            self.assertIsInstance(response["LastModified"], datetime.datetime)
            self.assertEqual(response["ResponseMetadata"]["HTTPHeaders"].get("accept-ranges"),
                             "bytes")

    def test_standard_headers_round_trip(self):
        self.s3.put_object(Bucket=self.bucket, Key="headers", Body=b"<p>hi</p>",
                           ContentType="text/html", CacheControl="max-age=60",
                           ContentDisposition='attachment; filename="hi.html"',
                           ContentLanguage="en-GB")
        head = self.s3.head_object(Bucket=self.bucket, Key="headers")
        self.assertEqual(head["ContentType"], "text/html")
        self.assertEqual(head["CacheControl"], "max-age=60")
        self.assertEqual(head["ContentDisposition"], 'attachment; filename="hi.html"')
        self.assertEqual(head["ContentLanguage"], "en-GB")

    def test_empty_object(self):
        put = self.s3.put_object(Bucket=self.bucket, Key="empty", Body=b"")
        self.assertEqual(put["ETag"], quoted_md5(b""))
        got = self.s3.get_object(Bucket=self.bucket, Key="empty")
        self.assertEqual(got["ContentLength"], 0)
        self.assertEqual(got["Body"].read(), b"")

    def test_file_uploads_after_an_empty_one_on_the_same_connection(self):
        # boto3 sends file-like bodies with "Expect: 100-continue", empty ones too. Its
        # connection code then expects the interim "100 Continue"; a final answer in its place
        # leaves the kept-alive connection misreading the next answer (a stall, then a retry
        # that writes twice). One pooled connection makes the second upload reuse the first's.
        client = boto3.session.Session(
            aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key,
            region_name=REGION).client("s3", endpoint_url=self.endpoint,
                                       config=botocore.config.Config(
                                           signature_version="s3v4",
                                           s3={"addressing_style": "path"},
                                           retries={"total_max_attempts": 1},
                                           max_pool_connections=1, read_timeout=20))
        bucket = self.new_bucket()
        for key, body in (("empty", b""), ("after-empty", b"not empty"), ("empty-2", b""),
                          ("after-empty-2", b"x" * 2000)):
            client.upload_fileobj(io.BytesIO(body), bucket, key)
        self.assertEqual(self.body_of(bucket, "after-empty"), b"not empty")
        self.assertEqual(self.body_of(bucket, "empty-2"), b"")
        self.assertEqual(sorted(self.object_events(bucket)), [
            ("Object Created", "PutObject", "after-empty", 9),
            ("Object Created", "PutObject", "after-empty-2", 2000),
            ("Object Created", "PutObject", "empty", 0),
            ("Object Created", "PutObject", "empty-2", 0)])

    def test_put_replaces_an_existing_object(self):
        self.s3.put_object(Bucket=self.bucket, Key="replaced", Body=b"first version",
                           Metadata={"old": "1"})
        self.s3.put_object(Bucket=self.bucket, Key="replaced", Body=b"second")
        got = self.s3.get_object(Bucket=self.bucket, Key="replaced")
        self.assertEqual(got["Body"].read(), b"second")
        self.assertEqual(got["Metadata"], {})
        self.assertEqual(got["ETag"], quoted_md5(b"second"))

    def test_missing_key(self):
        response = self.assertS3Error("NoSuchKey", 404, self.s3.get_object, Bucket=self.bucket,
                                      Key="not/there")
        self.assertEqual(response["Error"].get("Key"), "not/there", response)
        head = self.assertS3Error(None, 404, self.s3.head_object, Bucket=self.bucket,
                                  Key="not/there")
        self.assertEqual(head["ResponseMetadata"]["HTTPHeaders"].get("content-length", "0"), "0")

    def test_delete_object(self):
        self.s3.put_object(Bucket=self.bucket, Key="doomed", Body=b"x")
        deleted = self.s3.delete_object(Bucket=self.bucket, Key="doomed")
        self.assertEqual(deleted["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertMissing(self.bucket, "doomed")
        # Deleting what is not there succeeds too, as in S3.
        again = self.s3.delete_object(Bucket=self.bucket, Key="doomed")
        self.assertEqual(again["ResponseMetadata"]["HTTPStatusCode"], 204)

    # --- ranges ---------------------------------------------------------------------------------

    def test_ranges(self):
        body = bytes(range(100))
        self.s3.put_object(Bucket=self.bucket, Key="hundred", Body=body)
        cases = [
            ("bytes=0-9", body[0:10], "bytes 0-9/100"),
            ("bytes=90-", body[90:], "bytes 90-99/100"),
            ("bytes=-10", body[-10:], "bytes 90-99/100"),
            ("bytes=95-200", body[95:], "bytes 95-99/100"),  # an end past the object is clipped
            ("bytes=-500", body, "bytes 0-99/100"),          # so is a suffix longer than it
            ("bytes=42-42", body[42:43], "bytes 42-42/100"),
        ]
        for requested, expected, content_range in cases:
            with self.subTest(requested):
                got = self.s3.get_object(Bucket=self.bucket, Key="hundred", Range=requested)
                self.assertEqual(got["ResponseMetadata"]["HTTPStatusCode"], 206)
                self.assertEqual(got["ContentRange"], content_range)
                self.assertEqual(got["ContentLength"], len(expected))
                self.assertEqual(got["Body"].read(), expected)

    def test_head_with_a_range(self):
        self.s3.put_object(Bucket=self.bucket, Key="head-range", Body=bytes(range(100)))
        head = self.s3.head_object(Bucket=self.bucket, Key="head-range", Range="bytes=10-19")
        self.assertEqual(head["ResponseMetadata"]["HTTPStatusCode"], 206)
        # boto3 1.26's HeadObject output has no ContentRange member: read the header.
        self.assertEqual(head["ResponseMetadata"]["HTTPHeaders"].get("content-range"),
                         "bytes 10-19/100")
        self.assertEqual(head["ContentLength"], 10)

    def test_unsatisfiable_range_is_invalid_range(self):
        self.s3.put_object(Bucket=self.bucket, Key="small", Body=b"0123456789")
        for requested in ("bytes=10-20", "bytes=100-"):
            with self.subTest(requested):
                response = self.assertS3Error("InvalidRange", 416, self.s3.get_object,
                                              Bucket=self.bucket, Key="small", Range=requested)
                self.assertEqual(response["ResponseMetadata"]["HTTPHeaders"].get("content-range"),
                                 "bytes */10")
        self.s3.put_object(Bucket=self.bucket, Key="zero-bytes", Body=b"")
        self.assertS3Error("InvalidRange", 416, self.s3.get_object, Bucket=self.bucket,
                           Key="zero-bytes", Range="bytes=0-")

    # --- conditional reads ----------------------------------------------------------------------

    def test_conditional_reads(self):
        self.s3.put_object(Bucket=self.bucket, Key="conditional", Body=b"versioned body")
        etag = quoted_md5(b"versioned body")
        past = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
        future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)
        succeeding = [
            {"IfMatch": etag},
            {"IfNoneMatch": '"0123456789abcdef0123456789abcdef"'},
            {"IfModifiedSince": past},
            {"IfUnmodifiedSince": future},
        ]
        not_modified = [{"IfNoneMatch": etag}, {"IfModifiedSince": future}]
        failing = [{"IfMatch": '"0123456789abcdef0123456789abcdef"'},
                   {"IfUnmodifiedSince": past}]
        for condition in succeeding:
            with self.subTest(condition):
                self.assertEqual(self.body_of(self.bucket, "conditional", **condition),
                                 b"versioned body")
                self.s3.head_object(Bucket=self.bucket, Key="conditional", **condition)
        for condition in not_modified:
            with self.subTest(condition):
                response = self.assertS3Error(None, 304, self.s3.get_object, Bucket=self.bucket,
                                              Key="conditional", **condition)
                self.assertEqual(response["ResponseMetadata"]["HTTPHeaders"].get("etag"), etag)
                self.assertS3Error(None, 304, self.s3.head_object, Bucket=self.bucket,
                                   Key="conditional", **condition)
        for condition in failing:
            with self.subTest(condition):
                self.assertS3Error("PreconditionFailed", 412, self.s3.get_object,
                                   Bucket=self.bucket, Key="conditional", **condition)
                self.assertS3Error(None, 412, self.s3.head_object, Bucket=self.bucket,
                                   Key="conditional", **condition)

    def test_conditions_combined_as_s3_documents(self):
        self.s3.put_object(Bucket=self.bucket, Key="combined", Body=b"body")
        etag = quoted_md5(b"body")
        other = '"0123456789abcdef0123456789abcdef"'
        past = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
        future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)
        # A matching If-Match wins over a failing If-Unmodified-Since.
        self.assertEqual(self.body_of(self.bucket, "combined", IfMatch=etag,
                                      IfUnmodifiedSince=past), b"body")
        # A matching If-None-Match is 304 even when If-Modified-Since holds.
        self.assertS3Error(None, 304, self.s3.get_object, Bucket=self.bucket, Key="combined",
                           IfNoneMatch=etag, IfModifiedSince=past)
        # A non-matching If-None-Match makes If-Modified-Since irrelevant.
        self.assertEqual(self.body_of(self.bucket, "combined", IfNoneMatch=other,
                                      IfModifiedSince=future), b"body")

    def test_response_header_overrides(self):
        self.s3.put_object(Bucket=self.bucket, Key="override", Body=b"data",
                           ContentType="text/plain")
        got = self.s3.get_object(
            Bucket=self.bucket, Key="override", ResponseContentType="application/json",
            ResponseContentDisposition='attachment; filename="x.json"',
            ResponseCacheControl="no-cache", ResponseContentLanguage="fr",
            ResponseContentEncoding="identity",
            ResponseExpires=datetime.datetime(2030, 1, 2, 3, 4, 5,
                                              tzinfo=datetime.timezone.utc))
        headers = got["ResponseMetadata"]["HTTPHeaders"]
        self.assertEqual(headers["content-type"], "application/json")
        self.assertEqual(headers["content-disposition"], 'attachment; filename="x.json"')
        self.assertEqual(headers["cache-control"], "no-cache")
        self.assertEqual(headers["content-language"], "fr")
        self.assertEqual(headers["content-encoding"], "identity")
        self.assertEqual(headers["expires"], "Wed, 02 Jan 2030 03:04:05 GMT")
        self.assertEqual(got["Body"].read(), b"data")
        # The override is for that answer only.
        self.assertEqual(self.s3.head_object(Bucket=self.bucket, Key="override")["ContentType"],
                         "text/plain")

    # --- conditional writes ---------------------------------------------------------------------

    def test_if_none_match_star_writes_only_a_new_key(self):
        key = "create-only"
        put = self.put_with_headers({"If-None-Match": "*"}, Bucket=self.bucket, Key=key,
                                    Body=b"first")
        self.assertEqual(put["ETag"], quoted_md5(b"first"))
        self.assertS3Error("PreconditionFailed", 412, self.put_with_headers,
                           {"If-None-Match": "*"}, Bucket=self.bucket, Key=key, Body=b"second")
        self.assertEqual(self.body_of(self.bucket, key), b"first")

    def test_if_match_writes_only_over_that_etag(self):
        key = "compare-and-swap"
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=b"v1")
        self.assertS3Error("PreconditionFailed", 412, self.put_with_headers,
                           {"If-Match": quoted_md5(b"not v1")}, Bucket=self.bucket, Key=key,
                           Body=b"v2")
        self.assertEqual(self.body_of(self.bucket, key), b"v1")
        self.put_with_headers({"If-Match": quoted_md5(b"v1")}, Bucket=self.bucket, Key=key,
                              Body=b"v2")
        self.assertEqual(self.body_of(self.bucket, key), b"v2")

    def test_if_match_on_a_missing_key_is_no_such_key(self):
        self.assertS3Error("NoSuchKey", 404, self.put_with_headers,
                           {"If-Match": quoted_md5(b"anything")}, Bucket=self.bucket,
                           Key="never-written", Body=b"v1")
        self.assertMissing(self.bucket, "never-written")

    # --- checksums and digests ------------------------------------------------------------------

    def checksum_arguments(self, algorithm, body):
        """put_object arguments that send an x-amz-checksum-ALGORITHM: botocore computes it
        when it can; else (CRC32C without awscrt) the test sends its own value."""
        if botocore_computes(algorithm):
            return {"ChecksumAlgorithm": algorithm}
        return {"Checksum" + algorithm: expected_checksum(algorithm, body)}

    def test_checksums_are_verified_stored_and_returned(self):
        body = random_bytes(70_000, seed=2)
        for algorithm in ("CRC32", "CRC32C", "SHA1", "SHA256"):
            with self.subTest(algorithm):
                key = "checksum/" + algorithm
                expected = expected_checksum(algorithm, body)
                put = self.s3.put_object(Bucket=self.bucket, Key=key, Body=body,
                                         **self.checksum_arguments(algorithm, body))
                self.assertEqual(put.get("Checksum" + algorithm), expected, put)
                got = self.s3.get_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED")
                self.assertEqual(got.get("Checksum" + algorithm), expected)
                self.assertEqual(got["Body"].read(), body)
                head = self.s3.head_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED")
                self.assertEqual(head.get("Checksum" + algorithm), expected)

    def test_wrong_checksum_is_bad_digest(self):
        wrong = expected_checksum("SHA256", b"some other body")
        self.assertS3Error("BadDigest", 400, self.s3.put_object, Bucket=self.bucket,
                           Key="bad-checksum", Body=b"the real body", ChecksumSHA256=wrong)
        self.assertMissing(self.bucket, "bad-checksum")

    def test_content_md5(self):
        body = b"digested body"
        good = b64(hashlib.md5(body).digest())
        self.s3.put_object(Bucket=self.bucket, Key="md5-good", Body=body, ContentMD5=good)
        self.assertEqual(self.body_of(self.bucket, "md5-good"), body)
        wrong = b64(hashlib.md5(b"something else").digest())
        self.assertS3Error("BadDigest", 400, self.s3.put_object, Bucket=self.bucket,
                           Key="md5-bad", Body=body, ContentMD5=wrong)
        self.assertMissing(self.bucket, "md5-bad")
        # A digest that is not 16 bytes of base64 is InvalidDigest, not BadDigest.
        self.assertS3Error("InvalidDigest", 400, self.s3.put_object, Bucket=self.bucket,
                           Key="md5-bad", Body=body, ContentMD5="not-a-digest")
        self.assertMissing(self.bucket, "md5-bad")

    def test_refused_writes_emit_no_events(self):
        bucket = self.new_bucket()
        self.s3.put_object(Bucket=bucket, Key="k", Body=b"v1")
        self.assertS3Error("BadDigest", 400, self.s3.put_object, Bucket=bucket, Key="k2",
                           Body=b"x", ContentMD5=b64(hashlib.md5(b"y").digest()))
        self.assertS3Error("PreconditionFailed", 412, self.put_with_headers,
                           {"If-None-Match": "*"}, Bucket=bucket, Key="k", Body=b"v2")
        self.assertEqual(self.object_events(bucket),
                         [("Object Created", "PutObject", "k", 2)])


class CopyTest(Boto3Case):
    """CopyObject: directives, conditions, errors, and its event."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bucket = "copies"
        cls.s3.create_bucket(Bucket=cls.bucket)

    def put_source(self, key, body=b"source body"):
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType="text/x-source",
                           Metadata={"origin": "source"})
        return body

    def test_copy_keeps_metadata_with_copy_directive(self):
        body = self.put_source("src/copy")
        result = self.s3.copy_object(Bucket=self.bucket, Key="dst/copy",
                                     CopySource={"Bucket": self.bucket, "Key": "src/copy"})
        self.assertEqual(result["CopyObjectResult"]["ETag"], quoted_md5(body))
        self.assertIsInstance(result["CopyObjectResult"]["LastModified"], datetime.datetime)
        got = self.s3.get_object(Bucket=self.bucket, Key="dst/copy")
        self.assertEqual(got["Body"].read(), body)
        self.assertEqual(got["ContentType"], "text/x-source")
        self.assertEqual(got["Metadata"], {"origin": "source"})
        # An explicit COPY directive ignores metadata sent with the request.
        self.s3.copy_object(Bucket=self.bucket, Key="dst/copy-explicit",
                            CopySource={"Bucket": self.bucket, "Key": "src/copy"},
                            MetadataDirective="COPY", Metadata={"ignored": "yes"})
        self.assertEqual(self.s3.head_object(Bucket=self.bucket,
                                             Key="dst/copy-explicit")["Metadata"],
                         {"origin": "source"})

    def test_copy_with_replace_directive_sets_new_metadata(self):
        body = self.put_source("src/replace")
        self.s3.copy_object(Bucket=self.bucket, Key="dst/replace",
                            CopySource={"Bucket": self.bucket, "Key": "src/replace"},
                            MetadataDirective="REPLACE", ContentType="application/x-new",
                            Metadata={"fresh": "value"})
        got = self.s3.get_object(Bucket=self.bucket, Key="dst/replace")
        self.assertEqual(got["Body"].read(), body)
        self.assertEqual(got["ContentType"], "application/x-new")
        self.assertEqual(got["Metadata"], {"fresh": "value"})
        # The source is untouched.
        self.assertEqual(self.s3.head_object(Bucket=self.bucket, Key="src/replace")["Metadata"],
                         {"origin": "source"})

    def test_copy_onto_itself_needs_replace(self):
        self.put_source("self")
        source = {"Bucket": self.bucket, "Key": "self"}
        self.assertS3Error("InvalidRequest", 400, self.s3.copy_object, Bucket=self.bucket,
                           Key="self", CopySource=source)
        self.s3.copy_object(Bucket=self.bucket, Key="self", CopySource=source,
                            MetadataDirective="REPLACE", Metadata={"rewritten": "1"})
        self.assertEqual(self.s3.head_object(Bucket=self.bucket, Key="self")["Metadata"],
                         {"rewritten": "1"})

    def test_copy_across_buckets_with_odd_keys(self):
        other = self.new_bucket()
        key = "dir with space/naïve+plus%percent.txt"
        body = self.put_source(key, b"odd key body")
        self.s3.copy_object(Bucket=other, Key=key, CopySource={"Bucket": self.bucket, "Key": key})
        self.assertEqual(self.body_of(other, key), body)
        self.assertEqual(self.keys_of(other), [key])

    def test_copy_of_a_missing_source(self):
        self.assertS3Error("NoSuchKey", 404, self.s3.copy_object, Bucket=self.bucket,
                           Key="dst/none", CopySource={"Bucket": self.bucket, "Key": "no/such"})
        self.assertS3Error("NoSuchBucket", 404, self.s3.copy_object, Bucket=self.bucket,
                           Key="dst/none", CopySource={"Bucket": self.bucket_name(), "Key": "x"})
        self.assertMissing(self.bucket, "dst/none")

    def test_copy_source_conditions(self):
        body = self.put_source("src/conditional")
        etag = quoted_md5(body)
        source = {"Bucket": self.bucket, "Key": "src/conditional"}
        past = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
        future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)
        failing = [{"CopySourceIfMatch": '"0123456789abcdef0123456789abcdef"'},
                   {"CopySourceIfNoneMatch": etag},
                   {"CopySourceIfUnmodifiedSince": past},
                   {"CopySourceIfModifiedSince": future}]
        for condition in failing:
            with self.subTest(condition):
                self.assertS3Error("PreconditionFailed", 412, self.s3.copy_object,
                                   Bucket=self.bucket, Key="dst/conditional", CopySource=source,
                                   **condition)
                self.assertMissing(self.bucket, "dst/conditional")
        for condition in ({"CopySourceIfMatch": etag}, {"CopySourceIfModifiedSince": past}):
            with self.subTest(condition):
                self.s3.copy_object(Bucket=self.bucket, Key="dst/conditional", CopySource=source,
                                    **condition)
                self.assertEqual(self.body_of(self.bucket, "dst/conditional"), body)


class DeleteObjectsTest(Boto3Case):
    """DeleteObjects, verbose and quiet."""

    def put_keys(self, bucket, keys):
        for key in keys:
            self.s3.put_object(Bucket=bucket, Key=key, Body=key.encode())

    def test_verbose_delete_reports_every_key(self):
        bucket = self.new_bucket()
        keys = ["a", "dir/b", "with space", "plus+sign", "ünïcode", "kept"]
        self.put_keys(bucket, keys)
        doomed = keys[:-1] + ["never-existed"]
        result = self.s3.delete_objects(
            Bucket=bucket, Delete={"Objects": [{"Key": key} for key in doomed]})
        # S3 reports a key that was not there as deleted too.
        self.assertEqual(sorted(entry["Key"] for entry in result.get("Deleted", [])),
                         sorted(doomed))
        self.assertEqual(result.get("Errors", []), [])
        self.assertEqual(self.keys_of(bucket), ["kept"])

    def test_more_than_1000_keys_is_malformed_xml(self):
        bucket = self.new_bucket()
        self.put_keys(bucket, ["x0"])
        self.assertS3Error("MalformedXML", 400, self.s3.delete_objects, Bucket=bucket,
                           Delete={"Objects": [{"Key": "x{}".format(i)} for i in range(1001)]})
        self.assertEqual(self.keys_of(bucket), ["x0"])

    def test_quiet_delete_reports_nothing(self):
        bucket = self.new_bucket()
        self.put_keys(bucket, ["one", "two", "three"])
        result = self.s3.delete_objects(
            Bucket=bucket, Delete={"Objects": [{"Key": "one"}, {"Key": "two"}], "Quiet": True})
        self.assertEqual(result.get("Deleted", []), [])
        self.assertEqual(result.get("Errors", []), [])
        self.assertEqual(self.keys_of(bucket), ["three"])


class ListingTest(Boto3Case):
    """ListObjectsV2 and ListObjects (v1) through boto3's paginators. boto3 asks for
    encoding-type=url and decodes the keys itself, so odd keys test that round trip."""

    ODD_KEYS = ["plain.txt", "with space.txt", "plus+sign", "percent%25literal", "100%",
                "ünïcödé/日本語.txt", "folder/", "folder/inside", "tab\tkey", "amp&ersand=eq?q",
                "a/b/c/deep.txt", "a/b/other", "a/top", "z-last"]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bucket = "listings"
        cls.s3.create_bucket(Bucket=cls.bucket)
        for key in cls.ODD_KEYS:
            cls.s3.put_object(Bucket=cls.bucket, Key=key, Body=key.encode())

    @staticmethod
    def s3_order(keys):
        """S3 lists keys in the order of their UTF-8 bytes."""
        return sorted(keys, key=lambda key: key.encode())

    def paginate(self, operation, **args):
        pages = list(self.s3.get_paginator(operation).paginate(Bucket=self.bucket, **args))
        keys = [entry["Key"] for page in pages for entry in page.get("Contents", [])]
        prefixes = [entry["Prefix"] for page in pages for entry in page.get("CommonPrefixes", [])]
        return pages, keys, prefixes

    def test_v2_pages_of_two(self):
        pages, keys, _ = self.paginate("list_objects_v2", PaginationConfig={"PageSize": 2})
        self.assertEqual(keys, self.s3_order(self.ODD_KEYS))
        self.assertEqual(len(pages), (len(self.ODD_KEYS) + 1) // 2)
        for page in pages[:-1]:
            self.assertTrue(page["IsTruncated"])
            self.assertEqual(page["KeyCount"], 2)
            self.assertEqual(page["MaxKeys"], 2)
            self.assertIn("NextContinuationToken", page)
        self.assertFalse(pages[-1]["IsTruncated"])
        first = pages[0]["Contents"][0]
        self.assertEqual(first["Size"], len(first["Key"].encode()))
        self.assertEqual(first["ETag"], quoted_md5(first["Key"].encode()))

    def test_v1_pages_of_three(self):
        pages, keys, _ = self.paginate("list_objects", PaginationConfig={"PageSize": 3})
        self.assertEqual(keys, self.s3_order(self.ODD_KEYS))
        self.assertGreater(len(pages), 2)
        self.assertTrue(all(page["IsTruncated"] for page in pages[:-1]))
        self.assertFalse(pages[-1]["IsTruncated"])

    def test_delimiter_groups_common_prefixes_across_pages(self):
        for operation in ("list_objects_v2", "list_objects"):
            with self.subTest(operation):
                pages, keys, prefixes = self.paginate(operation, Delimiter="/",
                                                      PaginationConfig={"PageSize": 2})
                self.assertEqual(prefixes, ["a/", "folder/", "ünïcödé/"])
                self.assertEqual(keys, self.s3_order(
                    [key for key in self.ODD_KEYS if "/" not in key]))
                self.assertGreater(len(pages), 2)

    def test_prefix_and_delimiter(self):
        for operation in ("list_objects_v2", "list_objects"):
            with self.subTest(operation):
                _, keys, prefixes = self.paginate(operation, Prefix="a/", Delimiter="/")
                self.assertEqual(keys, ["a/top"])
                self.assertEqual(prefixes, ["a/b/"])
                _, keys, prefixes = self.paginate(operation, Prefix="folder/", Delimiter="/")
                self.assertEqual(keys, ["folder/", "folder/inside"])
                self.assertEqual(prefixes, [])
                _, keys, _ = self.paginate(operation, Prefix="ünïcödé/")
                self.assertEqual(keys, ["ünïcödé/日本語.txt"])
                _, keys, prefixes = self.paginate(operation, Prefix="nothing-here")
                self.assertEqual((keys, prefixes), ([], []))

    def test_start_after_and_marker(self):
        ordered = self.s3_order(self.ODD_KEYS)
        _, keys, _ = self.paginate("list_objects_v2", StartAfter="folder/",
                                   PaginationConfig={"PageSize": 4})
        self.assertEqual(keys, ordered[ordered.index("folder/") + 1:])
        _, keys, _ = self.paginate("list_objects", Marker="plus+sign",
                                   PaginationConfig={"PageSize": 4})
        self.assertEqual(keys, ordered[ordered.index("plus+sign") + 1:])

    def test_v1_next_marker_with_delimiter(self):
        page = self.s3.list_objects(Bucket=self.bucket, Delimiter="/", MaxKeys=1)
        self.assertTrue(page["IsTruncated"])
        # With a delimiter, v1 says where the next page starts.
        self.assertEqual(page.get("NextMarker"), "100%")

    def test_max_keys_zero(self):
        page = self.s3.list_objects_v2(Bucket=self.bucket, MaxKeys=0)
        self.assertEqual(page.get("Contents", []), [])
        self.assertEqual(page["KeyCount"], 0)

    def test_made_up_continuation_token_is_invalid_argument(self):
        self.assertS3Error("InvalidArgument", 400, self.s3.list_objects_v2, Bucket=self.bucket,
                           ContinuationToken="not-a-token-the-server-gave")

    def test_key_is_exactly_what_was_put(self):
        for key in self.ODD_KEYS:
            with self.subTest(key):
                self.assertEqual(self.body_of(self.bucket, key), key.encode())


class PresignedUrlTest(Boto3Case):
    """generate_presigned_url (SigV4) used from urllib, outside boto3."""

    @staticmethod
    def fetch(url, method="GET", data=None):
        request = urllib.request.Request(url, method=method, data=data)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def test_presigned_get(self):
        bucket = self.new_bucket()
        key = "presigned dir/ünï+file%.bin"
        body = random_bytes(10_000, seed=3)
        self.s3.put_object(Bucket=bucket, Key=key, Body=body)
        url = self.s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key},
                                             ExpiresIn=600)
        self.assertIn("X-Amz-Signature=", url)
        self.assertEqual(self.fetch(url), (200, body))
        # Response overrides travel signed in the query.
        url = self.s3.generate_presigned_url(
            "get_object", ExpiresIn=600, Params={
                "Bucket": bucket, "Key": key,
                "ResponseContentDisposition": 'attachment; filename="a b.bin"'})
        with urllib.request.urlopen(url, timeout=60) as response:
            self.assertEqual(response.headers["Content-Disposition"],
                             'attachment; filename="a b.bin"')
            self.assertEqual(response.read(), body)

    def test_presigned_get_for_another_key_is_refused(self):
        bucket = self.new_bucket()
        self.s3.put_object(Bucket=bucket, Key="public", Body=b"public")
        self.s3.put_object(Bucket=bucket, Key="secret", Body=b"secret")
        url = self.s3.generate_presigned_url("get_object",
                                             Params={"Bucket": bucket, "Key": "public"},
                                             ExpiresIn=600)
        status, body = self.fetch(url.replace("/public?", "/secret?"))
        self.assertEqual(status, 403)
        self.assertIn(b"<Code>SignatureDoesNotMatch</Code>", body)

    def test_presigned_put(self):
        bucket = self.new_bucket()
        url = self.s3.generate_presigned_url("put_object",
                                             Params={"Bucket": bucket, "Key": "uploaded"},
                                             ExpiresIn=600)
        status, _ = self.fetch(url, method="PUT", data=b"sent without boto3")
        self.assertEqual(status, 200)
        self.assertEqual(self.body_of(bucket, "uploaded"), b"sent without boto3")


class VirtualHostTest(Boto3Case):
    """Virtual-host addressing: the bucket in the Host header (BUCKET.localhost:PORT)."""

    def test_virtual_host_addressing(self):
        bucket = self.bucket_name()
        client = self.client(addressing_style="virtual",
                             endpoint="http://localhost:{}".format(self.port))
        real_getaddrinfo = socket.getaddrinfo

        def localhost_subdomains(host, *args, **kwargs):
            # Not every resolver maps *.localhost to the loopback (glibc's files+dns does not).
            if isinstance(host, str) and host.endswith(".localhost"):
                host = "127.0.0.1"
            return real_getaddrinfo(host, *args, **kwargs)

        hosts = []
        client.meta.events.register("before-send.s3", lambda request, **_: hosts.append(
            urllib.parse.urlsplit(request.url).netloc))
        with mock.patch("socket.getaddrinfo", localhost_subdomains):
            client.create_bucket(Bucket=bucket)
            client.put_object(Bucket=bucket, Key="dir/virtual key", Body=b"by host name")
            self.assertEqual(client.get_object(Bucket=bucket, Key="dir/virtual key")["Body"]
                             .read(), b"by host name")
            listed = client.list_objects_v2(Bucket=bucket)
            self.assertEqual([entry["Key"] for entry in listed["Contents"]], ["dir/virtual key"])
            client.delete_object(Bucket=bucket, Key="dir/virtual key")
            client.delete_bucket(Bucket=bucket)
        self.assertIn("{}.localhost:{}".format(bucket, self.port), hosts)
        self.assertS3Error(None, 404, self.s3.head_bucket, Bucket=bucket)


class EventTest(Boto3Case):
    """The events that boto3's writes make the lake emit."""

    def test_put_copy_delete_events(self):
        bucket = self.new_bucket()
        self.s3.put_object(Bucket=bucket, Key="dir/put.bin", Body=b"12345")
        self.s3.copy_object(Bucket=bucket, Key="dir/copied.bin",
                            CopySource={"Bucket": bucket, "Key": "dir/put.bin"})
        self.s3.delete_object(Bucket=bucket, Key="dir/put.bin")
        self.s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "dir/copied.bin"}]})
        rows = self.object_events(bucket)
        self.assertEqual(rows[:3], [("Object Created", "PutObject", "dir/put.bin", 5),
                                    ("Object Created", "CopyObject", "dir/copied.bin", 5),
                                    ("Object Deleted", "DeleteObject", "dir/put.bin", None)])
        self.assertEqual(len(rows), 4, rows)
        self.assertEqual(rows[3][0], "Object Deleted")
        self.assertEqual(rows[3][2], "dir/copied.bin")

    def test_put_event_details(self):
        bucket = self.new_bucket()
        body = b"event body"
        self.s3.put_object(Bucket=bucket, Key="evented key+1", Body=body)
        (event,) = self.events(bucket)
        self.assertEqual(event["source"], "aws.s3")
        self.assertEqual(event["detail-type"], "Object Created")
        self.assertEqual(event["region"], REGION)
        self.assertEqual(event["resources"], ["arn:aws:s3:::" + bucket])
        detail = event["detail"]
        self.assertEqual(detail["reason"], "PutObject")
        self.assertEqual(detail["bucket"]["name"], bucket)
        self.assertEqual(detail["object"]["key"], "evented key+1")
        self.assertEqual(detail["object"]["size"], len(body))
        self.assertEqual(detail["object"]["etag"], hashlib.md5(body).hexdigest())
        self.assertEqual(detail["requester"], self.access_key)


class MultipartBoto3Test(Boto3Case):
    """Multipart uploads through boto3's client calls and its transfer manager."""

    PART = 5 * MiB  # S3's smallest part but the last

    def start_upload(self, bucket, key, **args):
        return self.s3.create_multipart_upload(Bucket=bucket, Key=key, **args)["UploadId"]

    def upload_parts(self, bucket, key, upload_id, parts, first_number=1):
        """Uploads `parts` (bytes each) as numbers first_number...; returns the Parts list that
        complete_multipart_upload takes."""
        completed = []
        for number, data in enumerate(parts, start=first_number):
            etag = self.s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id,
                                       PartNumber=number, Body=data)["ETag"]
            self.assertEqual(etag, quoted_md5(data))
            completed.append({"PartNumber": number, "ETag": etag})
        return completed

    def test_upload_and_complete(self):
        bucket = self.new_bucket()
        parts = [random_bytes(self.PART, seed=10), random_bytes(self.PART, seed=11),
                 random_bytes(1 * MiB + 3, seed=12)]
        upload_id = self.start_upload(bucket, "big/object.bin", ContentType="application/x-big",
                                      Metadata={"kind": "multipart"})
        completed = self.upload_parts(bucket, "big/object.bin", upload_id, parts)
        # Nothing is visible before the upload completes.
        self.assertMissing(bucket, "big/object.bin")
        result = self.s3.complete_multipart_upload(
            Bucket=bucket, Key="big/object.bin", UploadId=upload_id,
            MultipartUpload={"Parts": completed})
        self.assertEqual(result["ETag"], multipart_etag(parts))
        self.assertEqual(result["Key"], "big/object.bin")
        got = self.s3.get_object(Bucket=bucket, Key="big/object.bin")
        self.assertEqual(got["Body"].read(), b"".join(parts))
        self.assertEqual(got["ETag"], multipart_etag(parts))
        self.assertEqual(got["ContentLength"], sum(map(len, parts)))
        self.assertEqual(got["ContentType"], "application/x-big")
        self.assertEqual(got["Metadata"], {"kind": "multipart"})
        ranged = self.s3.get_object(Bucket=bucket, Key="big/object.bin",
                                    Range="bytes={}-{}".format(self.PART - 2, self.PART + 1))
        self.assertEqual(ranged["Body"].read(), b"".join(parts)[self.PART - 2:self.PART + 2])
        self.assertEqual(self.s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []), [])
        self.assertEqual(self.object_events(bucket), [
            ("Object Created", "CompleteMultipartUpload", "big/object.bin",
             sum(map(len, parts)))])

    def test_single_small_part(self):
        bucket = self.new_bucket()
        upload_id = self.start_upload(bucket, "one-part")
        completed = self.upload_parts(bucket, "one-part", upload_id, [b"tiny"])
        result = self.s3.complete_multipart_upload(Bucket=bucket, Key="one-part",
                                                   UploadId=upload_id,
                                                   MultipartUpload={"Parts": completed})
        self.assertEqual(result["ETag"], multipart_etag([b"tiny"]))
        self.assertEqual(self.body_of(bucket, "one-part"), b"tiny")

    def test_list_parts(self):
        bucket = self.new_bucket()
        parts = [random_bytes(self.PART, seed=20), b"second part", b"third"]
        upload_id = self.start_upload(bucket, "listed")
        self.upload_parts(bucket, "listed", upload_id, parts)
        listed = self.s3.list_parts(Bucket=bucket, Key="listed", UploadId=upload_id)
        self.assertEqual([(p["PartNumber"], p["ETag"], p["Size"]) for p in listed["Parts"]],
                         [(n, quoted_md5(d), len(d)) for n, d in enumerate(parts, start=1)])
        self.assertEqual(listed["UploadId"], upload_id)
        self.assertFalse(listed["IsTruncated"])
        first = self.s3.list_parts(Bucket=bucket, Key="listed", UploadId=upload_id, MaxParts=2)
        self.assertTrue(first["IsTruncated"])
        self.assertEqual([p["PartNumber"] for p in first["Parts"]], [1, 2])
        self.assertEqual(int(first["NextPartNumberMarker"]), 2)
        rest = self.s3.list_parts(Bucket=bucket, Key="listed", UploadId=upload_id,
                                  PartNumberMarker=first["NextPartNumberMarker"])
        self.assertEqual([p["PartNumber"] for p in rest["Parts"]], [3])
        # Uploading a part number again replaces that part.
        self.upload_parts(bucket, "listed", upload_id, [b"new second"], first_number=2)
        listed = self.s3.list_parts(Bucket=bucket, Key="listed", UploadId=upload_id)
        self.assertEqual(listed["Parts"][1]["ETag"], quoted_md5(b"new second"))
        self.s3.abort_multipart_upload(Bucket=bucket, Key="listed", UploadId=upload_id)

    def test_list_multipart_uploads(self):
        bucket = self.new_bucket()
        ids = {key: self.start_upload(bucket, key) for key in ("dir/a", "dir/b", "top")}
        listed = self.s3.list_multipart_uploads(Bucket=bucket)
        self.assertEqual(sorted((u["Key"], u["UploadId"]) for u in listed["Uploads"]),
                         sorted(ids.items()))
        with_prefix = self.s3.list_multipart_uploads(Bucket=bucket, Prefix="dir/")
        self.assertEqual(sorted(u["Key"] for u in with_prefix["Uploads"]), ["dir/a", "dir/b"])
        grouped = self.s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
        self.assertEqual([p["Prefix"] for p in grouped.get("CommonPrefixes", [])], ["dir/"])
        self.assertEqual([u["Key"] for u in grouped["Uploads"]], ["top"])
        for key, upload_id in ids.items():
            self.s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
        self.assertEqual(self.s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []), [])

    def test_abort(self):
        bucket = self.new_bucket()
        upload_id = self.start_upload(bucket, "aborted")
        self.upload_parts(bucket, "aborted", upload_id, [b"part one"])
        aborted = self.s3.abort_multipart_upload(Bucket=bucket, Key="aborted",
                                                 UploadId=upload_id)
        self.assertEqual(aborted["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertS3Error("NoSuchUpload", 404, self.s3.upload_part, Bucket=bucket,
                           Key="aborted", UploadId=upload_id, PartNumber=2, Body=b"late")
        self.assertS3Error("NoSuchUpload", 404, self.s3.list_parts, Bucket=bucket,
                           Key="aborted", UploadId=upload_id)
        self.assertS3Error("NoSuchUpload", 404, self.s3.complete_multipart_upload,
                           Bucket=bucket, Key="aborted", UploadId=upload_id,
                           MultipartUpload={"Parts": [{"PartNumber": 1,
                                                       "ETag": quoted_md5(b"part one")}]})
        self.assertMissing(bucket, "aborted")
        self.assertEqual(self.object_events(bucket), [])

    def test_unknown_upload_id(self):
        bucket = self.new_bucket()
        self.assertS3Error("NoSuchUpload", 404, self.s3.upload_part, Bucket=bucket, Key="k",
                           UploadId="no-such-upload-id", PartNumber=1, Body=b"x")
        self.assertS3Error("NoSuchUpload", 404, self.s3.abort_multipart_upload, Bucket=bucket,
                           Key="k", UploadId="no-such-upload-id")

    def test_upload_part_copy(self):
        bucket = self.new_bucket()
        source = random_bytes(2 * self.PART, seed=30)
        self.s3.put_object(Bucket=bucket, Key="copy/source", Body=source)
        upload_id = self.start_upload(bucket, "copy/target")
        completed = []
        for number, (first, last) in enumerate([(0, self.PART - 1),
                                                (self.PART, 2 * self.PART - 1)], start=1):
            result = self.s3.upload_part_copy(
                Bucket=bucket, Key="copy/target", UploadId=upload_id, PartNumber=number,
                CopySource={"Bucket": bucket, "Key": "copy/source"},
                CopySourceRange="bytes={}-{}".format(first, last))
            etag = result["CopyPartResult"]["ETag"]
            self.assertEqual(etag, quoted_md5(source[first:last + 1]))
            completed.append({"PartNumber": number, "ETag": etag})
        # A last part copied whole from a small object.
        self.s3.put_object(Bucket=bucket, Key="copy/tail", Body=b"tail")
        tail = self.s3.upload_part_copy(Bucket=bucket, Key="copy/target", UploadId=upload_id,
                                        PartNumber=3,
                                        CopySource={"Bucket": bucket, "Key": "copy/tail"})
        completed.append({"PartNumber": 3, "ETag": tail["CopyPartResult"]["ETag"]})
        result = self.s3.complete_multipart_upload(Bucket=bucket, Key="copy/target",
                                                   UploadId=upload_id,
                                                   MultipartUpload={"Parts": completed})
        expected_parts = [source[:self.PART], source[self.PART:], b"tail"]
        self.assertEqual(result["ETag"], multipart_etag(expected_parts))
        self.assertEqual(self.body_of(bucket, "copy/target"), b"".join(expected_parts))

    def test_complete_with_a_wrong_part_etag_is_invalid_part(self):
        bucket = self.new_bucket()
        upload_id = self.start_upload(bucket, "wrong-etag")
        completed = self.upload_parts(bucket, "wrong-etag", upload_id,
                                      [random_bytes(self.PART, seed=40), b"last"])
        completed[1]["ETag"] = quoted_md5(b"not the last part")
        self.assertS3Error("InvalidPart", 400, self.s3.complete_multipart_upload, Bucket=bucket,
                           Key="wrong-etag", UploadId=upload_id,
                           MultipartUpload={"Parts": completed})
        # A part number never uploaded is InvalidPart too.
        self.assertS3Error("InvalidPart", 400, self.s3.complete_multipart_upload, Bucket=bucket,
                           Key="wrong-etag", UploadId=upload_id,
                           MultipartUpload={"Parts": [{"PartNumber": 7,
                                                       "ETag": quoted_md5(b"last")}]})
        self.assertMissing(bucket, "wrong-etag")
        # The upload survives a refused completion.
        self.assertEqual(len(self.s3.list_parts(Bucket=bucket, Key="wrong-etag",
                                                UploadId=upload_id)["Parts"]), 2)

    def test_parts_out_of_order_is_invalid_part_order(self):
        bucket = self.new_bucket()
        upload_id = self.start_upload(bucket, "disorder")
        completed = self.upload_parts(bucket, "disorder", upload_id,
                                      [random_bytes(self.PART, seed=50), b"last"])
        self.assertS3Error("InvalidPartOrder", 400, self.s3.complete_multipart_upload,
                           Bucket=bucket, Key="disorder", UploadId=upload_id,
                           MultipartUpload={"Parts": list(reversed(completed))})
        self.assertMissing(bucket, "disorder")

    def test_small_part_before_the_last_is_entity_too_small(self):
        bucket = self.new_bucket()
        upload_id = self.start_upload(bucket, "too-small")
        completed = self.upload_parts(bucket, "too-small", upload_id,
                                      [b"x" * (self.PART - 1), b"last"])
        self.assertS3Error("EntityTooSmall", 400, self.s3.complete_multipart_upload,
                           Bucket=bucket, Key="too-small", UploadId=upload_id,
                           MultipartUpload={"Parts": completed})
        self.assertMissing(bucket, "too-small")

    def test_transfer_manager_upload_and_download(self):
        bucket = self.new_bucket()
        data = random_bytes(12 * MiB + 5, seed=60)
        source = self.write_file("upload.bin", data)
        config = boto3.s3.transfer.TransferConfig(multipart_threshold=5 * MiB,
                                                  multipart_chunksize=5 * MiB, max_concurrency=2)
        self.s3.upload_file(source, bucket, "managed/upload.bin", Config=config)
        head = self.s3.head_object(Bucket=bucket, Key="managed/upload.bin")
        self.assertEqual(head["ContentLength"], len(data))
        self.assertEqual(head["ETag"], multipart_etag(
            [data[:5 * MiB], data[5 * MiB:10 * MiB], data[10 * MiB:]]))
        target = os.path.join(self.work, "download.bin")
        self.s3.download_file(bucket, "managed/upload.bin", target, Config=config)
        self.assertEqual(self.read_file(target), data)
        self.assertEqual(self.object_events(bucket), [
            ("Object Created", "CompleteMultipartUpload", "managed/upload.bin", len(data))])


if __name__ == "__main__":
    main(__file__)
