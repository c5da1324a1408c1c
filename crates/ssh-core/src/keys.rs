//! Loading the client's private key, with errors that say what to fix.

use std::sync::Arc;

use russh::keys::PrivateKey;

use crate::config::AuthConfig;
use crate::error::CoreError;

/// Loads the key of a `PrivateKey` auth config. Wrong passphrases and missing ones are told apart
/// by first decoding without a passphrase.
pub fn load_private_key(auth: &AuthConfig) -> Result<Option<Arc<PrivateKey>>, CoreError> {
    let AuthConfig::PrivateKey { path, text, passphrase } = auth else {
        return Ok(None);
    };
    let (what, pem) = match (path, text) {
        (Some(p), _) => {
            let shown = p.display().to_string();
            let bytes = std::fs::read(p)
                .map_err(|e| CoreError::KeyUnreadable { path: shown.clone(), reason: e.to_string() })?;
            // The file was read: bytes that are not text are a file that is not a key.
            let pem = String::from_utf8(bytes).map_err(|_| CoreError::KeyInvalid {
                what: shown.clone(),
                reason: "the file is not text (an OpenSSH or PEM private key is)".into(),
            })?;
            (shown, pem)
        }
        (None, Some(t)) => ("(inline key)".to_string(), t.clone()),
        (None, None) => return Err(CoreError::BadOption("privateKey auth needs privateKeyPath or privateKey".into())),
    };
    let plain = russh::keys::decode_secret_key(&pem, None);
    match (plain, passphrase) {
        (Ok(key), _) => Ok(Some(Arc::new(key))),
        (Err(russh::keys::Error::KeyIsEncrypted), None) => Err(CoreError::KeyPassphraseRequired { what }),
        (Err(russh::keys::Error::KeyIsEncrypted), Some(pass)) => russh::keys::decode_secret_key(&pem, Some(pass))
            .map(|k| Some(Arc::new(k)))
            .map_err(|_| CoreError::KeyPassphraseWrong { what }),
        (Err(e), _) => Err(CoreError::KeyInvalid { what, reason: e.to_string() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use russh::keys::ssh_key::LineEnding;

    fn key_pem(passphrase: Option<&str>) -> String {
        let key = PrivateKey::random(&mut rand::rng(), russh::keys::Algorithm::Ed25519).unwrap();
        let key = match passphrase {
            Some(p) => key.encrypt(&mut rand::rng(), p).unwrap(),
            None => key,
        };
        key.to_openssh(LineEnding::LF).unwrap().to_string()
    }

    fn inline(text: String, passphrase: Option<&str>) -> AuthConfig {
        AuthConfig::PrivateKey { path: None, text: Some(text), passphrase: passphrase.map(String::from) }
    }

    #[test]
    fn a_missing_key_file_names_the_path() {
        let auth = AuthConfig::PrivateKey { path: Some("/nonexistent/id_x".into()), text: None, passphrase: None };
        let err = load_private_key(&auth).unwrap_err();
        assert_eq!(err.code(), "KEY_UNREADABLE");
        assert!(err.to_string().contains("/nonexistent/id_x"));
    }

    #[test]
    fn encrypted_keys_need_the_right_passphrase() {
        let pem = key_pem(Some("secret"));
        assert_eq!(load_private_key(&inline(pem.clone(), None)).unwrap_err().code(), "KEY_PASSPHRASE_REQUIRED");
        assert_eq!(load_private_key(&inline(pem.clone(), Some("wrong"))).unwrap_err().code(), "KEY_PASSPHRASE_WRONG");
        assert!(load_private_key(&inline(pem, Some("secret"))).unwrap().is_some());
    }

    #[test]
    fn garbage_is_not_a_key() {
        let err = load_private_key(&inline("hello".into(), None)).unwrap_err();
        assert_eq!(err.code(), "KEY_INVALID");
    }
}
