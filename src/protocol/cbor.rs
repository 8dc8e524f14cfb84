//! CBOR (RFC 8949) as smithy-rpc-v2-cbor uses it: the value tree requests
//! are built in and responses are read into, and its bounded encoder and
//! decoder.

/// A CBOR data item. Text leaves of a request may still hold
/// `{{templates}}`, rendered when the request is sent.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CborValue {
    /// Major type 0.
    Unsigned(u64),
    /// Major type 1: the value is `-1 - n`.
    Negative(u64),
    /// Major type 2.
    Bytes(Vec<u8>),
    /// Major type 3.
    Text(String),
    /// Major type 4.
    Array(Vec<CborValue>),
    /// Major type 5, entries in order.
    Map(Vec<(CborValue, CborValue)>),
    /// Major type 6: a tag and its item (tag 1 is an epoch-seconds timestamp).
    Tag(u64, Box<CborValue>),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// `undefined`.
    Undefined,
    /// A float (half, single or double on the wire).
    Float(f64),
}
