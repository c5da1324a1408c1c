//! The lab's fault proxy for JS: one route per listening port (runs in the lab process).

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use ssh_lab::proxy::{LinkMode, Route, Shaping};

use crate::bad_option;

fn mode(name: &str) -> Result<LinkMode> {
    match name {
        "pass" => Ok(LinkMode::Pass),
        "hold" => Ok(LinkMode::Hold),
        "blackhole" => Ok(LinkMode::Blackhole),
        other => Err(bad_option(format!("link mode must be pass, hold or blackhole, got '{other}'"))),
    }
}

fn addr(host: &str, port: u32) -> Result<SocketAddr> {
    let ip: IpAddr = host.parse().map_err(|_| bad_option(format!("'{host}' is not an IP address")))?;
    let port = u16::try_from(port).map_err(|_| bad_option(format!("port {port} is out of range")))?;
    Ok(SocketAddr::new(ip, port))
}

#[napi(object)]
pub struct BindingRouteStats {
    pub connections_accepted: f64,
    pub connections_active: f64,
    pub bytes_to_target: f64,
    pub bytes_from_target: f64,
}

#[napi]
pub struct NativeRoute {
    route: Route,
}

/// A proxy route listening on `listenHost:listenPort` (0: a free port) and forwarding to the target.
#[napi]
pub async fn start_route(
    listen_host: String,
    listen_port: u32,
    target_host: String,
    target_port: u32,
) -> Result<NativeRoute> {
    let route = Route::start(addr(&listen_host, listen_port)?, addr(&target_host, target_port)?)
        .await
        .map_err(|e| napi::Error::new(Status::GenericFailure, format!("[LAB] cannot start a proxy route: {e}")))?;
    Ok(NativeRoute { route })
}

#[napi]
impl NativeRoute {
    #[napi(getter, catch_unwind)]
    pub fn port(&self) -> u32 {
        self.route.local_addr().port() as u32
    }

    /// Live connections in mode `from` (any, when absent) switch to `to`; returns how many.
    #[napi(catch_unwind)]
    pub fn set_existing(&self, from: Option<String>, to: String) -> Result<u32> {
        let from = from.as_deref().map(mode).transpose()?;
        Ok(self.route.set_existing(from, mode(&to)?) as u32)
    }

    /// The mode new connections start in.
    #[napi(catch_unwind)]
    pub fn set_new(&self, to: String) -> Result<()> {
        self.route.set_new(mode(&to)?);
        Ok(())
    }

    /// RST to every live connection, both sides; returns how many.
    #[napi(catch_unwind)]
    pub fn reset_existing(&self) -> u32 {
        self.route.reset_existing() as u32
    }

    #[napi(catch_unwind)]
    pub fn stop_listening(&self) {
        self.route.stop_listening();
    }

    #[napi]
    pub async fn resume_listening(&self) -> Result<()> {
        self.route
            .resume_listening()
            .await
            .map_err(|e| napi::Error::new(Status::GenericFailure, format!("[LAB] cannot listen again: {e}")))
    }

    /// Added delay per forwarded chunk and a rate limit (bytes/s each way; absent: none).
    #[napi(catch_unwind)]
    pub fn set_shaping(&self, latency_ms: u32, rate_bytes_per_s: Option<f64>) {
        self.route.set_shaping(Shaping {
            latency: Duration::from_millis(latency_ms as u64),
            rate_bytes_per_s: rate_bytes_per_s.filter(|r| *r > 0.0).map(|r| r as u64),
        });
    }

    /// New connections go to this target from now on (a server replaced behind the same address).
    #[napi(catch_unwind)]
    pub fn set_target(&self, host: String, port: u32) -> Result<()> {
        self.route.set_upstream(addr(&host, port)?);
        Ok(())
    }

    #[napi(catch_unwind)]
    pub fn stats(&self) -> BindingRouteStats {
        let s = self.route.stats();
        BindingRouteStats {
            connections_accepted: s.connections_accepted as f64,
            connections_active: s.connections_active as f64,
            bytes_to_target: s.bytes_to_target as f64,
            bytes_from_target: s.bytes_from_target as f64,
        }
    }

    #[napi(catch_unwind)]
    pub fn close(&self) {
        self.route.close();
    }
}
