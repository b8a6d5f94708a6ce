#!/usr/bin/env python3
"""sluice's S3 endpoint under requests no well-behaved client sends, made by hand with
http.client and raw sockets and signed with botocore's own SigV4 signer where a signature is
needed: wrong secrets and unknown keys, missing auth, skewed clocks, expired presigned URLs,
tampered or over-long presigned URLs, SigV2 presigning, a credential scope for another region,
payloads that do not match their hash or checksum (header or aws-chunked trailer), truncated
bodies, missing Content-Length, oversized header sections and metadata, keys that look like
paths or need escaping, over-long keys, invalid bucket names, HEAD errors, bad aws-chunked chunk
signatures, Expect: 100-continue, pipelining, and keep-alive after errors.

Every refusal is checked for its exact S3 error code and HTTP status, and for having changed
nothing: the bucket's listing, the other bucket, and the lake's events are the same afterwards.
"""

import base64
import datetime
import hashlib
import hmac
import http.client
import os
import re
import socket
import sys
import time
import urllib.parse
import xml.etree.ElementTree as ElementTree
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s3_server_case import REGION, S3ServerCase, main  # noqa: E402

try:
    from botocore.auth import HmacV1QueryAuth, S3SigV4Auth, S3SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError:
    S3SigV4Auth = None

SOCKET_TIMEOUT_SECONDS = 60  # a guard against hangs, not a measurement
S3_NAMESPACE = "{http://s3.amazonaws.com/doc/2006-03-01/}"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
STREAMING_PAYLOAD = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"

if S3SigV4Auth is not None:
    class TestSigner(S3SigV4Auth):
        """botocore's S3 SigV4 header signer with three knobs: a fixed x-amz-content-sha256
        value instead of the body's hash, a clock offset, and the credential scope's region."""

        def __init__(self, credentials, payload_hash=None, clock_offset=None, region=REGION):
            super().__init__(credentials, "s3", region)
            self.payload_hash = payload_hash
            self.clock_offset = clock_offset

        def payload(self, request):
            if self.payload_hash is not None:
                return self.payload_hash
            return super().payload(request)

        def _modify_request_before_signing(self, request):
            # add_auth has just stamped the request with the current time; move it.
            if self.clock_offset is not None:
                moved = datetime.datetime.now(datetime.timezone.utc) + self.clock_offset
                request.context["timestamp"] = moved.strftime("%Y%m%dT%H%M%SZ")
            super()._modify_request_before_signing(request)


def crc64nvme(data):
    """CRC-64/NVME, as S3's x-amz-checksum-crc64nvme carries it (before base64)."""
    crc = 0xFFFFFFFFFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x9A6C9329AC4BC9B5 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFFFFFFFFFF


def b64_crc32(data):
    return base64.b64encode((zlib.crc32(data) & 0xFFFFFFFF).to_bytes(4, "big")).decode()


def quote_key(key):
    """A key as a URL path segment, as S3 clients escape it ('/' kept)."""
    return urllib.parse.quote(key.encode(), safe="/~")


def error_code(body):
    match = re.search(rb"<Code>([^<]*)</Code>", body)
    return match.group(1).decode() if match else None


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # {lower-case name: value}
        self.body = body

    @property
    def code(self):
        return error_code(self.body)

    def __repr__(self):
        return "<{} {} {!r}>".format(self.status, self.headers, self.body[:600])


def read_head(sock):
    """Reads one response's status line and headers off a raw socket: (status, {name: value},
    bytes read past the header section)."""
    return read_head_after(sock, b"")


def read_head_after(sock, data):
    """read_head, for a socket of which `data` was already read."""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError("connection closed before a full response head: {!r}"
                                 .format(data))
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, rest


def read_response(sock):
    """One whole response (Content-Length framed) off a raw socket."""
    status, headers, body = read_head(sock)
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return Response(status, headers, body[:length])


