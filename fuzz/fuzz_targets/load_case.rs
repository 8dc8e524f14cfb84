//! Any bytes as a case file: the loader returns cases or located errors,
//! never panics.
#![no_main]

use std::path::Path;

use conform::case::{LoadOptions, load_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = load_bytes(Path::new("fuzz.toml"), data, &LoadOptions::default());
});
