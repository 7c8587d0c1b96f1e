//! Fuzzing support (feature `arbitrary`): filled in by the fuzz harness work.
