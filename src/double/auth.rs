//! Request authentication for the double, in three modes:
//!
//! - [`AuthMode::Open`] (`serve --no-auth`): anything goes;
//! - [`AuthMode::RequireSigV4`] (`serve` default): a well-formed SigV4
//!   `Authorization` header is required but not verified, as most emulators do;
//! - [`AuthMode::Verify`] (`serve --credentials AKID:SECRET`): the signature
//!   is recomputed with aws-sigv4 and compared.
//!
//! Missing or malformed → 401 `UnauthorizedClientException`; unknown key,
//! wrong scope, stale date, body hash mismatch or bad signature → 403
//! `ForbiddenException`.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SessionTokenMode, SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4::SigningParams;
use aws_smithy_runtime_api::client::identity::Identity;
use http::HeaderMap;
use sha2::{Digest, Sha256};

use super::clock::parse_amz_date;
use super::reply::{ApiError, Exception};
use crate::civil::hex;

/// How far `x-amz-date` may be from the double's clock.
pub const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// An access key and its secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    /// Access key id.
    pub access_key: String,
    /// Secret key.
    pub secret: String,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credential({}, <redacted>)", self.access_key)
    }
}

impl std::str::FromStr for Credential {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.split_once(':') {
            Some((a, k)) if !a.is_empty() && !k.is_empty() => {
                Ok(Credential { access_key: a.to_owned(), secret: k.to_owned() })
            }
            _ => Err("expected ACCESS_KEY_ID:SECRET_ACCESS_KEY".into()),
        }
    }
}

/// How the double authenticates requests.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum AuthMode {
    /// Accept every request.
    Open,
    /// Require a well-formed SigV4 `Authorization` header.
    #[default]
    RequireSigV4,
    /// Verify signatures against these credentials.
    Verify(Vec<Credential>),
}

/// The parts of a SigV4 `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigV4Header {
    /// Access key id.
    pub access_key: String,
    /// Scope date, `YYYYMMDD`.
    pub date: String,
    /// Scope region.
    pub region: String,
    /// Scope service.
    pub service: String,
    /// Scope terminator (`aws4_request`).
    pub terminator: String,
    /// Signed header names, lowercase.
    pub signed_headers: Vec<String>,
    /// Hex signature.
    pub signature: String,
}

/// Parses `AWS4-HMAC-SHA256 Credential=.., SignedHeaders=.., Signature=..`.
pub fn parse_authorization(value: &str) -> Option<SigV4Header> {
    let rest = value.strip_prefix("AWS4-HMAC-SHA256")?.trim_start();
    let (mut cred, mut signed, mut sig) = (None, None, None);
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k {
            "Credential" => cred = Some(v),
            "SignedHeaders" => signed = Some(v),
            "Signature" => sig = Some(v),
            _ => return None,
        }
    }
    let scope: Vec<&str> = cred?.split('/').collect();
    let [access_key, date, region, service, terminator] = scope.as_slice() else { return None };
    let signature = sig?;
    let signed_headers: Vec<String> = signed?.split(';').map(str::to_owned).collect();
    let well_formed = !access_key.is_empty()
        && date.len() == 8
        && date.bytes().all(|b| b.is_ascii_digit())
        && !region.is_empty()
        && !service.is_empty()
        && signature.len() == 64
        && signature.bytes().all(|b| b.is_ascii_hexdigit())
        && signed_headers.iter().all(|h| !h.is_empty() && *h == h.to_ascii_lowercase());
    well_formed.then(|| SigV4Header {
        access_key: (*access_key).to_owned(),
        date: (*date).to_owned(),
        region: (*region).to_owned(),
        service: (*service).to_owned(),
        terminator: (*terminator).to_owned(),
        signed_headers,
        signature: signature.to_owned(),
    })
}

/// What the double signs for.
#[derive(Debug, Clone)]
pub struct Scope {
    /// Expected region.
    pub region: String,
    /// Expected signing name.
    pub service: String,
}

