//! Protocols: how an operation's input becomes an HTTP request, bound the
//! way the AWS SDKs bind it. The input is JSON in the model's input shape
//! (the member names boto3 and the AWS CLI take); `{{templates}}` in it are
//! kept as they are, to be rendered when the request is sent.
//!
//! [`serialize_request`] is the entry point; it knows `rest-json` (URI
//! labels, `querystring`, `header` and `headers` prefix members, `payload`
//! and the JSON body) and `json` (`POST /` with `X-Amz-Target`). The case
//! loader uses it for steps written as `operation` + `input`, and
//! `conform generate` for every case it writes.

pub mod cbor;
mod read;
mod serialize;
mod timestamp;

pub use read::{MAX_DEPTH, SdkError, SdkResponse, check_sdk_response, read_response};
pub use serialize::{SerializeError, SerializedBody, SerializedRequest, serialize_request};
pub use timestamp::{TimestampFormat, format_timestamp};
