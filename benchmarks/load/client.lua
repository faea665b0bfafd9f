-- wrk script for benchmarks/load/run.py: one of three request kinds, counters per thread, a JSON summary.
--
--   wrk -t2 -c32 -d20s -s client.lua http://127.0.0.1:PORT -- MODE DATAFILE NONCE
--
-- MODE: "healthz" (GET /healthz), "scan" (POST /api/v1/transit/scans), "activity" (POST /api/v1/activities).
-- DATAFILE (scan, activity): a Lua file returning {tokens = {{...thread 1...}, {...thread 2...}}, stops = {...}}
-- written by run.py. Each thread cycles through its own residents; a resident's n-th scan is at stop
-- (offset + n), so consecutive scans of one resident tap in at one stop and out at the next one.
-- response() counts statuses, scan outcomes ("kind") and error codes; done() prints one line
-- "LOAD-RESULT {json}" with the counts and the latency percentiles (microseconds).

local threads = {}

-- LOAD_THINK_MS > 0: each connection pauses that long before each request (clients that are not always busy).
local think = tonumber(os.getenv("LOAD_THINK_MS") or "0")
if think > 0 then
   function delay()
      return think
   end
end

function setup(thread)
   table.insert(threads, thread)
   thread:set("tid", #threads)
end

local mode, tokens, stops, nonce, counter
local path = {scan = "/api/v1/transit/scans", activity = "/api/v1/activities"}
local ACTIVITY = '{"behaviour":"recycling","inputs":{"material":"pet","kg":"0.1"}}'

function init(args)
   mode, nonce, counter = args[1], args[3] or "0", 0
   statuses, outcomes, codes = {}, {}, {}
   if mode ~= "healthz" then
      local data = dofile(args[2])
      tokens, stops = data.tokens[tid], data.stops
   end
end

function request()
   counter = counter + 1
   if mode == "healthz" then
      return wrk.format("GET", "/healthz")
   end
   local resident = (counter - 1) % #tokens + 1
   local nth = math.floor((counter - 1) / #tokens)
   local headers = {
      ["Authorization"] = "Bearer " .. tokens[resident],
      ["Content-Type"] = "application/json",
      ["Idempotency-Key"] = string.format("%s-%d-%d", nonce, tid, counter),
   }
   local body = ACTIVITY
   if mode == "scan" then
      local stop = stops[(resident * 7 + nth) % #stops + 1]
      body = '{"stop_token":"' .. stop .. '"}'
   end
   return wrk.format("POST", path[mode], headers, body)
end

local function bump(counts, key)
   counts[key] = (counts[key] or 0) + 1
end

function response(status, headers, body)
   bump(statuses, tostring(status))
   if status >= 300 then
      bump(codes, body:match('"code":%s*"([%w_]+)"') or "other")
   elseif mode == "scan" then
      bump(outcomes, body:match('"kind":%s*"([%a_]+)"') or "unknown")
   elseif mode == "activity" then
      bump(outcomes, body:match('"status":%s*"([%a_]+)"') or "unknown")
   end
end

local function merge(total, part)
   for key, count in pairs(part or {}) do
      total[key] = (total[key] or 0) + count
   end
end

local function object(counts)
   local parts = {}
   for key, count in pairs(counts) do
      table.insert(parts, string.format('"%s":%d', key, count))
   end
   return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests)
   local all_statuses, all_outcomes, all_codes = {}, {}, {}
   for _, thread in ipairs(threads) do
      merge(all_statuses, thread:get("statuses"))
      merge(all_outcomes, thread:get("outcomes"))
      merge(all_codes, thread:get("codes"))
   end
   local e = summary.errors
   io.write(string.format(
      'LOAD-RESULT {"duration_us":%d,"requests":%d,"statuses":%s,"outcomes":%s,"codes":%s,'
         .. '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},'
         .. '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
      summary.duration, summary.requests, object(all_statuses), object(all_outcomes), object(all_codes),
      e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean
   ))
end
