//! Host-key verification: a pinned fingerprint, a known_hosts file, or accept-new.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use russh::keys::{HashAlg, PublicKey};

use crate::config::HostKeyPolicy;

/// Keys first seen by accept-new sessions of one pool, by `host:port`.
pub type PinnedKeys = Arc<Mutex<HashMap<String, PublicKey>>>;

pub struct HostKeyVerifier {
    pub policy: HostKeyPolicy,
    pub host: String,
    pub port: u16,
    pub pinned: PinnedKeys,
}

pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

impl HostKeyVerifier {
    /// Ok, or a sentence saying why the key is refused.
    pub fn verify(&self, key: &PublicKey) -> Result<(), String> {
        let got = fingerprint(key);
        match &self.policy {
            HostKeyPolicy::Fingerprint(want) => {
                if normalize(want) == normalize(&got) {
                    Ok(())
                } else {
                    Err(format!("expected {want}, server presented {got}"))
                }
            }
            HostKeyPolicy::KnownHosts(path) => match listed(path, &self.host, self.port, key)? {
                Listed::Match => Ok(()),
                Listed::Other => {
                    Err(format!("{} lists other keys for this host; server presented {got}", path.display()))
                }
                Listed::Absent => Err(format!("host is not listed in {} (server presented {got})", path.display())),
                Listed::Revoked => Err(format!("{} marks this key @revoked (server presented {got})", path.display())),
            },
            HostKeyPolicy::AcceptNew(file) => {
                let id = format!("{}:{}", self.host, self.port);
                if let Some(path) = file {
                    match listed(path, &self.host, self.port, key)? {
                        Listed::Match => return self.pin(&id, key),
                        Listed::Other => {
                            return Err(format!(
                                "{} lists other keys for this host; server presented {got}",
                                path.display()
                            ))
                        }
                        Listed::Revoked => {
                            return Err(format!("{} marks this key @revoked (server presented {got})", path.display()))
                        }
                        Listed::Absent => {}
                    }
                }
                self.pin(&id, key)?;
                if let Some(path) = file {
                    append(path, &self.host, self.port, key)
                        .map_err(|e| format!("cannot record the new key in {}: {e}", path.display()))?;
                }
                Ok(())
            }
        }
    }

    fn pin(&self, id: &str, key: &PublicKey) -> Result<(), String> {
        let mut pinned = self.pinned.lock().map_err(|_| "host-key store poisoned".to_string())?;
        match pinned.get(id) {
            Some(known) if known.key_data() == key.key_data() => Ok(()),
            Some(known) => {
                Err(format!("this pool first saw {}, server now presents {}", fingerprint(known), fingerprint(key)))
            }
            None => {
                pinned.insert(id.to_string(), key.clone());
                Ok(())
            }
        }
    }
}

fn normalize(fp: &str) -> &str {
    fp.trim().trim_end_matches('=')
}

enum Listed {
    Match,
    Other,
    Absent,
    Revoked,
}

/// How OpenSSH names a host in known_hosts: `host`, or `[host]:port` off port 22.
fn host_port(host: &str, port: u16) -> String {
    if port == 22 {
        host.to_string()
    } else {
        format!("[{host}]:{port}")
    }
}

/// OpenSSH's pattern match: `*` any run of characters, `?` one; names are case-insensitive.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    match (pattern.first(), text.first()) {
        (None, None) => true,
        (Some(b'*'), _) => glob(&pattern[1..], text) || (!text.is_empty() && glob(pattern, &text[1..])),
        (Some(b'?'), Some(_)) => glob(&pattern[1..], &text[1..]),
        (Some(p), Some(t)) if p.eq_ignore_ascii_case(t) => glob(&pattern[1..], &text[1..]),
        _ => false,
    }
}

/// One host entry: a hashed name (`|1|salt|hash`) or a pattern.
fn entry_matches(entry: &str, wanted: &str) -> bool {
    if let Some(hashed) = entry.strip_prefix("|1|") {
        use data_encoding::BASE64;
        use hmac::{Hmac, KeyInit, Mac};
        let mut parts = hashed.splitn(2, '|');
        let (Some(Ok(salt)), Some(Ok(hash))) =
            (parts.next().map(|p| BASE64.decode(p.as_bytes())), parts.next().map(|p| BASE64.decode(p.as_bytes())))
        else {
            return false;
        };
        return Hmac::<sha1::Sha1>::new_from_slice(&salt)
            .map(|mac| mac.chain_update(wanted.as_bytes()).verify_slice(&hash).is_ok())
            .unwrap_or(false);
    }
    glob(entry.as_bytes(), wanted.as_bytes())
}

/// A line's host list matches when one entry does and no negated (`!`) entry does.
fn hosts_match(hosts: &str, wanted: &str) -> bool {
    let mut hit = false;
    for entry in hosts.split(',') {
        match entry.strip_prefix('!') {
            Some(negated) if entry_matches(negated, wanted) => return false,
            Some(_) => {}
            None => hit |= entry_matches(entry, wanted),
        }
    }
    hit
}

