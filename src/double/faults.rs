//! Fault injection with the shape of LocalStack's Chaos API, so that the
//! same fault cases run against emulators that implement it.
//!
//! `/_localstack/chaos/faults` holds a JSON list of rules:
//! `{"service", "region", "operation", "probability", "error": {"statusCode", "code"}}`,
//! every member optional (absent = any; probability 1; error 503
//! `ServiceUnavailableException`). GET lists the rules; POST replaces them;
//! PATCH adds to them; DELETE removes the rules equal to those given. Each
//! answers with the rules now in force.
//!
//! The control is bounded so that no client can stall the others through
//! it: a control body holds at most [`MAX_CONTROL_BODY`] bytes, at most
//! [`MAX_RULES`] rules are in force, strings are at most
//! [`MAX_RULE_STRING`] characters, and `error.code`, which becomes the
//! `x-amzn-ErrorType` header of every matching request, must be a token
//! that is a valid header value. A body over a bound is `400` and changes
//! nothing. A request is parsed and checked before the rules' lock is
//! taken, and every edit is linear in the rules involved.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::reply::{Exception, Reply};

/// The most bytes a control request body may hold.
pub const MAX_CONTROL_BODY: usize = 256 * 1024;
/// The most rules in force at once (and in one request).
pub const MAX_RULES: usize = 1000;
/// The most characters in a rule's `service`, `region`, `operation` and `error.code`.
pub const MAX_RULE_STRING: usize = 128;

/// One fault rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// Service name (`chime`); any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Region the request was signed for; any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Operation name (`BatchUpdateUser`); any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// Chance of failing a matching request, 0 to 1; 1 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// The error to answer with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<FaultError>,
}

/// The error a rule injects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultError {
    /// HTTP status; 503 when absent.
    #[serde(rename = "statusCode", default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    /// Error type for `x-amzn-ErrorType`; derived from the status when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// The rules in force.
#[derive(Debug, Default, Clone)]
pub struct Faults {
    rules: Vec<FaultRule>,
}

/// The path of the control endpoint.
pub const FAULTS_PATH: &str = "/_localstack/chaos/faults";

/// A checked control request, ready to be applied.
#[derive(Debug, Clone)]
pub enum Edit {
    /// `GET`: change nothing.
    List,
    /// `POST`: replace the rules.
    Replace(Vec<FaultRule>),
    /// `PATCH`: add the rules.
    Add(Vec<FaultRule>),
    /// `DELETE`: remove the rules equal to any of these (by [`FaultRule::key`]).
    Remove(HashSet<String>),
}

fn control_error(status: u16, message: impl Into<String>) -> Reply {
    Reply::json(status, serde_json::json!({"error": message.into()}))
}

impl Edit {
    /// Parses and checks a control request without touching any rule, so
    /// that the work that grows with the body is done outside the lock.
    pub fn parse(method: &str, body: &[u8]) -> Result<Edit, Reply> {
        let rules = || -> Result<Vec<FaultRule>, Reply> {
            if body.len() > MAX_CONTROL_BODY {
                return Err(control_error(400, format!("a control request holds at most {MAX_CONTROL_BODY} bytes")));
            }
            let mut rules: Vec<FaultRule> = serde_json::from_slice(body)
                .map_err(|e| control_error(400, format!("expected a JSON list of fault rules: {e}")))?;
            if rules.len() > MAX_RULES {
                return Err(control_error(400, format!("at most {MAX_RULES} fault rules are allowed")));
            }
            for (i, r) in rules.iter_mut().enumerate() {
                r.check().map_err(|e| control_error(400, format!("rule {i}: {e}")))?;
            }
            Ok(rules)
        };
        match method {
            "GET" => Ok(Edit::List),
            "POST" => rules().map(Edit::Replace),
            "PATCH" => rules().map(Edit::Add),
            "DELETE" => rules().map(|r| Edit::Remove(r.iter().map(FaultRule::key).collect())),
            _ => Err(control_error(405, "use GET, POST, PATCH or DELETE")),
        }
    }
}

impl FaultRule {
    /// Checks the bounds of every member, and normalizes `-0` to `0` so
    /// that rules equal by value have one [`key`](Self::key).
    fn check(&mut self) -> Result<(), String> {
        if let Some(p) = &mut self.probability {
            if !(0.0..=1.0).contains(p) {
                return Err("probability must be from 0 to 1".into());
            }
            if *p == 0.0 {
                *p = 0.0;
            }
        }
        for (name, value) in [("service", &self.service), ("region", &self.region), ("operation", &self.operation)] {
            if value.as_ref().is_some_and(|v| v.chars().count() > MAX_RULE_STRING) {
                return Err(format!("{name} must be at most {MAX_RULE_STRING} characters"));
            }
        }
        if let Some(e) = &self.error {
            if let Some(s) = e.status_code
                && !(400..=599).contains(&s)
            {
                return Err("error.statusCode must be from 400 to 599".into());
            }
            if let Some(code) = &e.code
                && !valid_error_code(code)
            {
                return Err(format!(
                    "error.code must be 1 to {MAX_RULE_STRING} characters, each a letter, a digit or one of . _ : # / -"
                ));
            }
        }
        Ok(())
    }

