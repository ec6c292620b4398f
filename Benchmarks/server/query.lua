-- wrk script: the latency distribution of a metrics query (all built-in metrics, AUC included).
function done(summary, latency, requests)
  io.write(string.format("BENCH requests=%d errors=%d seconds=%.3f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f\n",
    summary.requests, summary.errors.status, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000))
end