class HostileCase(S3ServerCase):
    """A server, a bucket with one object in it, a second bucket that must stay empty, and
    helpers to build, sign and send requests by hand."""

    BUCKET = "hostile"
    BYSTANDER = "bystander"
    SENTINEL_BODY = b"the sentinel's body"

    @classmethod
    def setUpClass(cls):
        if S3SigV4Auth is None:
            raise AssertionError("botocore is not importable: install the Debian package "
                                 "python3-botocore")
        super().setUpClass()
        cls.credentials = Credentials(cls.access_key, cls.secret_key)
        for bucket in (cls.BUCKET, cls.BYSTANDER):
            cls.check(cls.send_request("PUT", "/" + bucket), 200)
        cls.check(cls.send_request("PUT", "/{}/sentinel".format(cls.BUCKET),
                                   body=cls.SENTINEL_BODY), 200)

    @staticmethod
    def check(response, status):
        if response.status != status:
            raise AssertionError("expected {}, got {!r}".format(status, response))
        return response

    # --- building and sending requests ----------------------------------------------------------

    @classmethod
    def signed_headers(cls, method, target, headers=None, body=b"", credentials=None,
                       signer=None):
        """The headers (Host included) of a request signed by botocore's SigV4 signer.
        `target` is the path plus query, already escaped."""
        headers = dict(headers or {})
        headers["Host"] = cls.address
        request = AWSRequest(method=method, url=cls.endpoint + target, data=body,
                             headers=headers)
        (signer or TestSigner(credentials or cls.credentials)).add_auth(request)
        return dict(request.headers.items())

    @classmethod
    def presigned_url(cls, method, target, expires=600, signer_class=None):
        request = AWSRequest(method=method, url=cls.endpoint + target,
                             headers={"Host": cls.address})
        if signer_class is None:
            S3SigV4QueryAuth(cls.credentials, "s3", REGION, expires=expires).add_auth(request)
        else:
            signer_class(cls.credentials, expires=expires).add_auth(request)
        return request.url

    @classmethod
    def send_request(cls, method, target, headers=None, body=b"", sign=True, connection=None,
                     **signing):
        """Sends one request with http.client; returns a Response. `sign` False sends the
        headers as given (plus Host); else botocore signs them (see signed_headers)."""
        if sign:
            headers = cls.signed_headers(method, target, headers, body, **signing)
        else:
            headers = dict(headers or {}, Host=cls.address)
        own_connection = connection is None
        if own_connection:
            connection = http.client.HTTPConnection("127.0.0.1", cls.port,
                                                    timeout=SOCKET_TIMEOUT_SECONDS)
        try:
            connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            for name, value in headers.items():
                connection.putheader(name, value)
            if "content-length" not in {name.lower() for name in headers} and (
                    body or method in ("PUT", "POST")):
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body if body else None)
            response = connection.getresponse()
            return Response(response.status,
                            {name.lower(): value for name, value in response.getheaders()},
                            response.read())
        finally:
            if own_connection:
                connection.close()

    @classmethod
    def raw_socket(cls):
        return socket.create_connection(("127.0.0.1", cls.port), timeout=SOCKET_TIMEOUT_SECONDS)

    @staticmethod
    def request_head(method, target, headers):
        lines = ["{} {} HTTP/1.1".format(method, target)]
        lines += ["{}: {}".format(name, value) for name, value in headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    # --- looking at the lake --------------------------------------------------------------------

    @classmethod
    def listing(cls, bucket):
        """{key: etag} of every object in `bucket` (ListObjectsV2, keys URL-encoded on the
        wire and decoded here)."""
        objects, token = {}, None
        while True:
            query = "list-type=2&encoding-type=url"
            if token:
                query += "&continuation-token=" + urllib.parse.quote(token, safe="")
            response = cls.check(cls.send_request("GET", "/{}?{}".format(bucket, query)), 200)
            root = ElementTree.fromstring(response.body)
            for entry in root.iter(S3_NAMESPACE + "Contents"):
                # As botocore decodes them: S3 may send a space as '+'.
                key = urllib.parse.unquote_plus(entry.find(S3_NAMESPACE + "Key").text)
                objects[key] = entry.find(S3_NAMESPACE + "ETag").text
            if root.find(S3_NAMESPACE + "IsTruncated").text != "true":
                return objects
            token = root.find(S3_NAMESPACE + "NextContinuationToken").text

    @classmethod
    def bucket_names(cls):
        root = ElementTree.fromstring(cls.check(cls.send_request("GET", "/"), 200).body)
        return sorted(element.text for element in root.iter(S3_NAMESPACE + "Name"))

    def snapshot(self):
        """What a refused request must leave as it was."""
        return {"objects": self.listing(self.BUCKET),
                "bystander": self.listing(self.BYSTANDER),
                "buckets": self.bucket_names(),
                "events": len(self.events())}

    def assertRefused(self, response, code, status):
        self.assertEqual((response.status, response.code), (status, code), response)
        self.assertEqual(response.headers.get("content-type"), "application/xml", response)

    def assertMissing(self, key):
        response = self.send_request("HEAD", "/{}/{}".format(self.BUCKET, quote_key(key)))
        self.assertEqual(response.status, 404, response)

    def setUp(self):
        super().setUp()
        self.before = self.snapshot()

    def assertNothingChanged(self):
        self.assertEqual(self.snapshot(), self.before)


class AuthenticationTest(HostileCase):
    """Requests whose signature, key, date or expiry is wrong: refused before any effect."""

    def put_target(self, key):
        return "/{}/{}".format(self.BUCKET, quote_key(key))

    def test_wrong_secret_is_signature_does_not_match(self):
        wrong = Credentials(self.access_key, "x" + self.secret_key[1:])
        response = self.send_request("PUT", self.put_target("forged"), body=b"forged",
                                     credentials=wrong)
        self.assertRefused(response, "SignatureDoesNotMatch", 403)
        response = self.send_request("GET", "/{}/sentinel".format(self.BUCKET),
                                     credentials=wrong)
        self.assertRefused(response, "SignatureDoesNotMatch", 403)
        self.assertNotIn(self.SENTINEL_BODY, response.body)
        self.assertNothingChanged()

    def test_unknown_access_key_is_invalid_access_key_id(self):
        stranger = Credentials("AKIDNOTKNOWNHERE0000", self.secret_key)
        response = self.send_request("PUT", self.put_target("stranger"), body=b"x",
                                     credentials=stranger)
        self.assertRefused(response, "InvalidAccessKeyId", 403)
        self.assertRefused(self.send_request("GET", "/", credentials=stranger),
                           "InvalidAccessKeyId", 403)
        self.assertNothingChanged()

    def test_no_authentication_is_access_denied(self):
        for method, target, body in [("PUT", self.put_target("anonymous"), b"anonymous"),
                                     ("GET", "/{}/sentinel".format(self.BUCKET), b""),
                                     ("GET", "/{}?list-type=2".format(self.BUCKET), b""),
                                     ("DELETE", "/{}/sentinel".format(self.BUCKET), b""),
                                     ("PUT", "/anonymous-bucket", b""),
                                     ("GET", "/", b"")]:
            with self.subTest(method=method, target=target):
                self.assertRefused(self.send_request(method, target, body=body, sign=False),
                                   "AccessDenied", 403)
        self.assertNothingChanged()

    def test_skewed_clock_is_request_time_too_skewed(self):
        for minutes in (20, -20):
            with self.subTest(minutes=minutes):
                signer = TestSigner(self.credentials,
                                    clock_offset=datetime.timedelta(minutes=minutes))
                response = self.send_request("PUT", self.put_target("skewed"), body=b"x",
                                             signer=signer)
                self.assertRefused(response, "RequestTimeTooSkewed", 403)
        # A few minutes off is within S3's 15 minutes.
        signer = TestSigner(self.credentials, clock_offset=datetime.timedelta(minutes=-3))
        self.assertEqual(self.send_request("GET", "/{}/sentinel".format(self.BUCKET),
                                           signer=signer).status, 200)
        self.assertNothingChanged()

    def test_expired_presigned_url_is_access_denied(self):
        get_url = self.presigned_url("GET", "/{}/sentinel".format(self.BUCKET), expires=1)
        put_url = self.presigned_url("PUT", self.put_target("late"), expires=1)
        fresh = self.presigned_url("GET", "/{}/sentinel".format(self.BUCKET), expires=600)
        time.sleep(2.5)  # past X-Amz-Expires=1; no assertion depends on how long this took
        target = fresh[len(self.endpoint):]
        fresh_response = self.send_request("GET", target, sign=False)
        self.assertEqual((fresh_response.status, fresh_response.body), (200, self.SENTINEL_BODY))
        for url, body in ((get_url, b""), (put_url, b"too late")):
            with self.subTest(url=url):
                response = self.send_request("PUT" if body else "GET", url[len(self.endpoint):],
                                             body=body, sign=False)
                self.assertRefused(response, "AccessDenied", 403)
        self.assertNothingChanged()

    def test_tampered_presigned_urls_are_refused(self):
        target = "/{}/sentinel".format(self.BUCKET)
        url = self.presigned_url("GET", target, expires=600)[len(self.endpoint):]
        longer = url.replace("X-Amz-Expires=600", "X-Amz-Expires=6000")
        self.assertNotEqual(longer, url)
        self.assertRefused(self.send_request("GET", longer, sign=False),
                           "SignatureDoesNotMatch", 403)
        # A URL presigned for GET does not let its holder PUT.
        self.assertRefused(self.send_request("PUT", url, body=b"overwrite", sign=False),
                           "SignatureDoesNotMatch", 403)
        self.assertEqual(self.send_request("GET", target).body, self.SENTINEL_BODY)
        self.assertNothingChanged()

    def test_presigned_url_valid_for_over_a_week_is_refused(self):
        url = self.presigned_url("GET", "/{}/sentinel".format(self.BUCKET),
                                 expires=604801)[len(self.endpoint):]
        self.assertRefused(self.send_request("GET", url, sign=False),
                           "AuthorizationQueryParametersError", 400)
        self.assertNothingChanged()

    def test_credential_scope_for_another_region_is_malformed(self):
        target = self.put_target("elsewhere")
        headers = self.signed_headers("PUT", target, body=b"x",
                                      signer=TestSigner(self.credentials, region="eu-west-1"))
        self.assertIn("/eu-west-1/s3/aws4_request", headers["Authorization"])
        response = self.send_request("PUT", target, headers=headers, body=b"x", sign=False)
        self.assertRefused(response, "AuthorizationHeaderMalformed", 400)
        self.assertNothingChanged()

    def test_sigv2_presigned_url_is_invalid_request(self):
        url = self.presigned_url("GET", "/{}/sentinel".format(self.BUCKET),
                                 signer_class=HmacV1QueryAuth)
        self.assertIn("Signature=", url)
        self.assertNotIn("X-Amz-Signature", url)
        response = self.send_request("GET", url[len(self.endpoint):], sign=False)
        self.assertRefused(response, "InvalidRequest", 400)
        self.assertNothingChanged()


class BodyTest(HostileCase):
    """Bodies that do not match what their headers promise."""

    def test_payload_not_matching_its_sha256_is_refused(self):
        target = "/{}/mismatch".format(self.BUCKET)
        headers = self.signed_headers("PUT", target, body=b"the body that was signed")
        response = self.send_request("PUT", target, headers=headers,
                                     body=b"a body that was swapped!", sign=False)
        self.assertRefused(response, "XAmzContentSHA256Mismatch", 400)
        self.assertMissing("mismatch")
        self.assertNothingChanged()

    def test_put_without_content_length_is_missing_content_length(self):
        target = "/{}/no-length".format(self.BUCKET)
        headers = self.signed_headers("PUT", target, body=b"")
        sock = self.raw_socket()
        try:
            sock.sendall(self.request_head("PUT", target, headers))
            response = read_response(sock)
        finally:
            sock.close()
        self.assertRefused(response, "MissingContentLength", 411)
        self.assertMissing("no-length")
        self.assertNothingChanged()

    def test_content_sha256_that_is_no_hash_is_invalid_argument(self):
        signer = TestSigner(self.credentials, payload_hash="not-a-sha256")
        response = self.send_request("PUT", "/{}/odd-hash".format(self.BUCKET), body=b"x",
                                     signer=signer)
        self.assertRefused(response, "InvalidArgument", 400)
        self.assertMissing("odd-hash")
        self.assertNothingChanged()

    def test_metadata_over_2_kib_is_metadata_too_large(self):
        target = "/{}/heavy".format(self.BUCKET)
        response = self.send_request("PUT", target, body=b"x",
                                     headers={"x-amz-meta-big": "m" * 2100})
        self.assertRefused(response, "MetadataTooLarge", 400)
        self.assertMissing("heavy")
        self.assertNothingChanged()

    def test_truncated_body_creates_nothing(self):
        declared = b"d" * 1000
        for payload_hash in (None, UNSIGNED_PAYLOAD):
            with self.subTest(payload_hash=payload_hash):
                target = "/{}/truncated".format(self.BUCKET)
                headers = self.signed_headers(
                    "PUT", target, headers={"Content-Length": str(len(declared))},
                    body=declared, signer=TestSigner(self.credentials, payload_hash))
                sock = self.raw_socket()
                try:
                    sock.sendall(self.request_head("PUT", target, headers) + declared[:500])
                    sock.shutdown(socket.SHUT_WR)
                    answer = b""
                    try:
                        while True:
                            chunk = sock.recv(65536)
                            if not chunk:
                                break
                            answer += chunk
                    except ConnectionResetError:
                        pass
                finally:
                    sock.close()
                # Whatever the server answered (if anything), it was no success.
                self.assertFalse(answer.startswith(b"HTTP/1.1 2"), answer)
                self.assertMissing("truncated")
        self.assertNothingChanged()

    def test_crc64nvme_checksum_is_verified(self):
        body = b"checked with crc64nvme"
        good = base64.b64encode(crc64nvme(body).to_bytes(8, "big")).decode()
        wrong = base64.b64encode(crc64nvme(b"something else").to_bytes(8, "big")).decode()
        target = "/{}/crc64".format(self.BUCKET)
        refused = self.send_request("PUT", target, body=body,
                                    headers={"x-amz-checksum-crc64nvme": wrong})
        self.assertRefused(refused, "BadDigest", 400)
        self.assertMissing("crc64")
        self.assertNothingChanged()
        stored = self.send_request("PUT", target, body=body,
                                   headers={"x-amz-checksum-crc64nvme": good})
        self.assertEqual(stored.status, 200, stored)
        self.assertEqual(stored.headers.get("x-amz-checksum-crc64nvme"), good)
        got = self.send_request("GET", target, headers={"x-amz-checksum-mode": "ENABLED"})
        self.assertEqual((got.body, got.headers.get("x-amz-checksum-crc64nvme")), (body, good))
        self.send_request("DELETE", target)

    def test_unsigned_payload_with_a_checksum_trailer(self):
        target = "/{}/trailer".format(self.BUCKET)

        def put(data, checksum):
            body = "{:x}\r\n".format(len(data)).encode() + data + b"\r\n0\r\n"
            body += "x-amz-checksum-crc32:{}\r\n\r\n".format(checksum).encode()
            headers = {"Content-Encoding": "aws-chunked",
                       "x-amz-decoded-content-length": str(len(data)),
                       "x-amz-trailer": "x-amz-checksum-crc32",
                       "Content-Length": str(len(body))}
            return self.send_request("PUT", target, headers=headers, body=body,
                                     signer=TestSigner(self.credentials,
                                                       "STREAMING-UNSIGNED-PAYLOAD-TRAILER"))

        data = b"trailing checksum body"
        self.assertRefused(put(data, b64_crc32(b"another body")), "BadDigest", 400)
        self.assertMissing("trailer")
        self.assertNothingChanged()
        stored = put(data, b64_crc32(data))
        self.assertEqual(stored.status, 200, stored)
        self.assertEqual(self.send_request("GET", target).body, data)
        self.send_request("DELETE", target)

    def test_bad_chunk_signature_is_signature_does_not_match(self):
        data = os.urandom(8192) + os.urandom(8192) + b"tail"
        good = self.send_chunked("chunked-good", data, corrupt_chunk=None)
        self.assertEqual(good.status, 200, good)
        self.assertEqual(self.send_request("GET", "/{}/chunked-good".format(self.BUCKET)).body,
                         data)
        self.before = self.snapshot()
        for corrupt_chunk in (0, 1, 3):  # the first, a middle and the final (empty) chunk
            with self.subTest(corrupt_chunk=corrupt_chunk):
                bad = self.send_chunked("chunked-bad", data, corrupt_chunk=corrupt_chunk)
                self.assertRefused(bad, "SignatureDoesNotMatch", 403)
                self.assertMissing("chunked-bad")
        self.assertNothingChanged()

    def send_chunked(self, key, data, corrupt_chunk):
        """PUTs `data` as aws-chunked with signed chunks of 8 KiB; the signature of chunk
        number `corrupt_chunk` (0-based; the last is the empty final chunk) is flipped."""
        chunks = [data[i:i + 8192] for i in range(0, len(data), 8192)] + [b""]
        target = "/{}/{}".format(self.BUCKET, key)

        def encoded_length():
            return sum(len("{:x};chunk-signature={}\r\n".format(len(c), "0" * 64)) + len(c) + 2
                       for c in chunks)

        request = AWSRequest(method="PUT", url=self.endpoint + target, headers={
            "Host": self.address,
            "Content-Encoding": "aws-chunked",
            "x-amz-decoded-content-length": str(len(data)),
            "Content-Length": str(encoded_length()),
        })
        TestSigner(self.credentials, payload_hash=STREAMING_PAYLOAD).add_auth(request)
        headers = dict(request.headers.items())
        timestamp = request.context["timestamp"]
        scope = "{}/{}/s3/aws4_request".format(timestamp[:8], REGION)
        key_bytes = ("AWS4" + self.secret_key).encode()
        for part in (timestamp[:8], REGION, "s3", "aws4_request"):
            key_bytes = hmac.new(key_bytes, part.encode(), hashlib.sha256).digest()
        previous = re.search(r"Signature=([0-9a-f]{64})", headers["Authorization"]).group(1)
        body = b""
        for number, chunk in enumerate(chunks):
            string_to_sign = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", timestamp, scope, previous,
                                        EMPTY_SHA256, hashlib.sha256(chunk).hexdigest()])
            signature = hmac.new(key_bytes, string_to_sign.encode(), hashlib.sha256).hexdigest()
            previous = signature
            if number == corrupt_chunk:
                signature = ("1" if signature[0] != "1" else "2") + signature[1:]
            body += "{:x};chunk-signature={}\r\n".format(len(chunk), signature).encode()
            body += chunk + b"\r\n"
        self.assertEqual(len(body), encoded_length())
        return self.send_request("PUT", target, headers=headers, body=body, sign=False)


