//! The direct way from the Rust core's shells to a UI process (`crate::ui`), for JS: connect a
//! link, route a shell's output onto it (`NativeShell.routeToUi`), read its counts, close it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use super::events::JsSink;
use super::to_napi;
use crate::events::{ChannelEvents, ChannelExit};
use crate::ui::UiLink;

#[napi]
pub struct NativeUiLink {
    pub(super) link: Arc<UiLink>,
}

/// A link's counts (see `UiLinkStats`).
#[napi(object)]
pub struct BindingUiLinkStats {
    pub bytes_sent: f64,
    pub frames_sent: f64,
    pub peak_unacked_bytes: f64,
    pub pauses: f64,
    pub pauses_unavailable: f64,
    pub keys_typed: f64,
    pub keys_lost: f64,
    pub peak_queued_bytes: f64,
    pub error: Option<String>,
}

/// Connects to the Unix socket a UI process listens on at `path`, within `timeoutMs`.
#[napi]
pub async fn connect_ui_link(path: String, timeout_ms: u32) -> Result<NativeUiLink> {
    let link = UiLink::connect(&path, Duration::from_millis(u64::from(timeout_ms))).await.map_err(to_napi)?;
    Ok(NativeUiLink { link })
}

#[napi]
impl NativeUiLink {
    #[napi(catch_unwind)]
    pub fn stats(&self) -> BindingUiLinkStats {
        let s = self.link.stats();
        BindingUiLinkStats {
            bytes_sent: s.bytes_sent as f64,
            frames_sent: s.frames_sent as f64,
            peak_unacked_bytes: s.peak_unacked_bytes as f64,
            pauses: s.pauses as f64,
            pauses_unavailable: s.pauses_unavailable as f64,
            keys_typed: s.keys_typed as f64,
            keys_lost: s.keys_lost as f64,
            peak_queued_bytes: s.peak_queued_bytes as f64,
            error: s.error,
        }
    }

    /// Sends what is queued and closes the socket; routed shells' later output is dropped.
    #[napi(catch_unwind)]
    pub fn close(&self) {
        self.link.close();
    }
}

/// A shell's sink: its events go to JS until the shell is routed to a UI link; from then on its
/// output (and a reopen, in order with it) goes to the link, and JS still gets the reopen and the
/// exit (the control and state events).
pub(super) struct ShellSink {
    pub(super) js: JsSink,
    routed: AtomicBool,
    ui: Mutex<Option<(Arc<UiLink>, u32)>>,
}

impl ShellSink {
    pub(super) fn new(js: JsSink) -> Self {
        ShellSink { js, routed: AtomicBool::new(false), ui: Mutex::new(None) }
    }

    pub(super) fn route(&self, link: Arc<UiLink>, session: u32) {
        if let Ok(mut ui) = self.ui.lock() {
            *ui = Some((link, session));
            self.routed.store(true, Ordering::SeqCst);
        }
    }

    fn link(&self) -> Option<(Arc<UiLink>, u32)> {
        if !self.routed.load(Ordering::Relaxed) {
            return None;
        }
        self.ui.lock().ok().and_then(|ui| ui.clone())
    }
}

impl ChannelEvents for ShellSink {
    fn data(&self, chunk: Vec<u8>) {
        match self.link() {
            Some((link, session)) => link.data(session, chunk),
            None => self.js.data(chunk),
        }
    }
    fn stderr(&self, chunk: Vec<u8>) {
        self.js.stderr(chunk);
    }
    fn exit(&self, exit: ChannelExit) {
        if let Some((link, session)) = self.link() {
            link.unroute(session);
        }
        self.js.exit(exit);
    }
    fn reopened(&self) {
        if let Some((link, session)) = self.link() {
            link.reopen(session);
        }
        self.js.reopened();
    }
}
