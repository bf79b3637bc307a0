//! The Markdown rendering of a digest.

use std::fmt::Write as _;

use crate::Digest;
use crate::digest::{Block, Inline, Line};

/// Renders a digest as Markdown. Scraped text is escaped so that it cannot add markup.
pub fn render_markdown(digest: &Digest) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {} — v{}\n", escape(&digest.title), digest.version);
    let _ = writeln!(out, "{}\n", digest.header_line());
    let mut in_appendix = false;
    for section in &digest.sections {
        if section.appendix && !in_appendix {
            in_appendix = true;
            let _ = writeln!(out, "---\n\n# Appendix\n");
        }
        let _ = writeln!(out, "## {}\n", escape(&section.title));
        for block in &section.blocks {
            match block {
                Block::Paragraph { line } => {
                    let _ = writeln!(out, "{}\n", render_line(line));
                }
                Block::Bullets { items, .. } => {
                    for item in items {
                        let _ = writeln!(out, "- {}", render_line(item));
                    }
                    out.push('\n');
                }
                Block::Table { headers, rows } => {
                    let _ = writeln!(
                        out,
                        "| {} |",
                        headers
                            .iter()
                            .map(|h| escape_cell(h))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    );
                    let _ = writeln!(out, "|{}", "---|".repeat(headers.len()));
                    for row in rows {
                        let cells: Vec<String> =
                            row.iter().map(|c| escape_pipes(&render_line(c))).collect();
                        let _ = writeln!(out, "| {} |", cells.join(" | "));
                    }
                    out.push('\n');
                }
            }
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn render_line(line: &Line) -> String {
    let mut s = String::new();
    let mut i = 0;
    while i < line.len() {
        let inline = &line[i];
        i += 1;
        match inline {
            Inline::Text { value } => s.push_str(&escape(value)),
            Inline::Cite { source, .. } => {
                // Consecutive citations read as one: `[4, 8, 12]`.
                let mut numbers = vec![source.to_string()];
                while let Some(Inline::Cite { source, .. }) = line.get(i) {
                    numbers.push(source.to_string());
                    i += 1;
                }
                let _ = write!(s, "[{}]", numbers.join(", "));
            }
            Inline::Link { text, href } if text == href => {
                let _ = write!(s, "<{}>", href.replace('>', "%3E"));
            }
            Inline::Link { text, .. } => s.push_str(&escape(text)),
        }
    }
    s
}

/// Escapes characters that would start Markdown or HTML markup inside text.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        // An underscore inside a word (`leaderboard_data`) cannot open emphasis in
        // CommonMark, so it stays as written.
        let intraword = c == '_'
            && i > 0
            && chars[i - 1].is_alphanumeric()
            && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
        if intraword {
            out.push(c);
            continue;
        }
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

fn escape_cell(text: &str) -> String {
    escape_pipes(&escape(text))
}

fn escape_pipes(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scraped_markup_is_escaped() {
        assert_eq!(escape("<script>x</script>"), "\\<script\\>x\\</script\\>");
        assert_eq!(escape("a*b _c [1]"), "a\\*b \\_c \\[1\\]");
        assert_eq!(escape("leaderboard_data.json"), "leaderboard_data.json");
        assert_eq!(escape_pipes("a|b"), "a\\|b");
    }
}
