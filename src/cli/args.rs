//! Command-line arguments (clap).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::runner::Shard;

/// Contract tests and conformance checks for HTTP APIs.
#[derive(Debug, Parser)]
#[command(name = "conform", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run cases against the built-in double, or an endpoint with --endpoint.
    #[command(after_help = EXIT_RUN)]
    Run(RunArgs),
    /// Print case ids, one a line.
    #[command(after_help = EXIT_LOAD)]
    List(SelectArgs),
    /// Validate case files; sends nothing.
    #[command(after_help = EXIT_LOAD)]
    Check(SelectArgs),
    /// Run the built-in double of the documented API as a server.
    #[command(after_help = EXIT_SERVE)]
    Serve(ServeArgs),
    /// Merge the reports of several runs (such as shards) into one.
    #[command(after_help = EXIT_MERGE)]
    Merge(MergeArgs),
    /// Write or update a baseline of known divergences from runs' reports.
    #[command(after_help = EXIT_WRITE)]
    Baseline(BaselineArgs),
    /// Write (or update) a suite with a case per documented constraint of
    /// an operation's input, from the service model and one valid input.
    #[command(after_help = EXIT_WRITE)]
    Generate(GenerateArgs),
    /// Print the JSON Schema of a file kind (for editors and validators).
    #[command(after_help = EXIT_WRITE)]
    Schema(SchemaArgs),
}

// Each command's `--help` ends with its exit codes: scripts and CI
// configurations are written from `--help`, not from the README.
const EXIT_RUN: &str = "Exit codes:
  0    everything conforms (known divergences aside)
  1    a divergence that is not known, a case that could not run, or a fixed
       baseline entry (unless --allow-fixed)
  2    invalid case files, an invalid baseline or usage, or no case selected;
       nothing is sent
  130  interrupted (Ctrl-C); the reports are written and say so";
const EXIT_LOAD: &str = "Exit codes:
  0    every case file is valid
  2    invalid case files or usage (every problem is printed, with its location)";
const EXIT_SERVE: &str = "Exit codes:
  0    stopped by SIGTERM or SIGINT after requests in flight finished
  2    usage, or the address cannot be listened on";
const EXIT_MERGE: &str = "Exit codes:
  0    the merged run conforms
  1    the merged run has a divergence, an errored case or a fixed entry
  2    unreadable or overlapping reports, or usage";
const EXIT_WRITE: &str = "Exit codes:
  0    done
  2    invalid input or usage; nothing is written";

/// `conform schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which file kind.
    #[arg(value_enum)]
    pub kind: SchemaKind,
}

/// The file kinds that have a JSON Schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    /// A case file: `[[case]]` tables.
    Case,
    /// `suite.toml`: defaults for the cases below it.
    Suite,
    /// `contract.toml`: the documented statements and the model.
    Contract,
}

/// `conform generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The botocore service model (`service-2.json` or `service-2.json.gz`).
    #[arg(long, value_name = "PATH")]
    pub model: PathBuf,
    /// The operation, as the model names it (`BatchUpdateUser`).
    #[arg(long, value_name = "NAME")]
    pub operation: String,
    /// One valid input: JSON in the operation's input shape; `{{templates}}` are kept.
    #[arg(long, value_name = "FILE")]
    pub request: PathBuf,
    /// The suite folder to write, or to update (what a person added is kept).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The most cases written for the operation (one operation a run, so
    /// also per run), the request as given included; past it, cases are
    /// dropped in model order and the output says which.
    #[arg(long, value_name = "N", default_value_t = crate::generate::DEFAULT_MAX_CASES)]
    pub max_cases: usize,
}

/// `conform baseline`.
#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// Report folders (or report.json files) of the runs; the shards of
    /// one suite merge.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The baseline file to write, or to update in place (reasons, links
    /// and comments are kept).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// `conform merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Report folders (or report.json files) of the runs to merge.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Where to write the merged report.json, junit.xml, report.md and report.html.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Which cases.
#[derive(Debug, Args, Clone)]
pub struct SelectArgs {
    /// Case files or folders.
    #[arg(default_value = "cases")]
    pub paths: Vec<PathBuf>,
    /// Only ids containing this text, or matching this glob (`*`, `?`). Repeatable.
    #[arg(long)]
    pub filter: Vec<String>,
    /// Only cases with this tag. Repeatable.
    #[arg(long)]
    pub tag: Vec<String>,
    /// Only shard K of N (deterministic by case id).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// A variable for `{{KEY}}`, overriding suite and case values. Repeatable.
    #[arg(long = "var", value_name = "KEY=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
}

