//! An identifier's text without a heap allocation.
//!
//! `ident.to_string()` allocates a `String` for every name the hooks compare
//! or look up, and nearly all are dropped at once. [`Name`] renders the
//! ident the same way (its `Display`) into a buffer on the stack, and only
//! a name longer than the buffer goes to the heap.

use std::fmt::{self, Write};

/// Bytes kept on the stack: longer names are rare.
const INLINE: usize = 32;

/// The text of an ident (`Display`, so `r#type` keeps its `r#`).
pub(crate) struct Name {
    len: u8,
    buf: [u8; INLINE],
    heap: Option<String>,
}

impl Name {
    pub(crate) fn of(ident: &proc_macro2::Ident) -> Name {
        let mut n = Name {
            len: 0,
            buf: [0; INLINE],
            heap: None,
        };
        // (Writing to a `Name` does not fail.)
        let _ = write!(n, "{ident}");
        n
    }

    pub(crate) fn as_str(&self) -> &str {
        match &self.heap {
            Some(s) => s,
            None => {
                let bytes = &self.buf[..usize::from(self.len)];
                debug_assert!(std::str::from_utf8(bytes).is_ok());
                // SAFETY: `write_str` only ever copies whole `&str`s into
                // `buf`, back to back from its start, and `len` counts
                // exactly those bytes: they are UTF-8. (Names are compared
                // and looked up millions of times in a scan: checking them
                // again each time was 5% of the walk's instructions.)
                unsafe { std::str::from_utf8_unchecked(bytes) }
            }
        }
    }
}

impl std::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl Write for Name {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if let Some(h) = &mut self.heap {
            h.push_str(s);
            return Ok(());
        }
        let len = usize::from(self.len);
        match self.buf.get_mut(len..len + s.len()) {
            Some(dst) => {
                dst.copy_from_slice(s.as_bytes());
                // (`len + s.len() <= INLINE`, which fits in a `u8`.)
                self.len = (len + s.len()) as u8;
            }
            None => {
                let mut h = String::with_capacity(len + s.len());
                h.push_str(self.as_str());
                h.push_str(s);
                self.heap = Some(h);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Name;

    #[test]
    fn renders_like_to_string() {
        for src in [
            "a",
            "r#type",
            "snake_case_name",
            "a_name_that_is_longer_than_the_inline_buffer_of_a_name",
            "x2345678901234567890123456789012",
            "x23456789012345678901234567890123",
        ] {
            let i: proc_macro2::Ident = syn::parse_str(src).expect("an ident");
            assert_eq!(Name::of(&i).as_str(), i.to_string(), "{src}");
        }
    }
}
