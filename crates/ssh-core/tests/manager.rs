//! The manager against the embedded lab server, without Node.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use ssh_core::{AuthConfig, HostKeyPolicy, PauseBy, SessionState, ShellRequest};
use ssh_lab::keys;

#[tokio::test]
async fn connects_with_a_password_and_runs_a_command() {
    let lab = lab().await;
    let pool = pool();
    let states = Arc::new(States::default());
    let session = pool.create_session(config(&lab, AuthConfig::Password(PASSWORD.into())), states.clone());
    session.connect().await.unwrap();
    assert_eq!(session.state(), SessionState::Ready);
    let out =
        session.exec("echo hello; echo oops >&2; exit 3", common::limits(Duration::from_secs(5)), None).await.unwrap();
    assert_eq!(out.stdout, b"hello\n");
    assert_eq!(out.stderr, b"oops\n");
    assert_eq!(out.code, Some(3));
    session.close().await;
    assert_eq!(states.names(), vec!["connecting", "ready", "closed"]);
}

#[tokio::test]
async fn connects_with_a_private_key() {
    let lab = lab().await;
    let pem = keys::private_openssh(&lab.client_key, Some("pp")).unwrap();
    let auth = AuthConfig::PrivateKey { path: None, text: Some(pem), passphrase: Some("pp".into()) };
    let session = pool().create_session(config(&lab, auth), Arc::new(States::default()));
    session.connect().await.unwrap();
    assert_eq!(session.state(), SessionState::Ready);
}

#[tokio::test]
async fn a_wrong_password_ends_in_auth_failed() {
    let lab = lab().await;
    let states = Arc::new(States::default());
    let session = pool().create_session(config(&lab, AuthConfig::Password("nope".into())), states.clone());
    let err = session.connect().await.unwrap_err();
    assert_eq!(err.code(), "AUTH_FAILED");
    assert_eq!(session.state(), SessionState::AuthFailed);
    assert_eq!(states.names(), vec!["connecting", "auth_failed"]);
}

#[tokio::test]
async fn a_changed_host_key_is_a_host_key_mismatch() {
    let lab = lab().await;
    let other = keys::generate_ed25519().unwrap();
    let mut cfg = config(&lab, AuthConfig::Password(PASSWORD.into()));
    cfg.host_key = HostKeyPolicy::Fingerprint(keys::fingerprint_sha256(other.public_key()));
    let session = pool().create_session(cfg, Arc::new(States::default()));
    let err = session.connect().await.unwrap_err();
    assert_eq!(err.code(), "HOST_KEY_MISMATCH", "{err}");
    assert!(err.to_string().contains(&lab.host_fp), "{err}");
    assert_eq!(session.state(), SessionState::HostKeyMismatch);
}

#[tokio::test]
async fn exec_stops_waiting_at_its_timeout() {
    let lab = lab().await;
    let session =
        pool().create_session(config(&lab, AuthConfig::Password(PASSWORD.into())), Arc::new(States::default()));
    session.connect().await.unwrap();
    let err = session.exec("sleep 5", common::limits(Duration::from_millis(200)), None).await.unwrap_err();
    assert_eq!(err.code(), "EXEC_TIMEOUT");
    // The timed-out command's channel was closed, not left holding a slot.
    wait_channels_idle(&lab).await;
    // The session is still usable.
    let out = session.exec("echo after", common::limits(Duration::from_secs(5)), None).await.unwrap();
    assert_eq!(out.stdout, b"after\n");
}