class RequestShapeTest(HostileCase):
    """Oversized header sections, over-long keys, invalid bucket names, odd keys."""

    def test_header_section_over_64_kib_is_refused(self):
        target = "/{}/big-headers".format(self.BUCKET)
        headers = self.signed_headers("PUT", target, body=b"x")
        headers["X-Padding"] = "p" * (70 * 1024)  # unsigned: only its size matters
        sock = self.raw_socket()
        try:
            try:
                sock.sendall(self.request_head("PUT", target, headers) + b"x")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may stop reading once it has seen enough; its answer counts
            response = read_response(sock)
        finally:
            sock.close()
        self.assertRefused(response, "RequestHeaderSectionTooLarge", 400)
        self.assertMissing("big-headers")
        # Headers that fit (60 KiB) are fine.
        headers = self.signed_headers("PUT", target, body=b"x")
        headers["X-Padding"] = "p" * (60 * 1024)
        fitting = self.send_request("PUT", target, headers=headers, body=b"x", sign=False)
        self.assertEqual(fitting.status, 200, fitting)
        self.send_request("DELETE", target)
        self.before["events"] += 2  # that put and its delete
        self.assertNothingChanged()

    def test_odd_keys_round_trip_exactly(self):
        keys = ["../escape", "a/../b", "./dot", "dir/./x", "..", "ünïcödé/日本語",
                "with space", "two  spaces ", "plus+sign", "per%cent", "%2F-not-a-slash",
                "%", "tilde~", "star*", "semi;colon", "quote'\"", "question?mark",
                "hash#tag", "amp&eq=", "back\\slash", "trailing/", "//double-slash"]
        for key in keys:
            with self.subTest(key=key):
                response = self.send_request("PUT", "/{}/{}".format(self.BUCKET, quote_key(key)),
                                             body=key.encode())
                self.assertEqual(response.status, 200, response)
        self.assertEqual(sorted(self.listing(self.BUCKET)), sorted(keys + ["sentinel"]))
        # Without encoding-type=url the keys come back as XML text.
        raw = self.check(self.send_request("GET", "/{}?list-type=2".format(self.BUCKET)), 200)
        listed = [element.text for element in ElementTree.fromstring(raw.body).iter(
            S3_NAMESPACE + "Key")]
        self.assertEqual(sorted(listed), sorted(keys + ["sentinel"]))
        for key in keys:
            with self.subTest(key=key):
                got = self.send_request("GET", "/{}/{}".format(self.BUCKET, quote_key(key)))
                self.assertEqual((got.status, got.body), (200, key.encode()))
        self.assertEqual(self.listing(self.BYSTANDER), {})
        self.assertEqual(self.bucket_names(), self.before["buckets"])
        for key in keys:
            self.send_request("DELETE", "/{}/{}".format(self.BUCKET, quote_key(key)))
        self.assertEqual(self.listing(self.BUCKET), self.before["objects"])

    def test_key_length_limit_is_1024_bytes(self):
        for key in ("k" * 1024, "é" * 512):  # 1024 bytes each
            with self.subTest(length=len(key)):
                target = "/{}/{}".format(self.BUCKET, quote_key(key))
                self.assertEqual(self.send_request("PUT", target, body=b"long").status, 200)
                self.assertEqual(self.send_request("GET", target).body, b"long")
                self.assertIn(key, self.listing(self.BUCKET))
                self.send_request("DELETE", target)
        self.before = self.snapshot()
        for key in ("k" * 1025, "é" * 512 + "k"):  # 1025 bytes each
            with self.subTest(length=len(key)):
                response = self.send_request("PUT", "/{}/{}".format(self.BUCKET,
                                                                    quote_key(key)),
                                             body=b"too long")
                self.assertRefused(response, "KeyTooLongError", 400)
        self.assertNothingChanged()

    def test_invalid_bucket_names(self):
        names = ["AB", "a", "ab", "bad_name", "-x-", "x-", "192.168.1.1", "a" * 64,
                 "double..dot", "UPPER"]
        for name in names:
            with self.subTest(name=name):
                self.assertRefused(self.send_request("PUT", "/" + quote_key(name)),
                                   "InvalidBucketName", 400)
        self.assertNothingChanged()

    def test_head_errors_have_no_body(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.port,
                                                timeout=SOCKET_TIMEOUT_SECONDS)
        try:
            for target, status in (("/{}/missing".format(self.BUCKET), 404),
                                   ("/no-such-bucket-here/key", 404),
                                   ("/no-such-bucket-here", 404)):
                with self.subTest(target=target):
                    response = self.send_request("HEAD", target, connection=connection)
                    self.assertEqual((response.status, response.body), (status, b""))
                    # Had a body followed the head, this answer would be read from it.
                    after = self.send_request("GET", "/{}/sentinel".format(self.BUCKET),
                                              connection=connection)
                    self.assertEqual((after.status, after.body), (200, self.SENTINEL_BODY))
        finally:
            connection.close()
        sock = self.raw_socket()
        try:
            headers = self.signed_headers("HEAD", "/{}/missing".format(self.BUCKET))
            sock.sendall(self.request_head("HEAD", "/{}/missing".format(self.BUCKET), headers))
            status, _, rest = read_head(sock)
            self.assertEqual(status, 404)
            sock.settimeout(1)  # only to see whether stray bytes follow; absence is expected
            try:
                rest += sock.recv(65536)
            except socket.timeout:
                pass
            self.assertEqual(rest, b"")
        finally:
            sock.close()
        self.assertNothingChanged()