    /// A key equal for rules equal by value (`PartialEq`), for set lookups.
    pub fn key(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// An `error.code` becomes the `x-amzn-ErrorType` header: it must be a
/// token a header can carry and a client can read as an error type.
fn valid_error_code(code: &str) -> bool {
    (1..=MAX_RULE_STRING).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || b"._:#/-".contains(&b))
}

impl Faults {
    /// Handles a control request: [`Edit::parse`], then [`Faults::apply`]
    /// (the server parses outside its lock, then applies; tests do both).
    #[cfg(test)]
    pub fn control(&mut self, method: &str, body: &[u8]) -> Reply {
        match Edit::parse(method, body) {
            Ok(edit) => match self.apply(edit) {
                Ok(rules) => rules_reply(&rules),
                Err(reply) => reply,
            },
            Err(reply) => reply,
        }
    }

    /// Applies a checked edit, in time linear in the rules involved, and
    /// returns the rules now in force (to be rendered outside the lock).
    /// An edit that would leave more than [`MAX_RULES`] rules is refused
    /// and changes nothing.
    pub fn apply(&mut self, edit: Edit) -> Result<Vec<FaultRule>, Reply> {
        match edit {
            Edit::List => {}
            Edit::Replace(rules) => self.rules = rules,
            Edit::Add(rules) => {
                if self.rules.len() + rules.len() > MAX_RULES {
                    return Err(control_error(
                        400,
                        format!(
                            "at most {MAX_RULES} fault rules may be in force; {} are, and {} were given",
                            self.rules.len(),
                            rules.len()
                        ),
                    ));
                }
                self.rules.extend(rules);
            }
            Edit::Remove(gone) => self.rules.retain(|r| !gone.contains(&r.key())),
        }
        Ok(self.rules.clone())
    }

    /// The error to inject for a request, if a rule matches and its dice
    /// (`roll`, uniform in 0..1) say so.
    pub fn inject(&self, service: &str, region: &str, operation: &str, roll: f64) -> Option<InjectedFault> {
        let eq = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w.eq_ignore_ascii_case(have));
        let rule = self.rules.iter().find(|r| {
            eq(&r.service, service)
                && eq(&r.region, region)
                && r.operation.as_deref().is_none_or(|o| o == operation)
                && roll < r.probability.unwrap_or(1.0)
        })?;
        let status = rule.error.as_ref().and_then(|e| e.status_code).unwrap_or(503);
        let known = |e: &Exception| Some(e.name()) == rule.error.as_ref().and_then(|e| e.code.as_deref());
        let exception = Exception::ALL.into_iter().find(known).or_else(|| Exception::for_status(status));
        let error_type = match rule.error.as_ref().and_then(|e| e.code.clone()) {
            Some(code) => code,
            None => exception.map_or("ServiceFailureException", Exception::name).to_owned(),
        };
        Some(InjectedFault {
            status,
            error_type,
            code: exception.map_or("ServiceFailure", Exception::code).to_owned(),
            message: format!("fault injected for {operation}"),
        })
    }
}

/// The answer to a control request: the rules in force.
pub fn rules_reply(rules: &[FaultRule]) -> Reply {
    Reply::json(200, serde_json::to_value(rules).unwrap_or(Value::Null))
}

/// An error a fault rule injects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InjectedFault {
    /// HTTP status.
    pub status: u16,
    /// The `x-amzn-ErrorType` value.
    pub error_type: String,
    /// The body's `Code` (an `ErrorCode` enum value).
    pub code: String,
    /// The body's `Message`.
    pub message: String,
}

