//! Key material for the lab: generated host and client keys in OpenSSH formats.

use russh::keys::ssh_key::LineEnding;
use russh::keys::{Algorithm, HashAlg, PrivateKey, PublicKey};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot generate a key: {0}")]
    Generate(String),
    #[error("cannot encode a key: {0}")]
    Encode(String),
    #[error("not an OpenSSH public key: {0}")]
    Parse(String),
}

/// A fresh Ed25519 key.
pub fn generate_ed25519() -> Result<PrivateKey, KeyError> {
    PrivateKey::random(&mut rand::rng(), Algorithm::Ed25519).map_err(|e| KeyError::Generate(e.to_string()))
}

/// The private key in OpenSSH PEM form, encrypted with `passphrase` when one is given.
pub fn private_openssh(key: &PrivateKey, passphrase: Option<&str>) -> Result<String, KeyError> {
    let key = match passphrase {
        Some(p) => key.encrypt(&mut rand::rng(), p).map_err(|e| KeyError::Encode(e.to_string()))?,
        None => key.clone(),
    };
    key.to_openssh(LineEnding::LF).map(|s| s.to_string()).map_err(|e| KeyError::Encode(e.to_string()))
}

/// `ssh-ed25519 AAAA... comment`, as in authorized_keys.
pub fn public_openssh(key: &PublicKey) -> Result<String, KeyError> {
    key.to_openssh().map_err(|e| KeyError::Encode(e.to_string()))
}

pub fn parse_public(line: &str) -> Result<PublicKey, KeyError> {
    PublicKey::from_openssh(line.trim()).map_err(|e| KeyError::Parse(e.to_string()))
}

/// `SHA256:...`, as `ssh-keygen -l` prints it.
pub fn fingerprint_sha256(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}
