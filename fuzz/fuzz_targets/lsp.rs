//! Fuzz target: see `properties::lsp`.
#![no_main]

#[path = "properties.rs"]
mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| properties::lsp(data));
