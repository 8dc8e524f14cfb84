#!/usr/bin/env python3
"""Generates the large inputs of bench/probes.sh into OUT (target/probes).

usage: gen.py OUT BASE_REPORT

- OUT/bodies/*, OUT/routes.json: the hostile endpoint's responses;
- OUT/gen/*.toml: case files too large to commit;
- OUT/baseline300k.toml: a baseline of 300,000 entries;
- OUT/merge/a, OUT/merge/b: two report folders with 150,000 statements
  between them, made from BASE_REPORT (a report.json the binary under test
  wrote, so its format is the binary's own);
- OUT/deep/: a model of six levels of six members and its request.

Everything is deterministic; nothing here is committed.
"""

import json
import os
import sys


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode) as f:
        f.write(data)


def bodies(out):
    routes = {}

    def route(path, name, data, status=200, ctype="application/json"):
        write(os.path.join(out, "bodies", name), data)
        routes[path] = {"status": status, "type": ctype, "file": "bodies/" + name}

    # A timestamp whose byte offsets fall inside a two-byte character.
    route("/stamp", "stamp.json", '{"When":"2024-01-01T00:00:0\u00e9Z"}'.encode())
    # SlotName ^([A-Za-z](-|_|.)?)+$: 60 letters, then two that no branch takes.
    route("/slot", "slot.json", json.dumps({"Name": "a" * 60 + "!!"}))
    # S3Bucket ^[a-z0-9A-Z]+[\.\-\w]*[a-z0-9A-Z]+$: cubic in the letters before the `!`.
    route("/bucket", "bucket.json", json.dumps({"Bucket": "a" * 5000 + "!"}))
    # 100,000 undocumented members.
    members = ",".join(f'"x{i}":0' for i in range(100_000))
    route("/thing/u", "thing.json", '{"Id":"u",' + members + "}")
    # 100,000 values of a sensitive member.
    items = ",".join(f'{{"Secret":"secret-{i:06d}-value"}}' for i in range(100_000))
    route("/secrets", "secrets.json", '{"Items":[' + items + "]}")
    # A 2 MB key above 1,000,000 empty arrays, no duplicate.
    route("/dupkeys", "dupkeys.json", '{"' + "k" * 2_000_000 + '":[' + ",".join(["[]"] * 1_000_000) + "]}")
    # 3,900,000 items for a for_each (7.8 MB).
    route("/biglist", "biglist.json", '{"Items":[' + ",".join(["0"] * 3_900_000) + "]}")
    route("/item", "item.json", "{}")
    route("/ok", "ok.json", "{}")
    # [0,0,...]: 4,000,000 items, 8,000,001 bytes (under the 8 MiB read limit).
    route("/zeros", "zeros.json", "[" + ",".join(["0"] * 4_000_000) + "]")
    # 7.9 MB of text, for 150 cases.
    route("/big", "big.txt", b"a" * 7_900_000, ctype="text/plain")
    # 5,000 items in order.
    route("/unordered", "unordered.json", json.dumps(list(range(5000))))
    # Wrong verdicts: one value per item of the issue.
    for kind, body in {
        "int32": '{"Small":2147483648}',
        "int64": '{"Big":9223372036854775808}',
        # -1e40 written as an integer: 41 digits, beyond i128.
        "min": '{"Bounded":-1' + "0" * 40 + "}",
        "float-range": '{"Ratio":2.5}',
        "blob": '{"Data":5}',
        "union": '{"Choice":{"A":"a","B":"b"}}',
        "map-key": '{"Labels":{"NOT-a-lowercase-key":"v"}}',
    }.items():
        route("/numbers/" + kind, f"numbers-{kind}.json", body)
    # An exponent of 40 digits: beyond what the decimal comparison places.
    route("/huge", "huge.json", '{"v":1e' + "9" * 40 + "}")
    route("/latest", "latest.json", '{"latestVersion":"1"}')
    write(os.path.join(out, "routes.json"), json.dumps(routes, indent=1))


