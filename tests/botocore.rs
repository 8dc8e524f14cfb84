//! The request serializer against botocore's own: for each input, the
//! method, path, query, headers and body conform writes must be those
//! botocore writes for the same operation and input (botocore serializes
//! without sending). Python comes from `CONFORM_BOTO3_PYTHON` when set;
//! otherwise the virtual environment the boto3 test uses,
//! `target/boto3-venv`, made once (boto3 from PyPI brings botocore).

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use common::root;
use conform::contract::Model;
use conform::protocol::{SerializedBody, serialize_request};
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

fn read_model(path: &Path) -> Value {
    use std::io::Read;
    let file = std::fs::File::open(path).expect("read the model");
    let mut text = String::new();
    if path.extension().is_some_and(|e| e == "gz") {
        flate2::read::GzDecoder::new(file).read_to_string(&mut text).expect("gzip")
    } else {
        std::io::BufReader::new(file).read_to_string(&mut text).expect("UTF-8")
    };
    serde_json::from_str(&text).expect("model JSON")
}

/// What botocore writes for each (operation, input), normalized.
fn botocore(model: &Path, cases: &[(&str, Value)]) -> Vec<Value> {
    let input: Vec<Value> = cases.iter().map(|(op, i)| json!({"operation": op, "input": i})).collect();
    let mut child = Command::new(common::boto3_python())
        .arg(root().join("tests/interop/botocore_serialize.py"))
        .arg(model)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs");
    child.stdin.take().expect("stdin").write_all(input_text(&input).as_bytes()).expect("write cases");
    let out = child.wait_with_output().expect("python finishes");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("the helper prints JSON")
}

fn input_text(v: &[Value]) -> String {
    serde_json::to_string(v).expect("JSON")
}

/// What conform writes, in the helper's form.
fn ours(model: &Model, op: &str, input: &Value) -> Value {
    let req = serialize_request(model, op, input).unwrap_or_else(|e| panic!("{op}: {e}"));
    let mut query: Vec<(String, String)> = req.query.clone();
    query.sort();
    let headers: BTreeMap<String, String> = req.headers.iter().cloned().collect();
    let body = match &req.body {
        SerializedBody::Empty => Value::Null,
        SerializedBody::Json(v) => json!({"json": v}),
        SerializedBody::Text(t) => json!({"text": t}),
        other => panic!("unexpected body {other:?}"),
    };
    json!({"method": req.method, "path": req.path, "query": query, "headers": headers, "body": body})
}

fn compare(model_path: &Path, cases: &[(&str, Value)]) {
    let model = Model::parse(&read_model(model_path)).expect("the model parses");
    let theirs = botocore(model_path, cases);
    assert_eq!(theirs.len(), cases.len());
    for ((op, input), expected) in cases.iter().zip(theirs) {
        let mut expected = expected;
        // botocore leaves Content-Length and the host to the HTTP layer; it
        // never adds other headers at this stage.
        if let Some(h) = expected.get_mut("headers").and_then(Value::as_object_mut) {
            h.remove("Content-Length");
        }
        assert_eq!(ours(&model, op, input), expected, "{op} {input}");
    }
}

#[test]
fn rest_json_bindings_match_botocore_in_every_location() {
    let model = root().join("tests/fixtures/models/rest-bindings.json");
    compare(
        &model,
        &[
            (
                "PutThing",
                json!({
                    "Bucket": "a b/c", "Key": "dir/sub dir/é~x", "MaxItems": 5, "Ids": ["x", "y z"],
                    "Since": "2019-01-08T21:58:56Z", "Filters": {"color": "red"},
                    "Token": "t1", "Modified": "2019-01-08T21:58:56Z", "Labels": ["a", "b,c"],
                    "Meta": {"owner": "me"}, "Name": "n", "Created": "2019-01-08T21:58:56Z",
                    "Expires": "2019-01-08T21:58:56Z", "Parts": [{"Size": 3, "At": "2019-01-08T21:58:56Z"}]
                }),
            ),
            ("PutThing", json!({"Bucket": "b", "Key": "k"})),
            ("Upload", json!({"Id": "1", "Data": "raw bytes"})),
            ("Configure", json!({"Config": {"Size": 2}})),
            ("List", json!({"Next": "2"})),
        ],
    );
}

#[test]
fn json_protocol_matches_botocore() {
    let model = root().join("tests/fixtures/models/json-bindings.json");
    compare(
        &model,
        &[("PutItem", json!({"Name": "n", "At": "2019-01-08T21:58:56Z", "Tags": {"k": "v"}})), ("PutItem", json!({}))],
    );
}

#[test]
fn chime_and_polly_operations_match_botocore() {
    compare(
        &root().join("cases/chime/chime-2018-05-01.subset.json"),
        &[
            (
                "BatchUpdateUser",
                json!({"AccountId": "a1", "UpdateUserRequestItems": [{"UserId": "u 1", "LicenseType": "Basic"}]}),
            ),
            ("CreateUser", json!({"AccountId": "a1", "Email": "x@example.com"})),
            ("ListUsers", json!({"AccountId": "a1", "MaxResults": 2, "UserEmail": "a+b@example.com"})),
        ],
    );
    compare(
        &root().join("examples/moto/polly/service-2.json.gz"),
        &[
            ("PutLexicon", json!({"Name": "W3C", "Content": "<lexicon/>"})),
            (
                "DescribeVoices",
                json!({"Engine": "neural", "LanguageCode": "en-US", "IncludeAdditionalLanguageCodes": true}),
            ),
        ],
    );
}
