//! Content-addressed, deflate-compressed bytes: identical bytes are stored once and checked
//! against their sha256 whenever they are read back.

use std::cell::RefCell;
use std::io::Read;

use flate2::read::DeflateDecoder;
use flate2::{Compress, Compression, FlushCompress, Status};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::StoreError;
use crate::error::{corrupt, sql};

/// The sha256 of `bytes` as lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of any bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// Stores `bytes` under `sha256` unless already there. Returns whether it was new.
pub(crate) fn put(
    conn: &Connection,
    db: &str,
    sha256: &str,
    bytes: &[u8],
) -> Result<bool, StoreError> {
    let action = "store a blob";
    let exists = conn
        .prepare_cached("SELECT 1 FROM blobs WHERE sha256 = ?1")
        .and_then(|mut s| s.exists([sha256]))
        .map_err(sql(db, action))?;
    if exists {
        return Ok(false);
    }
    let compress_error = |source| StoreError::Compression {
        db: db.to_owned(),
        sha256: sha256.to_owned(),
        source,
    };
    let data = deflate(bytes).map_err(compress_error)?;
    conn.prepare_cached(
        "INSERT INTO blobs (sha256, size, compression, data) VALUES (?1, ?2, 'deflate', ?3)",
    )
    .and_then(|mut s| s.execute(params![sha256, bytes.len() as u64, data]))
    .map_err(sql(db, action))?;
    Ok(true)
}

thread_local! {
    /// A compressor kept for the next blob: making one allocates and clears some 300 KB,
    /// which took longer than compressing a small snapshot.
    static COMPRESSOR: RefCell<Option<Compress>> = const { RefCell::new(None) };
}

/// Raw deflate of `bytes` at the default level.
fn deflate(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    COMPRESSOR.with(|cell| {
        let mut cell = cell.borrow_mut();
        let compress = cell.get_or_insert_with(|| Compress::new(Compression::default(), false));
        compress.reset();
        let mut out = Vec::with_capacity(bytes.len() / 2 + 64);
        loop {
            if out.len() == out.capacity() {
                out.reserve(out.capacity());
            }
            let consumed = compress.total_in() as usize;
            let input = bytes.get(consumed..).unwrap_or_default();
            let status = compress
                .compress_vec(input, &mut out, FlushCompress::Finish)
                .map_err(std::io::Error::other)?;
            if status == Status::StreamEnd {
                return Ok(out);
            }
        }
    })
}

/// The bytes stored under `sha256`, decompressed and verified; `None` when absent.
pub(crate) fn get(
    conn: &Connection,
    db: &str,
    sha256: &str,
) -> Result<Option<Vec<u8>>, StoreError> {
    let row: Option<(u64, String, Vec<u8>)> = conn
        .prepare_cached("SELECT size, compression, data FROM blobs WHERE sha256 = ?1")
        .and_then(|mut s| {
            s.query_row([sha256], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()
        })
        .map_err(sql(db, "read a blob"))?;
    let Some((size, compression, data)) = row else {
        return Ok(None);
    };
    if compression != "deflate" {
        return Err(corrupt(
            db,
            format!("blob {sha256} has unknown compression {compression:?}"),
        ));
    }
    // The recorded size bounds the output, so damaged data cannot inflate without limit.
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).min(1 << 30));
    DeflateDecoder::new(data.as_slice())
        .take(size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| corrupt(db, format!("blob {sha256} does not decompress: {e}")))?;
    if bytes.len() as u64 != size {
        return Err(corrupt(
            db,
            format!(
                "blob {sha256} is damaged: {} bytes decompressed, {size} recorded",
                bytes.len()
            ),
        ));
    }
    let actual = sha256_hex(&bytes);
    if actual != sha256 {
        return Err(corrupt(
            db,
            format!("blob {sha256} is damaged: its bytes hash to {actual}"),
        ));
    }
    Ok(Some(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deflate_round_trips_whatever_was_compressed_before() {
        let text = b"model,score\nGPT-4o,88.7\n".repeat(3_000);
        let noise: Vec<u8> = (0..70_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
            .collect();
        for bytes in [&text[..], &noise[..], &[][..], &text[..100]] {
            let data = deflate(bytes).unwrap();
            let mut back = Vec::new();
            DeflateDecoder::new(data.as_slice())
                .read_to_end(&mut back)
                .unwrap();
            assert_eq!(back, bytes);
        }
    }

    #[test]
    fn sha256_of_known_input() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(hex(&[0x00, 0x0f, 0xf0, 0xff]), "000ff0ff");
    }
}
