//! The connection manager through the fault proxy: detection, degraded, reconnect with jitter,
//! the retry budget, no retry on auth failure, correlated detection, shell restoration.
//! Timings are compressed (keepalive 200 ms) so each scenario takes about a second.

mod common;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use ssh_core::{AuthConfig, SessionConfig, SessionState, ShellRequest};
use ssh_lab::proxy::{LinkMode, Route};

/// A session config through `route`, with compressed health and reconnect timings.
fn through(lab: &Lab, route: &Route) -> SessionConfig {
    let mut cfg = config(lab, AuthConfig::Password(PASSWORD.into()));
    cfg.port = route.local_addr().port();
    cfg.health.keepalive_interval = Duration::from_millis(200);
    cfg.health.keepalive_count_max = 3;
    cfg.health.degraded_after = Duration::from_millis(300);
    cfg.health.probe_timeout = Duration::from_millis(300);
    cfg.reconnect.enabled = true;
    cfg.reconnect.base_delay = Duration::from_millis(100);
    cfg.reconnect.max_delay = Duration::from_millis(400);
    cfg.reconnect.max_attempts = 20;
    cfg.reconnect.budget = Duration::from_secs(3);
    cfg.reconnect.attempt_timeout = Duration::from_millis(500);
    cfg
}

async fn route(lab: &Lab) -> Route {
    Route::start("127.0.0.1:0".parse().unwrap(), lab.server.local_addr()).await.unwrap()
}

fn states_of(states: &States) -> Vec<(&'static str, Option<&'static str>)> {
    states.0.lock().unwrap().iter().map(|e| (e.state.as_str(), e.error.as_ref().map(|e| e.code()))).collect()
}

#[tokio::test]
async fn a_short_stall_degrades_the_session_but_keeps_its_shell() {
    let lab = lab().await;
    let r = route(&lab).await;
    let states = Arc::new(States::default());
    let session = pool().create_session(through(&lab, &r), states.clone());
    session.connect().await.unwrap();
    let out = Arc::new(Output::default());
    let shell =
        session.open_shell(ShellRequest { term: "xterm".into(), cols: 80, rows: 24 }, out.clone()).await.unwrap();
    r.set_existing(None, LinkMode::Hold);
    wait_state(&session, SessionState::Degraded).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    r.set_existing(None, LinkMode::Pass);
    wait_state(&session, SessionState::Ready).await;
    assert_eq!(states_of(&states), vec![("connecting", None), ("ready", None), ("degraded", None), ("ready", None)]);
    assert_eq!(out.reopened.load(Ordering::SeqCst), 0, "the remote shell survived");
    shell.write(b"echo same-shell\r".to_vec()).unwrap();
    out.wait_for("same-shell\r\n").await;
}

#[tokio::test]
async fn a_cut_link_is_detected_by_keepalive_and_reconnected_with_the_shell_reopened() {
    let lab = lab().await;
    let r = route(&lab).await;
    let states = Arc::new(States::default());
    let session = pool().create_session(through(&lab, &r), states.clone());
    session.connect().await.unwrap();
    let out = Arc::new(Output::default());
    let shell =
        session.open_shell(ShellRequest { term: "xterm".into(), cols: 100, rows: 30 }, out.clone()).await.unwrap();
    // cut: existing connections blackholed for good, new ones wait until the window ends
    r.set_existing(None, LinkMode::Blackhole);
    r.set_new(LinkMode::Hold);
    wait_state(&session, SessionState::Reconnecting).await;
    let exec = session.exec("echo x", common::limits(Duration::from_secs(1)), None).await.unwrap_err();
    assert_eq!(exec.code(), "NOT_CONNECTED");
    tokio::time::sleep(Duration::from_millis(300)).await;
    r.set_new(LinkMode::Pass);
    r.set_existing(Some(LinkMode::Hold), LinkMode::Pass);
    wait_state(&session, SessionState::Ready).await;
    let seen = states_of(&states);
    assert!(seen.contains(&("reconnecting", Some("KEEPALIVE_TIMEOUT"))), "{seen:?}");
    let lost = states.0.lock().unwrap().iter().find(|e| e.state == SessionState::Reconnecting).cloned().unwrap();
    assert_eq!(lost.cause.map(|c| c.as_str()), Some("network"));
    assert_eq!(out.reopened.load(Ordering::SeqCst), 1);
    shell.write(b"stty size\r".to_vec()).unwrap();
    out.wait_for("30 100").await;
    assert_eq!(
        session.exec("echo back", common::limits(Duration::from_secs(2)), None).await.unwrap().stdout,
        b"back\n"
    );
}

