-- wrk script: POST batches of 1,000 NDJSON predictions, each with new ids (so every row is stored and
-- committed, not deduplicated). Event times advance with the row number, 100 rows per second of event time.
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  -- An optional id offset (wrk ... -- OFFSET), so a second run sends new ids too, and a feature count
  -- (wrk ... -- OFFSET FEATURES, default 2): one in three categorical (c1, c4, …), the others numeric (x0, x2, …).
  offset = tonumber(args[1]) or 0
  local features = tonumber(args[2]) or 2
  batch = 0
  failures = 0
  regions = {"eu", "us", "apac"}
  -- 97 feature objects, made once, so that the generator's cost does not grow with the feature count.
  variants = {}
  for v = 0, 96 do
    local parts = {}
    for k = 0, features - 1 do
      if k % 3 == 1 then
        parts[#parts + 1] = string.format('"c%d":"k%d"', k, (v + k) % (5 + k))
      else
        parts[#parts + 1] = string.format('"x%d":%d.%d', k, (v * (k + 1)) % 97, v % 10)
      end
    end
    variants[v] = "{" .. table.concat(parts, ",") .. "}"
  end
end

function request()
  batch = batch + 1
  local base = offset + (tid * 100000000) + batch * 1000
  local rows = {}
  for i = 1, 1000 do
    local n = base + i
    local score = (n * 7919) % 10000
    rows[i] = string.format(
      '{"id":"b%d","ts":%d,"model":"bench","version":"v1","segment":{"region":"%s"},"features":%s,"score":0.%04d,"prediction":%d}',
      n, 1704067200 + (batch * 10) + math.floor(i / 100), regions[(n % 3) + 1], variants[n % 97], score, score >= 5000 and 1 or 0)
  end
  return wrk.format("POST", "/v1/predictions", {["Content-Type"] = "application/x-ndjson"}, table.concat(rows, "\n"))
end

function response(status, headers, body)
  if status ~= 200 then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, t in ipairs(threads) do failed = failed + t:get("failures") end
  io.write(string.format("BENCH requests=%d failed=%d seconds=%.3f p50_ms=%.3f p99_ms=%.3f\n",
    summary.requests, failed, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
