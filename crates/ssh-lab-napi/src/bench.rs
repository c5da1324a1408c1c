//! Microbenchmark hooks (bench/micro.ts): what a crossing of the napi boundary costs, in either
//! direction, measured on the same napi-rs and Node as the core addon uses.

use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;

/// Hands `count` chunks of `size` bytes to `onChunk`, `batch` chunks merged per crossing (1: every
/// chunk crosses alone), from a runtime thread as channel data does. Resolves once all are queued;
/// JS counts what arrives.
#[napi]
pub async fn emit_chunks(
    count: u32,
    size: u32,
    batch: u32,
    on_chunk: ThreadsafeFunction<Buffer, (), Buffer, Status, false, true>,
) -> Result<()> {
    let batch = batch.max(1);
    let mut left = count;
    while left > 0 {
        let n = left.min(batch);
        let chunk = vec![b'x'; (n * size) as usize];
        on_chunk.call(Buffer::from(chunk), ThreadsafeFunctionCallMode::NonBlocking);
        left -= n;
    }
    Ok(())
}

/// Does nothing: the cost of one JS -> Rust call.
#[napi]
pub fn noop() {}

/// Takes a Buffer and returns its length: the cost of passing bytes in.
#[napi]
pub fn buffer_in(data: Buffer) -> u32 {
    data.len() as u32
}

/// Returns a new Buffer of `len` bytes: the cost of passing bytes out.
#[napi]
pub fn buffer_out(len: u32) -> Buffer {
    Buffer::from(vec![0u8; len as usize])
}
