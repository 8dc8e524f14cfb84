//! Every case under `cases/` as a `cargo test` trial named by its id.
//! Runs against the built-in double, or against `CONFORM_ENDPOINT` when set
//! (with `CONFORM_CAPABILITIES` and `CONFORM_VARS`).

fn main() -> std::process::ExitCode {
    conform::harness::Conformance::suite(concat!(env!("CARGO_MANIFEST_DIR"), "/cases")).from_env().run()
}
