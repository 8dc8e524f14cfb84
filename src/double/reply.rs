//! Replies of the double before they become wiremock responses: the
//! documented rest-json error form and JSON bodies.

use serde_json::Value;

use super::Quirks;
use super::mutants::Mutant;

/// The documented exceptions and their statuses and `ErrorCode`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exception {
    /// 400, `BadRequest`.
    BadRequest,
    /// 401, `Unauthorized`.
    UnauthorizedClient,
    /// 403, `Forbidden`.
    Forbidden,
    /// 404, `NotFound`.
    NotFound,
    /// 409, `Conflict`.
    Conflict,
    /// 422, `Unprocessable`.
    UnprocessableEntity,
    /// 429, `Throttled`.
    ThrottledClient,
    /// 500, `ServiceFailure`.
    ServiceFailure,
    /// 503, `ServiceUnavailable`.
    ServiceUnavailable,
}

impl Exception {
    /// The shape name (`BadRequestException`).
    pub fn name(self) -> &'static str {
        match self {
            Exception::BadRequest => "BadRequestException",
            Exception::UnauthorizedClient => "UnauthorizedClientException",
            Exception::Forbidden => "ForbiddenException",
            Exception::NotFound => "NotFoundException",
            Exception::Conflict => "ConflictException",
            Exception::UnprocessableEntity => "UnprocessableEntityException",
            Exception::ThrottledClient => "ThrottledClientException",
            Exception::ServiceFailure => "ServiceFailureException",
            Exception::ServiceUnavailable => "ServiceUnavailableException",
        }
    }

    /// The documented HTTP status.
    pub fn status(self) -> u16 {
        match self {
            Exception::BadRequest => 400,
            Exception::UnauthorizedClient => 401,
            Exception::Forbidden => 403,
            Exception::NotFound => 404,
            Exception::Conflict => 409,
            Exception::UnprocessableEntity => 422,
            Exception::ThrottledClient => 429,
            Exception::ServiceFailure => 500,
            Exception::ServiceUnavailable => 503,
        }
    }

    /// The `ErrorCode` enum value that goes in the body's `Code`.
    pub fn code(self) -> &'static str {
        match self {
            Exception::BadRequest => "BadRequest",
            Exception::UnauthorizedClient => "Unauthorized",
            Exception::Forbidden => "Forbidden",
            Exception::NotFound => "NotFound",
            Exception::Conflict => "Conflict",
            Exception::UnprocessableEntity => "Unprocessable",
            Exception::ThrottledClient => "Throttled",
            Exception::ServiceFailure => "ServiceFailure",
            Exception::ServiceUnavailable => "ServiceUnavailable",
        }
    }

    /// Every exception.
    pub const ALL: [Exception; 9] = [
        Exception::BadRequest,
        Exception::UnauthorizedClient,
        Exception::Forbidden,
        Exception::NotFound,
        Exception::Conflict,
        Exception::UnprocessableEntity,
        Exception::ThrottledClient,
        Exception::ServiceFailure,
        Exception::ServiceUnavailable,
    ];

    /// The exception a status stands for, for fault rules that give only a status.
    pub fn for_status(status: u16) -> Option<Exception> {
        Exception::ALL.into_iter().find(|e| e.status() == status)
    }
}

/// An error reply: the exception and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// Which exception.
    pub exception: Exception,
    /// Human text; its wording is not part of the documentation.
    pub message: String,
}

impl ApiError {
    /// A new error.
    pub fn new(exception: Exception, message: impl Into<String>) -> Self {
        ApiError { exception, message: message.into() }
    }
    /// A 400 `BadRequestException`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(Exception::BadRequest, message)
    }
    /// A 404 `NotFoundException`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Exception::NotFound, message)
    }
}

/// A reply, ready to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// A JSON body, if any.
    pub body: Option<Value>,
}

impl Reply {
    /// A JSON reply.
    pub(crate) fn json(status: u16, body: Value) -> Reply {
        Reply { status, headers: vec![], body: Some(body) }
    }

    /// An empty reply.
    pub(crate) fn empty(status: u16) -> Reply {
        Reply { status, headers: vec![], body: None }
    }

    /// The documented error form: status, `x-amzn-ErrorType`, `{"Code", "Message"}`.
    pub(crate) fn error(e: &ApiError, quirks: &Quirks) -> Reply {
        let name = e.exception.name();
        let header = if quirks.error_type_suffix {
            format!("{name}:http://internal.amazon.com/coral/com.amazonaws.chime/")
        } else {
            name.to_owned()
        };
        let message =
            if quirks.other_wording { format!("Request rejected: {}.", e.message) } else { e.message.clone() };
        let mutant = quirks.mutant();
        let headers =
            if mutant == Some(Mutant::NoErrorTypeHeader) { vec![] } else { vec![("x-amzn-ErrorType".into(), header)] };
        let body = if mutant == Some(Mutant::RenamedErrorMessage) {
            serde_json::json!({"ErrorMessage": message})
        } else {
            serde_json::json!({"Code": e.exception.code(), "Message": message})
        };
        Reply { status: e.exception.status(), headers, body: Some(body) }
    }
}
