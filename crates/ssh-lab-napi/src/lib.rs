//! The lab addon of ssh-spike: what the tool needs beside the connection manager, kept out of the
//! core addon that a library user loads. It holds the embedded lab server ([`lab`]), its fault
//! proxy ([`proxy`]), key generation for the lab and the tests, and the benchmark hooks: the
//! crypto floor ([`floor`]) and the cost of crossing the napi boundary ([`bench`]).
//!
//! Errors cross as `[CODE] message`, as the core addon's do.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// napi-rs registers exports at load time, except under cfg(test).
#![cfg_attr(test, allow(dead_code))]

mod bench;
mod floor;
mod lab;
mod proxy;

use napi::bindgen_prelude::*;

pub(crate) fn bad_option(msg: impl Into<String>) -> napi::Error {
    napi::Error::new(Status::GenericFailure, format!("[BAD_OPTION] {}", msg.into()))
}

/// Worker threads of the lab's tokio runtime (env `SSH_LAB_THREADS`, default 1): the lab server
/// runs on one thread, as it did when it shared the core addon's runtime, so its capacity does not
/// change with the client's settings.
const DEFAULT_RUNTIME_THREADS: usize = 1;

#[napi_derive::module_init]
fn init() {
    let threads = std::env::var("SSH_LAB_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| (1..=64).contains(n))
        .unwrap_or(DEFAULT_RUNTIME_THREADS);
    let built =
        tokio::runtime::Builder::new_multi_thread().worker_threads(threads).thread_name("ssh-lab").enable_all().build();
    if let Ok(rt) = built {
        napi::bindgen_prelude::create_custom_tokio_runtime(rt);
    }
}
