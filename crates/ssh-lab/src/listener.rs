//! A listening port that can be closed and opened again on the same address (server restarts,
//! refused-connection faults). Shared by the lab server and the fault proxy.

use std::net::SocketAddr;
use std::sync::Mutex;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The accept task of one port; stopping it closes the port.
#[derive(Default)]
pub(crate) struct AcceptSlot(Mutex<Option<JoinHandle<()>>>);

impl AcceptSlot {
    /// Runs `task` as the port's accept loop, replacing any previous one.
    pub fn run(&self, task: JoinHandle<()>) {
        if let Ok(mut slot) = self.0.lock() {
            if let Some(old) = slot.replace(task) {
                old.abort();
            }
        }
    }

    /// Closes the port: new connections are refused, live ones are untouched.
    pub fn stop(&self) {
        if let Ok(mut slot) = self.0.lock() {
            if let Some(task) = slot.take() {
                task.abort();
            }
        }
    }
}

/// Binds `addr` again right after it was closed (SO_REUSEADDR).
pub(crate) fn bind_reusing(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}
