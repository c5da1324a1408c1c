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
                Listed::Other => Err(format!(
                    "{} lists other keys for this host; server presented {got}",
                    path.display()
                )),
                Listed::Absent => Err(format!("host is not listed in {} (server presented {got})", path.display())),
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
            Some(known) => Err(format!(
                "this pool first saw {}, server now presents {}",
                fingerprint(known),
                fingerprint(key)
            )),
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
}

fn listed(path: &Path, host: &str, port: u16, key: &PublicKey) -> Result<Listed, String> {
    if !path.exists() {
        return Ok(Listed::Absent);
    }
    let entries = russh::keys::known_hosts::known_host_keys_path(host, port, path)
        .map_err(|e| format!("cannot read known_hosts {}: {e}", path.display()))?;
    if entries.is_empty() {
        Ok(Listed::Absent)
    } else if entries.iter().any(|(_, k)| k.key_data() == key.key_data()) {
        Ok(Listed::Match)
    } else {
        Ok(Listed::Other)
    }
}

fn append(path: &Path, host: &str, port: u16, key: &PublicKey) -> std::io::Result<()> {
    let host_port = if port == 22 { host.to_string() } else { format!("[{host}]:{port}") };
    let line = key.to_openssh().map_err(std::io::Error::other)?;
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    writeln!(f, "{host_port} {line}")
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
