//! SigV4 signing of requests with aws-sigv4, after every header and the
//! body are final, plus the deliberate mis-signings a step can ask for to
//! test that a server rejects them.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4::SigningParams;
use aws_smithy_runtime_api::client::identity::Identity;
use http::header::{HeaderName, HeaderValue};

use crate::case::SignMode;

/// Credentials for signing.
#[derive(Clone)]
pub struct SigningCredentials {
    /// Access key id.
    pub access_key: String,
    /// Secret access key.
    pub secret: String,
    /// Session token, if any.
    pub session_token: Option<String>,
}

impl std::fmt::Debug for SigningCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningCredentials({}, <redacted>)", self.access_key)
    }
}

impl SigningCredentials {
    /// A fresh random key pair, for a target that verifies with it (the
    /// built-in double).
    pub fn random() -> SigningCredentials {
        let id = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
        SigningCredentials {
            access_key: format!("AKIDCONFORM{}", &id[..9]),
            secret: uuid::Uuid::new_v4().simple().to_string(),
            session_token: None,
        }
    }

    /// From `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
    pub fn from_env() -> Option<SigningCredentials> {
        let get = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        Some(SigningCredentials {
            access_key: get("AWS_ACCESS_KEY_ID")?,
            secret: get("AWS_SECRET_ACCESS_KEY")?,
            session_token: get("AWS_SESSION_TOKEN"),
        })
    }
}

/// Signs `req` in place for `region` and `service`, as `mode` says.
pub fn sign_request(
    req: &mut reqwest::Request,
    creds: &SigningCredentials,
    region: &str,
    service: &str,
    mode: SignMode,
) -> Result<(), String> {
    let mut now = SystemTime::now();
    let (mut secret, mut region, mut service) = (creds.secret.clone(), region.to_owned(), service.to_owned());
    match mode {
        SignMode::Unsigned => return Ok(()),
        SignMode::WrongSecret => secret = format!("{secret}-wrong"),
        SignMode::WrongRegion => region = if region == "us-west-2" { "us-east-1".into() } else { "us-west-2".into() },
        SignMode::WrongService => service = format!("{service}-wrong"),
        SignMode::StaleDate => now -= Duration::from_secs(60 * 60),
        SignMode::Signed | SignMode::BodyAlteredAfterSigning | SignMode::NoDate => {}
    }
    let identity: Identity =
        Credentials::new(&creds.access_key, &secret, creds.session_token.clone(), None, "conform").into();
    let params = SigningParams::builder()
        .identity(&identity)
        .region(&region)
        .name(&service)
        .time(now)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| format!("cannot sign: {e}"))?
        .into();
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_owned(), v.to_owned())))
        .collect();
    let body = req.body().and_then(|b| b.as_bytes()).map(<[u8]>::to_vec).unwrap_or_default();
    let signable = SignableRequest::new(
        req.method().as_str(),
        req.url().as_str(),
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(&body),
    )
    .map_err(|e| format!("cannot sign: {e}"))?;
    let (instructions, _) = sign(signable, &params).map_err(|e| format!("cannot sign: {e}"))?.into_parts();
    let (new_headers, _) = instructions.into_parts();
    for h in new_headers {
        let name = HeaderName::from_bytes(h.name().as_bytes()).map_err(|e| format!("cannot sign: {e}"))?;
        let mut value = HeaderValue::from_str(h.value()).map_err(|e| format!("cannot sign: {e}"))?;
        value.set_sensitive(h.sensitive());
        req.headers_mut().insert(name, value);
    }
    match mode {
        SignMode::NoDate => {
            req.headers_mut().remove("x-amz-date");
        }
        SignMode::BodyAlteredAfterSigning => {
            let mut altered = body;
            altered.push(b' ');
            *req.body_mut() = Some(altered.into());
        }
        _ => {}
    }
    Ok(())
}
