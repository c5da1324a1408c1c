//! The Rust core of ssh-spike: an SSH connection manager on russh and tokio.
//!
//! The manager (pool, sessions, channels, coalescing, error mapping) is plain Rust and tested
//! with `cargo test --no-default-features`; the napi-rs boundary lives in [`napi`] behind the
//! default `napi` feature, and converts its `Binding*` types into the core types here.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod channel;
pub mod coalesce;
pub mod config;
pub mod error;
pub mod events;
pub mod hostkey;
pub mod keys;
pub mod policy;
pub mod pool;
pub mod session;
pub mod shell;
mod supervisor;
pub mod transport;
pub mod ui;

#[cfg(feature = "napi")]
// napi-rs registers exports at load time, except under cfg(test).
#[cfg_attr(test, allow(dead_code))]
mod napi;

pub use channel::ExecOutput;
pub use config::{AuthConfig, CoalesceConfig, HostKeyPolicy, PoolPolicy, PoolTuning, SessionConfig};
pub use error::{Cause, CoreError};
pub use events::{AttemptEvent, ChannelEvents, ChannelExit, SessionEvents, SessionState, StateEvent};
pub use policy::{HealthPolicy, ReconnectPolicy};
pub use pool::Pool;
pub use session::Session;
pub use shell::{PauseBy, Shell, ShellRequest};
pub use ui::{UiLink, UiLinkStats};