/// `conform run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Which cases.
    #[command(flatten)]
    pub select: SelectArgs,
    /// Base URL of the implementation under test (may carry a path prefix).
    /// Without it, the built-in double is started on a free loopback port.
    #[arg(long, value_name = "URL", value_parser = parse_endpoint)]
    pub endpoint: Option<String>,
    /// A capability the endpoint offers (for example `faults`). Repeatable.
    #[arg(long = "capability", value_name = "NAME")]
    pub capabilities: Vec<String>,
    /// Trust this CA certificate (PEM) for https endpoints, beside the system roots. Repeatable.
    #[arg(long = "ca-cert", value_name = "FILE")]
    pub ca_certs: Vec<PathBuf>,
    /// Do not verify TLS certificates (prints a warning).
    #[arg(long)]
    pub insecure: bool,
    /// Cases in flight at once.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: u16,
    /// Send every request unsigned, even for suites with a `signing_name`.
    #[arg(long)]
    pub unsigned: bool,
    /// Per-request timeout, like `10s`, `500ms` or `1m`.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Stop starting cases after the first failure or error.
    #[arg(long)]
    pub fail_fast: bool,
    /// Divergences listed in this file are known: reported, never failing
    /// the run. A listed one that no longer occurs is `fixed` and fails it.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Fixed baseline entries do not fail the run.
    #[arg(long, requires = "baseline")]
    pub allow_fixed: bool,
    /// Divergences kept per step: the first N, then a count of the rest.
    /// The verdict and the baseline see every divergence.
    #[arg(long, value_name = "N", default_value_t = crate::runner::DEFAULT_MAX_DIVERGENCES,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_divergences: usize,
    /// Bytes of each response body kept for the reports once judged (the
    /// judge reads the whole body); the rest is named by length and SHA-256.
    #[arg(long, value_name = "N", default_value_t = crate::runner::DEFAULT_MAX_BODY_KEPT)]
    pub max_body_bytes: usize,
    /// Items a `for_each` over a list from a response may have; more make
    /// the step error.
    #[arg(long, value_name = "N", default_value_t = crate::runner::DEFAULT_MAX_FOR_EACH)]
    pub max_for_each: usize,
    /// JSON values a response body may hold to be judged; a body with more
    /// makes the step error before it is parsed.
    #[arg(long, value_name = "N", default_value_t = crate::runner::DEFAULT_MAX_JSON_VALUES)]
    pub max_json_values: usize,
    /// Write report.json, junit.xml, report.md and report.html here.
    #[arg(long, value_name = "DIR")]
    pub report_dir: Option<PathBuf>,
    /// Print only cases that did not pass (nor are known), and no progress.
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print every exchange of every case.
    #[arg(long, short)]
    pub verbose: bool,
}

/// `conform serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 4566)]
    pub port: u16,
    /// Verify SigV4 signatures against this key pair. Repeatable.
    #[arg(long, value_name = "AKID:SECRET", conflicts_with = "no_auth")]
    pub credentials: Vec<crate::double::Credential>,
    /// Accept requests without any signature.
    #[arg(long)]
    pub no_auth: bool,
    /// The region requests must be signed for.
    #[arg(long, default_value = "us-east-1")]
    pub region: String,
    /// Time a client has to send a request head; an idle keep-alive
    /// connection is closed after the same time.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub header_timeout: Duration,
    /// Time a client has to send a request body.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub body_timeout: Duration,
    /// Connections served at once; more wait in the listen backlog.
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=65_536))]
    pub max_connections: u32,
    /// After SIGTERM or SIGINT, how long requests in flight may take to finish.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub grace: Duration,
}

fn parse_var(s: &str) -> Result<(String, String), String> {
    let (k, v) = s.split_once('=').ok_or_else(|| format!("expected KEY=VALUE, got `{s}`"))?;
    if k.is_empty() {
        return Err(format!("empty variable name in `{s}`"));
    }
    if let Some(why) = crate::case::reserved_name(k) {
        return Err(why);
    }
    Ok((k.to_owned(), v.to_owned()))
}

/// Checks an endpoint URL; one without a scheme (`127.0.0.1:4599`,
/// `localhost:4566`) gets a did-you-mean for `http://`.
pub fn parse_endpoint(s: &str) -> Result<String, String> {
    let suggest = || {
        let with = format!("http://{s}");
        reqwest::Url::parse(&with)
            .ok()
            .filter(|u| u.host_str().is_some())
            .map(|_| format!("; did you mean `{with}`?"))
            .unwrap_or_default()
    };
    match reqwest::Url::parse(s) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(s.to_owned()),
        Ok(u) if matches!(u.scheme(), "http" | "https") => Err("the URL names no host".to_owned()),
        // `localhost:4566` parses, with `localhost` as its scheme.
        _ if !s.contains("://") => Err(format!("`{s}` has no http:// or https:// scheme{}", suggest())),
        Ok(u) => Err(format!("the scheme `{}` is not http or https", u.scheme())),
        Err(e) => Err(format!("not a URL: {e}")),
    }
}

/// Parses `250ms`, `10s`, `2m`, or a number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = s.find(|c: char| !c.is_ascii_digit() && c != '.').map_or((s, "s"), |i| s.split_at(i));
    let n: f64 = num.parse().map_err(|_| format!("invalid duration `{s}`"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        _ => return Err(format!("invalid duration unit in `{s}` (use ms, s or m)")),
    };
    if !(secs > 0.0 && secs < 86_400.0) {
        return Err(format!("duration out of range: `{s}`"));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_without_a_scheme_gets_a_did_you_mean() {
        let table = [
            (
                "127.0.0.1:4599",
                Err("`127.0.0.1:4599` has no http:// or https:// scheme; did you mean `http://127.0.0.1:4599`?"),
            ),
            (
                "localhost:4566",
                Err("`localhost:4566` has no http:// or https:// scheme; did you mean `http://localhost:4566`?"),
            ),
            ("http://127.0.0.1:4599/prefix", Ok("http://127.0.0.1:4599/prefix")),
            ("https://example.com", Ok("https://example.com")),
            ("ftp://example.com", Err("the scheme `ftp` is not http or https")),
        ];
        for (input, want) in table {
            assert_eq!(parse_endpoint(input).as_deref().map_err(String::as_str), want, "{input}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("2").unwrap(), Duration::from_secs(2));
        assert_eq!(parse_duration("1m").unwrap(), Duration::from_secs(60));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("5h").is_err());
    }
}
