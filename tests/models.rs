//! Issue #13: contracts on real model shapes. An awsJson (`json`) model is
//! routed by `X-Amz-Target`, shape-checked, and its error types read as
//! both botocore and smithy-rs read them; error bodies may spell `message`
//! either way; look-around patterns are enforced both ways.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;

use common::{case_dir, conform, text};

/// Answers by `X-Amz-Target` (awsJson routing): `(target, status, extra headers, body)`.
fn json_server(routes: Vec<(&'static str, u16, &'static str, &'static str)>) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            let mut buf = vec![0u8; 65536];
            let n = s.read(&mut buf).unwrap_or(0);
            let req = String::from_utf8_lossy(&buf[..n]).to_ascii_lowercase();
            let target = req
                .lines()
                .find_map(|l| l.strip_prefix("x-amz-target:"))
                .map(|t| t.trim().to_owned())
                .unwrap_or_default();
            let (status, extra, body) = routes
                .iter()
                .find(|(t, ..)| t.eq_ignore_ascii_case(&target))
                .map_or((400, "", "{}"), |(_, s, h, b)| (*s, *h, *b));
            let _ = s.write_all(
                format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/x-amz-json-1.1\r\n{extra}content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            );
        }
    });
    port
}

const MODEL: &str = r#"{
  "metadata": {"protocol": "json", "jsonVersion": "1.1", "targetPrefix": "Things_2020"},
  "operations": {
    "GetThing": {
      "name": "GetThing",
      "http": {"method": "POST", "requestUri": "/"},
      "input": {"shape": "GetThingInput"},
      "output": {"shape": "GetThingOutput"},
      "errors": [{"shape": "NotFound"}, {"shape": "Invalid"}]
    }
  },
  "shapes": {
    "GetThingInput": {"type": "structure", "members": {"Name": {"shape": "Name"}}},
    "GetThingOutput": {"type": "structure", "required": ["Name"], "members": {"Name": {"shape": "Name"}}},
    "Name": {"type": "string", "pattern": "^(?!aws-)[a-z-]+$", "max": 16},
    "NotFound": {"type": "structure", "members": {"Message": {"shape": "Msg"}}, "error": {"httpStatusCode": 404}, "exception": true},
    "Invalid": {"type": "structure", "members": {"Message": {"shape": "Msg"}}, "error": {"httpStatusCode": 400}, "exception": true},
    "Msg": {"type": "string"}
  }
}"#;

fn suite(step_target: &str) -> Vec<(&'static str, String)> {
    vec![
        ("t/suite.toml", "contract = \"contract.toml\"\n".to_owned()),
        ("t/contract.toml", "model = \"model.json\"\n".to_owned()),
        ("t/model.json", MODEL.to_owned()),
        (
            "t/c.toml",
            format!(
                "[[case]]\nname = \"c\"\n[[case.step]]\nmethod = \"POST\"\npath = \"/\"\n\
                 headers = {{ x-amz-target = \"{step_target}\", content-type = \"application/x-amz-json-1.1\" }}\n\
                 json = {{ Name = \"x\" }}\nexpect.status = [200, 400, 404]\n"
            ),
        ),
    ]
}

fn run(port: u16, step_target: &str) -> (Option<i32>, String) {
    let files = suite(step_target);
    let files: Vec<(&str, &str)> = files.iter().map(|(p, c)| (*p, c.as_str())).collect();
    let dir = case_dir(&files);
    let o = conform(&["run", "--endpoint", &format!("http://127.0.0.1:{port}"), "t"], dir.path());
    (o.status.code(), text(&o))
}

#[test]
fn aws_json_is_routed_by_x_amz_target_and_shape_checked() {
    let port = json_server(vec![
        ("Things_2020.GetThing", 200, "", r#"{"Name":"ok-name"}"#),
        ("Things_2020.GetBad", 200, "", r#"{"Name":"aws-reserved"}"#),
    ]);
    let (code, out) = run(port, "Things_2020.GetThing");
    assert_eq!(code, Some(0), "{out}");
    // Same body, another operation: GetBad is no operation of the model,
    // so nothing is checked; make GetThing answer a bad name instead.
    let port = json_server(vec![("Things_2020.GetThing", 200, "", r#"{"Name":"aws-reserved"}"#)]);
    let (code, out) = run(port, "Things_2020.GetThing");
    assert_eq!(code, Some(1), "the look-around pattern refuses `aws-`: {out}");
    assert!(out.contains("$.Name") && out.contains("does not match the pattern"), "{out}");
}

#[test]
fn aws_json_error_types_must_read_alike_in_botocore_and_smithy_rs() {
    // Header says Invalid, body says NotFound: botocore reads the body,
    // smithy-rs the header.
    let port = json_server(vec![(
        "Things_2020.GetThing",
        400,
        "x-amzn-errortype: Invalid\r\n",
        r#"{"__type":"Things_2020#NotFound","message":"no"}"#,
    )]);
    let (code, out) = run(port, "Things_2020.GetThing");
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("botocore reads NotFound, smithy-rs reads Invalid"), "{out}");
    // Both agree, and `message` in lower case is the documented `Message`.
    let port = json_server(vec![(
        "Things_2020.GetThing",
        404,
        "x-amzn-errortype: NotFound\r\n",
        r#"{"__type":"aws.things#NotFound","message":"no such thing"}"#,
    )]);
    let (code, out) = run(port, "Things_2020.GetThing");
    assert_eq!(code, Some(0), "{out}");
}

#[test]
fn a_model_with_several_problems_reports_them_all() {
    let broken = r#"{"metadata": {"protocol": "rest-json"},
      "shapes": {"A": {"type": "string", "pattern": "(x"}, "B": {"type": "list"}},
      "operations": {"Op": {"http": {"method": "GET", "requestUri": "/"}, "output": {"shape": "Nope"}}}}"#;
    let dir = case_dir(&[
        ("t/suite.toml", "contract = \"contract.toml\"\n[vars]\nname = \"x\"\n"),
        ("t/contract.toml", "model = \"model.json\"\n"),
        ("t/model.json", broken),
        ("t/c.toml", "[[case]]\nname = \"c\"\n[[case.step]]\nmethod = \"GET\"\npath = \"/{{name}}\"\n"),
    ]);
    let o = conform(&["check", "t"], dir.path());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    // A pattern no engine reads is no load problem (botocore ships one):
    // its values are "not checked".
    assert!(!out.contains("shape `A`"), "{out}");
    assert!(out.contains("list `B` has no member shape"), "{out}");
    assert!(out.contains("names shape `Nope`"), "{out}");
    assert!(!out.contains("undefined variable"), "no cascade: {out}");
    assert!(out.contains("2 problems"), "{out}");
}
