//! Content-addressed bytes, compressed as SQLite archives compress theirs: identical bytes are
//! stored once and checked against their sha256 whenever they are read back.
//!
//! `data` holds the bytes zlib-compressed (RFC 1950) when that is smaller, and as they are
//! otherwise; `size` is the length of the bytes. That is the convention of SQLite's archive
//! format, so the shell's `sqlar_uncompress(data, size)` returns the bytes of any blob.

use std::cell::RefCell;
use std::io::Read;

use flate2::read::{DeflateDecoder, ZlibDecoder};
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
    let (compression, data) = encode(bytes).map_err(compress_error)?;
    conn.prepare_cached(
        "INSERT INTO blobs (sha256, size, compression, data) VALUES (?1, ?2, ?3, ?4)",
    )
    .and_then(|mut s| s.execute(params![sha256, bytes.len() as u64, compression, data]))
    .map_err(sql(db, action))?;
    Ok(true)
}

thread_local! {
    /// A compressor kept for the next blob: making one allocates and clears some 300 KB,
    /// which took longer than compressing a small snapshot.
    static COMPRESSOR: RefCell<Option<Compress>> = const { RefCell::new(None) };
}

/// How `bytes` are stored: zlib at the default level when that is shorter, else as they are.
pub(crate) fn encode(bytes: &[u8]) -> std::io::Result<(&'static str, Vec<u8>)> {
    let zlib = zlib(bytes)?;
    Ok(if zlib.len() < bytes.len() {
        ("zlib", zlib)
    } else {
        ("none", bytes.to_vec())
    })
}

/// The zlib stream (RFC 1950) of `bytes` at the default level.
fn zlib(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    COMPRESSOR.with(|cell| {
        let mut cell = cell.borrow_mut();
        let compress = cell.get_or_insert_with(|| Compress::new(Compression::default(), true));
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
    let bytes = decode(db, sha256, size, &compression, data)?;
    let actual = sha256_hex(&bytes);
    if actual != sha256 {
        return Err(corrupt(
            db,
            format!("blob {sha256} is damaged: its bytes hash to {actual}"),
        ));
    }
    Ok(Some(bytes))
}

/// The bytes of a stored blob, checked against its recorded size (not its hash).
pub(crate) fn decode(
    db: &str,
    sha256: &str,
    size: u64,
    compression: &str,
    data: Vec<u8>,
) -> Result<Vec<u8>, StoreError> {
    let bytes = match compression {
        "none" => data,
        "zlib" => {
            // The recorded size bounds the output, so damaged data cannot inflate without
            // limit.
            let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).min(1 << 30));
            ZlibDecoder::new(data.as_slice())
                .take(size.saturating_add(1))
                .read_to_end(&mut bytes)
                .map_err(|e| corrupt(db, format!("blob {sha256} does not decompress: {e}")))?;
            bytes
        }
        other => {
            return Err(corrupt(
                db,
                format!("blob {sha256} has unknown compression {other:?}"),
            ));
        }
    };
    if bytes.len() as u64 != size {
        return Err(corrupt(
            db,
            format!(
                "blob {sha256} is damaged: {} bytes read back, {size} recorded",
                bytes.len()
            ),
        ));
    }
    Ok(bytes)
}

/// Migration 5: a blob schema 4 stored as raw deflate, stored as [`encode`] would. The
/// deflate stream is kept; wrapped in a zlib header and the Adler-32 of the bytes it becomes
/// a zlib stream. Fails, naming the blob, when the stream does not give back bytes of the
/// recorded size and hash.
pub(crate) fn from_raw_deflate(
    db: &str,
    sha256: &str,
    size: u64,
    raw: &[u8],
) -> Result<(&'static str, Vec<u8>), StoreError> {
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).min(1 << 30));
    DeflateDecoder::new(raw)
        .take(size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| corrupt(db, format!("blob {sha256} does not decompress: {e}")))?;
    if bytes.len() as u64 != size || sha256_hex(&bytes) != sha256 {
        return Err(corrupt(
            db,
            format!("blob {sha256} is damaged: its bytes do not match its size and hash"),
        ));
    }
    let mut zlib = Vec::with_capacity(raw.len() + 6);
    // CMF 0x78 (deflate, 32 KiB window) and FLG 0x9c (default level; a multiple of 31).
    zlib.extend_from_slice(&[0x78, 0x9c]);
    zlib.extend_from_slice(raw);
    zlib.extend_from_slice(&adler32(&bytes).to_be_bytes());
    Ok(if zlib.len() < bytes.len() {
        ("zlib", zlib)
    } else {
        ("none", bytes)
    })
}

/// The Adler-32 checksum of `bytes` (RFC 1950).
fn adler32(bytes: &[u8]) -> u32 {
    const MOD: u32 = 65_521;
    // The largest run of bytes whose sums cannot overflow 32 bits before the modulo.
    const NMAX: usize = 5_552;
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in bytes.chunks(NMAX) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples() -> Vec<Vec<u8>> {
        let text = b"model,score\nGPT-4o,88.7\n".repeat(3_000);
        let noise: Vec<u8> = (0..70_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
            .collect();
        vec![
            text.clone(),
            noise,
            Vec::new(),
            text[..100].to_vec(),
            b"x".to_vec(),
        ]
    }

    #[test]
    fn blobs_are_zlib_when_shorter_and_plain_otherwise_as_sqlar_reads_them() {
        for bytes in samples() {
            let (compression, data) = encode(&bytes).unwrap();
            // sqlar_uncompress(data, size): the data as it is when as long as the bytes,
            // otherwise inflated with zlib's uncompress().
            let back = if data.len() == bytes.len() {
                assert_eq!(compression, "none");
                data.clone()
            } else {
                assert_eq!(compression, "zlib");
                assert!(data.len() < bytes.len());
                let mut out = Vec::new();
                ZlibDecoder::new(data.as_slice())
                    .read_to_end(&mut out)
                    .unwrap();
                out
            };
            assert_eq!(back, bytes);
            let decoded = decode("db", "x", bytes.len() as u64, compression, data).unwrap();
            assert_eq!(decoded, bytes);
        }
    }

    #[test]
    fn raw_deflate_of_schema_4_becomes_the_same_stream_in_zlib() {
        for bytes in samples() {
            let mut raw = Vec::new();
            flate2::read::DeflateEncoder::new(bytes.as_slice(), Compression::default())
                .read_to_end(&mut raw)
                .unwrap();
            let sha = sha256_hex(&bytes);
            let (compression, data) =
                from_raw_deflate("db", &sha, bytes.len() as u64, &raw).unwrap();
            if compression == "zlib" {
                assert_eq!(&data[2..data.len() - 4], raw.as_slice());
                let mut out = Vec::new();
                ZlibDecoder::new(data.as_slice())
                    .read_to_end(&mut out)
                    .unwrap();
                assert_eq!(out, bytes);
            } else {
                assert_eq!(data, bytes);
            }
            let err = from_raw_deflate("db", &"0".repeat(64), bytes.len() as u64, &raw);
            assert!(err.unwrap_err().to_string().contains("is damaged"));
        }
    }

    #[test]
    fn adler32_of_known_input() {
        assert_eq!(adler32(b""), 1);
        assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
        let long = vec![0xffu8; 100_000];
        // The same sums, taken without the chunking.
        let (mut a, mut b) = (1u64, 0u64);
        for &x in &long {
            a = (a + u64::from(x)) % 65_521;
            b = (b + a) % 65_521;
        }
        assert_eq!(adler32(&long), ((b << 16) | a) as u32);
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