/// Checks a request. Returns the region the request was signed for, when
/// it carries a SigV4 header (fault rules match on it).
pub fn authenticate(
    mode: &AuthMode,
    scope: &Scope,
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
    now: SystemTime,
) -> Result<Option<String>, ApiError> {
    let raw = headers.get("authorization").and_then(|v| v.to_str().ok());
    let parsed = raw.and_then(parse_authorization);
    let creds = match mode {
        AuthMode::Open => return Ok(parsed.map(|p| p.region)),
        AuthMode::RequireSigV4 => {
            return match parsed {
                Some(p) => Ok(Some(p.region)),
                None => Err(unauthorized(raw.is_some())),
            };
        }
        AuthMode::Verify(creds) => creds,
    };
    let Some(auth) = parsed else { return Err(unauthorized(raw.is_some())) };
    let forbidden = |m: &str| ApiError::new(Exception::Forbidden, m.to_owned());
    let cred = creds
        .iter()
        .find(|c| c.access_key == auth.access_key)
        .ok_or_else(|| forbidden("the access key id is not known"))?;
    let amz_date = headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| forbidden("the request has no x-amz-date header"))?;
    let signed_at = parse_amz_date(amz_date).ok_or_else(|| forbidden("x-amz-date is not a valid date"))?;
    if auth.date != amz_date[..8]
        || auth.region != scope.region
        || auth.service != scope.service
        || auth.terminator != "aws4_request"
    {
        return Err(forbidden(&format!(
            "the credential scope must be {}/{}/{}/aws4_request",
            &amz_date[..8],
            scope.region,
            scope.service
        )));
    }
    let skew = now.duration_since(signed_at).unwrap_or_else(|e| e.duration());
    if skew > MAX_SKEW {
        return Err(forbidden("the signature is expired or dated in the future (more than 15 minutes)"));
    }
    let content_sha = headers.get("x-amz-content-sha256").and_then(|v| v.to_str().ok());
    if let Some(claimed) = content_sha
        && claimed != "UNSIGNED-PAYLOAD"
        && !claimed.eq_ignore_ascii_case(&hex(&Sha256::digest(body)))
    {
        return Err(forbidden("x-amz-content-sha256 does not match the body"));
    }
    if !auth.signed_headers.iter().any(|h| h == "host") {
        return Err(forbidden("the host header must be signed"));
    }
    let token = headers.get("x-amz-security-token").and_then(|v| v.to_str().ok());
    let mut signed = Vec::new();
    for name in &auth.signed_headers {
        if name == "x-amz-security-token" {
            continue;
        }
        let values: Vec<&str> = headers.get_all(name.as_str()).iter().filter_map(|v| v.to_str().ok()).collect();
        if values.is_empty() {
            return Err(forbidden(&format!("signed header `{name}` is missing")));
        }
        for v in values {
            signed.push((name.as_str(), v));
        }
    }
    let host = headers.get("host").and_then(|v| v.to_str().ok()).unwrap_or("localhost");
    let url = format!("http://{host}{path_and_query}");
    let identity: Identity =
        Credentials::new(&cred.access_key, &cred.secret, token.map(str::to_owned), None, "conform-double").into();
    let mut settings = SigningSettings::default();
    settings.excluded_headers = Some(Vec::new());
    settings.session_token_mode = if auth.signed_headers.iter().any(|h| h == "x-amz-security-token") {
        SessionTokenMode::Include
    } else {
        SessionTokenMode::Exclude
    };
    let params = SigningParams::builder()
        .identity(&identity)
        .region(&scope.region)
        .name(&scope.service)
        .time(signed_at)
        .settings(settings)
        .build()
        .map_err(|_| forbidden("the signature cannot be checked"))?
        .into();
    let signable_body = match content_sha {
        Some(h) => SignableBody::Precomputed(h.to_owned()),
        None => SignableBody::Bytes(body),
    };
    let request = SignableRequest::new(method, url, signed.into_iter(), signable_body)
        .map_err(|_| forbidden("the request cannot be signed"))?;
    let expected = sign(request, &params).map_err(|_| forbidden("the signature cannot be checked"))?;
    if expected.signature() != auth.signature {
        return Err(forbidden("the request signature does not match"));
    }
    Ok(Some(auth.region))
}

fn unauthorized(present: bool) -> ApiError {
    ApiError::new(
        Exception::UnauthorizedClient,
        if present { "the Authorization header is not a SigV4 signature" } else { "the request is not signed" },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_sigv4_header_and_rejects_malformed_ones() {
        let sig = "a".repeat(64);
        let ok = format!(
            "AWS4-HMAC-SHA256 Credential=AKID/20190108/us-east-1/chime/aws4_request, SignedHeaders=host;x-amz-date, Signature={sig}"
        );
        let p = parse_authorization(&ok).unwrap();
        assert_eq!((p.region.as_str(), p.service.as_str()), ("us-east-1", "chime"));
        assert_eq!(p.signed_headers, vec!["host", "x-amz-date"]);
        for bad in [
            "Bearer x".to_owned(),
            ok.replace("Signature=", "Sig="),
            ok.replace(&sig, "zz"),
            ok.replace("AKID/20190108", "AKID/2019"),
            ok.replace("/aws4_request", ""),
        ] {
            assert!(parse_authorization(&bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn credentials_parse_from_the_command_line_form() {
        assert!("AKID:secret".parse::<Credential>().is_ok());
        assert!("AKID".parse::<Credential>().is_err());
        assert!(":x".parse::<Credential>().is_err());
        assert!(!format!("{:?}", "AKID:secret".parse::<Credential>().unwrap()).contains("secret"));
    }
}
