//! The command line: clap arguments, loading, running, printing, exit codes.
//! `anyhow` lives here and in `main` only.

mod args;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result, anyhow};
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};

use args::{BaselineArgs, Cli, Command, GenerateArgs, MergeArgs, RunArgs, SchemaKind, SelectArgs, ServeArgs};

use crate::case::{Case, LoadOptions, load_cases};
use crate::double::{AuthMode, DoubleConfig, Service};
use crate::report;
use crate::report::terminal::{self, Style};
use crate::report::{ReportInput, append_step_summary, write_reports};
use crate::runner::{self, Cancel, CaseResult, RunOptions, Selection};

/// Exit code: everything conforms.
pub const EXIT_OK: u8 = 0;
/// Exit code: a divergence, or a case that could not run.
pub const EXIT_FAILED: u8 = 1;
/// Exit code: invalid case files or usage.
pub const EXIT_USAGE: u8 = 2;
/// Exit code: the run was interrupted (Ctrl-C); the reports say so.
pub const EXIT_INTERRUPTED: u8 = 130;

use crate::target::TargetRequest;

/// Parses the command line and runs it; returns the process exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let chain: Vec<String> = e.chain().map(ToString::to_string).collect();
            eprintln!("error: {}", chain.join(": "));
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn dispatch(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::List(sel) => {
            let Some(cases) = load(&sel, false)? else { return Ok(EXIT_USAGE) };
            let mut out = std::io::stdout().lock();
            for c in cases {
                if writeln!(out, "{}", c.id).is_err() {
                    break; // a closed pipe (`| head`) is not an error
                }
            }
            Ok(EXIT_OK)
        }
        Command::Check(sel) => {
            let Some(cases) = load(&sel, false)? else { return Ok(EXIT_USAGE) };
            let files: BTreeSet<_> = cases.iter().map(|c| c.file.clone()).collect();
            println!("{} cases in {} files: ok", cases.len(), files.len());
            Ok(EXIT_OK)
        }
        Command::Run(args) => run_cases(args),
        Command::Serve(args) => serve(args),
        Command::Merge(args) => merge(args),
        Command::Baseline(args) => baseline_cmd(args),
        Command::Generate(args) => generate_cmd(args),
        Command::Schema(args) => {
            let kind = match args.kind {
                SchemaKind::Case => crate::case::FileKind::Case,
                SchemaKind::Suite => crate::case::FileKind::Suite,
                SchemaKind::Contract => crate::case::FileKind::Contract,
            };
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(crate::case::json_schema(kind).as_bytes());
            Ok(EXIT_OK)
        }
    }
}

/// Writes or updates a generated suite and says what it did.
fn generate_cmd(args: GenerateArgs) -> Result<u8> {
    let opts = crate::generate::GenerateOptions::new(&args.model, &args.operation, &args.request, &args.out)
        .with_max_cases(args.max_cases);
    let g = crate::generate::generate(&opts)?;
    println!(
        "{}: {} constraints ({} without a case), {} generated cases, {} of yours kept; violations expect {}",
        args.operation,
        g.statements,
        g.without_case,
        g.cases,
        g.kept,
        g.errors.join(" or ")
    );
    if g.dropped.any() {
        println!(
            "capped: {} cases not written and {} constraints not listed (--max-cases {}): {}; contract.toml sums them up in `{}::capped`",
            g.dropped.count,
            g.dropped.constraints,
            opts.max_cases,
            g.dropped.summary(),
            args.operation
        );
    }
    for p in &g.written {
        println!("wrote   {}", p.display());
    }
    for p in &g.removed {
        println!("removed {}", p.display());
    }
    if g.written.is_empty() && g.removed.is_empty() {
        println!("{} is up to date", args.out.display());
    }
    Ok(EXIT_OK)
}

/// The largest `report.json` that `merge` and `baseline` read. A report
/// takes 4.2 KB a case for one-request cases failing (the benchmark's) and
/// 14.3 KB a case on average for the shipped suite (multi-step cases; up
/// to 46 KB): 2 GiB holds a 100,000-case shard at up to 21 KB a case.
const MAX_REPORT_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// Reads one run's `report.json` (or the one in a report folder): only a
/// regular file (a FIFO would block, `/dev/zero` never end), at most
/// [`MAX_REPORT_BYTES`], counted while reading.
fn read_report(input: &std::path::Path) -> Result<report::json::ParsedReport> {
    let path = if input.is_dir() { input.join("report.json") } else { input.to_path_buf() };
    let bytes = crate::files::read_regular(&path, MAX_REPORT_BYTES)
        .map_err(|e| anyhow!("cannot read `{}`: {e}", path.display()))?;
    // Checked as JSON first (nothing is kept), then read straight into
    // the report's fields: a JSON value of the whole file and a copy of it
    // took 280 MiB for two reports of 75,000 statements.
    serde_json::from_slice::<serde::de::IgnoredAny>(&bytes)
        .with_context(|| format!("`{}` is not JSON", path.display()))?;
    report::json::from_slice(&bytes).map_err(|e| {
        let cause = std::error::Error::source(&e).map(|c| format!(": {c}")).unwrap_or_default();
        anyhow!("`{}` is not a conform report: {e}{cause}", path.display())
    })
}

