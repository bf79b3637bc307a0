//! Turning fetched bytes into text the way browsers do (the WHATWG Encoding and HTML rules).

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252, X_USER_DEFINED};

/// How many leading bytes the `<meta>` prescan looks at, as in the HTML standard.
const PRESCAN_BYTES: usize = 1024;

/// Decodes `bytes` as text, choosing the encoding the way a browser does.
///
/// In order: a byte order mark; the `charset` parameter of `content_type`; a `<meta charset>`
/// or `<meta http-equiv="Content-Type" content="...; charset=...">` in the first 1024 bytes;
/// otherwise UTF-8. Labels are read as the WHATWG Encoding Standard reads them, so
/// `iso-8859-1` means windows-1252 and `gb2312` means GBK. Malformed sequences become U+FFFD.
///
/// Returns the text and the name of the encoding used (`"UTF-8"`, `"windows-1252"`, `"GBK"`,
/// `"Shift_JIS"`, ...). Pure: it serves fetched pages and imported files alike.
///
/// ```
/// use gapwatch_fetch::decode_text;
///
/// let page = b"<meta charset=\"shift_jis\"><td>\x93\xfa\x96\x7b</td>";
/// let (text, encoding) = decode_text(page, Some("text/html"));
/// assert_eq!(encoding, "Shift_JIS");
/// assert!(text.contains("<td>日本</td>"));
/// ```
pub fn decode_text(bytes: &[u8], content_type: Option<&str>) -> (String, &'static str) {
    if let Some((encoding, bom_length)) = Encoding::for_bom(bytes) {
        let rest = bytes.get(bom_length..).unwrap_or_default();
        let (text, _) = encoding.decode_without_bom_handling(rest);
        return (text.into_owned(), encoding.name());
    }
    let encoding = content_type
        .and_then(charset_from_content_type)
        .or_else(|| prescan(bytes))
        .unwrap_or(UTF_8);
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    (text.into_owned(), encoding.name())
}

/// The encoding named by the `charset` parameter of a `Content-Type` value, if it names one.
fn charset_from_content_type(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|parameter| {
        let (name, value) = parameter.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        Encoding::for_label(value.as_bytes())
    })
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

fn starts_with_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.len() >= needle.len() && haystack[..needle.len()].eq_ignore_ascii_case(needle)
}

/// The HTML standard's "prescan a byte stream to determine its encoding", over the first
/// 1024 bytes. `None` when no usable declaration is found.
fn prescan(bytes: &[u8]) -> Option<&'static Encoding> {
    let input = &bytes[..bytes.len().min(PRESCAN_BYTES)];
    let mut scanner = Scanner { input, position: 0 };
    while scanner.position < input.len() {
        let rest = &input[scanner.position..];
        if rest.starts_with(b"<!--") {
            // The comment's `--` may overlap its opening, so `<!-->` is a whole comment.
            let after = scanner.position + 2;
            let end = find(&input[after..], b"-->")?;
            scanner.position = after + end + 3;
            continue;
        }
        if starts_with_ignore_case(rest, b"<meta")
            && rest.get(5).is_some_and(|&b| is_space(b) || b == b'/')
        {
            scanner.position += 6;
            if let Some(encoding) = scanner.meta()? {
                return Some(encoding);
            }
            continue;
        }
        let is_tag_start = |offset: usize| rest.get(offset).is_some_and(u8::is_ascii_alphabetic);
        if (rest.first() == Some(&b'<') && is_tag_start(1))
            || (rest.starts_with(b"</") && is_tag_start(2))
        {
            scanner.position += rest
                .iter()
                .position(|&b| is_space(b) || b == b'>')
                .unwrap_or(rest.len());
            while scanner.attribute()?.is_some() {}
            continue;
        }
        if rest.starts_with(b"<!") || rest.starts_with(b"</") || rest.starts_with(b"<?") {
            scanner.position += find(rest, b">")? + 1;
            continue;
        }
        scanner.position += 1;
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// A cursor over the prescanned bytes. Methods return `None` when the input runs out in the
/// middle of a construct: the standard then abandons the prescan.
struct Scanner<'a> {
    input: &'a [u8],
    position: usize,
}

