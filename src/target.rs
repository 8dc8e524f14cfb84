//! Where a run goes, decided once for the CLI and the `cargo test` harness
//! alike: an endpoint, or the built-in double; with which credentials,
//! region and capabilities.
//!
//! - Without an endpoint, the target is the built-in double, which
//!   implements Amazon Chime: every selected case must belong to a suite
//!   for that service (its contract's model, else its `[target]
//!   signing_name`, says `chime`); any other suite is an error naming the
//!   missing endpoint. The double verifies signatures made for the region
//!   the runner signs with (`AWS_REGION`, else the suites' `[target]
//!   region`, else `us-east-1`).
//! - With an endpoint, a suite that signs (`[target] signing_name`) needs
//!   credentials: without `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`
//!   the run is refused before anything is sent, unless it says
//!   `--unsigned` (every request unsigned) or every step of those suites
//!   says `sign = false`.

use std::collections::BTreeSet;

use crate::case::{Case, SignMode};
use crate::double::{AuthMode, Credential, Double, DoubleConfig};
use crate::runner::{SigningCredentials, Target};

/// Capabilities of the built-in double.
pub const DOUBLE_CAPABILITIES: &[&str] = &["auth", "faults", "signature-verification"];

/// The service the built-in double implements (its SigV4 signing name).
pub const DOUBLE_SERVICE: &str = "chime";

/// What the run was asked to target.
#[derive(Debug, Clone, Default)]
pub struct TargetRequest {
    /// The endpoint's base URL; `None` for the built-in double.
    pub endpoint: Option<String>,
    /// Capabilities declared for the endpoint.
    pub capabilities: BTreeSet<String>,
    /// Send every request unsigned.
    pub unsigned: bool,
}

/// A target ready to run against; the double, if any, lives as long as it.
pub struct PreparedTarget {
    /// Base URL and capabilities.
    pub target: Target,
    /// Credentials requests are signed with (`None`: unsigned).
    pub credentials: Option<SigningCredentials>,
    /// The region to sign for over the suites' own, if one is forced.
    pub region: Option<String>,
    /// How reports name the target.
    pub name: String,
    /// The built-in double, when it is the target: held, never read, so
    /// that it serves for as long as the target is used.
    pub _double: Option<Double>,
}

/// Why a run cannot start. Each is a usage error (exit 2): nothing was sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// The endpoint is no http(s) URL.
    #[error("invalid endpoint `{url}`: {why}")]
    BadEndpoint {
        /// As given.
        url: String,
        /// What is wrong, with a suggestion when there is one.
        why: String,
    },
    /// Suites sign their requests, and there are no credentials.
    #[error(
        "{} sign{} requests (`[target] signing_name`), but {} {} not set: export them, pass --unsigned, or set `sign = false` on the steps",
        suites.join(", "),
        if suites.len() == 1 { "s its" } else { " their" },
        missing.join(" and "),
        if missing.len() == 1 { "is" } else { "are" }
    )]
    MissingCredentials {
        /// The suites (by their first case's folder) that sign.
        suites: Vec<String>,
        /// The environment variables that are missing.
        missing: Vec<&'static str>,
    },
    /// Without an endpoint, cases for another service than the double's.
    #[error(
        "no --endpoint: the built-in double implements only `{DOUBLE_SERVICE}`, and {} {} for {}; pass --endpoint URL (or CONFORM_ENDPOINT in `cargo test`)",
        cases.join(", "),
        if cases.len() == 1 { "is" } else { "are" },
        services.join(", ")
    )]
    NotTheDoublesService {
        /// Some of the cases concerned (at most five ids).
        cases: Vec<String>,
        /// The services they are for, as their suites say.
        services: Vec<String>,
    },
    /// The cases want the double to verify signatures for several regions.
    #[error("the built-in double serves one region, and the suites declare {}: set AWS_REGION", regions.join(", "))]
    SeveralRegions {
        /// The regions the suites declare.
        regions: Vec<String>,
    },
    /// The double could not start.
    #[error("the built-in double could not start")]
    Double(#[source] std::io::Error),
}

