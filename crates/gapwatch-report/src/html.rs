//! The HTML rendering of a digest: one self-contained page with inline CSS and SVG charts,
//! no scripts, every scraped string escaped, readable on a phone.

use std::fmt::Write as _;

use gapwatch_model::Unit;

use crate::Digest;
use crate::digest::{Block, GapSeries, Inline, Line};

const CSS: &str = "\
:root{color-scheme:light dark;--fg:#1b1f24;--muted:#57606a;--bg:#fff;--rule:#d0d7de;--open:#1a7f37;--closed:#8250df;--accent:#0969da}\
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#8d96a0;--bg:#0d1117;--rule:#30363d;--open:#3fb950;--closed:#a371f7;--accent:#4493f8}}\
*{box-sizing:border-box}\
body{margin:0 auto;max-width:60rem;padding:1rem;font:16px/1.55 system-ui,-apple-system,'Segoe UI',sans-serif;color:var(--fg);background:var(--bg)}\
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0}\
h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:1px solid var(--rule);padding-bottom:.25rem}\
.meta{color:var(--muted);font-size:.9rem}\
.table-wrap{overflow-x:auto}\
table{border-collapse:collapse;width:100%;font-size:.92rem}\
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--rule);vertical-align:top}\
th{font-weight:600}\
sup a,a.cite{text-decoration:none;color:var(--accent);font-size:.8em}\
a{color:var(--accent)}\
details{margin:.5rem 0;border-top:1px solid var(--rule);padding-top:.5rem}\
summary{cursor:pointer;font-weight:600}\
ul{padding-left:1.2rem}\
li{margin:.25rem 0}\
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:1rem}\
figure{margin:0}\
figcaption{font-size:.85rem;color:var(--muted)}\
svg{width:100%;height:auto}\
.sources li{word-break:break-word}\
";