/// Writes or updates a baseline from the divergences of runs' reports.
fn baseline_cmd(args: BaselineArgs) -> Result<u8> {
    use crate::baseline::{Change, Observed, ObservedCase, base_step_name, update};
    use runner::{Outcome, Phase};
    let mut observed = Observed::default();
    for input in &args.inputs {
        for c in read_report(input)?.summary.cases {
            if c.outcome == Outcome::Skipped {
                continue;
            }
            if observed.cases.contains_key(&c.id) {
                return Err(anyhow!("case `{}` is in more than one report: the inputs overlap", c.id));
            }
            let mut o = ObservedCase {
                complete: matches!(c.outcome, Outcome::Passed | Outcome::Known | Outcome::Fixed),
                ..ObservedCase::default()
            };
            for s in c.steps.iter().filter(|s| s.phase != Phase::Teardown) {
                o.steps.insert(base_step_name(&s.name).to_owned());
                o.divergences.extend(s.mismatches.iter().map(|m| (s.name.clone(), m.clone())));
                if s.omitted.count > 0 {
                    eprintln!(
                        "warning: case `{}` step `{}`: the report kept {} of {} divergences (`--max-divergences`); \
                         entries for the step are kept and the rest could not be added: run again with a larger \
                         `--max-divergences` to list them all",
                        c.id,
                        s.name,
                        s.mismatches.len(),
                        s.mismatches.len() + s.omitted.count
                    );
                    o.capped_steps.insert(base_step_name(&s.name).to_owned());
                }
            }
            observed.cases.insert(c.id, o);
        }
    }
    let existing = match std::fs::metadata(&args.out) {
        // Only a regular file, bounded while reading: a FIFO would block.
        Ok(_) => {
            let bytes = crate::files::read_regular(&args.out, crate::baseline::MAX_BASELINE_BYTES)
                .map_err(|e| anyhow!("cannot read `{}`: {e}", args.out.display()))?;
            Some(String::from_utf8(bytes).with_context(|| format!("`{}` is not UTF-8", args.out.display()))?)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(anyhow!(e).context(format!("cannot read `{}`", args.out.display()))),
    };
    let (text, changes) = match update(&args.out, existing.as_deref(), &observed) {
        Ok(r) => r,
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {e}\n");
            }
            eprintln!("the baseline was not changed");
            return Ok(EXIT_USAGE);
        }
    };
    if text.len() as u64 > crate::baseline::MAX_BASELINE_BYTES {
        return Err(anyhow!(
            "the baseline would be {} bytes, over the limit of {} that a run reads: `{}` was not changed",
            text.len(),
            crate::baseline::MAX_BASELINE_BYTES,
            args.out.display()
        ));
    }
    report::write_atomic(&args.out, text.as_bytes())
        .with_context(|| format!("cannot write `{}`", args.out.display()))?;
    let (mut added, mut removed) = (0, 0);
    for c in &changes {
        match c {
            Change::Added(k) => {
                added += 1;
                println!("added    {}", k.describe());
            }
            Change::Removed(e) => {
                removed += 1;
                println!("removed  {}: {}", e.location, e.describe());
            }
        }
    }
    let total = crate::baseline::Baseline::parse(&args.out, &text).map(|b| b.entries.len()).unwrap_or(0);
    println!(
        "{}: {total} entries ({added} added, {removed} removed) from {} cases in {} report{}",
        args.out.display(),
        observed.cases.len(),
        args.inputs.len(),
        if args.inputs.len() == 1 { "" } else { "s" }
    );
    Ok(EXIT_OK)
}

