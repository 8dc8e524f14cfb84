#!/usr/bin/env python3
"""Generates N one-request BatchUpdateUser cases for the benchmark, as
conform TOML (100 cases a file) and as Hurl files (one request a file).

usage: gen.py N OUT_DIR
"""
import os
import sys

n, out = int(sys.argv[1]), sys.argv[2]
toml_dir = os.path.join(out, f"conform-{n}")
hurl_dir = os.path.join(out, f"hurl-{n}")
os.makedirs(toml_dir, exist_ok=True)
os.makedirs(hurl_dir, exist_ok=True)

with open(os.path.join(toml_dir, "suite.toml"), "w") as f:
    f.write('[target]\nsigning_name = "chime"\nregion = "us-east-1"\n')

for start in range(0, n, 100):
    with open(os.path.join(toml_dir, f"batch-{start // 100:04}.toml"), "w") as f:
        for i in range(start, min(start + 100, n)):
            f.write(
                f'[[case]]\nname = "update {i}"\n[[case.step]]\nmethod = "POST"\n'
                'path = "/accounts/{{account_id}}/users"\n'
                'json = { UpdateUserRequestItems = [{ UserId = "{{user_id}}", LicenseType = "Basic" }] }\n'
                'expect = { status = 200, json = { UserErrors = [] } }\n\n'
            )

for i in range(n):
    with open(os.path.join(hurl_dir, f"case-{i:05}.hurl"), "w") as f:
        f.write(
            "POST {{base}}/accounts/{{account_id}}/users\n"
            "Authorization: AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/chime/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64 + "\n"
            "X-Amz-Date: 20260101T000000Z\n"
            "Content-Type: application/json\n"
            '{"UpdateUserRequestItems":[{"UserId":"{{user_id}}","LicenseType":"Basic"}]}\n'
            "HTTP 200\n"
            "[Asserts]\n"
            'jsonpath "$.UserErrors" count == 0\n'
        )
print(f"{n} cases in {toml_dir} and {hurl_dir}")
