-- The survey benches: GET or POST /s/<token>, tokens read from a file (one per line).
--   wrk ... -s bench/lua/survey.lua http://127.0.0.1:PORT -- TOKENS_FILE GET
--   wrk ... -s bench/lua/survey.lua http://127.0.0.1:PORT -- TOKENS_FILE POST BODY_FILE MARKER
-- GET cycles through the tokens; POST uses each token once (an answered link cannot be
-- answered again), so the runner hands each run a file of still-open tokens, more than it needs.
-- A POST's token line is "token csrf": the link's own CSRF token (feedback/link_csrf.py) replaces
-- MARKER in the body, as the link's page would have it; no cookie is needed.
dofile("bench/lua/report.lua")

local tokens = {}
local csrf = {}
local body = nil
local marker = nil
local next_token = 0

function init(args)
  for line in io.lines(args[1]) do
    local token, token_csrf = line:match("^(%S+)%s*(%S*)$")
    tokens[#tokens + 1] = token
    csrf[#csrf + 1] = token_csrf
  end
  if args[2] == "POST" then
    local file = assert(io.open(args[3], "r"))
    wrk.method = "POST"
    body = file:read("*a")
    marker = args[4]
    file:close()
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
end

function request()
  next_token = next_token % #tokens + 1
  if body then
    local filled = body:gsub(marker, csrf[next_token])
    return wrk.format(nil, "/s/" .. tokens[next_token], nil, filled)
  end
  return wrk.format(nil, "/s/" .. tokens[next_token])
end
