-- The survey benches: GET or POST /s/<token>, tokens read from a file (one per line).
--   wrk ... -s bench/lua/survey.lua http://127.0.0.1:PORT -- TOKENS_FILE GET
--   wrk ... -s bench/lua/survey.lua http://127.0.0.1:PORT -- TOKENS_FILE POST BODY_FILE
-- GET cycles through the tokens; POST uses each token once (an answered link cannot be
-- answered again), so the runner hands each run a file of still-open tokens, more than it needs.
-- The cookie (the CSRF secret) comes with -H "Cookie: ...".
dofile("bench/lua/report.lua")

local tokens = {}
local next_token = 0

function init(args)
  for line in io.lines(args[1]) do
    tokens[#tokens + 1] = line
  end
  if args[2] == "POST" then
    local file = assert(io.open(args[3], "r"))
    wrk.method = "POST"
    wrk.body = file:read("*a")
    file:close()
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
end

function request()
  next_token = next_token % #tokens + 1
  return wrk.format(nil, "/s/" .. tokens[next_token])
end
