"""bench/s3: sluice's S3 endpoint beside nginx serving and accepting the same files, on the same
machine, in the same run.

    python3 bench/s3_bench.py --build build [--clients N] [--seconds S] [--large-mb M] [--runs R]

- nginx (Debian's /usr/sbin/nginx, started here with a generated config): 2 workers, sendfile,
  keep-alive, no access log; GET serves plain files, PUT stores them through WebDAV (dav_methods
  PUT). Its PUT is not durable: nginx writes a temporary file and renames it, without fsync.
- sluice: `sluice serve --listen 127.0.0.1:0` on a fresh data dir, one bucket. Its PUT is durable:
  the object is fsynced and committed before the answer.
- 4 KiB objects: build/bench/s3_load, N clients (default 16), each with one keep-alive
  connection, PUT for S seconds (default 5), then (after a sync) GET back what they put for as
  long again; R runs per server (default 3), the servers taking turns, medians reported.
  Requests to sluice are SigV4-signed with the payload's SHA-256; requests to nginx are the same
  but unsigned. Every status and every GET body is checked.
- One large object (default 1024 MiB, or $S3_BENCH_LARGE_MB): curl uploads it (`curl -T`) and
  downloads it (`-o /dev/null`), through presigned URLs for sluice. Rate = bytes / curl's
  time_total (connect to the last byte of the answer). Median of R runs (default 3) after an
  untimed one, sluice and nginx alternating. Each transfer starts after a sync(), so that none
  shares the disk with the writeback of an earlier one (nginx's PUTs leave theirs to the kernel).

Prints a table with sluice/nginx ratios. Targets: 4 KiB GET >= 0.5x nginx, large GET >= 0.8x.
Everything lives in a temporary folder under the build dir, removed at the end, as both servers
are stopped, even on failure.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

NGINX = "/usr/sbin/nginx"
BUCKET = "bench"
LARGE_KEY = "large.bin"
# What the issue asks of GETs, as sluice's rate / nginx's.
SMALL_GET_TARGET = 0.5
LARGE_GET_TARGET = 0.8

NGINX_CONFIG = """\
{user}
worker_processes 2;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 75s;
    keepalive_requests 1000000;
    client_body_temp_path {dir}/nginx-temp/body;
    proxy_temp_path {dir}/nginx-temp/proxy;
    fastcgi_temp_path {dir}/nginx-temp/fastcgi;
    uwsgi_temp_path {dir}/nginx-temp/uwsgi;
    scgi_temp_path {dir}/nginx-temp/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {dir}/nginx-root;
        location / {{
            dav_methods PUT;
            create_full_put_path on;
            client_max_body_size 0;
        }}
    }}
}}
"""


def fail(message):
    sys.exit("s3_bench: " + message)


def run(argv, env=None, timeout=None):
    done = subprocess.run(argv, capture_output=True, env=env, timeout=timeout)
    if done.returncode != 0:
        fail("{} failed ({}): {}".format(" ".join(argv), done.returncode,
                                         done.stderr.decode()[-2000:]))
    return done.stdout.decode()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_listening(process, port, log_path):
    deadline = time.time() + 10
    while time.time() < deadline:
        if process.poll() is not None:
            fail("the server ended at start: " + open(log_path).read()[-2000:])
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    fail("nothing listens on port {} after 10 s".format(port))


class Servers:
    """Both servers, stopped (and waited for) by stop(), whatever state they are in."""

    def __init__(self):
        self.processes = []

    def start(self, argv, log_path):
        with open(log_path, "wb") as log:
            process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def start_nginx(servers, work):
    """nginx on a free port; returns HOST:PORT."""
    port = free_port()
    for folder in ("nginx-root", "nginx-temp"):
        os.makedirs(os.path.join(work, folder))
    config = os.path.join(work, "nginx.conf")
    # As root, nginx's workers would run as `nobody`, who may not reach the build dir.
    user = "user root;" if os.geteuid() == 0 else ""
    with open(config, "w") as out:
        out.write(NGINX_CONFIG.format(user=user, dir=work, port=port))
    log_path = os.path.join(work, "nginx.log")
    process = servers.start([NGINX, "-p", work, "-c", config, "-e", log_path, "-g",
                             "daemon off;"], log_path)
    wait_until_listening(process, port, log_path)
    return "127.0.0.1:{}".format(port)


def start_sluice(servers, binary, work):
    """sluice serve on a fresh data dir; returns (HOST:PORT, an env with its access key)."""
    data_dir = os.path.join(work, "sluice-data")
    env = dict(os.environ)
    for line in run([binary, "--data-dir", data_dir, "credentials", "--env"]).splitlines():
        name, _, value = line.partition("=")
        env[name] = value
    log_path = os.path.join(work, "sluice.log")
    process = servers.start([binary, "--data-dir", data_dir, "serve", "--listen", "127.0.0.1:0"],
                            log_path)
    deadline = time.time() + 30
    while time.time() < deadline:
        lines = open(log_path).read().splitlines()
        if lines and re.fullmatch(r"[\d.]+:\d+", lines[0]):
            return lines[0], env
        if process.poll() is not None:
            fail("sluice serve ended at start: " + "\n".join(lines)[-2000:])
        time.sleep(0.05)
    fail("sluice serve printed no address in 30 s")


class Bench:
    """The measurements, against the two running servers."""

    def __init__(self, args, work, nginx, sluice, sluice_env):
        self.args = args
        self.work = work
        self.nginx = nginx
        self.sluice = sluice
        self.sluice_env = sluice_env
        self.s3_load = os.path.join(args.build, "bench", "s3_load")

    def presign(self, method, key=None):
        argv = [self.s3_load, "presign", "--endpoint", self.sluice, "--method", method,
                "--bucket", BUCKET]
        if key:
            argv += ["--key", key]
        return run(argv, self.sluice_env).strip()

    def curl(self, argv, what, body_path=None):
        """Runs curl, whose -w prints '<status> <bytes> <seconds>', and returns (bytes, seconds).
        The answer's body goes to body_path, else to a scratch file shown if the status is not
        2xx."""
        scratch = os.path.join(self.work, "curl-answer")
        out = run(["curl", "-sS", "-o", body_path or scratch] + argv, timeout=3600).split()
        status, size, seconds = int(out[0]), int(out[1]), float(out[2])
        if status // 100 != 2:
            body = open(scratch, errors="replace").read() if body_path is None else ""
            fail("{} answered {} {}".format(what, status, body))
        return size, seconds

    def create_bucket(self):
        self.curl(["-X", "PUT", "-w", "%{http_code} 0 %{time_total}", self.presign("PUT")],
                  "sluice CreateBucket")

    def small(self, endpoint, auth, prefix, env=None):
        """s3_load small against one server; returns {"PUT": ops/s, "GET": ops/s}."""
        out = run([self.s3_load, "small", "--endpoint", endpoint, "--bucket", BUCKET, "--auth",
                   auth, "--clients", str(self.args.clients), "--seconds", str(self.args.seconds),
                   "--size", "4096", "--prefix", prefix], env, timeout=2 * self.args.seconds + 120)
        rates = {}
        for line in out.splitlines():
            print("    " + line, flush=True)
            match = re.match(r"(PUT|GET) .* = ([\d.]+) ops/s", line)
            if match:
                rates[match.group(1)] = float(match.group(2))
        return rates

    def upload(self, url, path, what):
        os.sync()  # no writeback of earlier transfers during this one
        size, seconds = self.curl(["-T", path, "-w", "%{http_code} %{size_upload} %{time_total}",
                                   url], what)
        if size != os.path.getsize(path):
            fail("{} sent {} bytes, not {}".format(what, size, os.path.getsize(path)))
        return size / seconds / 1e6

    def download(self, url, expected_size, what):
        os.sync()
        size, seconds = self.curl(["-w", "%{http_code} %{size_download} %{time_total}", url],
                                  what, body_path="/dev/null")
        if size != expected_size:
            fail("{} returned {} bytes, not {}".format(what, size, expected_size))
        return size / seconds / 1e6

    def large_run(self, path):
        """One PUT and one GET of the large file on each server: MB/s by (op, server)."""
        size = os.path.getsize(path)
        nginx_url = "http://{}/{}/{}".format(self.nginx, BUCKET, LARGE_KEY)
        rates = {}
        rates["PUT", "sluice"] = self.upload(self.presign("PUT", LARGE_KEY), path, "sluice PUT")
        rates["PUT", "nginx"] = self.upload(nginx_url, path, "nginx PUT")
        rates["GET", "sluice"] = self.download(self.presign("GET", LARGE_KEY), size, "sluice GET")
        rates["GET", "nginx"] = self.download(nginx_url, size, "nginx GET")
        return rates


def write_random_file(path, mebibytes):
    with open(path, "wb") as out:
        for _ in range(mebibytes):
            out.write(os.urandom(1 << 20))


def print_table(args, small, large):
    print()
    print("{:<28} {:>14} {:>14} {:>13}   {}".format("operation", "sluice", "nginx",
                                                     "sluice/nginx", "target"))
    rows = [
        ("4 KiB PUT, {} clients".format(args.clients), small["sluice"]["PUT"],
         small["nginx"]["PUT"], "ops/s", None),
        ("4 KiB GET, {} clients".format(args.clients), small["sluice"]["GET"],
         small["nginx"]["GET"], "ops/s", SMALL_GET_TARGET),
        ("{} MiB PUT, curl".format(args.large_mb), large["PUT", "sluice"], large["PUT", "nginx"],
         "MB/s", None),
        ("{} MiB GET, curl".format(args.large_mb), large["GET", "sluice"], large["GET", "nginx"],
         "MB/s", LARGE_GET_TARGET),
    ]
    for name, ours, theirs, unit, target in rows:
        ratio = ours / theirs
        verdict = "-"
        if target is not None:
            verdict = ">= {:.1f}x: {}".format(target, "met" if ratio >= target else "NOT met")
        print("{:<28} {:>8.1f} {:<5} {:>8.1f} {:<5} {:>12.2f}x   {}".format(
            name, ours, unit, theirs, unit, ratio, verdict))
    print("(PUT: sluice fsyncs and commits before it answers; nginx's WebDAV PUT does not fsync.)")


def benchmark(args, bench):
    print("4 KiB objects, {} keep-alive clients, {} s of PUT then {} s of GET, {} runs per server "
          "taking turns (medians below)".format(args.clients, args.seconds, args.seconds,
                                                args.runs), flush=True)
    bench.create_bucket()
    # nginx's small-object rate swings by half from one run to the next on a shared 2-core
    # machine; turns and medians keep one lucky or unlucky run from deciding the ratio.
    servers = [("sluice", "SigV4-signed", bench.sluice, "sigv4", bench.sluice_env),
               ("nginx", "unsigned", bench.nginx, "none", None)]
    small_runs = {"sluice": [], "nginx": []}
    for i in range(args.runs):
        for name, signing, endpoint, auth, env in servers if i % 2 == 0 else reversed(servers):
            print("  run {}, {} ({}):".format(i + 1, name, signing), flush=True)
            small_runs[name].append(bench.small(endpoint, auth, "run{}/".format(i + 1), env))
    small = {name: {op: statistics.median(run[op] for run in runs) for op in ("PUT", "GET")}
             for name, runs in small_runs.items()}

    print("one {} MiB object by curl, {} runs after an untimed one (medians below)".format(
        args.large_mb, args.runs), flush=True)
    path = os.path.join(bench.work, "large-source.bin")
    write_random_file(path, args.large_mb)
    # An untimed round first: the first writes into memory the page cache has not used yet run
    # slower (on VMs, much slower while the host backs the guest's pages), for either server.
    bench.large_run(path)
    runs = []
    for i in range(args.runs):
        runs.append(bench.large_run(path))
        rates = ("{} {} {:.1f} MB/s".format(op, server, rate)
                 for (op, server), rate in runs[-1].items())
        print("  run {}: {}".format(i + 1, ", ".join(rates)), flush=True)
    large = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    print_table(args, small, large)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--large-mb", type=int,
                        default=int(os.environ.get("S3_BENCH_LARGE_MB", "1024")),
                        help="MiB in the large object (default $S3_BENCH_LARGE_MB, else 1024)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    args.build = os.path.abspath(args.build)
    # A SIGTERM unwinds like an error, through the cleanup below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("s3_bench: terminated"))

    work = tempfile.mkdtemp(prefix="s3-bench-", dir=args.build)
    servers = Servers()
    try:
        nginx = start_nginx(servers, work)
        sluice, sluice_env = start_sluice(servers,
                                          os.path.join(args.build, "src", "cli", "sluice"), work)
        version = subprocess.run([NGINX, "-v"], capture_output=True, text=True).stderr.strip()
        print("sluice at {} beside {} at {}, in {}".format(sluice, version, nginx, work))
        benchmark(args, Bench(args, work, nginx, sluice, sluice_env))
    finally:
        servers.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
