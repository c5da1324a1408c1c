//! The crypto floor for bench:compare: what opening SSH-packet-sized blocks costs on this CPU
//! with the same crypto library russh uses (aws-lc), and nothing else: no socket, no SSH framing,
//! no channel, no JS hop. Each round copies the sealed block into place (as a socket read copies
//! every byte) and opens it; a core can get close to this figure but not below it.

use std::time::Instant;

use aws_lc_rs::aead::{self, chacha20_poly1305_openssh as openssh, Aad, LessSafeKey, Nonce, UnboundKey};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::bad_option;

enum Opener {
    Gcm(LessSafeKey, Vec<u8>),
    ChaCha(Box<openssh::OpeningKey>, [u8; openssh::TAG_LEN]),
}

fn fail(what: &str) -> napi::Error {
    napi::Error::new(Status::GenericFailure, format!("[INTERNAL] crypto floor: {what}"))
}

fn sealed(cipher: &str, block: usize) -> Result<(Opener, Vec<u8>)> {
    let mut data = vec![0x5a_u8; block];
    let gcm = match cipher {
        "aes128-gcm@openssh.com" => Some(&aead::AES_128_GCM),
        "aes256-gcm@openssh.com" => Some(&aead::AES_256_GCM),
        "chacha20-poly1305@openssh.com" => None,
        other => return Err(bad_option(format!("no crypto floor for cipher '{other}'"))),
    };
    if let Some(alg) = gcm {
        let key_bytes = vec![7u8; alg.key_len()];
        let key = || UnboundKey::new(alg, &key_bytes).map(LessSafeKey::new).map_err(|_| fail("key"));
        let tag = key()?
            .seal_in_place_separate_tag(Nonce::assume_unique_for_key([1; 12]), Aad::from([0u8; 4]), &mut data)
            .map_err(|_| fail("seal"))?;
        Ok((Opener::Gcm(key()?, tag.as_ref().to_vec()), data))
    } else {
        let key_bytes = [9u8; openssh::KEY_LEN];
        let mut tag = [0u8; openssh::TAG_LEN];
        openssh::SealingKey::new(&key_bytes).seal_in_place(3, &mut data, &mut tag);
        Ok((Opener::ChaCha(Box::new(openssh::OpeningKey::new(&key_bytes)), tag), data))
    }
}

/// Opens `blockBytes`-sized sealed blocks of `cipher` for about `seconds` on the calling thread
/// and returns how many bytes it opened; the caller times it with its own CPU clock.
#[napi(catch_unwind)]
pub fn crypto_floor(cipher: String, block_bytes: u32, seconds: f64) -> Result<f64> {
    let block = (block_bytes as usize).clamp(64, 1 << 20);
    let (opener, sealed) = sealed(&cipher, block)?;
    let mut work = vec![0u8; block];
    let mut bytes = 0u64;
    let started = Instant::now();
    while started.elapsed().as_secs_f64() < seconds {
        for _ in 0..16 {
            work.copy_from_slice(&sealed);
            match &opener {
                Opener::Gcm(key, tag) => {
                    key.open_in_place_separate_tag(
                        Nonce::assume_unique_for_key([1; 12]),
                        Aad::from([0u8; 4]),
                        tag,
                        &mut work,
                    )
                    .map_err(|_| fail("open"))?;
                }
                Opener::ChaCha(key, tag) => {
                    key.open_in_place(3, &mut work, tag).map_err(|_| fail("open"))?;
                }
            }
            bytes += block as u64;
        }
    }
    Ok(bytes as f64)
}