impl Scanner<'_> {
    fn byte(&self) -> Option<u8> {
        self.input.get(self.position).copied()
    }

    /// The attributes of a `<meta` tag (position just past `<meta` and one space or `/`):
    /// `Some(Some(encoding))` if the tag declares one, `Some(None)` if it does not.
    fn meta(&mut self) -> Option<Option<&'static Encoding>> {
        let mut seen: Vec<Vec<u8>> = Vec::new();
        let mut got_pragma = false;
        let mut need_pragma: Option<bool> = None;
        let mut charset: Option<&'static Encoding> = None;
        while let Some((name, value)) = self.attribute()? {
            if seen.contains(&name) {
                continue;
            }
            match name.as_slice() {
                b"http-equiv" => got_pragma |= value == b"content-type",
                b"content" if charset.is_none() => {
                    if let Some(encoding) = charset_from_meta_content(&value) {
                        charset = Some(encoding);
                        need_pragma = Some(true);
                    }
                }
                b"charset" => {
                    charset = Encoding::for_label(&value);
                    need_pragma = Some(false);
                }
                _ => {}
            }
            seen.push(name);
        }
        let declared = match need_pragma {
            None => None,
            Some(true) if !got_pragma => None,
            Some(_) => charset,
        };
        // A page that reached this scan cannot be UTF-16 (it would have had a BOM), and
        // x-user-defined is a JavaScript oddity: the standard maps both.
        Some(declared.map(|encoding| {
            if encoding == UTF_16BE || encoding == UTF_16LE {
                UTF_8
            } else if encoding == X_USER_DEFINED {
                WINDOWS_1252
            } else {
                encoding
            }
        }))
    }

    /// The standard's "get an attribute": `Some(None)` at the end of the tag.
    fn attribute(&mut self) -> Option<Option<(Vec<u8>, Vec<u8>)>> {
        while self.byte().is_some_and(|b| is_space(b) || b == b'/') {
            self.position += 1;
        }
        if self.byte()? == b'>' {
            return Some(None);
        }
        let mut name = Vec::new();
        let value = Vec::new();
        loop {
            match self.byte()? {
                b'=' if !name.is_empty() => {
                    self.position += 1;
                    return self.attribute_value(name, value);
                }
                b if is_space(b) => break,
                b'/' | b'>' => return Some(Some((name, value))),
                b => name.push(b.to_ascii_lowercase()),
            }
            self.position += 1;
        }
        while self.byte().is_some_and(is_space) {
            self.position += 1;
        }
        if self.byte()? != b'=' {
            return Some(Some((name, value)));
        }
        self.position += 1;
        self.attribute_value(name, value)
    }

    fn attribute_value(
        &mut self,
        name: Vec<u8>,
        mut value: Vec<u8>,
    ) -> Option<Option<(Vec<u8>, Vec<u8>)>> {
        while self.byte().is_some_and(is_space) {
            self.position += 1;
        }
        match self.byte()? {
            quote @ (b'"' | b'\'') => loop {
                self.position += 1;
                let b = self.byte()?;
                if b == quote {
                    self.position += 1;
                    return Some(Some((name, value)));
                }
                value.push(b.to_ascii_lowercase());
            },
            b'>' => return Some(Some((name, value))),
            b => {
                value.push(b.to_ascii_lowercase());
                self.position += 1;
            }
        }
        loop {
            let b = self.byte()?;
            if is_space(b) || b == b'>' {
                return Some(Some((name, value)));
            }
            value.push(b.to_ascii_lowercase());
            self.position += 1;
        }
    }
}

