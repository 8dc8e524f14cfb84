"""Serializes requests with botocore's own serializer, without sending them.

Usage: python botocore_serialize.py MODEL < cases.json

MODEL is a botocore service model (service-2.json, or .json.gz). stdin is
a JSON list of {"operation": NAME, "input": {...}}. Prints a JSON list of
{"method", "path", "query": [[k, v], ...], "headers": {...}, "body": ...}
where body is null (no body), a parsed JSON value ("json") or text ("text").
"""
import gzip
import json
import sys

import botocore.model
import botocore.serialize


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def main():
    model = botocore.model.ServiceModel(load(sys.argv[1]), service_name="conform-test")
    serializer = botocore.serialize.create_serializer(model.metadata["protocol"], include_validation=False)
    out = []
    for case in json.load(sys.stdin):
        op = model.operation_model(case["operation"])
        req = serializer.serialize_to_request(case["input"], op)
        path, _, literal = req["url_path"].partition("?")
        query = []
        for pair in filter(None, literal.split("&")):
            k, _, v = pair.partition("=")
            query.append([k, v])
        qs = req["query_string"] or {}
        for k, v in (qs.items() if isinstance(qs, dict) else []):
            for item in v if isinstance(v, list) else [v]:
                query.append([k, item if isinstance(item, str) else json.dumps(item)])
        body = req["body"]
        if isinstance(body, bytes):
            body = body.decode("utf-8")
        if body in (b"", "", None):
            body = None
        else:
            try:
                body = {"json": json.loads(body)}
            except ValueError:
                body = {"text": body}
        out.append({
            "method": req["method"],
            "path": path,
            "query": sorted(query),
            "headers": {k: str(v) for k, v in req["headers"].items()},
            "body": body,
        })
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
