//! How one wake-up's events are laid out for JS: a flat array, built with as few N-API calls as
//! we can.
//!
//! `[joint, code, payload, code, payload, ...]`:
//! - `code` is `sink << 3 | kind` (the adapter keeps sink numbers below 2^29);
//! - a small chunk of channel output (a line, an echo) is copied into `joint`, one Buffer for the
//!   whole wake-up, and its payload is the number where it ends there (it starts where the one
//!   before it ended); the adapter slices it out, which costs JS a view and no copy;
//! - a large chunk (a full packet of a bulk stream) is its payload: a Buffer over the Rust
//!   allocation, no copy, freed by JS's GC, or a copy of its own with `copy` (the path an Electron
//!   app takes: its V8 memory cage forbids external buffers);
//! - a state or exit event's payload is an object; a reopen's is its time; an end's is undefined.
//!
//! One object per event with named fields, as napi-rs builds an `#[napi(object)]`, cost the JS
//! thread a property name lookup and a shape transition per field; a copied Buffer per line cost an
//! allocation, a backing store and its tracking. At 1,000 quiet sessions those were most of the JS
//! thread's time in the core.

use std::ptr;

use napi::bindgen_prelude::{Buffer, Result, ToNapiValue};
use napi::{check_status, sys};

use super::events::{BindingExit, BindingStateEvent, EventKind};

use crate::coalesce::ZERO_COPY_MIN_BYTES;

/// The joint Buffer of one wake-up stops growing here; further small chunks get copies of their own.
const JOINT_MAX_BYTES: usize = 64 << 20;

/// The largest sink number a code can carry.
pub const SINK_MASK: u32 = (1 << 29) - 1;

/// A chunk of channel output.
pub struct Chunk {
    pub bytes: Vec<u8>,
    /// Copy even a large chunk into JS-owned memory.
    pub copy: bool,
}

/// What an event carries besides its sink and kind.
pub enum Payload {
    None,
    Data(Chunk),
    State(BindingStateEvent),
    Exit(BindingExit),
    AtMs(f64),
}

pub struct Event {
    pub sink: u32,
    pub kind: EventKind,
    pub payload: Payload,
}

fn joins(e: &Event) -> Option<usize> {
    match &e.payload {
        Payload::Data(c) if c.bytes.len() < ZERO_COPY_MIN_BYTES && !c.bytes.is_empty() => Some(c.bytes.len()),
        _ => None,
    }
}

/// Builds the flat array for `events`.
///
/// # Safety
/// `env` must be the valid env of the JS thread this runs on.
pub unsafe fn to_js(env: sys::napi_env, events: Vec<Event>) -> Result<sys::napi_value> {
    // The small chunks up to the cap, in order: once one does not fit, the rest go alone too.
    let mut joint_len = 0usize;
    for len in events.iter().filter_map(joins) {
        if joint_len + len > JOINT_MAX_BYTES {
            break;
        }
        joint_len += len;
    }
    // SAFETY (all blocks below): `env` is valid (the caller's contract); each out-pointer is a
    // local that lives through the call; `data` points to `joint_len` writable bytes that JS cannot
    // see until this returns.
    let mut array = ptr::null_mut();
    check_status!(unsafe { sys::napi_create_array_with_length(env, 1 + 2 * events.len(), &mut array) })?;
    let mut data: *mut std::ffi::c_void = ptr::null_mut();
    let mut joint = ptr::null_mut();
    if joint_len > 0 {
        check_status!(
            unsafe { sys::napi_create_buffer(env, joint_len, &mut data, &mut joint) },
            "could not allocate a Buffer for channel data"
        )?;
    } else {
        check_status!(unsafe { sys::napi_get_undefined(env, &mut joint) })?;
    }
    check_status!(unsafe { sys::napi_set_element(env, array, 0, joint) })?;
    let mut end = 0usize;
    for (i, e) in events.into_iter().enumerate() {
        let at = 1 + 2 * i as u32;
        let joined = joins(&e).filter(|len| end + len <= joint_len);
        let code = (e.sink & SINK_MASK) << 3 | e.kind as u32;
        let code = unsafe { u32::to_napi_value(env, code) }?;
        check_status!(unsafe { sys::napi_set_element(env, array, at, code) })?;
        let payload = match e.payload {
            Payload::Data(c) if joined.is_some() => {
                unsafe { ptr::copy_nonoverlapping(c.bytes.as_ptr(), data.cast::<u8>().add(end), c.bytes.len()) };
                end += c.bytes.len();
                unsafe { u32::to_napi_value(env, end as u32) }?
            }
            Payload::Data(c) if (c.copy || c.bytes.len() < ZERO_COPY_MIN_BYTES) && !c.bytes.is_empty() => {
                let mut copied = ptr::null_mut();
                check_status!(
                    unsafe {
                        sys::napi_create_buffer_copy(
                            env,
                            c.bytes.len(),
                            c.bytes.as_ptr().cast(),
                            ptr::null_mut(),
                            &mut copied,
                        )
                    },
                    "could not copy channel data into a Buffer"
                )?;
                copied
            }
            Payload::Data(c) => unsafe { Buffer::to_napi_value(env, Buffer::from(c.bytes)) }?,
            Payload::State(s) => unsafe { BindingStateEvent::to_napi_value(env, s) }?,
            Payload::Exit(x) => unsafe { BindingExit::to_napi_value(env, x) }?,
            Payload::AtMs(t) => unsafe { f64::to_napi_value(env, t) }?,
            Payload::None => {
                let mut undefined = ptr::null_mut();
                check_status!(unsafe { sys::napi_get_undefined(env, &mut undefined) })?;
                undefined
            }
        };
        check_status!(unsafe { sys::napi_set_element(env, array, at + 1, payload) })?;
    }
    Ok(array)
}
