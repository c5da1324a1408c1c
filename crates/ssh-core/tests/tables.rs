//! The tables both cores share, written once: here, in Rust. This test renders them as TypeScript
//! and checks that `src/core/tables.ts` is that text, so the TypeScript side can never drift.
//! After changing a table: `SSH_SPIKE_WRITE_TABLES=1 cargo test -p ssh-core --no-default-features --test tables`.

use ssh_core::error::CATALOG;
use ssh_core::{Cause, SessionState};

const TS_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../src/core/tables.ts");

/// A doc comment, wrapped to fit in 100 columns at `indent`.
fn doc(indent: &str, text: &str) -> String {
    let width = 100 - indent.len() - 3;
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let last = lines.last_mut().map(|l| l.len()).unwrap_or(0);
        if last > 0 && last + 1 + word.len() > width {
            lines.push(String::new());
        }
        if let Some(line) = lines.last_mut() {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    if lines.len() == 1 {
        return format!("{indent}/** {} */\n", lines[0]);
    }
    let body: String = lines.iter().map(|l| format!("{indent} * {l}\n")).collect();
    format!("{indent}/**\n{body}{indent} */\n")
}

fn list<T: Copy>(items: &[T], name: fn(T) -> &'static str) -> String {
    items.iter().map(|&i| format!("'{}'", name(i))).collect::<Vec<_>>().join(", ")
}

fn render() -> String {
    let mut ts = String::new();
    ts.push_str("// Generated from the Rust core (crates/ssh-core: CATALOG in error.rs, SessionState in events.rs)\n");
    ts.push_str("// by crates/ssh-core/tests/tables.rs, which `cargo test` runs and which fails when this file is\n");
    ts.push_str("// stale. Do not edit: change the Rust tables, then run\n");
    ts.push_str("//   SSH_SPIKE_WRITE_TABLES=1 cargo test -p ssh-core --no-default-features --test tables\n\n");

    ts.push_str(&doc("", "The plan's failure-cause classes: silence (timeouts) is the network; an explicit refusal or teardown from the other end (FIN, RST, refused connect, disconnect message) is the server."));
    ts.push_str(&format!("export const FAILURE_CAUSES = [{}] as const;\n", list(&Cause::ALL, Cause::as_str)));
    ts.push_str("export type FailureCause = (typeof FAILURE_CAUSES)[number];\n\n");

    ts.push_str(&doc("", "Every stable error code of both cores, with its failure cause."));
    ts.push_str("export const ERROR_CATALOG = {\n");
    for e in CATALOG {
        ts.push_str(&doc("  ", e.doc));
        ts.push_str(&format!("  {}: '{}',\n", e.code, e.cause.as_str()));
    }
    ts.push_str("} as const satisfies Record<string, FailureCause>;\n");
    ts.push_str("export type ErrorCode = keyof typeof ERROR_CATALOG;\n\n");

    let terminal: Vec<SessionState> = SessionState::ALL.into_iter().filter(|s| s.is_terminal()).collect();
    let active: Vec<SessionState> = SessionState::ALL.into_iter().filter(|s| !s.is_terminal()).collect();
    ts.push_str(&doc("", "The session states (docs/DESIGN.md)."));
    ts.push_str(&format!(
        "export const SESSION_STATES = [{}] as const;\n",
        list(&SessionState::ALL, SessionState::as_str)
    ));
    ts.push_str("export type SessionState = (typeof SESSION_STATES)[number];\n");
    ts.push_str(&doc("", "States a session only leaves by an explicit user action (reconnect() or close())."));
    ts.push_str(&format!("export const TERMINAL_STATES = [{}] as const;\n", list(&terminal, SessionState::as_str)));
    ts.push_str(&doc("", "States with a connection in use or being made: every state that is not terminal."));
    ts.push_str(&format!("export const ACTIVE_STATES = [{}] as const;\n", list(&active, SessionState::as_str)));
    ts
}

#[test]
fn the_typescript_tables_are_generated_from_these() {
    let want = render();
    if std::env::var_os("SSH_SPIKE_WRITE_TABLES").is_some() {
        std::fs::write(TS_PATH, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(TS_PATH).unwrap_or_default();
    assert!(
        have == want,
        "src/core/tables.ts is stale (or missing): rerun with SSH_SPIKE_WRITE_TABLES=1 cargo test -p ssh-core --no-default-features --test tables"
    );
}
