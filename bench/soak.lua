-- wrk for bench/soak.sh: cycles through a valid update, an update with an
-- unknown user, an invalid request (21 items) and a GetUser.
local account = os.getenv("ACCOUNT")
local user = os.getenv("USER_ID")
local auth = "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/chime/aws4_request, "
  .. "SignedHeaders=host;x-amz-date, Signature=" .. string.rep("0", 64)
local item = '{"UserId":"' .. user .. '","LicenseType":"Basic"}'
local many = {}
for i = 1, 21 do many[i] = item end
local requests = {
  { "POST", "/accounts/" .. account .. "/users", '{"UpdateUserRequestItems":[' .. item .. ']}' },
  { "POST", "/accounts/" .. account .. "/users",
    '{"UpdateUserRequestItems":[' .. item .. ',{"UserId":"ghost","LicenseType":"Pro"}]}' },
  { "POST", "/accounts/" .. account .. "/users", '{"UpdateUserRequestItems":[' .. table.concat(many, ",") .. ']}' },
  { "GET", "/accounts/" .. account .. "/users/" .. user, nil },
}
local n = 0
request = function()
  n = n + 1
  local r = requests[(n % #requests) + 1]
  return wrk.format(r[1], r[2], { ["Authorization"] = auth, ["X-Amz-Date"] = "20260101T000000Z",
    ["Content-Type"] = "application/json" }, r[3])
end
