//! Channel bytes on their way to JS.

use std::ptr;

use napi::bindgen_prelude::{Buffer, Result, ToNapiValue, TypeName, ValueType};
use napi::{check_status, sys};

/// A chunk of channel output. A large one becomes a Buffer over the Rust allocation (no copy;
/// JS's GC frees it). A small one (a line, an echo), or any with `copy`, becomes a JS-owned copy
/// and the Rust allocation is freed at once: copying a few hundred bytes costs less than the weak
/// handle and finalizer an external buffer needs, and `copy` is the path an Electron app takes
/// (its V8 memory cage forbids external buffers).
pub struct Chunk {
    pub bytes: Vec<u8>,
    pub copy: bool,
}

impl TypeName for Chunk {
    fn type_name() -> &'static str {
        "Buffer"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for Chunk {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        let small = val.bytes.len() < crate::coalesce::ZERO_COPY_MIN_BYTES;
        if (!val.copy && !small) || val.bytes.is_empty() {
            // SAFETY: the caller's env is valid (the ToNapiValue contract).
            return unsafe { Buffer::to_napi_value(env, Buffer::from(val.bytes)) };
        }
        let mut ret = ptr::null_mut();
        check_status!(
            // SAFETY: the data pointer is valid for `len` bytes for the duration of the call,
            // which copies them.
            unsafe {
                sys::napi_create_buffer_copy(env, val.bytes.len(), val.bytes.as_ptr().cast(), ptr::null_mut(), &mut ret)
            },
            "could not copy channel data into a Buffer"
        )?;
        Ok(ret)
    }
}