/// The standard's "extract a character encoding from a meta element", for a `content`
/// attribute such as `text/html; charset=gbk`.
fn charset_from_meta_content(content: &[u8]) -> Option<&'static Encoding> {
    let mut position = 0;
    loop {
        let found = content
            .get(position..)?
            .windows(7)
            .position(|w| w.eq_ignore_ascii_case(b"charset"))?;
        position += found + 7;
        while content.get(position).copied().is_some_and(is_space) {
            position += 1;
        }
        if content.get(position) == Some(&b'=') {
            position += 1;
            break;
        }
        // Not `charset=` after all: look for the next occurrence.
    }
    while content.get(position).copied().is_some_and(is_space) {
        position += 1;
    }
    let rest = content.get(position..)?;
    let label = match rest.first()? {
        &quote @ (b'"' | b'\'') => {
            let end = rest[1..].iter().position(|&b| b == quote)?;
            &rest[1..1 + end]
        }
        _ => {
            let end = rest
                .iter()
                .position(|&b| is_space(b) || b == b';')
                .unwrap_or(rest.len());
            &rest[..end]
        }
    };
    Encoding::for_label(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    // "café – €" in windows-1252.
    const CAFE_1252: &[u8] = b"caf\xe9 \x96 \x80";
    // "中文" in GBK.
    const CHINESE_GBK: &[u8] = b"\xd6\xd0\xce\xc4";
    // "日本語" in Shift_JIS.
    const JAPANESE_SJIS: &[u8] = b"\x93\xfa\x96\x7b\x8c\xea";

    fn page(head: &str, body: &[u8]) -> Vec<u8> {
        let mut bytes = format!("<!doctype html><html><head>{head}</head><body>").into_bytes();
        bytes.extend_from_slice(body);
        bytes.extend_from_slice(b"</body></html>");
        bytes
    }

    #[test]
    fn the_header_charset_decodes_legacy_encodings() {
        let cases: [(&[u8], &str, &str, &str); 3] = [
            (
                CAFE_1252,
                "text/html; charset=windows-1252",
                "windows-1252",
                "café – €",
            ),
            (CHINESE_GBK, "text/csv; charset=\"GBK\"", "GBK", "中文"),
            (
                JAPANESE_SJIS,
                "text/html;charset=Shift_JIS",
                "Shift_JIS",
                "日本語",
            ),
        ];
        for (bytes, content_type, name, text) in cases {
            assert_eq!(
                decode_text(bytes, Some(content_type)),
                (text.to_owned(), name)
            );
        }
    }

    #[test]
    fn labels_follow_the_encoding_standard() {
        assert_eq!(
            decode_text(CAFE_1252, Some("text/html; charset=iso-8859-1")).1,
            "windows-1252"
        );
        assert_eq!(
            decode_text(CHINESE_GBK, Some("text/html; charset=gb2312")).1,
            "GBK"
        );
        assert_eq!(
            decode_text(JAPANESE_SJIS, Some("text/html; charset=x-sjis")).1,
            "Shift_JIS"
        );
    }

    #[test]
    fn meta_charset_and_http_equiv_are_found_by_the_prescan() {
        let by_charset = page("<meta charset=\"gbk\">", CHINESE_GBK);
        let (text, name) = decode_text(&by_charset, Some("text/html"));
        assert_eq!(name, "GBK");
        assert!(text.contains("<body>中文</body>"), "{text}");

        let by_pragma = page(
            "<META HTTP-EQUIV='Content-Type' CONTENT='text/html; charset=Shift_JIS'>",
            JAPANESE_SJIS,
        );
        let (text, name) = decode_text(&by_pragma, None);
        assert_eq!(name, "Shift_JIS");
        assert!(text.contains("日本語"), "{text}");

        let unquoted = page("<meta charset=windows-1252>", CAFE_1252);
        assert_eq!(decode_text(&unquoted, None).1, "windows-1252");
    }

    #[test]
    fn meta_content_without_http_equiv_declares_nothing() {
        let bytes = page("<meta content=\"text/html; charset=gbk\">", CHINESE_GBK);
        assert_eq!(decode_text(&bytes, None).1, "UTF-8");
    }

    #[test]
    fn declarations_in_comments_and_past_1024_bytes_are_ignored() {
        let commented = page("<!-- <meta charset=gbk> --><meta charset=shift_jis>", b"");
        assert_eq!(decode_text(&commented, None).1, "Shift_JIS");

        let late = page(
            &format!("<title>{}</title><meta charset=gbk>", "x".repeat(1100)),
            b"",
        );
        assert_eq!(decode_text(&late, None).1, "UTF-8");
    }

    #[test]
    fn other_tags_attributes_do_not_confuse_the_prescan() {
        let bytes = page(
            "<link rel=x title='<meta charset=gbk>'><meta name=x charset=\"shift_jis\">",
            b"",
        );
        assert_eq!(decode_text(&bytes, None).1, "Shift_JIS");
    }

    #[test]
    fn a_bom_wins_over_header_and_meta_and_is_removed() {
        let mut bytes = b"\xef\xbb\xbf".to_vec();
        bytes.extend_from_slice(&page("<meta charset=gbk>", "中文".as_bytes()));
        let (text, name) = decode_text(&bytes, Some("text/html; charset=windows-1252"));
        assert_eq!(name, "UTF-8");
        assert!(text.starts_with("<!doctype"));
        assert!(text.contains("中文"));

        let utf16 = b"\xff\xfea\x00b\x00";
        assert_eq!(decode_text(utf16, None), ("ab".to_owned(), "UTF-16LE"));
    }

    #[test]
    fn the_header_wins_over_meta() {
        let bytes = page("<meta charset=gbk>", JAPANESE_SJIS);
        assert_eq!(
            decode_text(&bytes, Some("text/html; charset=shift_jis")).1,
            "Shift_JIS"
        );
    }

    #[test]
    fn unknown_labels_fall_through_to_the_next_rule() {
        let bytes = page("<meta charset=gbk>", CHINESE_GBK);
        assert_eq!(
            decode_text(&bytes, Some("text/html; charset=klingon")).1,
            "GBK"
        );
        let bytes = page("<meta charset=klingon>", b"");
        assert_eq!(decode_text(&bytes, None).1, "UTF-8");
    }

    #[test]
    fn meta_utf16_means_utf8() {
        let bytes = page("<meta charset=utf-16le>", "é".as_bytes());
        let (text, name) = decode_text(&bytes, None);
        assert_eq!(name, "UTF-8");
        assert!(text.contains('é'));
    }

    #[test]
    fn no_declaration_means_utf8_with_replacement_for_bad_bytes() {
        assert_eq!(
            decode_text("naïve".as_bytes(), None),
            ("naïve".to_owned(), "UTF-8")
        );
        assert_eq!(
            decode_text(b"a\xffb", Some("application/json")).0,
            "a\u{fffd}b"
        );
        assert_eq!(decode_text(b"", None), (String::new(), "UTF-8"));
    }

    #[test]
    fn a_truncated_tag_abandons_the_prescan() {
        assert_eq!(decode_text(b"<meta charset=\"gbk", None).1, "UTF-8");
        assert_eq!(decode_text(b"<!-- <meta charset=gbk>", None).1, "UTF-8");
    }

    #[test]
    fn meta_content_extraction_handles_quotes_and_false_starts() {
        assert_eq!(
            charset_from_meta_content(b"text/html; charset=gbk"),
            Some(encoding_rs::GBK)
        );
        assert_eq!(
            charset_from_meta_content(b"charset = 'shift_jis' x"),
            Some(encoding_rs::SHIFT_JIS)
        );
        assert_eq!(
            charset_from_meta_content(b"charsetx; charset=gbk"),
            Some(encoding_rs::GBK)
        );
        assert_eq!(charset_from_meta_content(b"charset=\"gbk"), None);
        assert_eq!(charset_from_meta_content(b"text/html"), None);
    }
}
