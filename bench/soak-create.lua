-- wrk for bench/soak.sh, second mix: fills the double's state to its caps
-- and churns it. Most requests create users (with 256-character usernames,
-- the longest accepted) in the accounts this thread created; one in ten
-- creates an account; one in 5,000 deletes one, so accounts come and go
-- but live long enough to reach the user cap; the rest page through users
-- (200 a page) and read accounts. Past the caps the creates are answered
-- 400, which is part of what is measured.
local auth = "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/chime/aws4_request, "
  .. "SignedHeaders=host;x-amz-date, Signature=" .. string.rep("0", 64)
local headers = { ["Authorization"] = auth, ["X-Amz-Date"] = "20260101T000000Z",
  ["Content-Type"] = "application/json" }
local username = string.rep("n", 256)

local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

local accounts = {}
local known = {}
local n = 0
-- Tallies, summed over threads in done().
created_accounts, created_users, deleted, refused, held = 0, 0, 0, 0, 0

local function pick()
  return accounts[(n % #accounts) + 1]
end

request = function()
  n = n + 1
  local k = n % 10
  if #accounts == 0 or k == 0 then
    return wrk.format("POST", "/accounts", headers, '{"Name":"soak"}')
  end
  if n % 5000 == 1 then
    local i = (n % #accounts) + 1
    local id = table.remove(accounts, i)
    known[id] = nil
    held = #accounts
    return wrk.format("DELETE", "/accounts/" .. id, headers, nil)
  end
  if k <= 6 then
    -- Fixed-length addresses, so that the state at the caps has one size.
    local email = string.format("soak-%d-%010d@example.com", tid, n)
    return wrk.format("POST", "/accounts/" .. pick() .. "/users?operation=create", headers,
      '{"Email":"' .. email .. '","Username":"' .. username .. '"}')
  end
  if k <= 8 then
    return wrk.format("GET", "/accounts/" .. pick() .. "/users?max-results=200&next-token=" .. (n % 800), headers, nil)
  end
  return wrk.format("GET", "/accounts/" .. pick(), headers, nil)
end

response = function(status, hdrs, body)
  if status == 201 then
    local id = string.match(body, '^{"Account":{.-"AccountId":"([^"]+)"')
    if id and not known[id] then
      known[id] = true
      table.insert(accounts, id)
      held = #accounts
      created_accounts = created_accounts + 1
    else
      created_users = created_users + 1
    end
  elseif status == 204 then
    deleted = deleted + 1
  elseif status >= 400 then
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local t = { held = 0, created_accounts = 0, created_users = 0, deleted = 0, refused = 0 }
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do
      t[k] = t[k] + thread:get(k)
    end
  end
  io.write(string.format("accounts created %d, deleted %d, held at the end %d; users created %d; "
    .. "answered 4xx %d\n", t.created_accounts, t.deleted, t.held, t.created_users, t.refused))
end
