//! A topology and up to 64 engine inputs drawn from the bytes: refusals are inert, apply is deterministic, invariants hold.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(failure) = tungsten_model::fuzzing::apply_sequence(data) {
        panic!("{failure}");
    }
});