/// Merges shard reports: every case once, counts and coverage recomputed.
fn merge(args: MergeArgs) -> Result<u8> {
    let mut cases: Vec<CaseResult> = Vec::new();
    let mut statements: Vec<(String, String)> = Vec::new();
    // Statement ids already taken, so that each input's statements join in
    // one lookup each, not a scan of all those before.
    let mut statement_ids: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut targets = BTreeSet::new();
    let (mut duration, mut interrupted) = (std::time::Duration::ZERO, false);
    let mut baseline: Option<runner::BaselineUse> = None;
    for input in &args.inputs {
        let parsed = read_report(input)?;
        if let Some(b) = parsed.summary.baseline.clone() {
            // An entry not run in one shard may have run in another: the
            // merged figure is the smallest.
            baseline = Some(match baseline.take() {
                None => b,
                Some(mut acc) => {
                    acc.not_run = acc.not_run.min(b.not_run);
                    acc.allow_fixed |= b.allow_fixed;
                    acc
                }
            });
        }
        for s in parsed.statements {
            if statement_ids.insert(s.0.clone()) {
                statements.push(s);
            }
        }
        targets.insert(parsed.target);
        duration = duration.max(parsed.summary.duration);
        interrupted |= parsed.summary.interrupted;
        cases.extend(parsed.summary.cases);
    }
    cases.sort_by(|a, b| a.id.cmp(&b.id));
    if let Some(w) = cases.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(anyhow!("case `{}` is in more than one report: the inputs overlap", w[0].id));
    }
    let summary = runner::RunSummary { cases, duration, interrupted, baseline };
    let coverage = (!statements.is_empty()).then(|| crate::report::coverage(&statements, &summary, &BTreeSet::new()));
    let target = targets.into_iter().collect::<Vec<_>>().join(", ");
    let input = ReportInput { summary: &summary, target: &target, coverage: coverage.as_ref() };
    let written = write_reports(&args.out, &input).context("the merged reports could not be written")?;
    println!("{}", terminal::summary_line(&summary));
    println!(
        "merged {} reports into {}",
        args.inputs.len(),
        written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    );
    Ok(if summary.success() { EXIT_OK } else { EXIT_FAILED })
}

/// Loads and selects cases; prints every load error and returns `None` when there is any.
/// With `require_cases`, selecting no case at all is an error too.
fn load(sel: &SelectArgs, require_cases: bool) -> Result<Option<Vec<Case>>> {
    Ok(load_with_ids(sel, require_cases)?.map(|l| l.selected))
}

/// The cases of a run, and what the selection left out.
struct Loaded {
    /// The selected cases.
    selected: Vec<Case>,
    /// The id of every loaded case, selected or not.
    ids: BTreeSet<String>,
    /// The statements covered by cases the selection left out.
    left_out: BTreeSet<String>,
}

