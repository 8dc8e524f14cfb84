//! A response read as the SDK reads it, held against the contract: the
//! shape check of the protocols whose bodies are not JSON.

use serde_json::Value;

use super::SdkResponse;
use crate::contract::{Contract, ShapeCheck, ShapeKind, check_view_noted};
use crate::matcher::{Mismatch, MismatchKind};

fn shape_err(expected: impl Into<String>, actual: impl Into<String>, message: impl Into<String>) -> Mismatch {
    Mismatch::new(MismatchKind::Shape, "", expected, actual, message)
}

/// Holds `read` (the response to `operation`, with `status`) against the
/// contract: what the reader could not read, the documented status, the
/// output's constraints, and an error's code, status and members.
///
/// A success status the model does not state is a divergence, except 206
/// to an operation that takes a `Range` header (S3's `GetObject`): a
/// partial answer is documented HTTP behaviour. An error the SDK reads no
/// code from is the reader's to judge (an S3 `HEAD` of a missing key has no
/// body, and is no divergence).
pub fn check_sdk_response(contract: &Contract, operation: &str, status: u16, read: &SdkResponse) -> ShapeCheck {
    let model = &contract.model;
    let mut out = read.divergences.clone();
    let mut notes = Vec::new();
    let Some(op) = model.operations.get(operation) else {
        return ShapeCheck { divergences: out, not_checked: notes };
    };
    if status < 300 {
        let ranged = status == 206 && takes_range(contract, op.input.as_deref());
        if status != op.response_code && !ranged {
            out.push(shape_err(
                op.response_code.to_string(),
                status.to_string(),
                format!("status not documented for {}", op.name),
            ));
        } else if let (Some(shape), Some(output)) = (&op.output, &read.output) {
            check_view_noted(model, shape, output, "$", &mut out, &mut notes);
        }
        return ShapeCheck { divergences: out, not_checked: notes };
    }
    let Some(error) = read.error.as_ref().filter(|_| status >= 400) else {
        return ShapeCheck { divergences: out, not_checked: notes };
    };
    let Some(code) = &error.code else { return ShapeCheck { divergences: out, not_checked: notes } };
    let listed = |name: &str| contract.common_errors.iter().any(|c| c == name);
    if listed(code) || error.shape.as_deref().is_some_and(listed) {
        return ShapeCheck { divergences: out, not_checked: notes };
    }
    let documented = error.shape.as_ref().filter(|s| op.errors.contains(s));
    let Some(shape) = documented else {
        let codes: Vec<&str> =
            op.errors.iter().map(|e| model.shapes.get(e).and_then(|s| s.error_code.as_deref()).unwrap_or(e)).collect();
        let expected = if codes.is_empty() {
            "an error the model or the contract's common_errors documents".to_owned()
        } else {
            format!("one of {}", codes.join(", "))
        };
        out.push(shape_err(expected, code.clone(), format!("error code not documented for {}", op.name)));
        return ShapeCheck { divergences: out, not_checked: notes };
    };
    if let Some(documented) = model.shapes.get(shape).and_then(|s| s.error_status)
        && documented != status
    {
        out.push(shape_err(
            documented.to_string(),
            status.to_string(),
            format!("status differs from the one documented for {shape}"),
        ));
    }
    check_view_noted(model, shape, &Value::Object(error.fields.clone()), "$", &mut out, &mut notes);
    ShapeCheck { divergences: out, not_checked: notes }
}

/// Whether the input shape has a `Range` header member.
fn takes_range(contract: &Contract, input: Option<&str>) -> bool {
    let Some(ShapeKind::Structure { members, .. }) = input.and_then(|i| contract.model.shapes.get(i)).map(|s| &s.kind)
    else {
        return false;
    };
    members.iter().any(|m| {
        m.location.as_deref() == Some("header")
            && m.location_name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case("range"))
    })
}
