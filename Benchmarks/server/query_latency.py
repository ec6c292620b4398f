#!/usr/bin/env python3
"""Measures the latency of one metrics query, request by request, over a keep-alive connection.

Usage: query_latency.py PORT PATH SECONDS — prints `BENCH requests=… errors=… seconds=… p50_ms=… p90_ms=…
p99_ms=… max_ms=…`. Each latency is measured client-side around one request (wrk's Lua summary gave
percentiles inconsistent with its own request count, so we measure directly).
"""
import http.client
import sys
import time

port, path, seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
latencies, errors = [], 0
start = time.perf_counter()
while time.perf_counter() - start < seconds:
    t = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    latencies.append((time.perf_counter() - t) * 1000)
    errors += response.status != 200
elapsed = time.perf_counter() - start
latencies.sort()


def pct(q):
    return latencies[min(len(latencies) - 1, int(q * len(latencies)))]


print(f"BENCH requests={len(latencies)} errors={errors} seconds={elapsed:.3f} "
      f"p50_ms={pct(0.5):.3f} p90_ms={pct(0.9):.3f} p99_ms={pct(0.99):.3f} max_ms={latencies[-1]:.3f}")
