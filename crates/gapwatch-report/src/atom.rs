//! The Atom 1.0 feed of a story: one entry per published version.

use std::fmt::Write as _;

use crate::Digest;
use crate::digest::{Block, Inline};
use crate::html::escape;

/// One published version as the feed lists it.
#[derive(Debug, Clone)]
pub struct FeedEntry<'a> {
    /// The version's digest.
    pub digest: &'a Digest,
    /// When it was published, RFC 3339.
    pub published_at: &'a str,
    /// The version page's address, relative to the feed or absolute.
    pub link: String,
}

/// Renders the feed. `base_id` is a stable URI identifying the story (a tag: URI or the
/// site's address); entries are listed newest first.
pub fn render_atom(
    title: &str,
    base_id: &str,
    self_link: &str,
    entries: &[FeedEntry<'_>],
) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n",
    );
    let updated = entries
        .iter()
        .map(|e| e.published_at)
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
    let mut sorted: Vec<&FeedEntry<'_>> = entries.iter().collect();
    sorted.sort_by_key(|e| std::cmp::Reverse(e.digest.version));
    for e in sorted {
        let d = e.digest;
        let _ = writeln!(out, "  <entry>");
        let _ = writeln!(
            out,
            "    <title>{}</title>",
            escape(&format!("{} — v{}", d.title, d.version))
        );
        let _ = writeln!(out, "    <id>{}/v{}</id>", escape(base_id), d.version);
        let _ = writeln!(out, "    <updated>{}</updated>", escape(e.published_at));
        let _ = writeln!(out, "    <published>{}</published>", escape(e.published_at));
        let _ = writeln!(
            out,
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
            escape(&e.link)
        );
        let _ = writeln!(
            out,
            "    <summary type=\"text\">{}</summary>",
            escape(&d.header_line())
        );
        // The content is the version's "What's new" list as escaped HTML.
        let mut html = String::from("<ul>");
        if let Some(section) = d.sections.iter().find(|s| s.id == "whats-new") {
            for block in &section.blocks {
                let lines: Vec<&Vec<Inline>> = match block {
                    Block::Bullets { items } => items.iter().collect(),
                    Block::Paragraph { line } => vec![line],
                    Block::Table { .. } => Vec::new(),
                };
                for line in lines {
                    html.push_str("<li>");
                    for inline in line {
                        match inline {
                            Inline::Text(t) => html.push_str(&escape(t)),
                            Inline::Cite(n) => {
                                let _ = write!(html, "[{n}]");
                            }
                        }
                    }
                    html.push_str("</li>");
                }
            }
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
