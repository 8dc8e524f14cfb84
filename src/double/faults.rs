//! Fault injection with the shape of LocalStack's Chaos API, so that the
//! same fault cases run against emulators that implement it.
//!
//! `/_localstack/chaos/faults` holds a JSON list of rules:
//! `{"service", "region", "operation", "probability", "error": {"statusCode", "code"}}`,
//! every member optional (absent = any; probability 1; error 503
//! `ServiceUnavailableException`). GET lists the rules; POST replaces them;
//! PATCH adds to them; DELETE removes the rules equal to those given. Each
//! answers with the rules now in force.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::reply::{Exception, Reply};

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

impl Faults {
    /// Handles a control request.
    pub fn control(&mut self, method: &str, body: &[u8]) -> Reply {
        let parse = || -> Result<Vec<FaultRule>, Reply> {
            let rules: Vec<FaultRule> = serde_json::from_slice(body).map_err(|e| {
                Reply::json(400, serde_json::json!({"error": format!("expected a JSON list of fault rules: {e}")}))
            })?;
            for r in &rules {
                if let Some(p) = r.probability
                    && !(0.0..=1.0).contains(&p)
                {
                    return Err(Reply::json(400, serde_json::json!({"error": "probability must be from 0 to 1"})));
                }
                if let Some(s) = r.error.as_ref().and_then(|e| e.status_code)
                    && !(400..=599).contains(&s)
                {
                    return Err(Reply::json(400, serde_json::json!({"error": "statusCode must be from 400 to 599"})));
                }
            }
            Ok(rules)
        };
        let result = match method {
            "GET" => Ok(()),
            "POST" => parse().map(|r| self.rules = r),
            "PATCH" => parse().map(|r| self.rules.extend(r)),
            "DELETE" => parse().map(|r| self.rules.retain(|x| !r.contains(x))),
            _ => Err(Reply::json(405, serde_json::json!({"error": "use GET, POST, PATCH or DELETE"}))),
        };
        match result {
            Ok(()) => Reply::json(200, serde_json::to_value(&self.rules).unwrap_or(Value::Null)),
            Err(reply) => reply,
        }
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