/// The service a case is for: its contract's model, else its suite's signing name.
fn service_of(case: &Case) -> Option<String> {
    case.contract
        .as_ref()
        .and_then(|c| c.model.metadata.signing_name.clone())
        .or_else(|| case.target.signing_name.clone())
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Decides the target for `cases` and starts the double when it is one.
pub async fn prepare(request: &TargetRequest, cases: &[Case]) -> Result<PreparedTarget, TargetError> {
    let env_region = env("AWS_REGION");
    match &request.endpoint {
        Some(url) => {
            let base_url = parse_endpoint(url)?;
            let credentials = if request.unsigned { None } else { SigningCredentials::from_env() };
            if credentials.is_none() && !request.unsigned {
                let suites: BTreeSet<String> = cases
                    .iter()
                    .filter(|c| c.target.signing_name.is_some() && signs_any(c))
                    .map(|c| format!("the suite in `{}`", c.file.parent().unwrap_or(&c.file).display()))
                    .collect();
                if !suites.is_empty() {
                    let missing = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]
                        .into_iter()
                        .filter(|v| env(v).is_none())
                        .collect();
                    return Err(TargetError::MissingCredentials { suites: suites.into_iter().collect(), missing });
                }
            }
            let target = Target { base_url, capabilities: request.capabilities.clone() };
            Ok(PreparedTarget { target, credentials, region: env_region, name: url.clone(), _double: None })
        }
        None => {
            let foreign: Vec<&Case> = cases
                .iter()
                .filter(|c| service_of(c).is_none_or(|s| !s.eq_ignore_ascii_case(DOUBLE_SERVICE)))
                .collect();
            if !foreign.is_empty() {
                let services: BTreeSet<String> = foreign
                    .iter()
                    .map(|c| service_of(c).map_or("an unnamed service".to_owned(), |s| format!("`{s}`")))
                    .collect();
                let mut ids: Vec<String> = foreign.iter().take(5).map(|c| format!("`{}`", c.id)).collect();
                if foreign.len() > 5 {
                    ids.push(format!("{} more", foreign.len() - 5));
                }
                return Err(TargetError::NotTheDoublesService { cases: ids, services: services.into_iter().collect() });
            }
            let region = match env_region.clone() {
                Some(r) => r,
                None => {
                    let declared: BTreeSet<String> = cases.iter().filter_map(|c| c.target.region.clone()).collect();
                    if declared.len() > 1 {
                        return Err(TargetError::SeveralRegions { regions: declared.into_iter().collect() });
                    }
                    declared.into_iter().next().unwrap_or_else(|| "us-east-1".to_owned())
                }
            };
            // The double verifies signatures, with the environment's
            // credentials or with fresh ones.
            let creds = if request.unsigned {
                SigningCredentials::random()
            } else {
                SigningCredentials::from_env().unwrap_or_else(SigningCredentials::random)
            };
            let (double, target) = start_double(&creds, &region, &request.capabilities, request.unsigned).await?;
            let credentials = (!request.unsigned).then_some(creds);
            Ok(PreparedTarget {
                target,
                credentials,
                region: Some(region),
                name: "built-in double".to_owned(),
                _double: Some(double),
            })
        }
    }
}

/// Whether any step of a case is sent signed.
fn signs_any(case: &Case) -> bool {
    case.setup.iter().chain(&case.steps).chain(&case.teardown).any(|s| s.sign != SignMode::Unsigned)
}

/// An http(s) base URL, with a did-you-mean for a missing scheme.
pub fn parse_endpoint(url: &str) -> Result<reqwest::Url, TargetError> {
    let bad = |why: String| TargetError::BadEndpoint { url: url.to_owned(), why };
    match reqwest::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => Ok(u),
        // `127.0.0.1:4566` parses as scheme `127.0.0.1`; `localhost:4566` as scheme `localhost`.
        Ok(_) | Err(_) if !url.contains("://") => Err(bad(format!("it has no scheme; did you mean `http://{url}`?"))),
        Ok(u) => Err(bad(format!("use an http or https URL, not `{}:`", u.scheme()))),
        Err(e) => Err(bad(e.to_string())),
    }
}

/// Starts the built-in double on a free loopback port: it verifies
/// signatures made with `creds` for `region` (or accepts anything when
/// `open`), and has every capability (plus `extra`).
pub async fn start_double(
    creds: &SigningCredentials,
    region: &str,
    extra: &BTreeSet<String>,
    open: bool,
) -> Result<(Double, Target), TargetError> {
    let auth = if open {
        AuthMode::Open
    } else {
        AuthMode::Verify(vec![Credential { access_key: creds.access_key.clone(), secret: creds.secret.clone() }])
    };
    let config = DoubleConfig { auth, region: region.to_owned(), ..DoubleConfig::default() };
    let double = Double::start_local(config).await.map_err(TargetError::Double)?;
    let base_url = double.uri().parse().map_err(|e| TargetError::Double(std::io::Error::other(e)))?;
    let mut capabilities: BTreeSet<String> = DOUBLE_CAPABILITIES.iter().map(|s| s.to_string()).collect();
    if open {
        // Nothing is verified: cases that need signatures checked are skipped.
        capabilities.remove("signature-verification");
        capabilities.remove("auth");
    }
    capabilities.extend(extra.iter().cloned());
    Ok((double, Target { base_url, capabilities }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_without_a_scheme_get_a_suggestion() {
        for url in ["127.0.0.1:4599", "localhost:4566", "example.com"] {
            let e = parse_endpoint(url).expect_err(url).to_string();
            assert!(e.contains(&format!("did you mean `http://{url}`?")), "{e}");
        }
        assert!(parse_endpoint("ftp://x").expect_err("ftp").to_string().contains("http or https"));
        assert!(parse_endpoint("http://127.0.0.1:4566/prefix").is_ok());
    }
}
