//! Any bytes, read as a cctrl, trepctl and host command: a command prints back to itself, an error is located.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(failure) = tungsten_model::fuzzing::parse_command(data) {
        panic!("{failure}");
    }
});