#[tokio::test]
async fn a_server_that_drops_connections_is_noticed_at_once_and_reconnected() {
    let lab = lab().await;
    let r = route(&lab).await;
    let mut cfg = through(&lab, &r);
    cfg.health.keepalive_interval = Duration::from_secs(10);
    let states = Arc::new(States::default());
    let session = pool().create_session(cfg, states.clone());
    session.connect().await.unwrap();
    lab.server.stop_listening();
    let started = std::time::Instant::now();
    lab.server.kill_connections();
    wait_state(&session, SessionState::Reconnecting).await;
    assert!(started.elapsed() < Duration::from_secs(1), "FIN noticed without waiting for keepalive");
    let lost = states.0.lock().unwrap().last().cloned().unwrap();
    assert_eq!(lost.cause.map(|c| c.as_str()), Some("server"));
    tokio::time::sleep(Duration::from_millis(400)).await;
    lab.server.resume_listening().await.unwrap();
    wait_state(&session, SessionState::Ready).await;
    let attempts = states.1.lock().unwrap().len();
    assert!(attempts >= 2, "refused attempts were retried ({attempts})");
}

#[tokio::test]
async fn a_long_cut_spends_the_budget_and_waits_for_a_manual_reconnect() {
    let lab = lab().await;
    let r = route(&lab).await;
    let mut cfg = through(&lab, &r);
    cfg.reconnect.budget = Duration::from_millis(1200);
    let states = Arc::new(States::default());
    let session = pool().create_session(cfg, states.clone());
    session.connect().await.unwrap();
    r.set_existing(None, LinkMode::Blackhole);
    r.stop_listening();
    wait_state(&session, SessionState::ManualReconnectRequired).await;
    let before = states.1.lock().unwrap().len();
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(states.1.lock().unwrap().len(), before, "no attempt after the budget is spent");
    assert_eq!(session.state(), SessionState::ManualReconnectRequired);
    r.resume_listening().await.unwrap();
    session.reconnect().await.unwrap();
    assert_eq!(session.state(), SessionState::Ready);
}

#[tokio::test]
async fn a_revoked_key_stops_retrying_after_one_attempt() {
    let lab = lab().await;
    let r = route(&lab).await;
    let states = Arc::new(States::default());
    let session = pool().create_session(through(&lab, &r), states.clone());
    session.connect().await.unwrap();
    lab.server.set_auth_revoked(true);
    lab.server.kill_connections();
    wait_state(&session, SessionState::AuthFailed).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(session.state(), SessionState::AuthFailed);
    assert_eq!(states.1.lock().unwrap().len(), 1, "one attempt, then none");
    assert_eq!(lab.server.stats().auth_attempts_while_revoked, 1);
    let last = states.0.lock().unwrap().last().cloned().unwrap();
    assert_eq!(last.cause.map(|c| c.as_str()), Some("auth"));
}

#[tokio::test]
async fn when_one_session_loses_its_link_its_siblings_are_probed_at_once() {
    let lab = lab().await;
    let (r1, r2) = (route(&lab).await, route(&lab).await);
    let pool = pool();
    let mut c1 = through(&lab, &r1);
    let mut c2 = through(&lab, &r2);
    // s2 alone would take 10 s to notice; the probe after s1's loss makes it 0.3 s
    c2.health.keepalive_interval = Duration::from_secs(5);
    c2.health.keepalive_count_max = 1;
    c2.health.degraded_after = Duration::from_secs(5);
    c1.target_id = "same-server".into();
    c2.target_id = "same-server".into();
    let s1 = pool.create_session(c1, Arc::new(States::default()));
    let s2 = pool.create_session(c2, Arc::new(States::default()));
    s1.connect().await.unwrap();
    s2.connect().await.unwrap();
    let started = std::time::Instant::now();
    r1.set_existing(None, LinkMode::Blackhole);
    r2.set_existing(None, LinkMode::Blackhole);
    wait_state(&s2, SessionState::Reconnecting).await;
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn many_sessions_cut_at_once_come_back_with_spread_out_attempts_and_capped_handshakes() {
    let lab = lab().await;
    let pool = Arc::new(pool());
    let mut sessions = Vec::new();
    let mut routes = Vec::new();
    for _ in 0..20 {
        let r = route(&lab).await;
        let mut cfg = through(&lab, &r);
        cfg.target_id = "one-server".into();
        cfg.reconnect.base_delay = Duration::from_millis(400);
        let states = Arc::new(States::default());
        let s = pool.create_session(cfg, states.clone());
        s.connect().await.unwrap();
        sessions.push((s, states));
        routes.push(r);
    }
    let peak_before = lab.server.stats().unauthenticated_peak;
    assert!(peak_before <= 6, "even the first logins were capped ({peak_before})");
    for r in &routes {
        r.reset_existing();
    }
    for (s, st) in &sessions {
        for _ in 0..500 {
            if !st.1.lock().unwrap().is_empty() && s.state() == SessionState::Ready {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(s.state(), SessionState::Ready);
    }
    assert!(lab.server.stats().unauthenticated_peak <= 6, "at most 6 handshakes at once");
    let firsts: Vec<f64> = sessions.iter().map(|(_, st)| st.1.lock().unwrap()[0].at_ms).collect();
    let spread = firsts.iter().cloned().fold(f64::MIN, f64::max) - firsts.iter().cloned().fold(f64::MAX, f64::min);
    assert!(spread > 150.0, "first attempts spread over {spread} ms");
}