#[tokio::test]
async fn the_shell_echoes_input_and_follows_resizes() {
    let lab = lab().await;
    let session =
        pool().create_session(config(&lab, AuthConfig::Password(PASSWORD.into())), Arc::new(States::default()));
    session.connect().await.unwrap();
    let out = Arc::new(Output::default());
    let req = ShellRequest { term: "xterm-256color".into(), cols: 80, rows: 24 };
    let shell = session.open_shell(req, out.clone()).await.unwrap();
    shell.write(b"stty size\r".to_vec()).unwrap();
    out.wait_for("24 80").await;
    shell.resize(120, 40).await.unwrap();
    shell.write(b"stty size\r".to_vec()).unwrap();
    out.wait_for("40 120").await;
    shell.write(b"exit 7\r".to_vec()).unwrap();
    for _ in 0..200 {
        if out.exit.lock().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(out.exit.lock().unwrap().as_ref().and_then(|e| e.code), Some(7));
}

/// A session connected to the lab with a password, and an 80x24 PTY shell on it.
async fn session_with_shell(lab: &Lab) -> (ssh_core::Session, Arc<Output>, ssh_core::Shell) {
    let session =
        pool().create_session(config(lab, AuthConfig::Password(PASSWORD.into())), Arc::new(States::default()));
    session.connect().await.unwrap();
    let out = Arc::new(Output::default());
    let shell =
        session.open_shell(ShellRequest { term: "xterm".into(), cols: 80, rows: 24 }, out.clone()).await.unwrap();
    (session, out, shell)
}

#[tokio::test]
async fn close_ends_the_shell_at_once_and_frees_its_channel() {
    let lab = lab().await;
    let (_session, out, shell) = session_with_shell(&lab).await;
    shell.write(b"echo hi\r".to_vec()).unwrap();
    out.wait_for("hi\r\n").await;
    shell.close();
    let exit = out.exit.lock().unwrap().clone().expect("the exit is delivered by close() itself");
    assert_eq!((exit.code, exit.signal.is_none(), exit.error.is_none()), (None, true, true));
    assert_eq!(shell.write(b"x".to_vec()).unwrap_err().code(), "NOT_CONNECTED");
    wait_channels_idle(&lab).await;
}

#[tokio::test]
async fn a_command_longer_than_one_packet_is_refused_before_it_is_sent() {
    let lab = lab().await;
    let states = Arc::new(States::default());
    let session = pool().create_session(config(&lab, AuthConfig::Password(PASSWORD.into())), states.clone());
    session.connect().await.unwrap();
    let long = format!("echo {}", "x".repeat(ssh_core::channel::MAX_COMMAND_BYTES));
    let err = session.exec(&long, common::limits(Duration::from_secs(5)), None).await.unwrap_err();
    assert_eq!(err.code(), "BAD_OPTION", "{err}");
    assert_eq!(lab.server.stats().channels_opened, 0);
    let out = session.exec("echo fine", common::limits(Duration::from_secs(5)), None).await.unwrap();
    assert_eq!(out.stdout, b"fine\n");
    assert_eq!(states.names(), vec!["connecting", "ready"]);
}

#[tokio::test]
async fn a_sequence_stream_arrives_complete_and_in_order() {
    let lab = lab().await;
    let session =
        pool().create_session(config(&lab, AuthConfig::Password(PASSWORD.into())), Arc::new(States::default()));
    session.connect().await.unwrap();
    let out = Arc::new(Output::default());
    let req = ShellRequest { term: "xterm".into(), cols: 80, rows: 24 };
    let shell = session.open_shell(req, out.clone()).await.unwrap();
    shell.write(b"spike-stream high 3000\r".to_vec()).unwrap();
    let text = out.wait_for("SEQ 00003000").await;
    let seqs: Vec<u64> = text.lines().filter_map(|l| l.strip_prefix("SEQ ")).map(|l| l[..8].parse().unwrap()).collect();
    assert_eq!(seqs, (1..=3000).collect::<Vec<_>>());
}

#[tokio::test]
async fn without_auto_reconnect_a_killed_connection_closes_the_session_until_reconnect() {
    let lab = lab().await;
    let states = Arc::new(States::default());
    let session = pool().create_session(config(&lab, AuthConfig::Password(PASSWORD.into())), states.clone());
    session.connect().await.unwrap();
    let out = Arc::new(Output::default());
    let shell_req = ShellRequest { term: "xterm".into(), cols: 80, rows: 24 };
    let shell = session.open_shell(shell_req, out.clone()).await.unwrap();
    assert_eq!(lab.server.kill_connections(), 1);
    wait_state(&session, SessionState::Closed).await;
    let last = states.0.lock().unwrap().last().cloned().unwrap();
    assert_eq!(last.error.as_ref().map(|e| e.code()), Some("DISCONNECTED_BY_SERVER"), "{last:?}");
    assert_eq!(last.cause.map(|c| c.as_str()), Some("server"));
    // The shell waits, suspended, for a reconnect instead of ending.
    assert!(out.exit.lock().unwrap().is_none());
    assert_eq!(shell.write(b"x".to_vec()).unwrap_err().code(), "NOT_CONNECTED");
    session.reconnect().await.unwrap();
    assert_eq!(session.state(), SessionState::Ready);
    assert_eq!(out.reopened.load(std::sync::atomic::Ordering::SeqCst), 1);
    shell.write(b"echo again\r".to_vec()).unwrap();
    out.wait_for("again\r\n").await;
}

#[tokio::test]
async fn a_port_nobody_listens_on_is_connection_refused() {
    let lab = lab().await;
    let mut cfg = config(&lab, AuthConfig::Password(PASSWORD.into()));
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    cfg.port = port;
    let session = pool().create_session(cfg, Arc::new(States::default()));
    assert_eq!(session.connect().await.unwrap_err().code(), "CONNECTION_REFUSED");
}

#[tokio::test]
async fn a_server_that_never_speaks_is_a_connect_timeout() {
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let lab = lab().await;
    let mut cfg = config(&lab, AuthConfig::Password(PASSWORD.into()));
    cfg.port = silent.local_addr().unwrap().port();
    cfg.connect_timeout = Duration::from_millis(300);
    let session = pool().create_session(cfg, Arc::new(States::default()));
    let err = session.connect().await.unwrap_err();
    assert_eq!(err.code(), "CONNECT_TIMEOUT");
    assert!(err.to_string().contains("SSH handshake"), "{err}");
}

#[tokio::test]
async fn a_garbage_speaking_server_is_a_protocol_error() {
    let garbage = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = garbage.local_addr().unwrap().port();
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        while let Ok((mut s, _)) = garbage.accept().await {
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
            let _ = s.write_all(&[0xde; 4096]).await;
        }
    });
    let lab = lab().await;
    let mut cfg = config(&lab, AuthConfig::Password(PASSWORD.into()));
    cfg.port = port;
    cfg.connect_timeout = Duration::from_secs(3);
    let session = pool().create_session(cfg, Arc::new(States::default()));
    let err = session.connect().await.unwrap_err();
    assert!(["PROTOCOL_ERROR", "DISCONNECTED_BY_SERVER"].contains(&err.code()), "{err}");
}

