//! A state with fields overwritten from the bytes, consistent or not, and inputs applied to it: every entry point answers, the same way twice.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(failure) = tungsten_model::fuzzing::apply_state(data) {
        panic!("{failure}");
    }
});
