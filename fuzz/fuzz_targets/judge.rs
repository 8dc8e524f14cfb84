//! The whole judge: a random model shape, a random case (expectation,
//! captures, secrets) and random responses, decoded from the bytes by
//! `conform::fuzzing`, run against a loopback server and reported. It must
//! finish without a panic, a hang or unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = conform::fuzzing::judge(data);
});
