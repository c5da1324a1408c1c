//! The embedded SSH lab of ssh-spike: the default target of every benchmark and test.
//!
//! A russh server with password and public-key auth, a simulated PTY shell that echoes input and
//! streams sequence-numbered output at the plan's low / mid / high rates, and exec commands in a
//! small `sh` subset (poller text, bulk bytes, sleep, exit codes, stderr). It runs in its own
//! process (the lab), never inside the measured client worker.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod channel;
pub mod command;
pub mod keys;
mod listener;
pub mod poller;
pub mod proxy;
pub mod seqstream;
mod server;

pub use server::{LabConfig, LabError, LabServer, LabStats};