class ConnectionTest(HostileCase):
    """Expect: 100-continue and keep-alive."""

    def test_expect_continue_with_a_bad_signature_is_refused_before_the_body(self):
        target = "/{}/expecting".format(self.BUCKET)
        body = b"b" * 100_000
        wrong = Credentials(self.access_key, "x" + self.secret_key[1:])
        headers = self.signed_headers("PUT", target, headers={
            "Content-Length": str(len(body))}, body=body, credentials=wrong)
        headers["Expect"] = "100-continue"
        sock = self.raw_socket()
        try:
            sock.sendall(self.request_head("PUT", target, headers))  # the head only
            status, response_headers, rest = read_head(sock)
            self.assertEqual(status, 403, "the server should refuse without asking for the "
                                          "body; it answered {} {}".format(status, rest))
            length = int(response_headers.get("content-length", "0"))
            while len(rest) < length:
                rest += sock.recv(65536)
            self.assertEqual(error_code(rest), "SignatureDoesNotMatch")
        finally:
            sock.close()
        self.assertMissing("expecting")
        self.assertNothingChanged()

    def test_expect_continue_with_a_good_signature(self):
        target = "/{}/expected".format(self.BUCKET)
        for body in (b"c" * 5000, b""):
            with self.subTest(length=len(body)):
                headers = self.signed_headers("PUT", target, headers={
                    "Content-Length": str(len(body))}, body=body)
                headers["Expect"] = "100-continue"
                sock = self.raw_socket()
                try:
                    sock.sendall(self.request_head("PUT", target, headers))
                    # S3 asks for the body, even an empty one: botocore, which sends this
                    # header with every file upload, misreads the next answer on the
                    # connection when a final answer comes in place of the 100.
                    status, _, rest = read_head(sock)
                    self.assertEqual((status, rest), (100, b""))
                    sock.sendall(body)
                    final = read_response(sock)
                    self.assertEqual(final.status, 200, final)
                finally:
                    sock.close()
                self.assertEqual(self.send_request("GET", target).body, body)
        self.send_request("DELETE", target)
        self.before["events"] += 3  # two puts and the delete
        self.assertNothingChanged()

    def test_pipelined_requests_are_answered_in_order(self):
        targets = ["/{}/sentinel".format(self.BUCKET), "/{}/missing".format(self.BUCKET),
                   "/{}/sentinel".format(self.BUCKET)]
        sock = self.raw_socket()
        try:
            sock.sendall(b"".join(self.request_head("GET", target,
                                                    self.signed_headers("GET", target))
                                  for target in targets))
            answers = []
            pending = b""
            for _ in targets:
                status, headers, rest = read_head_after(sock, pending)
                length = int(headers.get("content-length", "0"))
                while len(rest) < length:
                    rest += sock.recv(65536)
                answers.append((status, rest[:length]))
                pending = rest[length:]
        finally:
            sock.close()
        self.assertEqual(answers[0], (200, self.SENTINEL_BODY))
        self.assertEqual((answers[1][0], error_code(answers[1][1])), (404, "NoSuchKey"))
        self.assertEqual(answers[2], (200, self.SENTINEL_BODY))
        self.assertNothingChanged()

    def test_keep_alive_across_errors(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.port,
                                                timeout=SOCKET_TIMEOUT_SECONDS)
        wrong = Credentials(self.access_key, "x" + self.secret_key[1:])
        sentinel = "/{}/sentinel".format(self.BUCKET)
        steps = [
            ("GET", sentinel, {}, b"", {}, 200, None),
            ("GET", "/{}/missing".format(self.BUCKET), {}, b"", {}, 404, "NoSuchKey"),
            ("HEAD", "/{}/missing".format(self.BUCKET), {}, b"", {}, 404, None),
            ("GET", sentinel, {}, b"", {"credentials": wrong}, 403, "SignatureDoesNotMatch"),
            ("GET", "/no-such-bucket-here?list-type=2", {}, b"", {}, 404, "NoSuchBucket"),
            ("PUT", "/{}/digest".format(self.BUCKET),
             {"Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg=="}, b"not empty", {}, 400, "BadDigest"),
            ("GET", sentinel, {"Range": "bytes=100-200"}, b"", {}, 416, "InvalidRange"),
            ("GET", sentinel, {"If-Match": '"0000"'}, b"", {}, 412, "PreconditionFailed"),
            ("GET", sentinel, {}, b"", {}, 200, None),
        ]
        try:
            first_socket = None
            for number, (method, target, headers, body, signing, status, code) in enumerate(
                    steps):
                with self.subTest(step=number, method=method, target=target):
                    response = self.send_request(method, target, headers=headers, body=body,
                                                 connection=connection, **signing)
                    self.assertEqual((response.status, response.code), (status, code), response)
                    if first_socket is None:
                        first_socket = connection.sock
                    # http.client would quietly reconnect if the server had closed.
                    self.assertIs(connection.sock, first_socket,
                                  "the server closed the connection after step {}".format(
                                      number - 1))
                    self.assertNotEqual(response.headers.get("connection", "").lower(), "close")
        finally:
            connection.close()
        self.assertMissing("digest")
        self.assertNothingChanged()


if __name__ == "__main__":
    main(__file__)
