//! Fuzz target: see `properties::timeline`.
#![no_main]

#[path = "properties.rs"]
mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| properties::timeline(data));
