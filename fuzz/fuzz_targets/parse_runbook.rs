//! Any bytes, read as a runbook: it prints back to itself, and starting and validating it never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(failure) = tungsten_model::fuzzing::parse_runbook(data) {
        panic!("{failure}");
    }
});
