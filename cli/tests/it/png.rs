//! The checked-in screenshot of the example's HTML report records which
//! report it shows: a PNG `tEXt` chunk `nova-report-fnv1a64` holds a hash
//! of the report.html it was taken from. A screenshot is stale exactly when
//! that report changed (pixels vary with fonts and Chromium versions; the
//! report does not).

/// Keyword of the text chunk.
pub const KEY: &str = "nova-report-fnv1a64";

/// FNV-1a, 64 bits, as 16 hex digits.
pub fn fnv1a64(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut c: u32 = 0xffff_ffff;
    for b in bytes {
        c ^= u32::from(*b);
        for _ in 0..8 {
            c = if c & 1 == 1 {
                (c >> 1) ^ 0xedb8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}

const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// True when `bytes` starts with the PNG signature.
pub fn is_png(bytes: &[u8]) -> bool {
    bytes.starts_with(SIGNATURE)
}

/// `png` with a `tEXt` chunk `key=value` right after IHDR.
pub fn with_text(png: &[u8], key: &str, value: &str) -> Vec<u8> {
    assert!(is_png(png), "not a PNG");
    // Signature (8) + IHDR chunk (4 len + 4 type + 13 data + 4 crc).
    let cut = 8 + 4 + 4 + 13 + 4;
    let mut data = Vec::new();
    data.extend_from_slice(b"tEXt");
    data.extend_from_slice(key.as_bytes());
    data.push(0);
    data.extend_from_slice(value.as_bytes());
    let len = u32::try_from(data.len() - 4).expect("small chunk");
    let mut out = png[..cut].to_vec();
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&data);
    out.extend_from_slice(&crc32(&data).to_be_bytes());
    out.extend_from_slice(&png[cut..]);
    out
}

/// The value of the `tEXt` chunk `key`, if any.
pub fn text(png: &[u8], key: &str) -> Option<String> {
    if !is_png(png) {
        return None;
    }
    let mut at = 8;
    while at + 12 <= png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().ok()?) as usize;
        let kind = &png[at + 4..at + 8];
        let data = png.get(at + 8..at + 8 + len)?;
        if kind == b"tEXt" {
            let mut parts = data.splitn(2, |b| *b == 0);
            if parts.next() == Some(key.as_bytes()) {
                return parts
                    .next()
                    .map(|v| String::from_utf8_lossy(v).into_owned());
            }
        }
        at += 12 + len;
    }
    None
}

#[test]
fn text_chunks_round_trip() {
    // A 1x1 PNG.
    let tiny: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, b'I', b'H', b'D', b'R', 0, 0,
        0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0, b'I', b'E', b'N',
        b'D', 0xae, 0x42, 0x60, 0x82,
    ];
    let tagged = with_text(tiny, KEY, "0123");
    assert_eq!(text(&tagged, KEY).as_deref(), Some("0123"));
    assert_eq!(text(tiny, KEY), None);
    assert_eq!(crc32(b"IEND"), 0xae42_6082);
    assert_eq!(fnv1a64(b""), "cbf29ce484222325");
}