def cases(out):
    g = os.path.join(out, "gen")
    # `$unordered` of 5,000 items that come back in order.
    write(os.path.join(g, "unordered.toml"),
          '[[case]]\nname = "u"\n[[case.step]]\nmethod = "GET"\npath = "/unordered"\n'
          'expect.json = { "$unordered" = [' + ", ".join(str(i) for i in range(5000)) + "] }\n")
    # 150 cases, each reading a 7.9 MB body.
    write(os.path.join(g, "bodies.toml"), "".join(
        f'[[case]]\nname = "b{i}"\n[[case.step]]\nmethod = "GET"\npath = "/big"\nexpect.status = 200\n'
        for i in range(150)))
    # 1,500 repeat(..., 1048576) in one 40 KB file: 1.5 GiB if expanded.
    calls = ", ".join(["\"{{ repeat('a', 1048576) }}\""] * 1500)
    write(os.path.join(out, "check", "repeat", "repeat.toml"),
          '[[case]]\nname = "r"\n[[case.step]]\nmethod = "POST"\npath = "/ok"\njson = { a = [' + calls + "] }\n")
    # 40,000 load errors in one file (an undefined variable per case).
    write(os.path.join(out, "check", "errors", "errors.toml"), "".join(
        f'[[case]]\nname = "c{i}"\n[[case.step]]\nmethod = "GET"\npath = "/x/{{{{nope{i}}}}}"\n'
        for i in range(40_000)))


def baseline(out):
    # One entry that knows the probe case's divergence, then 299,999 that
    # name cases no run has (listed, never failing).
    parts = ['[[known]]\ncase = "plain/baseline::b"\nkind = "status"\nreason = "the probe expects 201"\n']
    parts += [f'[[known]]\ncase = "z{i}"\n' for i in range(299_999)]
    write(os.path.join(out, "baseline300k.toml"), "".join(parts))


def merge(out, base_report):
    with open(base_report) as f:
        base = json.load(f)
    if not base.get("cases"):
        sys.exit(f"{base_report} holds no case")
    case = base["cases"][0]
    for name, lo, hi in (("a", 0, 75_000), ("b", 75_000, 150_000)):
        r = json.loads(json.dumps(base))
        c = json.loads(json.dumps(case))
        c["id"] = f"merge/{name}::c"
        c["covers"] = [f"S{lo:06d}"]
        r["cases"] = [c]
        r["coverage"] = {
            "statements": [{"id": f"S{i:06d}", "text": f"statement {i}", "cases": [], "verdict": "uncovered"}
                           for i in range(lo, hi)],
            "uncovered": hi - lo - 1,
            "unknown": [],
        }
        write(os.path.join(out, "merge", name, "report.json"), json.dumps(r))


def deep(out):
    # Six levels of six members, each leaf a string with bounds and a
    # pattern: a model of 1.5 KB (the issue's was 1.7 KB); 429,235 cases before caps.
    shapes = {"Leaf": {"type": "string", "min": 1, "max": 8, "pattern": "^[a-z]+$"}}
    names = ["A", "B", "C", "D", "E", "F"]
    for level in range(6, 0, -1):
        inner = "Leaf" if level == 6 else f"L{level + 1}"
        shapes[f"L{level}"] = {"type": "structure", "members": {n: {"shape": inner} for n in names}}
    shapes["Out"] = {"type": "structure", "members": {}}
    shapes["Bad"] = {"type": "structure", "members": {}, "error": {"httpStatusCode": 400}, "exception": True}
    model = {
        "version": "2.0",
        "metadata": {"apiVersion": "2024-01-01", "endpointPrefix": "deep", "protocol": "rest-json",
                     "serviceId": "Deep", "signatureVersion": "v4", "signingName": "deep", "uid": "deep-2024-01-01"},
        "operations": {"Put": {"name": "Put", "http": {"method": "POST", "requestUri": "/put", "responseCode": 200},
                               "input": {"shape": "L1"}, "output": {"shape": "Out"}, "errors": [{"shape": "Bad"}]}},
        "shapes": shapes,
    }
    write(os.path.join(out, "deep", "model.json"), json.dumps(model, separators=(",", ":")))
    write(os.path.join(out, "deep", "request.json"), "{}")
    write(os.path.join(out, "deep", "slot-request.json"), '{"Name": "abc"}')


def main():
    out, base_report = sys.argv[1], sys.argv[2]
    which = sys.argv[3] if len(sys.argv) > 3 else "all"
    if which in ("all", "inputs"):
        bodies(out)
        cases(out)
        baseline(out)
        deep(out)
    if which in ("all", "merge"):
        merge(out, base_report)


if __name__ == "__main__":
    main()
