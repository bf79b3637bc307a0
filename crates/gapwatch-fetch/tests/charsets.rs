//! Pages in legacy encodings, declared by header or by meta, fetched and decoded.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] functions are test code too

mod common;

use common::{Reply, TestServer, fast_policy};
use gapwatch_fetch::{FetchOutcome, FetchRequest, Fetcher, decode_text};

// Byte sequences written out by hand, so the test does not trust the decoder to encode.
/// "Mistral Large – 88.0 € café" in windows-1252.
const WINDOWS_1252: (&[u8], &str) = (
    b"Mistral Large \x96 88.0 \x80 caf\xe9",
    "Mistral Large – 88.0 € café",
);
/// "通义千问 中文" in GBK.
const GBK: (&[u8], &str) = (
    b"\xcd\xa8\xd2\xe5\xc7\xa7\xce\xca \xd6\xd0\xce\xc4",
    "通义千问 中文",
);
/// "日本語モデル" in Shift_JIS.
const SHIFT_JIS: (&[u8], &str) = (
    b"\x93\xfa\x96\x7b\x8c\xea\x83\x82\x83\x66\x83\x8b",
    "日本語モデル",
);

fn html(meta: &str, cell: &[u8]) -> Vec<u8> {
    let mut page = format!(
        "<!DOCTYPE html><html><head>{meta}<title>board</title></head><body><table><tr><td>"
    )
    .into_bytes();
    page.extend_from_slice(cell);
    page.extend_from_slice(b"</td></tr></table></body></html>");
    page
}

/// Serves `body` with `content_type`, fetches it, decodes it; returns the text and encoding.
async fn fetch_and_decode(body: Vec<u8>, content_type: &'static str) -> (String, &'static str) {
    let server =
        TestServer::start(move |_, _| Reply::ok(body.clone()).header("Content-Type", content_type))
            .await;
    let fetcher = Fetcher::new(fast_policy()).unwrap();
    match fetcher
        .fetch(&FetchRequest::new("board", server.url("/")))
        .await
    {
        FetchOutcome::Fetched(page) => {
            assert_eq!(page.content_type.as_deref(), Some(content_type));
            decode_text(&page.bytes, page.content_type.as_deref())
        }
        other => panic!("expected a page, got {other:?}"),
    }
}

#[tokio::test]
async fn windows_1252_declared_by_header() {
    let (bytes, expected) = WINDOWS_1252;
    let (text, encoding) =
        fetch_and_decode(html("", bytes), "text/html; charset=windows-1252").await;
    assert_eq!(encoding, "windows-1252");
    assert!(text.contains(&format!("<td>{expected}</td>")), "{text}");
}

#[tokio::test]
async fn windows_1252_declared_by_meta_as_latin1() {
    let (bytes, expected) = WINDOWS_1252;
    let body = html(
        "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\">",
        bytes,
    );
    let (text, encoding) = fetch_and_decode(body, "text/html").await;
    assert_eq!(encoding, "windows-1252");
    assert!(text.contains(&format!("<td>{expected}</td>")), "{text}");
}

#[tokio::test]
async fn gbk_declared_by_header() {
    let (bytes, expected) = GBK;
    let (text, encoding) = fetch_and_decode(html("", bytes), "text/html; charset=GBK").await;
    assert_eq!(encoding, "GBK");
    assert!(text.contains(&format!("<td>{expected}</td>")), "{text}");
}

#[tokio::test]
async fn gbk_declared_by_meta_as_gb2312() {
    let (bytes, expected) = GBK;
    let (text, encoding) =
        fetch_and_decode(html("<meta charset=\"gb2312\">", bytes), "text/html").await;
    assert_eq!(encoding, "GBK");
    assert!(text.contains(&format!("<td>{expected}</td>")), "{text}");
}

#[tokio::test]
async fn shift_jis_declared_by_header() {
    let (bytes, expected) = SHIFT_JIS;
    let (text, encoding) =
        fetch_and_decode(html("", bytes), "text/html; charset=\"Shift_JIS\"").await;
    assert_eq!(encoding, "Shift_JIS");
    assert!(text.contains(&format!("<td>{expected}</td>")), "{text}");
}

#[tokio::test]
async fn shift_jis_declared_by_meta() {
    let (bytes, expected) = SHIFT_JIS;
    let (text, encoding) =
        fetch_and_decode(html("<meta charset=shift_jis>", bytes), "text/html").await;
    assert_eq!(encoding, "Shift_JIS");
    assert!(text.contains(&format!("<td>{expected}</td>")), "{text}");
}

#[tokio::test]
async fn the_stored_bytes_keep_the_page_charset() {
    // The fetcher hands back the bytes as served: decoding is the reader's business.
    let (bytes, _) = SHIFT_JIS;
    let body = html("<meta charset=shift_jis>", bytes);
    let expected = body.clone();
    let server =
        TestServer::start(move |_, _| Reply::ok(body.clone()).header("Content-Type", "text/html"))
            .await;
    let fetcher = Fetcher::new(fast_policy()).unwrap();
    match fetcher
        .fetch(&FetchRequest::new("board", server.url("/")))
        .await
    {
        FetchOutcome::Fetched(page) => assert_eq!(page.bytes, expected),
        other => panic!("expected a page, got {other:?}"),
    }
}
