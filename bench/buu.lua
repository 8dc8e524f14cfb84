-- wrk: the same BatchUpdateUser POST that each generated case sends, with a
-- SigV4-shaped Authorization header (the server checks its form only).
-- ACCOUNT and USER come from the environment.
local account = os.getenv("ACCOUNT")
local user = os.getenv("USER_ID")
wrk.method = "POST"
wrk.path = "/accounts/" .. account .. "/users"
wrk.body = '{"UpdateUserRequestItems":[{"UserId":"' .. user .. '","LicenseType":"Basic"}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Amz-Date"] = "20260101T000000Z"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/chime/aws4_request, "
  .. "SignedHeaders=host;x-amz-date, Signature=" .. string.rep("0", 64)
