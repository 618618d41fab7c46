-- wrk script for a load run of the refresh grant in which every request is
-- a real rotation: each answer's refresh_token is spent by a later request.
--
--   # one refresh token per line, at least twice as many as connections
--   TOKENS=/tmp/tokens.txt wrk -t2 -c32 -d20s --latency \
--     -s server/web/testdata/refresh_chain.lua http://127.0.0.1:8080 -- 32
--
-- The argument is how many tokens each thread takes from the file.
local all = {}
for line in io.lines(os.getenv("TOKENS")) do all[#all + 1] = line end
local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
  thread:set("id", #threads)
end

function init(args)
  local n = tonumber(args[1])
  queue, failures, empty = {}, 0, 0
  for i = (id - 1) * n + 1, id * n do queue[#queue + 1] = all[i] end
end

function request()
  local tok = table.remove(queue, 1)
  if tok == nil then tok, empty = "none", empty + 1 end
  return wrk.format("POST", "/api/v1/token",
    {["Content-Type"] = "application/x-www-form-urlencoded"},
    "grant_type=refresh_token&refresh_token=" .. tok)
end

function response(status, headers, body)
  local tok = body:match('"refresh_token":"([^"]+)"')
  if status == 200 and tok then queue[#queue + 1] = tok else failures = failures + 1 end
end

function done(summary, latency, requests)
  local f, e = 0, 0
  for _, t in ipairs(threads) do f, e = f + t:get("failures"), e + t:get("empty") end
  io.write(string.format("failed: %d, sent without a token: %d\n", f, e))
end