#[tokio::test]
async fn ten_sessions_each_with_a_shell_and_three_execs_run_at_once() {
    let lab = lab().await;
    let pool = Arc::new(pool());
    let mut tasks = Vec::new();
    for i in 0..10 {
        let cfg = config(&lab, AuthConfig::Password(PASSWORD.into()));
        let pool = Arc::clone(&pool);
        tasks.push(tokio::spawn(async move {
            let session = pool.create_session(cfg, Arc::new(States::default()));
            session.connect().await.unwrap();
            let out = Arc::new(Output::default());
            let shell = session
                .open_shell(ShellRequest { term: "xterm".into(), cols: 80, rows: 24 }, out.clone())
                .await
                .unwrap();
            shell.write(format!("echo shell-{i}\r").into_bytes()).unwrap();
            let execs = (0..3).map(|j| {
                let s = session.clone();
                async move { s.exec(&format!("echo exec-{i}-{j}"), common::limits(Duration::from_secs(10)), None).await }
            });
            let results = futures::future::join_all(execs).await;
            for (j, r) in results.into_iter().enumerate() {
                assert_eq!(r.unwrap().stdout, format!("exec-{i}-{j}\n").into_bytes());
            }
            out.wait_for(&format!("shell-{i}\r\n")).await;
            session.close().await;
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(pool.open_sessions(), 0);
}

/// Waits (at most 8 s) until the lab's bytes sent stop growing for `quiet`; returns them.
async fn lab_settled(lab: &Lab, quiet: Duration) -> u64 {
    let mut last = u64::MAX;
    let mut since = tokio::time::Instant::now();
    let deadline = since + Duration::from_secs(8);
    while tokio::time::Instant::now() < deadline {
        let now = lab.server.stats().bytes_sent;
        if now != last {
            (last, since) = (now, tokio::time::Instant::now());
        } else if since.elapsed() >= quiet {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    last
}

#[tokio::test]
async fn a_paused_shell_holds_its_window_while_the_connection_goes_on_and_resumes_where_it_stopped() {
    const LINES: usize = 100_000; // 10 MB, well past the client's 4 MiB window
    let lab = lab().await;
    let (session, out, shell) = session_with_shell(&lab).await;
    out.wait_for("$ ").await;
    shell.set_paused(PauseBy::Reader, true).await.unwrap();
    // Twice is the same as once, and another's release does not lift it.
    shell.set_paused(PauseBy::Reader, true).await.unwrap();
    shell.set_paused(PauseBy::UiLink, false).await.unwrap();
    let before = lab.server.stats().bytes_sent;
    shell.write(format!("spike-stream flood {LINES}\r").into_bytes()).unwrap();
    let held = lab_settled(&lab, Duration::from_millis(400)).await - before;
    // The server stops once it has used the window the client had granted (4 MiB), and a write.
    assert!(held > 0, "the flood never started");
    assert!(held <= 4 * 1024 * 1024 + 64 * 1024, "the server sent {held} bytes to a paused shell");
    // Only this channel stopped: an exec on the same connection runs.
    let exec = session.exec("echo exec-too", common::limits(Duration::from_secs(5)), None).await.unwrap();
    assert_eq!(exec.stdout, b"exec-too\n");
    assert_eq!(session.state(), SessionState::Ready);
    shell.set_paused(PauseBy::Reader, false).await.unwrap();
    let last = format!("SEQ {LINES:08} ");
    for _ in 0..1000 {
        if out.text().contains(&last) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let text = out.text();
    assert!(text.contains(&last), "the flood did not finish after the resume ({} bytes)", text.len());
    // Every line, once, in order.
    let seqs: Vec<usize> =
        text.lines().filter_map(|l| l.strip_prefix("SEQ ")).filter_map(|l| l.get(..8)?.parse().ok()).collect();
    assert_eq!(seqs.len(), LINES);
    assert!(seqs.iter().enumerate().all(|(i, s)| *s == i + 1), "lines missing or out of order");
    session.close().await;
    assert_eq!(shell.set_paused(PauseBy::Reader, true).await.unwrap_err().code(), "NOT_CONNECTED");
}