/// Renders a digest as a complete HTML document.
pub fn render_html(digest: &Digest) -> String {
    let mut out = String::with_capacity(32 * 1024);
    let title = format!("{} — v{}", digest.title, digest.version);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<header>\n<h1>{}</h1>\n<p class=\"meta\">{}</p>\n</header>\n<main>\n",
        escape(&title),
        escape(&title),
        escape(&digest.header_line())
    );
    let mut in_appendix = false;
    for section in &digest.sections {
        if section.appendix && !in_appendix {
            in_appendix = true;
            out.push_str("<h2 id=\"appendix\">Appendix</h2>\n");
        }
        if section.appendix {
            let _ = writeln!(
                out,
                "<details id=\"{}\">\n<summary>{}</summary>",
                escape(&section.id),
                escape(&section.title)
            );
            for block in &section.blocks {
                render_block(&mut out, block, false);
            }
            out.push_str("</details>\n");
            continue;
        }
        let _ = writeln!(
            out,
            "<section id=\"{}\">\n<h2>{}</h2>",
            escape(&section.id),
            escape(&section.title)
        );
        for block in &section.blocks {
            render_block(&mut out, block, section.id == "sources");
        }
        if section.id == "parity-map" && !digest.gap_history.is_empty() {
            render_charts(&mut out, &digest.gap_history);
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn render_block(out: &mut String, block: &Block, sources: bool) {
    match block {
        Block::Paragraph { line } => {
            let _ = writeln!(out, "<p>{}</p>", render_line(line, false));
        }
        Block::Bullets { items, anchors } => {
            out.push_str(if sources {
                "<ul class=\"sources\">\n"
            } else {
                "<ul>\n"
            });
            for (i, item) in items.iter().enumerate() {
                let id = anchors
                    .get(i)
                    .map(|a| format!(" id=\"{}\"", escape(a)))
                    .unwrap_or_default();
                let _ = writeln!(out, "<li{id}>{}</li>", render_line(item, sources));
            }
            out.push_str("</ul>\n");
        }
        Block::Table { headers, rows } => {
            out.push_str("<div class=\"table-wrap\"><table>\n<thead><tr>");
            for h in headers {
                let _ = write!(out, "<th scope=\"col\">{}</th>", escape(h));
            }
            out.push_str("</tr></thead>\n<tbody>\n");
            for row in rows {
                out.push_str("<tr>");
                for (i, cell) in row.iter().enumerate() {
                    let tag = if i == 0 { "th scope=\"row\"" } else { "td" };
                    let close = if i == 0 { "th" } else { "td" };
                    let _ = write!(out, "<{tag}>{}</{close}>", render_line(cell, false));
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</tbody>\n</table></div>\n");
        }
    }
}

fn render_line(line: &Line, in_sources: bool) -> String {
    let mut s = String::new();
    for inline in line {
        match inline {
            Inline::Text { value } => s.push_str(&escape(value)),
            Inline::Cite { source, .. } if in_sources => {
                let _ = write!(s, "[{source}]");
            }
            Inline::Cite { source, claims } => {
                let href = claims
                    .first()
                    .map_or_else(|| format!("#source-{source}"), |c| format!("#claim-{c}"));
                let _ = write!(
                    s,
                    "<a class=\"cite\" href=\"{}\">[{source}]</a>",
                    escape(&href)
                );
            }
            Inline::Link { text, href } => {
                let safe = href.starts_with('#')
                    || href.starts_with("https://")
                    || href.starts_with("http://");
                if safe {
                    let _ = write!(s, "<a href=\"{}\">{}</a>", escape(href), escape(text));
                } else {
                    s.push_str(&escape(text));
                }
            }
        }
    }
    s
}

/// Small multiples: the gap in points over time, one chart per benchmark. Positive means the
/// challenger trails; the dashed line is parity.
fn render_charts(out: &mut String, series: &[GapSeries]) {
    out.push_str("<div class=\"charts\">\n");
    for s in series {
        if s.points.is_empty() {
            continue;
        }
        const W: f64 = 240.0;
        const H: f64 = 120.0;
        const PAD: f64 = 24.0;
        let first = s.points.first().map_or(0, |p| p.0.days_since_epoch());
        let last = s.points.last().map_or(0, |p| p.0.days_since_epoch());
        let span = (last - first).max(1) as f64;
        let max = s.points.iter().map(|p| p.1).fold(0.0_f64, f64::max);
        let min = s.points.iter().map(|p| p.1).fold(0.0_f64, f64::min);
        let range = (max - min).max(1.0);
        let x = |d: i64| PAD + (d - first) as f64 / span * (W - 2.0 * PAD);
        let y = |v: f64| H - PAD - (v - min) / range * (H - 2.0 * PAD);
        let mut path = String::new();
        for (i, (date, v)) in s.points.iter().enumerate() {
            let _ = write!(
                path,
                "{}{:.1},{:.1}",
                if i == 0 { "M" } else { " L" },
                x(date.days_since_epoch()),
                y(*v)
            );
        }
        let unit = match s.unit {
            Unit::Elo => "Elo",
            Unit::Percent | Unit::Score => "points",
        };
        let label = format!(
            "{}: gap from {:.1} to {:.1} {unit} between {} and {}",
            s.benchmark_name,
            s.points.first().map_or(0.0, |p| p.1),
            s.points.last().map_or(0.0, |p| p.1),
            s.points
                .first()
                .map_or_else(String::new, |p| p.0.to_string()),
            s.points
                .last()
                .map_or_else(String::new, |p| p.0.to_string()),
        );
        let _ = write!(
            out,
            "<figure><svg viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{}\">\
             <line x1=\"{PAD}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"currentColor\" stroke-opacity=\".4\" stroke-dasharray=\"3 3\"/>\
             <path d=\"{path}\" fill=\"none\" stroke=\"var(--closed)\" stroke-width=\"2\"/>",
            escape(&label),
            W - PAD,
            y(0.0),
            y(0.0),
        );
        for (date, v) in &s.points {
            let _ = write!(
                out,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"var(--closed)\"><title>{}: {:.1} {unit}</title></circle>",
                x(date.days_since_epoch()),
                y(*v),
                date,
                v
            );
        }
        let _ = writeln!(
            out,
            "<text x=\"{PAD}\" y=\"14\" font-size=\"10\" fill=\"currentColor\">{:.1}</text>\
             <text x=\"{PAD}\" y=\"{:.1}\" font-size=\"10\" fill=\"currentColor\">{:.1}</text></svg>\
             <figcaption>{} — gap in {unit} (0 = level)</figcaption></figure>",
            max,
            H - 6.0,
            min,
            escape(&s.benchmark_name)
        );
    }
    out.push_str("</div>\n");
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_attribute_breakers() {
        assert_eq!(
            escape("<img src=x onerror=\"alert(1)\">&'"),
            "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;"
        );
    }
}
