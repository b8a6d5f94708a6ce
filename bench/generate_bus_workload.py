#!/usr/bin/env python3
"""Writes the bus benchmark's workloads as JSON lines into a folder:

  events.jsonl               S3 "Object Created" events, as the lake emits them
  broad-<N>.jsonl            N rules of mixed kinds (exact, prefix, numeric, anything-but,
                             wildcard) that overlap heavily: they share buckets, prefixes and
                             ranges, so one event matches several percent of them
  selective-<N>.jsonl        N distinct rules, each matching a handful of events

for N in 10, 100, 1000, 10000. Deterministic: the same seed writes the same files.
Usage: generate_bus_workload.py DIR [--events N] [--seed S]
"""
import argparse
import json
import os
import random
import uuid

RULE_COUNTS = [10, 100, 1000, 10000]
BUCKETS = ["lake", "landing", "archive", "exports", "logs", "raw-zone", "curated", "sandbox",
           "backups", "metrics", "audit", "ml-features", "reports", "staging", "ingest",
           "partner-a", "partner-b", "partner-c", "warehouse", "scratch"]
AREAS = ["raw", "staged", "results", "tmp"]
DATASETS = ["orders", "customers", "payments", "clicks", "inventory", "returns"]
EXTENSIONS = [".csv", ".json", ".parquet", ".gz"]
KEY_POOL = 20000  # distinct keys; events reuse them, so an exact key matches a handful


def key_for(i, rng):
    return (f"{rng.choice(AREAS)}/{rng.choice(DATASETS)}/{2020 + i % 6}/{1 + i % 12:02d}/"
            f"part-{i:05d}{rng.choice(EXTENSIONS)}")


def event(rng, keys, n):
    bucket = rng.choice(BUCKETS)
    key = rng.choice(keys)
    return {
        "version": "0", "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "detail-type": "Object Created", "source": "aws.s3", "account": "000000000000",
        "time": "2026-11-24T10:%02d:%02dZ" % (n // 60 % 60, n % 60), "region": "us-east-1",
        "resources": [f"arn:aws:s3:::{bucket}"],
        "detail": {"version": "0", "bucket": {"name": bucket},
                   "object": {"key": key, "size": rng.randint(0, 5_000_000_000),
                              "etag": "%032x" % rng.getrandbits(128),
                              "sequencer": "%016X" % n},
                   "request-id": "%016X" % rng.getrandbits(64), "requester": "000000000000",
                   "source-ip-address": f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                   "reason": "PutObject"},
    }


def broad_rule(i, rng):
    base = {"source": ["aws.s3"], "detail-type": ["Object Created"]}
    kind = i % 5
    area, dataset = rng.choice(AREAS), rng.choice(DATASETS)
    if kind == 0:
        detail = {"bucket": {"name": rng.sample(BUCKETS, 2)}}
    elif kind == 1:
        detail = {"object": {"key": [{"prefix": f"{area}/{dataset}/"}]}}
    elif kind == 2:
        low = rng.randint(0, 4_500_000_000)
        detail = {"object": {"size": [{"numeric": [">=", low, "<", low + 500_000_000]}]}}
    elif kind == 3:
        detail = {"bucket": {"name": [{"anything-but": rng.sample(BUCKETS, 3)}]},
                  "object": {"key": [{"prefix": f"{area}/"}]}}
    else:
        detail = {"object": {"key": [{"wildcard": f"*/{dataset}/{rng.randint(2020, 2025)}/*"}]}}
    base["detail"] = detail
    return {"name": f"broad-{i}", "pattern": base}


def selective_rule(i, rng, keys):
    kind = i % 4
    key = keys[i % len(keys)]
    if kind == 0:
        detail = {"object": {"key": [key]}}
    elif kind == 1:
        detail = {"object": {"key": [{"prefix": key[: key.rindex(".")]}]}}
    elif kind == 2:
        detail = {"object": {"key": [{"suffix": key[key.index("/"):]}]}}
    else:
        detail = {"object": {"key": [key], "size": [{"numeric": [">=", 0]}]}}
    return {"name": f"selective-{i}",
            "pattern": {"source": ["aws.s3"], "detail": detail}}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    rng = random.Random(args.seed)
    keys = [key_for(i, rng) for i in range(KEY_POOL)]
    with open(os.path.join(args.dir, "events.jsonl"), "w") as f:
        for n in range(args.events):
            f.write(json.dumps(event(rng, keys, n), separators=(",", ":")) + "\n")
    for count in RULE_COUNTS:
        with open(os.path.join(args.dir, f"broad-{count}.jsonl"), "w") as f:
            for i in range(count):
                f.write(json.dumps(broad_rule(i, rng)) + "\n")
        with open(os.path.join(args.dir, f"selective-{count}.jsonl"), "w") as f:
            for i in range(count):
                f.write(json.dumps(selective_rule(i, rng, keys)) + "\n")


if __name__ == "__main__":
    main()
