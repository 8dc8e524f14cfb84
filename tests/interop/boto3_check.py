"""boto3 against `conform serve`: the checks of tests/sdk.rs, through ClientError codes.

Usage: python boto3_check.py BASE_URL ACCESS_KEY SECRET
Exits 0 when every check holds; prints the first failed check otherwise.
"""
import json
import sys
import urllib.request

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

url, akid, secret = sys.argv[1:4]
no_retry = Config(retries={"total_max_attempts": 1, "mode": "standard"})


def client(secret_key, unsigned=False):
    cfg = no_retry.merge(Config(signature_version=UNSIGNED)) if unsigned else no_retry
    return boto3.client(
        "chime",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=akid,
        aws_secret_access_key=secret_key,
        config=cfg,
    )


def expect_error(code, call):
    try:
        call()
    except ClientError as e:
        got = e.response["Error"]["Code"]
        assert got == code, f"expected {code}, got {got}: {e}"
        return
    raise AssertionError(f"expected {code}, the call succeeded")


def faults(rules):
    req = urllib.request.Request(
        url + "/_localstack/chaos/faults", data=json.dumps(rules).encode(), method="POST"
    )
    with urllib.request.urlopen(req) as r:
        assert r.status == 200


c = client(secret)
account = c.create_account(Name="boto3")["Account"]["AccountId"]
users = [
    c.create_user(AccountId=account, Email=f"b{i}@example.com")["User"]["UserId"] for i in range(2)
]

out = c.batch_update_user(
    AccountId=account,
    UpdateUserRequestItems=[
        {"UserId": users[0], "LicenseType": "Basic"},
        {"UserId": "no-such-user", "LicenseType": "Basic"},
    ],
)
errors = out["UserErrors"]
assert [e["UserId"] for e in errors] == ["no-such-user"], errors
assert c.get_user(AccountId=account, UserId=users[0])["User"]["LicenseType"] == "Basic"
assert len(c.list_users(AccountId=account)["Users"]) == 2

items = [{"UserId": users[1], "LicenseType": "Pro"}] * 21
expect_error("BadRequestException", lambda: c.batch_update_user(AccountId=account, UpdateUserRequestItems=items))
expect_error(
    "NotFoundException",
    lambda: c.batch_update_user(AccountId="no-such-account", UpdateUserRequestItems=items[:1]),
)
expect_error("UnauthorizedClientException", lambda: client(secret, unsigned=True).get_account(AccountId=account))
expect_error("ForbiddenException", lambda: client("not-the-secret").get_account(AccountId=account))

faults([{"service": "chime", "operation": "BatchUpdateUser", "error": {"statusCode": 429, "code": "ThrottledClientException"}}])
call = lambda: c.batch_update_user(AccountId=account, UpdateUserRequestItems=[{"UserId": users[1], "LicenseType": "Plus"}])
expect_error("ThrottledClientException", call)
faults([])
call()
assert c.get_user(AccountId=account, UserId=users[1])["User"]["LicenseType"] == "Plus"
print("boto3: all checks passed")
