#![no_main]
//! `xmcp_workos::fuzzing::token`: must return without panicking, whatever the bytes.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| xmcp_workos::fuzzing::token(data));