/// Whether known_hosts `path` lists `key` for host:port: plain, `[host]:port`, wildcard, negated
/// and hashed entries, `@revoked` keys (refused) and `@cert-authority` lines (skipped: this core
/// verifies plain host keys). The same rules as the ssh2 core's `knownHostsLookup`.
fn listed(path: &Path, host: &str, port: u16, key: &PublicKey) -> Result<Listed, String> {
    if !path.exists() {
        return Ok(Listed::Absent);
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read known_hosts {}: {e}", path.display()))?;
    // OpenSSH reads lines as bytes: a stray non-UTF-8 byte spoils only its own line.
    let text = String::from_utf8_lossy(&bytes);
    // Host names are matched in lower case, as OpenSSH lowercases them before hashing.
    let wanted = host_port(&host.to_ascii_lowercase(), port);
    let mut found = false;
    let mut matched = false;
    for line in text.lines() {
        let mut fields = line.split_whitespace();
        let Some(mut first) = fields.next() else { continue };
        if first.starts_with('#') {
            continue;
        }
        let marker = if first.starts_with('@') {
            let m = first;
            let Some(next) = fields.next() else { continue };
            first = next;
            Some(m)
        } else {
            None
        };
        let (Some(_kind), Some(blob)) = (fields.next(), fields.next()) else { continue };
        if marker == Some("@cert-authority") || !hosts_match(first, &wanted) {
            continue;
        }
        let same = russh::keys::parse_public_key_base64(blob).is_ok_and(|k| k.key_data() == key.key_data());
        if marker == Some("@revoked") {
            if same {
                return Ok(Listed::Revoked);
            }
            continue;
        }
        found = true;
        matched |= same;
    }
    Ok(if matched {
        Listed::Match
    } else if found {
        Listed::Other
    } else {
        Listed::Absent
    })
}

fn append(path: &Path, host: &str, port: u16, key: &PublicKey) -> std::io::Result<()> {
    let line = key.to_openssh().map_err(std::io::Error::other)?;
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    writeln!(f, "{} {line}", host_port(host, port))
}

#[cfg(test)]
mod tests {
    use super::*;
    use russh::keys::PrivateKey;

    fn key() -> PublicKey {
        PrivateKey::random(&mut rand::rng(), russh::keys::Algorithm::Ed25519).unwrap().public_key().clone()
    }

    fn verifier(policy: HostKeyPolicy) -> HostKeyVerifier {
        HostKeyVerifier { policy, host: "127.0.0.1".into(), port: 2222, pinned: PinnedKeys::default() }
    }

    #[test]
    fn a_pinned_fingerprint_accepts_only_its_key() {
        let (a, b) = (key(), key());
        let v = verifier(HostKeyPolicy::Fingerprint(fingerprint(&a)));
        assert!(v.verify(&a).is_ok());
        assert!(v.verify(&b).unwrap_err().contains("expected SHA256:"));
    }

    #[test]
    fn accept_new_pins_the_first_key_and_refuses_a_changed_one() {
        let (a, b) = (key(), key());
        let v = verifier(HostKeyPolicy::AcceptNew(None));
        assert!(v.verify(&a).is_ok());
        assert!(v.verify(&a).is_ok());
        assert!(v.verify(&b).is_err());
    }

    #[test]
    fn patterns_match_as_openssh_does() {
        assert!(hosts_match("example.org,10.0.0.5", "10.0.0.5"));
        assert!(hosts_match("*.example.org", "vm1.EXAMPLE.org"));
        assert!(hosts_match("vm?.example.org", "vm7.example.org"));
        assert!(!hosts_match("vm?.example.org", "vm10.example.org"));
        assert!(hosts_match("[10.0.0.5]:2222", "[10.0.0.5]:2222"));
        assert!(!hosts_match("10.0.0.5", "[10.0.0.5]:2222"));
        assert!(hosts_match("*", "[10.0.0.5]:2222"));
        assert!(!hosts_match("*.example.org,!bad.example.org", "bad.example.org"));
        // HMAC-SHA1 of "vm1.example.org" under this salt, as `ssh-keygen -H` writes it.
        assert!(entry_matches("|1|dGVzdHNhbHR0ZXN0c2FsdHRlc3Q=|5oBYKu+dEu3fmIjQG94RFvHJShE=", "vm1.example.org"));
        assert!(!entry_matches("|1|dGVzdHNhbHR0ZXN0c2FsdHRlc3Q=|5oBYKu+dEu3fmIjQG94RFvHJShE=", "vm2.example.org"));
    }

    #[test]
    fn known_hosts_entries_are_written_and_enforced() {
        let dir = std::env::temp_dir().join(format!("ssh-core-kh-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("known_hosts");
        let _ = std::fs::remove_file(&file);
        let (a, b) = (key(), key());
        assert!(verifier(HostKeyPolicy::AcceptNew(Some(file.clone()))).verify(&a).is_ok());
        let strict = verifier(HostKeyPolicy::KnownHosts(file.clone()));
        assert!(strict.verify(&a).is_ok());
        assert!(strict.verify(&b).unwrap_err().contains("other keys"));
        let elsewhere = HostKeyVerifier { port: 2223, ..strict };
        assert!(elsewhere.verify(&a).unwrap_err().contains("not listed"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