/// Loads and selects cases, and gives the ids of every loaded case too
/// (selected or not).
fn load_with_ids(sel: &SelectArgs, require_cases: bool) -> Result<Option<Loaded>> {
    let opts = LoadOptions { cli_vars: sel.vars.iter().map(|(k, _)| k.clone()).collect() };
    match load_cases(&sel.paths, &opts) {
        Ok(cases) => {
            let ids: BTreeSet<String> = cases.iter().map(|c| c.id.clone()).collect();
            let covers: Vec<(String, Vec<String>)> = cases.iter().map(|c| (c.id.clone(), c.covers.clone())).collect();
            let selection = Selection { filters: sel.filter.clone(), tags: sel.tag.clone(), shard: sel.shard };
            let selected = selection.apply(cases);
            let chosen: BTreeSet<&str> = selected.iter().map(|c| c.id.as_str()).collect();
            let left_out =
                covers.into_iter().filter(|(id, _)| !chosen.contains(id.as_str())).flat_map(|(_, c)| c).collect();
            if selected.is_empty() && require_cases {
                // A run of nothing must not turn a CI job green.
                let paths = sel.paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
                let why = if ids.is_empty() {
                    format!(
                        "no case found in {paths} (case files are `*.toml` other than suite.toml and contract.toml)"
                    )
                } else {
                    format!(
                        "all {} cases found in {paths} were left out by --filter, --tag or --shard; none was selected",
                        ids.len()
                    )
                };
                eprintln!("error: {why}");
                return Ok(None);
            }
            Ok(Some(Loaded { selected, ids, left_out }))
        }
        Err(errors) => {
            let mut err = std::io::stderr().lock();
            for e in &errors {
                let _ = writeln!(err, "error: {e}\n");
            }
            let files: BTreeSet<_> = errors.iter().map(|e| e.path.clone()).collect();
            let _ = writeln!(
                err,
                "{} problem{} in {} file{}; nothing was sent",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" },
                files.len(),
                if files.len() == 1 { "" } else { "s" }
            );
            Ok(None)
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("failed to start the async runtime")
}

/// The runtime of `conform run`: one thread. Cases wait on the network far
/// more than they compute, and one thread drives thousands of requests a
/// second without waking others across cores (`bash bench/run.sh`: less
/// CPU and shorter runs than a worker per core, on loopback where the
/// target shares the cores).
fn runner_runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().context("failed to start the async runtime")
}

fn run_cases(args: RunArgs) -> Result<u8> {
    let Some(Loaded { selected: cases, ids: all_ids, left_out }) = load_with_ids(&args.select, true)? else {
        return Ok(EXIT_USAGE);
    };
    let baseline = match &args.baseline {
        None => None,
        Some(path) => match crate::baseline::Baseline::load(path) {
            Ok(b) => Some(Arc::new(b)),
            Err(errors) => {
                let mut err = std::io::stderr().lock();
                for e in &errors {
                    let _ = writeln!(err, "error: {e}\n");
                }
                let _ = writeln!(err, "the baseline `{}` is invalid; nothing was sent", path.display());
                return Ok(EXIT_USAGE);
            }
        },
    };
    let rt = runner_runtime()?;
    rt.block_on(async move {
        let request = TargetRequest {
            endpoint: args.endpoint.clone(),
            capabilities: args.capabilities.iter().cloned().collect(),
            unsigned: args.unsigned,
        };
        let prepared = match crate::target::prepare(&request, &cases).await {
            Ok(p) => p,
            Err(e @ crate::target::TargetError::Double(_)) => return Err(anyhow::Error::new(e)),
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(EXIT_USAGE);
            }
        };
        let (target, credentials) = (prepared.target.clone(), prepared.credentials.clone());
        let style = Style::detect(std::io::stdout().is_terminal());
        let statements = contract_statements(&cases);
        let mut ca_certs = Vec::new();
        for path in &args.ca_certs {
            let pem = std::fs::read(path).with_context(|| format!("cannot read --ca-cert `{}`", path.display()))?;
            let found = reqwest::Certificate::from_pem_bundle(&pem).map(|c| c.len()).unwrap_or(0);
            if found == 0 {
                return Err(anyhow!("--ca-cert `{}` holds no PEM certificate", path.display()));
            }
            ca_certs.push(pem);
        }
        if args.insecure {
            eprintln!("warning: --insecure: TLS certificates are not verified; use it only against a test endpoint");
        }
        let cancel = Cancel::default();
        let progress = Progress::new(cases.len() as u64, args.quiet);
        let opts = RunOptions {
            jobs: usize::from(args.jobs),
            timeout: args.timeout,
            fail_fast: args.fail_fast,
            vars: args.select.vars.iter().cloned().collect::<BTreeMap<_, _>>(),
            max_body: runner::DEFAULT_MAX_BODY,
            on_event: Some(progress.listener()),
            credentials,
            region: prepared.region.clone(),
            cancel: cancel.clone(),
            ca_certs,
            insecure: args.insecure,
            baseline: baseline.clone(),
            allow_fixed: args.allow_fixed,
            max_divergences: args.max_divergences,
            max_body_kept: args.max_body_bytes,
            max_for_each: args.max_for_each,
            max_json_values: args.max_json_values,
        };
        let on_interrupt = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\ninterrupted: finishing started cases (teardown) and writing reports");
                on_interrupt.cancel();
            }
        });
        let mut summary = runner::run(cases, &target, &opts).await.context("the run could not start")?;
        if let (Some(b), Some(used)) = (&baseline, summary.baseline.as_mut()) {
            used.unknown_cases = b.unknown_cases(|case| all_ids.contains(case));
        }
        progress.finish();
        let target_name = prepared.name.clone();
        let coverage = (!statements.is_empty()).then(|| crate::report::coverage(&statements, &summary, &left_out));
        let input = ReportInput { summary: &summary, target: &target_name, coverage: coverage.as_ref() };
        let mut out = std::io::stdout().lock();
        let detail = match (args.quiet, args.verbose) {
            (true, _) => terminal::Detail::Quiet,
            (false, true) => terminal::Detail::Verbose,
            (false, false) => terminal::Detail::Normal,
        };
        let _ = terminal::write_report(&mut out, style, &summary, coverage.as_ref(), detail);
        drop(out);
        if let Some(dir) = &args.report_dir {
            let written = write_reports(dir, &input).context("the reports could not be written")?;
            if !args.quiet {
                eprintln!(
                    "reports: {}",
                    written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
                );
            }
        }
        append_step_summary(&input).context("cannot append to $GITHUB_STEP_SUMMARY")?;
        let code = if summary.interrupted {
            EXIT_INTERRUPTED
        } else if summary.success() {
            EXIT_OK
        } else {
            EXIT_FAILED
        };
        // The process exits next and the operating system takes the memory
        // back at once; freeing every result first only costs time.
        std::mem::forget(summary);
        Ok(code)
    })
}

