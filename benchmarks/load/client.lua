-- wrk script for benchmarks/load/run.py: one request kind per run, every answer checked, a JSON summary.
--
--   wrk -t2 -c32 -d60s -s client.lua http://127.0.0.1:PORT -- MODE DATAFILE NONCE GAP_S
--
-- MODE: "healthz" (GET /healthz), "scan" (POST /api/v1/transit/scans), "activity" (POST /api/v1/activities).
-- DATAFILE (not healthz): lines "s STOP_TOKEN" and "tN API_TOKEN" (thread N's residents), written by run.py.
-- Each thread cycles through its own residents. A thread's resident i is primed when i is even: prime.py
-- tapped it in at its first stop, so in the measured run its scans start with a tap-out.
-- A resident's n-th scan overall is at stop (i * 7 + n): it taps in at one stop and out at the next one.
--
-- What each request asks for travels in its X-Request-ID (the app echoes it): "in" (tapped_in), "out"
-- (trip_credited), "act" (credited), "hz" (200). response() counts an answer as good only when it did what
-- was asked; any other 2xx answer is "wrong" (with its outcome and reason), any other status an error.
--
-- GAP_S > 0: a token is used at most once per GAP_S seconds (as a resident's phone, whose scans are minutes
-- apart, pays the once-a-minute last_used_at write on every request). delay() waits when the next resident
-- is not due yet ("waits": the pool limited the rate); "early" counts uses within GAP_S - 1 s all the same.
-- done() prints one line "LOAD-RESULT {json}" with the counts and the latency percentiles (microseconds).

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("tid", #threads)
end

local mode, tokens, stops, nonce, gap, think
local counter, nreq = 0, 0
local uses, last = {}, {}
local path = {scan = "/api/v1/transit/scans", activity = "/api/v1/activities"}
local ACTIVITY = '{"behaviour":"recycling","inputs":{"material":"pet","kg":"0.1"}}'

function init(args)
   mode, nonce, gap = args[1], args[3] or "0", tonumber(args[4] or "0")
   think = tonumber(os.getenv("LOAD_THINK_MS") or "0")
   statuses, outcomes, codes, wrong, sent = {}, {}, {}, {}, {}
   good, waits, early = 0, 0, 0
   if mode ~= "healthz" then
      tokens, stops = {}, {}
      for line in io.lines(args[2]) do
         local kind, value = line:match("^(%S+) (%S+)$")
         if kind == "s" then
            table.insert(stops, value)
         elseif kind == "t" .. tid then
            table.insert(tokens, value)
         end
      end
   end
end

local function bump(counts, key)
   counts[key] = (counts[key] or 0) + 1
end

function delay()
   local wait = think
   if gap > 0 and (mode == "scan" or mode == "activity") then
      local due = last[counter % #tokens + 1]
      if due and due + gap > os.time() then
         waits = waits + 1
         wait = math.max(wait, (due + gap - os.time()) * 1000)
      end
   end
   return wait
end

function request()
   nreq = nreq + 1
   local id = string.format("ld-%s-%d-%d-", nonce, tid, nreq)
   if mode == "healthz" then
      return wrk.format("GET", "/healthz", {["X-Request-ID"] = id .. "hz"})
   end
   counter = counter + 1
   local resident = (counter - 1) % #tokens + 1
   if last[resident] and os.time() - last[resident] < gap - 1 then
      early = early + 1
   end
   last[resident] = os.time()
   local k = uses[resident] or 0
   uses[resident] = k + 1
   local body, expect = ACTIVITY, "act"
   if mode ~= "activity" then
      local n = k + ((resident % 2 == 0) and 1 or 0) -- a primed resident's scan 0 was its prime
      body = '{"stop_token":"' .. stops[(resident * 7 + n) % #stops + 1] .. '"}'
      expect = (n % 2 == 0) and "in" or "out"
   end
   bump(sent, expect)
   local headers = {
      ["Authorization"] = "Bearer " .. tokens[resident],
      ["Content-Type"] = "application/json",
      ["Idempotency-Key"] = string.format("%s-%d-%d-%d", nonce, tid, resident, k),
      ["X-Request-ID"] = id .. expect,
   }
   return wrk.format("POST", path[mode], headers, body)
end

local DID = {hz = "ok", ["in"] = "tapped_in", out = "trip_credited", act = "credited"}

function response(status, headers, body)
   local id = headers["X-Request-ID"] or headers["x-request-id"] or ""
   local expect = id:match("%-(%a+)$")
   bump(statuses, tostring(status))
   if status >= 300 then
      bump(codes, (body or ""):match('"code":%s*"([%w_]+)"') or "other")
   else
      local got = "ok"
      if mode ~= "healthz" then
         got = (body or ""):match('"' .. (mode == "activity" and "status" or "kind") .. '":%s*"([%a_]+)"') or "?"
         bump(outcomes, got)
      end
      if got == DID[expect] then
         good = good + 1
      else
         local reason = (body or ""):match('"reason":%s*"([%w_]+)"')
         bump(wrong, (expect or "?") .. ">" .. got .. (reason and (":" .. reason) or ""))
      end
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
   local all = {statuses = {}, outcomes = {}, codes = {}, wrong = {}, sent = {}}
   local sums = {good = 0, waits = 0, early = 0}
   for _, thread in ipairs(threads) do
      for name, total in pairs(all) do
         merge(total, thread:get(name))
      end
      for name, _ in pairs(sums) do
         sums[name] = sums[name] + (thread:get(name) or 0)
      end
   end
   local e = summary.errors
   io.write(string.format(
      'LOAD-RESULT {"duration_us":%d,"requests":%d,"good":%d,"waits":%d,"early":%d,"statuses":%s,'
         .. '"outcomes":%s,"codes":%s,"wrong":%s,"sent":%s,'
         .. '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},'
         .. '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
      summary.duration, summary.requests, sums.good, sums.waits, sums.early, object(all.statuses),
      object(all.outcomes), object(all.codes), object(all.wrong), object(all.sent),
      e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean
   ))
end