impl InjectedFault {
    /// The reply, in the documented error form.
    pub fn reply(&self) -> Reply {
        let mut r = Reply::json(self.status, serde_json::json!({"Code": self.code, "Message": self.message}));
        r.headers.push(("x-amzn-ErrorType".into(), self.error_type.clone()));
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_replaces_patch_adds_delete_removes() {
        let mut f = Faults::default();
        let a = r#"[{"operation":"BatchUpdateUser","error":{"statusCode":429,"code":"ThrottledClientException"}}]"#;
        let b = r#"[{"service":"chime","region":"eu-west-1"}]"#;
        assert_eq!(f.control("POST", a.as_bytes()).status, 200);
        assert_eq!(f.rules.len(), 1);
        f.control("PATCH", b.as_bytes());
        assert_eq!(f.rules.len(), 2);
        f.control("DELETE", a.as_bytes());
        assert_eq!(f.rules.len(), 1);
        assert_eq!(f.control("GET", b"").body, Some(serde_json::from_str(b).unwrap()));
        f.control("POST", b"[]");
        assert!(f.rules.is_empty());
    }

    #[test]
    fn bad_control_bodies_are_400() {
        let mut f = Faults::default();
        for bad in [&b"{"[..], br#"[{"nope":1}]"#, br#"[{"probability":2}]"#, br#"[{"error":{"statusCode":200}}]"#] {
            assert_eq!(f.control("POST", bad).status, 400);
        }
    }

    #[test]
    fn codes_that_cannot_be_header_values_are_refused_and_change_nothing() {
        let mut f = Faults::default();
        let long = "E".repeat(MAX_RULE_STRING + 1);
        for code in ["a\nb", "a\r\nb", "a b", "caf\u{e9}", "", &long] {
            let body = serde_json::json!([{"error": {"code": code}}]).to_string();
            let r = f.control("POST", body.as_bytes());
            assert_eq!(r.status, 400, "{code:?}");
            assert!(f.rules.is_empty());
        }
        let ok = format!(r#"[{{"error":{{"code":"{}"}}}}]"#, "E".repeat(MAX_RULE_STRING));
        assert_eq!(f.control("POST", ok.as_bytes()).status, 200);
        assert_eq!(f.control("POST", br#"[{"error":{"code":"aws.x#Y_z-1:/n"}}]"#).status, 200);
    }

    #[test]
    fn rule_count_body_size_and_string_lengths_are_capped() {
        let mut f = Faults::default();
        let rules = |n: usize| serde_json::to_vec(&vec![serde_json::json!({}); n]).unwrap();
        assert_eq!(f.control("POST", &rules(MAX_RULES)).status, 200);
        assert_eq!(f.control("PATCH", &rules(1)).status, 400);
        assert_eq!(f.rules.len(), MAX_RULES);
        assert_eq!(f.control("POST", &rules(MAX_RULES + 1)).status, 400);
        assert_eq!(f.rules.len(), MAX_RULES);
        let big = vec![b' '; MAX_CONTROL_BODY + 1];
        assert_eq!(f.control("POST", &big).status, 400);
        let long = serde_json::json!([{"service": "s".repeat(MAX_RULE_STRING + 1)}]).to_string();
        assert_eq!(f.control("POST", long.as_bytes()).status, 400);
        assert_eq!(f.rules.len(), MAX_RULES);
    }

    #[test]
    fn delete_removes_every_rule_equal_to_one_given() {
        let mut f = Faults::default();
        let all: Vec<_> = (0..MAX_RULES).map(|i| serde_json::json!({"region": i.to_string()})).collect();
        assert_eq!(f.control("POST", &serde_json::to_vec(&all).unwrap()).status, 200);
        let odd: Vec<_> = all.iter().skip(1).step_by(2).collect();
        assert_eq!(f.control("DELETE", &serde_json::to_vec(&odd).unwrap()).status, 200);
        assert_eq!(f.rules.len(), MAX_RULES / 2);
        assert!(
            f.rules.iter().all(|r| r
                .region
                .as_deref()
                .and_then(|x| x.parse::<usize>().ok())
                .is_some_and(|i| i % 2 == 0))
        );
        // Equal by value: -0 and 0 are one probability.
        f.control("POST", br#"[{"probability":0}, {"probability":0.5}]"#);
        f.control("DELETE", br#"[{"probability":-0.0}]"#);
        assert_eq!(f.rules.len(), 1);
    }

    #[test]
    fn rules_match_service_region_operation_and_probability() {
        let mut f = Faults::default();
        f.control(
            "POST",
            br#"[{"service":"chime","operation":"BatchUpdateUser","probability":0.5,"error":{"statusCode":429}}]"#,
        );
        let e = f.inject("chime", "us-east-1", "BatchUpdateUser", 0.1).unwrap();
        assert_eq!((e.status, e.error_type.as_str(), e.code.as_str()), (429, "ThrottledClientException", "Throttled"));
        assert!(f.inject("chime", "us-east-1", "BatchUpdateUser", 0.9).is_none());
        assert!(f.inject("chime", "us-east-1", "GetUser", 0.1).is_none());
        f.control("POST", br#"[{}]"#);
        assert_eq!(f.inject("chime", "x", "GetUser", 0.99).unwrap().error_type, "ServiceUnavailableException");
        f.control("POST", br#"[{"error":{"statusCode":502,"code":"BadGateway"}}]"#);
        let odd = f.inject("chime", "x", "GetUser", 0.0).unwrap();
        assert_eq!((odd.status, odd.error_type.as_str()), (502, "BadGateway"));
    }
}
