//! Any bytes, read as a `cctrl ls` listing: a listing renders back to itself, an error is located.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(failure) = tungsten_model::fuzzing::parse_ls(data) {
        panic!("{failure}");
    }
});
