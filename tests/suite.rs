//! Proof that the BatchUpdateUser suite's verdicts are right.
//!
//! - No false positives: the whole suite passes against the double
//!   configured to make the *other* choice in every dimension where the
//!   reference is silent, behind a proxy that re-chunks every body.
//! - No vacuous cases: against each mutant double (one realistic deviation
//!   each), the suite fails; and every case fails against some mutant. The
//!   test prints the mutation score and which cases killed which mutants.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;

use conform::case::{Case, LoadOptions, load_cases};
use conform::double::{AuthMode, Credential, Double, DoubleConfig, Mutant, Quirks};
use conform::runner::{self, Outcome, RunOptions, RunSummary, SigningCredentials, Target};

const AKID: &str = "AKIDSUITETEST";
const SECRET: &str = "suite-test-secret";

fn suite() -> Vec<Case> {
    let root = common::root().join("cases");
    load_cases(&[root], &LoadOptions::default()).unwrap_or_else(|e| panic!("the suite loads: {e:?}"))
}

fn config(quirks: Quirks) -> DoubleConfig {
    DoubleConfig {
        auth: AuthMode::Verify(vec![Credential { access_key: AKID.into(), secret: SECRET.into() }]),
        quirks,
        ..DoubleConfig::default()
    }
}

async fn run_against(base: &str, cases: Vec<Case>) -> RunSummary {
    let target = Target {
        base_url: base.parse().unwrap(),
        capabilities: ["auth", "faults", "signature-verification"].iter().map(|s| s.to_string()).collect(),
    };
    let opts = RunOptions {
        credentials: Some(SigningCredentials { access_key: AKID.into(), secret: SECRET.into(), session_token: None }),
        ..RunOptions::default()
    };
    runner::run(cases, &target, &opts).await.unwrap()
}

fn describe(summary: &RunSummary) -> String {
    let mut out = String::new();
    for c in summary.cases.iter().filter(|c| c.outcome != Outcome::Passed) {
        out.push_str(&format!("{} {}: {}\n", c.outcome.as_str(), c.id, c.reason.clone().unwrap_or_default()));
        out.push_str(&conform::report::terminal::case_details(conform::report::terminal::Style { color: false }, c));
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn the_suite_passes_every_choice_the_reference_leaves_open() {
    let double = Double::start_local(config(Quirks::all_other_choices())).await.unwrap();
    let upstream: SocketAddr = double.uri().trim_start_matches("http://").parse().unwrap();
    let proxy = common::chunking_proxy(upstream).await;
    let summary = run_against(&format!("http://{proxy}"), suite()).await;
    let c = summary.counts();
    assert!(summary.success() && c.skipped == 0, "false positives:\n{}", describe(&summary));
    assert!(c.passed >= 25, "{c:?}");

    // The default double passes too, directly.
    let double = Double::start_local(config(Quirks::default())).await.unwrap();
    let summary = run_against(&double.uri(), suite()).await;
    assert!(summary.success(), "{}", describe(&summary));
}

#[tokio::test(flavor = "multi_thread")]
async fn every_mutant_is_killed_and_every_case_kills_one() {
    let ids: Vec<String> = suite().iter().map(|c| c.id.clone()).collect();
    let mut killed_by: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut survivors = Vec::new();
    for mutant in Mutant::ALL {
        let quirks = Quirks { mutant: Some(*mutant), ..Quirks::default() };
        let double = Double::start_local(config(quirks)).await.unwrap();
        let summary = run_against(&double.uri(), suite()).await;
        let killers: Vec<String> =
            summary.cases.iter().filter(|c| c.outcome == Outcome::Failed).map(|c| c.id.clone()).collect();
        println!(
            "{mutant:?}: killed by {} case(s){}",
            killers.len(),
            if killers.is_empty() { " — SURVIVED" } else { "" }
        );
        for k in &killers {
            println!("    {k}");
            killed_by.entry(k.clone()).or_default().push(format!("{mutant:?}"));
        }
        if summary.success() || killers.is_empty() {
            survivors.push(format!("{mutant:?}"));
        }
    }
    let total = Mutant::ALL.len();
    println!("mutation score: {}/{total} mutants killed", total - survivors.len());
    let idle: BTreeSet<&String> = ids.iter().filter(|id| !killed_by.contains_key(*id)).collect();
    for id in &ids {
        println!("{id}: kills {}", killed_by.get(id).map(|v| v.join(", ")).unwrap_or_else(|| "nothing".into()));
    }
    assert!(total >= 20);
    assert!(survivors.is_empty(), "mutants that no case failed against: {survivors:?}");
    assert!(idle.is_empty(), "cases that fail against no mutant: {idle:?}");
}
