//! The Atom 1.0 feed of a story: one entry per published version.

use std::fmt::Write as _;

use gapwatch_model::Date;
use serde::Deserialize;

use crate::Digest;
use crate::html::escape;

/// One published version as the feed lists it.
#[derive(Debug, Clone)]
pub struct FeedEntry {
    /// The story's title.
    pub title: String,
    /// The version number.
    pub version: u32,
    /// The version's header line.
    pub summary: String,
    /// The version's "What's new", one plain-text line per item.
    pub news: Vec<String>,
    /// When it was published, RFC 3339.
    pub published_at: String,
    /// The version page's address, relative to the feed or absolute.
    pub link: String,
}

/// The parts of a stored digest the feed needs. Read leniently, so that versions published
/// by earlier releases of gapwatch, whose digests had other fields, still make entries.
#[derive(Debug, Deserialize)]
struct StoredDigest {
    title: String,
    status: String,
    version: u32,
    published_on: Date,
    claim_count: u64,
    source_count: usize,
    #[serde(default)]
    sections: Vec<StoredSection>,
}

#[derive(Debug, Deserialize)]
struct StoredSection {
    id: String,
    #[serde(default)]
    blocks: Vec<serde_json::Value>,
}

impl FeedEntry {
    /// The entry of a version from its stored JSON digest.
    pub fn from_digest_json(
        json: &[u8],
        published_at: &str,
        link: String,
    ) -> Result<Self, serde_json::Error> {
        let d: StoredDigest = serde_json::from_slice(json)?;
        let summary = Digest::header_of(
            &d.status,
            d.version,
            d.published_on,
            d.claim_count,
            d.source_count,
        );
        let mut news = Vec::new();
        if let Some(section) = d.sections.iter().find(|s| s.id == "whats-new") {
            for block in &section.blocks {
                let lines: Vec<&serde_json::Value> =
                    match block.get("type").and_then(|t| t.as_str()) {
                        Some("bullets") => block
                            .get("items")
                            .and_then(|i| i.as_array())
                            .map(|a| a.iter().collect())
                            .unwrap_or_default(),
                        Some("paragraph") => block.get("line").into_iter().collect(),
                        _ => Vec::new(),
                    };
                for line in lines {
                    news.push(plain_json_line(line));
                }
            }
        }
        Ok(Self {
            title: d.title,
            version: d.version,
            summary,
            news,
            published_at: published_at.to_owned(),
            link,
        })
    }
}

/// The text of a stored line: text and link texts, citations as `[n]`.
fn plain_json_line(line: &serde_json::Value) -> String {
    let mut s = String::new();
    for inline in line.as_array().map(Vec::as_slice).unwrap_or_default() {
        match inline.get("type").and_then(|t| t.as_str()) {
            Some("text") => s.push_str(inline.get("value").and_then(|v| v.as_str()).unwrap_or("")),
            Some("link") => s.push_str(inline.get("text").and_then(|v| v.as_str()).unwrap_or("")),
            Some("cite") => {
                let n = inline
                    .get("source")
                    .or_else(|| inline.get("value"))
                    .and_then(serde_json::Value::as_u64)
                    .unwrap_or(0);
                let _ = write!(s, "[{n}]");
            }
            _ => {}
        }
    }
    s
}

/// Renders the feed. `base_id` is a stable URI identifying the story (a tag: URI or the
/// site's address); entries are listed newest first.
pub fn render_atom(title: &str, base_id: &str, self_link: &str, entries: &[FeedEntry]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n",
    );
    let updated = entries
        .iter()
        .map(|e| e.published_at.as_str())
        .max()
        .unwrap_or("1970-01-01T00:00:00Z");
    let _ = writeln!(out, "  <title>{}</title>", escape(title));
    let _ = writeln!(out, "  <id>{}</id>", escape(base_id));
    let _ = writeln!(out, "  <updated>{}</updated>", escape(updated));
    let _ = writeln!(out, "  <link rel=\"self\" href=\"{}\"/>", escape(self_link));
    let _ = writeln!(out, "  <author><name>gapwatch</name></author>");
    let _ = writeln!(
        out,
        "  <generator version=\"{}\">gapwatch</generator>",
        env!("CARGO_PKG_VERSION")
    );
    let mut sorted: Vec<&FeedEntry> = entries.iter().collect();
    sorted.sort_by_key(|e| std::cmp::Reverse(e.version));
    for e in sorted {
        let _ = writeln!(out, "  <entry>");
        let _ = writeln!(
            out,
            "    <title>{}</title>",
            escape(&format!("{} — v{}", e.title, e.version))
        );
        let _ = writeln!(out, "    <id>{}/v{}</id>", escape(base_id), e.version);
        let _ = writeln!(out, "    <updated>{}</updated>", escape(&e.published_at));
        let _ = writeln!(
            out,
            "    <published>{}</published>",
            escape(&e.published_at)
        );
        let _ = writeln!(
            out,
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
            escape(&e.link)
        );
        let _ = writeln!(
            out,
            "    <summary type=\"text\">{}</summary>",
            escape(&e.summary)
        );
        // The content is the version's "What's new" list as escaped HTML.
        let mut html = String::from("<ul>");
        for line in &e.news {
            html.push_str("<li>");
            html.push_str(&escape(line));
            html.push_str("</li>");
        }
        html.push_str("</ul>");
        let _ = writeln!(
            out,
            "    <content type=\"html\">{}</content>",
            escape(&html)
        );
        let _ = writeln!(out, "  </entry>");
    }
    out.push_str("</feed>\n");
    out
}