/// The documented statements of every contract the cases use, in contract order.
fn contract_statements(cases: &[Case]) -> Vec<(String, String)> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for c in cases.iter().filter_map(|c| c.contract.as_ref()) {
        if seen.insert(c.path.clone()) {
            out.extend(c.statements.iter().map(|s| (s.id.clone(), format!("{} ({})", s.text, s.source))));
        }
    }
    out
}

/// Progress while a run goes, on stderr. On a terminal, a bar with counts
/// and the case in flight. Otherwise (a CI log) no line per case: the
/// report on stdout already prints one, and CI logs usually merge both
/// streams, so each case would show twice. Instead a count every
/// [`HEARTBEAT`], so a long run still shows it is alive.
struct Progress {
    bar: Option<ProgressBar>,
    quiet: bool,
    total: u64,
    done: Arc<AtomicU64>,
}

/// How often a run that is not on a terminal says how far it is.
const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(10);

impl Progress {
    fn new(total: u64, quiet: bool) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(total);
            if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}") {
                bar.set_style(style);
            }
            bar
        });
        Progress { bar, quiet, total, done: Arc::default() }
    }

    /// Follows the run's events: the case in flight as it starts, the
    /// counts as each case finishes.
    fn listener(&self) -> runner::OnEvent {
        let (bar, quiet, total, done) = (self.bar.clone(), self.quiet, self.total, self.done.clone());
        let counts = Arc::new(std::sync::Mutex::new([0u64; runner::Outcome::ALL.len()]));
        let last = Arc::new(std::sync::Mutex::new(std::time::Instant::now()));
        let message = |c: &[u64], id: &str| {
            format!(
                "{} passed, {} failed, {} errored, {} skipped, {} known, {} fixed · {id}",
                c[0], c[1], c[2], c[3], c[4], c[5]
            )
        };
        Arc::new(move |event: &runner::Event<'_>| {
            let r = match event {
                runner::Event::CaseStarted { id } => {
                    if let Some(bar) = &bar {
                        bar.set_message(message(&*counts.lock().unwrap_or_else(|e| e.into_inner()), id));
                    }
                    return;
                }
                runner::Event::CaseFinished { result } => result,
                _ => return,
            };
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            let mut c = counts.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(n) = c.get_mut(r.outcome as usize) {
                *n += 1;
            }
            if let Some(bar) = &bar {
                bar.set_message(message(&*c, &r.id));
                bar.inc(1);
            } else if !quiet && n < total {
                let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
                if last.elapsed() >= HEARTBEAT {
                    *last = std::time::Instant::now();
                    eprintln!("progress: {n}/{total} cases finished ({} failed, {} errored)", c[1], c[2]);
                }
            }
        })
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn serve(args: ServeArgs) -> Result<u8> {
    use crate::double::{Limits, ShutdownSignals};
    let rt = runtime()?;
    rt.block_on(async move {
        // Installed before the URL is announced: a supervisor that stops the
        // server right after reading it gets a clean exit.
        let signals = ShutdownSignals::install().context("cannot install signal handlers")?;
        let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port))
            .await
            .with_context(|| format!("cannot listen on {}:{}", args.host, args.port))?;
        let addr = listener.local_addr().context("the listening address")?;
        let auth = if args.no_auth {
            AuthMode::Open
        } else if args.credentials.is_empty() {
            AuthMode::RequireSigV4
        } else {
            AuthMode::Verify(args.credentials.clone())
        };
        let config = DoubleConfig { auth, region: args.region.clone(), ..DoubleConfig::default() };
        if !addr.ip().is_loopback() {
            eprintln!(
                "warning: listening on {addr}, beyond this machine: the fault control ({}) is open to anyone who can reach this port",
                crate::double::FAULTS_PATH
            );
        }
        let limits = Limits {
            header_timeout: args.header_timeout,
            body_timeout: args.body_timeout,
            max_connections: args.max_connections as usize,
            grace: args.grace,
        };
        // A closed stdout (a supervisor that read the URL and left) must not stop the server.
        let mut out = std::io::stdout();
        let _ = writeln!(out, "conform serve: listening on http://{addr}").and_then(|()| out.flush());
        crate::double::serve(Service::new(config), listener, limits, signals.wait()).await;
        let _ = writeln!(out, "conform serve: stopped");
        Ok(EXIT_OK)
    })
}
