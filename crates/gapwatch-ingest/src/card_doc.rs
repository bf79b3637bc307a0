//! The tables of a model card: GitHub-flavoured Markdown tables (also indented inside list
//! items) and HTML `<table>`s written inside the Markdown, in document order, each with the
//! headings above it (a `<details>` block's `<summary>` counts as one) and the nearest line
//! of text before it. Cells keep their text and whether they are set in bold, underline or
//! italic, since cards give those a meaning.

use scraper::{ElementRef, Html, Selector};

/// Longest `colspan` honoured.
const MAX_COLSPAN: usize = 64;
/// Longest tag, in bytes, looked for after a `<`.
const TAG_WINDOW: usize = 2048;
/// Longest `rowspan` honoured.
const MAX_ROWSPAN: usize = 1000;

/// A cell's text as rendered, with its styles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Rich {
    /// The visible text, whitespace collapsed; `<br>` is a space, `<sub>x</sub>` is ` x`,
    /// `<sup>x</sup>` is `x`, links are their text.
    pub(crate) text: String,
    pub(crate) bold: bool,
    pub(crate) underline: bool,
    pub(crate) italic: bool,
}

/// One cell of a table laid out on a grid.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    pub(crate) rich: Rich,
    /// Which source cell this is, so a cell spanning columns counts once.
    pub(crate) id: (usize, usize),
    /// Carried down from an earlier row by `rowspan`.
    pub(crate) carried: bool,
}

/// A row of a table.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// The line of the row in the document, from 1.
    pub(crate) line: usize,
    pub(crate) cells: Vec<Cell>,
    /// In `<thead>`, or the header line of a Markdown table.
    pub(crate) in_head: bool,
    /// Made only of `<th>` cells.
    pub(crate) th_only: bool,
}

impl Row {
    /// The texts of the cells this row itself holds (not carried down, each spanning cell
    /// once) that are not empty.
    pub(crate) fn own_texts(&self) -> Vec<&str> {
        let mut seen: std::collections::HashSet<(usize, usize)> = std::collections::HashSet::new();
        let mut out = Vec::new();
        for c in &self.cells {
            if c.carried || !seen.insert(c.id) {
                continue;
            }
            if !c.rich.text.is_empty() {
                out.push(c.rich.text.as_str());
            }
        }
        out
    }
}

/// A table of the document.
#[derive(Debug, Clone)]
pub(crate) struct DocTable {
    /// The table's number in the document, from 1.
    pub(crate) number: usize,
    /// The line the table starts on.
    pub(crate) line: usize,
    pub(crate) html: bool,
    /// The headings above the table, outermost first.
    pub(crate) headings: Vec<String>,
    /// The nearest line of text above the table, since the last heading.
    pub(crate) caption: Option<String>,
    pub(crate) rows: Vec<Row>,
}

impl DocTable {
    /// Header rows when the configuration does not say: the header line of a Markdown
    /// table; in HTML the `<thead>` rows, else the leading rows of `<th>` only, else one.
    pub(crate) fn default_header_rows(&self) -> usize {
        if !self.html {
            return 1;
        }
        let head = self.rows.iter().take_while(|r| r.in_head).count();
        if head > 0 {
            return head;
        }
        let th = self.rows.iter().take_while(|r| r.th_only).count();
        th.clamp(1, self.rows.len().max(1))
    }
}

/// Every table of a Markdown document, in order.
pub(crate) fn tables(text: &str) -> Vec<DocTable> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<DocTable> = Vec::new();
    let mut headings: Vec<(usize, String)> = Vec::new();
    let mut caption: Option<String> = None;
    let mut fence: Option<String> = None;
    let mut in_comment = false;
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i];
        let trimmed = raw.trim_start();
        if let Some(f) = &fence {
            if trimmed.starts_with(f.as_str()) {
                fence = None;
            }
            i += 1;
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            let mark: String = trimmed
                .chars()
                .take_while(|c| *c == '`' || *c == '~')
                .collect();
            fence = Some(mark);
            i += 1;
            continue;
        }
        // Comments, possibly over several lines, hide what they hold.
        let mut line = String::new();
        let mut rest = raw;
        loop {
            if in_comment {
                match rest.find("-->") {
                    Some(end) => {
                        in_comment = false;
                        rest = &rest[end + 3..];
                    }
                    None => break,
                }
            } else {
                match rest.find("<!--") {
                    Some(start) => {
                        line.push_str(&rest[..start]);
                        in_comment = true;
                        rest = &rest[start + 4..];
                    }
                    None => {
                        line.push_str(rest);
                        break;
                    }
                }
            }
        }
        let t = line.trim();
        if let Some(level) = heading_level(t) {
            let title = render(t[level..].trim().trim_end_matches('#'), true).text;
            if !title.is_empty() {
                headings.retain(|(l, _)| *l < level);
                headings.push((level, title));
                caption = None;
            }
            i += 1;
            continue;
        }
        let lower = t.to_ascii_lowercase();
        if let Some(start) = lower.find("<summary") {
            let after = &t[start..];
            if let Some(open_end) = after.find('>') {
                let inner = &after[open_end + 1..];
                let inner = match inner.to_ascii_lowercase().find("</summary") {
                    Some(end) => &inner[..end],
                    None => inner,
                };
                let title = render(inner, false).text;
                if !title.is_empty() {
                    headings.push((7, title));
                    caption = None;
                }
            }
        }
        if lower.contains("</details") {
            if let Some(pos) = headings.iter().rposition(|(l, _)| *l == 7) {
                headings.truncate(pos);
            }
            i += 1;
            continue;
        }
        if let Some(start) = lower.find("<table") {
            // From `<table` to the matching `</table>`, over as many lines as it takes.
            // `lower` is `t` lowercased: the same byte offsets.
            let mut source = String::from(&t[start..]);
            let mut closed = lower[start..].contains("</table");
            let mut j = i;
            while !closed && j + 1 < lines.len() {
                j += 1;
                source.push('\n');
                source.push_str(lines[j]);
                closed = lines[j].to_ascii_lowercase().contains("</table");
            }
            let rows = html_rows(&source, i + 1);
            out.push(DocTable {
                number: out.len() + 1,
                line: i + 1,
                html: true,
                headings: headings.iter().map(|(_, h)| h.clone()).collect(),
                caption: caption.take(),
                rows,
            });
            i = j + 1;
            continue;
        }
        let is_table =
            t.contains('|') && lines.get(i + 1).is_some_and(|n| is_delimiter_row(n.trim()));
        if is_table {
            let mut rows = vec![Row {
                line: i + 1,
                cells: gfm_cells(t, 0),
                in_head: true,
                th_only: true,
            }];
            let mut j = i + 2;
            while j < lines.len() {
                let l = lines[j].trim();
                if l.is_empty() || !l.contains('|') {
                    break;
                }
                rows.push(Row {
                    line: j + 1,
                    cells: gfm_cells(l, rows.len()),
                    in_head: false,
                    th_only: false,
                });
                j += 1;
            }
            out.push(DocTable {
                number: out.len() + 1,
                line: i + 1,
                html: false,
                headings: headings.iter().map(|(_, h)| h.clone()).collect(),
                caption: caption.take(),
                rows,
            });
            i = j;
            continue;
        }
        let text = render(strip_list_marker(t), true).text;
        if !text.is_empty() {
            caption = Some(text);
        }
        i += 1;
    }
    out
}

/// `- item`, `* item`, `> quote`, `1. item` → the item.
fn strip_list_marker(t: &str) -> &str {
    for m in ["- ", "* ", "+ ", "> "] {
        if let Some(rest) = t.strip_prefix(m) {
            return rest;
        }
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && t[digits..].starts_with(". ") {
        return &t[digits + 2..];
    }
    t
}

/// `### Title` → 3; not a heading → None.
fn heading_level(t: &str) -> Option<usize> {
    let level = t.bytes().take_while(|b| *b == b'#').count();
    ((1..=6).contains(&level) && t[level..].chars().next().is_none_or(char::is_whitespace))
        .then_some(level)
}

fn is_delimiter_row(line: &str) -> bool {
    if !line.contains('-') || (!line.contains('|') && !line.contains(':')) {
        return false;
    }
    let cells = split_gfm(line);
    !cells.is_empty()
        && cells.iter().all(|c| {
            let c = c.trim();
            !c.is_empty()
                && c.contains('-')
                && c.trim_start_matches(':')
                    .trim_end_matches(':')
                    .chars()
                    .all(|ch| ch == '-')
        })
}

/// `| a | b \| c |` → `["a", "b \| c"]` (escapes are left for the inline renderer), with
/// pipes inside code spans kept.
fn split_gfm(line: &str) -> Vec<String> {
    let t = line.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = if t.ends_with('|') && !t.ends_with("\\|") {
        &t[..t.len() - 1]
    } else {
        t
    };
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut in_code = false;
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                cur.push(c);
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            '`' => {
                in_code = !in_code;
                cur.push(c);
            }
            '|' if !in_code => {
                cells.push(std::mem::take(&mut cur));
            }
            _ => cur.push(c),
        }
    }
    cells.push(cur);
    cells
}

fn gfm_cells(line: &str, row: usize) -> Vec<Cell> {
    split_gfm(line)
        .iter()
        .enumerate()
        .map(|(k, c)| Cell {
            rich: render(c, true),
            id: (row, k),
            carried: false,
        })
        .collect()
}

/// The rows of an HTML table laid out on a grid: a cell is repeated over the columns and
/// rows it spans. `first_line` is the line of `<table`.
fn html_rows(source: &str, first_line: usize) -> Vec<Row> {
    let lines = tr_lines(source, first_line);
    let doc = Html::parse_fragment(source);
    let Ok(table_sel) = Selector::parse("table") else {
        return Vec::new();
    };
    let Some(table) = doc.select(&table_sel).next() else {
        return Vec::new();
    };
    struct RawCell {
        rich: Rich,
        colspan: usize,
        rowspan: usize,
        th: bool,
    }
    let mut raw: Vec<(bool, Vec<RawCell>)> = Vec::new();
    let mut push = |tr: ElementRef<'_>, in_head: bool| {
        let cells = tr
            .child_elements()
            .filter(|c| matches!(c.value().name(), "td" | "th"))
            .map(|c| RawCell {
                rich: render(&c.inner_html(), false),
                colspan: span(c.value().attr("colspan"), MAX_COLSPAN),
                rowspan: span(c.value().attr("rowspan"), MAX_ROWSPAN),
                th: c.value().name() == "th",
            })
            .collect();
        raw.push((in_head, cells));
    };
    for child in table.child_elements() {
        match child.value().name() {
            "tr" => push(child, false),
            section @ ("thead" | "tbody" | "tfoot") => {
                for tr in child.child_elements().filter(|c| c.value().name() == "tr") {
                    push(tr, section == "thead");
                }
            }
            _ => {}
        }
    }
    // (rows left, the cell) per column.
    let mut pending: Vec<Option<(usize, Cell)>> = Vec::new();
    let mut rows = Vec::with_capacity(raw.len());
    for (r, (in_head, cells)) in raw.iter().enumerate() {
        let mut out: Vec<Cell> = Vec::new();
        let fill = |pending: &mut Vec<Option<(usize, Cell)>>, out: &mut Vec<Cell>| {
            while let Some(Some((left, cell))) = pending.get(out.len()).cloned() {
                let col = out.len();
                pending[col] = (left > 1).then(|| (left - 1, cell.clone()));
                out.push(Cell {
                    carried: true,
                    ..cell
                });
            }
        };
        for (k, c) in cells.iter().enumerate() {
            fill(&mut pending, &mut out);
            let cell = Cell {
                rich: c.rich.clone(),
                id: (r, k),
                carried: false,
            };
            for _ in 0..c.colspan {
                if c.rowspan > 1 {
                    let col = out.len();
                    if pending.len() <= col {
                        pending.resize(col + 1, None);
                    }
                    pending[col] = Some((c.rowspan - 1, cell.clone()));
                }
                out.push(cell.clone());
            }
        }
        fill(&mut pending, &mut out);
        rows.push(Row {
            line: lines.get(r).copied().unwrap_or(first_line),
            cells: out,
            in_head: *in_head,
            th_only: !cells.is_empty() && cells.iter().all(|c| c.th),
        });
    }
    rows
}

/// The line of each `<tr` of an HTML table's source, outside comments.
fn tr_lines(source: &str, first_line: usize) -> Vec<usize> {
    let lower = source.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut out = Vec::new();
    let mut line = first_line;
    let mut i = 0;
    while i < bytes.len() {
        let rest = &lower[i..];
        if rest.starts_with("<!--") {
            let skip = rest.find("-->").map_or(rest.len(), |e| e + 3);
            line += rest[..skip].matches('\n').count();
            i += skip;
            continue;
        }
        if rest.starts_with("<tr")
            && rest[3..]
                .chars()
                .next()
                .is_some_and(|c| c == '>' || c.is_whitespace())
        {
            out.push(line);
        }
        if bytes[i] == b'\n' {
            line += 1;
        }
        // Step over one character: `<`, `\n` and the letters looked for are ASCII.
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    out
}

fn span(attr: Option<&str>, max: usize) -> usize {
    attr.and_then(|a| a.trim().trim_matches('"').parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, max)
}

/// One piece of inline text on its way to being rendered.
#[derive(Debug)]
enum Piece {
    Text(String),
    /// A run of `*` or `_` that may open or close emphasis.
    Delim {
        ch: char,
        len: usize,
        open: bool,
        close: bool,
        /// Characters of the run used as emphasis: (from the start as an opener, from the
        /// end as a closer).
        used: usize,
        /// The styles it toggles once matched: (italic, bold).
        styles: Vec<(bool, bool)>,
    },
    Bold(bool),
    Underline(bool),
    Italic(bool),
    Space,
}

/// Renders a cell's inline Markdown and HTML to text and styles. `markdown` reads `*` and
/// `_` as emphasis; in HTML cells they are literal.
pub(crate) fn render(src: &str, markdown: bool) -> Rich {
    let mut pieces: Vec<Piece> = Vec::new();
    let mut text = String::new();
    let flush = |text: &mut String, pieces: &mut Vec<Piece>| {
        if !text.is_empty() {
            pieces.push(Piece::Text(std::mem::take(text)));
        }
    };
    let chars: Vec<char> = src.chars().collect();
    // The byte offset of each character, to look ahead in `src` without copying it.
    let offsets: Vec<usize> = src.char_indices().map(|(b, _)| b).collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if markdown && chars.get(i + 1).is_some_and(|n| n.is_ascii_punctuation()) => {
                text.push(chars[i + 1]);
                i += 2;
            }
            '<' => {
                let rest = &src[offsets[i]..];
                if rest.starts_with("<!--") {
                    i += rest
                        .find("-->")
                        .map_or(chars.len() - i, |e| rest[..e + 3].chars().count());
                    continue;
                }
                match parse_tag(rest) {
                    Some((name, closing, len)) => {
                        flush(&mut text, &mut pieces);
                        match name.as_str() {
                            "b" | "strong" => pieces.push(Piece::Bold(!closing)),
                            "ins" | "u" => pieces.push(Piece::Underline(!closing)),
                            "i" | "em" => pieces.push(Piece::Italic(!closing)),
                            "br" | "div" | "p" | "center" | "td" | "th" | "tr" | "li" => {
                                pieces.push(Piece::Space);
                            }
                            "sub" if !closing => pieces.push(Piece::Space),
                            _ => {}
                        }
                        i += len;
                    }
                    None => {
                        text.push(c);
                        i += 1;
                    }
                }
            }
            '&' => {
                let rest: String = chars[i..chars.len().min(i + 12)].iter().collect();
                match decode_entity(&rest) {
                    Some((decoded, len)) => {
                        text.push(decoded);
                        i += len;
                    }
                    None => {
                        text.push(c);
                        i += 1;
                    }
                }
            }
            '!' if markdown && chars.get(i + 1) == Some(&'[') => {
                // An image: its alt text.
                i += 1;
            }
            '[' if markdown => match link(&chars, i) {
                Some((inner, len)) => {
                    flush(&mut text, &mut pieces);
                    let inner = render(&inner, true);
                    if inner.bold {
                        pieces.push(Piece::Bold(true));
                    }
                    pieces.push(Piece::Text(inner.text));
                    if inner.bold {
                        pieces.push(Piece::Bold(false));
                    }
                    i += len;
                }
                None => {
                    text.push(c);
                    i += 1;
                }
            },
            '`' if markdown => {
                let end = chars[i + 1..].iter().position(|&x| x == '`');
                match end {
                    Some(e) => {
                        text.extend(&chars[i + 1..i + 1 + e]);
                        i += e + 2;
                    }
                    None => {
                        text.push(c);
                        i += 1;
                    }
                }
            }
            '*' | '_' if markdown => {
                let len = chars[i..].iter().take_while(|&&x| x == c).count();
                let before = i.checked_sub(1).map(|k| chars[k]);
                let after = chars.get(i + len).copied();
                let left = after.is_some_and(|a| !a.is_whitespace());
                let right = before.is_some_and(|b| !b.is_whitespace());
                let (open, close) = if c == '_' {
                    let word = |x: Option<char>| x.is_some_and(char::is_alphanumeric);
                    (left && !word(before), right && !word(after))
                } else {
                    (left, right)
                };
                flush(&mut text, &mut pieces);
                pieces.push(Piece::Delim {
                    ch: c,
                    len,
                    open,
                    close,
                    used: 0,
                    styles: Vec::new(),
                });
                i += len;
            }
            _ => {
                text.push(c);
                i += 1;
            }
        }
    }
    flush(&mut text, &mut pieces);
    match_delimiters(&mut pieces);
    let mut out = Rich::default();
    let (mut bold, mut underline, mut italic) = (0i32, 0i32, 0i32);
    let mut buf = String::new();
    for p in &pieces {
        match p {
            Piece::Text(t) => {
                if t.chars().any(|c| !c.is_whitespace()) {
                    out.bold |= bold > 0;
                    out.underline |= underline > 0;
                    out.italic |= italic > 0;
                }
                buf.push_str(t);
            }
            Piece::Space => buf.push(' '),
            Piece::Bold(on) => bold += if *on { 1 } else { -1 },
            Piece::Underline(on) => underline += if *on { 1 } else { -1 },
            Piece::Italic(on) => italic += if *on { 1 } else { -1 },
            Piece::Delim {
                ch,
                len,
                used,
                styles,
                ..
            } => {
                // A closer's characters sit before what it leaves literal, an opener's after.
                for (opening, b) in styles.iter().filter(|(o, _)| !o) {
                    toggle(*opening, *b, &mut bold, &mut italic);
                }
                for _ in 0..len.saturating_sub(*used) {
                    buf.push(*ch);
                }
                for (opening, b) in styles.iter().filter(|(o, _)| *o) {
                    toggle(*opening, *b, &mut bold, &mut italic);
                }
            }
        }
    }
    out.text = buf.split_whitespace().collect::<Vec<_>>().join(" ");
    out
}

fn toggle(opening: bool, bold_run: bool, bold: &mut i32, italic: &mut i32) {
    let step = if opening { 1 } else { -1 };
    if bold_run {
        *bold += step;
    } else {
        *italic += step;
    }
}

/// Pairs emphasis openers with closers, innermost first, as CommonMark does in outline:
/// `***x***` is bold and italic, `**a**/**b**` two bold runs, a lone `*` stays literal.
fn match_delimiters(pieces: &mut [Piece]) {
    let mut k = 0;
    while k < pieces.len() {
        let (ch, close, avail) = match &pieces[k] {
            Piece::Delim {
                ch,
                close,
                len,
                used,
                ..
            } => (*ch, *close, len - used),
            _ => {
                k += 1;
                continue;
            }
        };
        if !close || avail == 0 {
            k += 1;
            continue;
        }
        // The nearest opener of the same character with characters left.
        let opener = (0..k).rev().find(|&o| {
            matches!(&pieces[o], Piece::Delim { ch: c, open: true, len, used, .. } if *c == ch && len > used)
        });
        let Some(o) = opener else {
            k += 1;
            continue;
        };
        let o_avail = match &pieces[o] {
            Piece::Delim { len, used, .. } => len - used,
            _ => 0,
        };
        let take = if avail >= 2 && o_avail >= 2 { 2 } else { 1 };
        let bold = take == 2;
        if let Piece::Delim { used, styles, .. } = &mut pieces[o] {
            *used += take;
            styles.push((true, bold));
        }
        if let Piece::Delim { used, styles, .. } = &mut pieces[k] {
            *used += take;
            styles.push((false, bold));
        }
        // The closer may have characters left for an outer opener: look at it again.
    }
}

/// `<sup>`, `</td >`, `<br/>`, `<a href="…">` → (name, closing, length in chars).
fn parse_tag(rest: &str) -> Option<(String, bool, usize)> {
    let body = rest.strip_prefix('<')?;
    let (closing, body) = match body.strip_prefix('/') {
        Some(b) => (true, b),
        None => (false, body),
    };
    if !body.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let name: String = body
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let after = &body[name.len()..];
    if !after.starts_with(|c: char| c == '>' || c == '/' || c.is_whitespace()) {
        return None;
    }
    // A tag ends within a few hundred bytes; a `<` with no `>` soon after is text.
    let mut cut = rest.len().min(TAG_WINDOW);
    while !rest.is_char_boundary(cut) {
        cut -= 1;
    }
    let window = &rest[..cut];
    let end = window.find('>')?;
    // Attributes hold no other tag.
    if rest[1..end].contains('<') {
        return None;
    }
    Some((name, closing, rest[..=end].chars().count()))
}

fn decode_entity(rest: &str) -> Option<(char, usize)> {
    let end = rest.find(';')?;
    let name = &rest[1..end];
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" | "#39" => '\'',
        "nbsp" => ' ',
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some((c, rest[..=end].chars().count()))
}

/// `[text](url)` starting at `chars[i]` → (text, length in chars).
fn link(chars: &[char], i: usize) -> Option<(String, usize)> {
    let mut depth = 0usize;
    let mut j = i;
    while j < chars.len() {
        match chars[j] {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
        j += 1;
    }
    if j >= chars.len() || chars.get(j + 1) != Some(&'(') {
        return None;
    }
    let close = chars[j + 2..].iter().position(|&c| c == ')')? + j + 2;
    let inner: String = chars[i + 1..j].iter().collect();
    Some((inner, close + 1 - i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> String {
        render(s, true).text
    }

    #[test]
    fn markdown_emphasis_and_escapes() {
        assert_eq!(t("**GPT-4o 0513**"), "GPT-4o 0513");
        assert!(render("**75.0**/**81.3**", true).bold);
        assert_eq!(t("**75.0**/**81.3**"), "75.0/81.3");
        assert_eq!(t("***Mathematics***"), "Mathematics");
        assert!(render("***Mathematics***", true).italic);
        assert_eq!(t("8.4\\*"), "8.4*");
        assert_eq!(t("GPT-4V\\*"), "GPT-4V*");
        assert_eq!(t("*Extended Thinking*"), "Extended Thinking");
        assert_eq!(t("IFEval _(avg)_"), "IFEval (avg)");
        assert_eq!(t("macro_avg/acc_char"), "macro_avg/acc_char");
        assert_eq!(t("62.2*"), "62.2*");
        assert!(!render("62.2*", true).italic);
    }

    #[test]
    fn inline_html_and_links() {
        assert_eq!(t("MMLU<sup>*</sup>"), "MMLU*");
        assert_eq!(t("MMMU<sub>val</sub>"), "MMMU val");
        assert_eq!(t("GPQA<sup>*</sup> _(diamond)_"), "GPQA* (diamond)");
        assert_eq!(
            t("**Qwen2-VL-7B**<br><sup>([🤗](https://x) [🤖](https://y))"),
            "Qwen2-VL-7B (🤗 🤖)"
        );
        assert_eq!(
            t("Video-MME<br><sub>(wo/w subs)</sub>"),
            "Video-MME (wo/w subs)"
        );
        let r = render("<ins><strong>47.3</strong> </ins>", false);
        assert_eq!((r.text.as_str(), r.bold, r.underline), ("47.3", true, true));
        assert_eq!(
            render("Qwen3-235B-A22B <br><sup>(non-thinking)</sup>", false).text,
            "Qwen3-235B-A22B (non-thinking)"
        );
        assert_eq!(render("Math &amp; STEM", false).text, "Math & STEM");
        assert_eq!(render("72.5<sup>*</sup>", false).text, "72.5*");
        assert_eq!(render("a <!-- <td>b</td> --> c", false).text, "a c");
        assert_eq!(
            render(
                "<div>HumanEval</div><div class=\"cell-aux\">0-shot</div>",
                false
            )
            .text,
            "HumanEval 0-shot"
        );
        assert_eq!(t("<0.5"), "<0.5");
    }

    #[test]
    fn hostile_text_neither_panics_nor_takes_quadratic_time() {
        // A table start after multi-byte text on an indented line.
        let ts = tables("  中文<table><tr><td>a</td><td>1</td></tr></table>\n");
        assert_eq!(ts.len(), 1);
        assert_eq!(ts[0].rows[0].cells[1].rich.text, "1");
        // Many `<` with no `>`, and a table that never closes.
        let long = "<a".repeat(100_000);
        assert_eq!(render(&long, false).text.len(), long.len());
        let mut doc = String::from("<table>\n");
        for _ in 0..50_000 {
            doc.push_str("<tr><td>x</td></tr>\n");
        }
        let started = std::time::Instant::now();
        assert_eq!(tables(&doc)[0].rows.len(), 50_000);
        assert!(started.elapsed().as_secs() < 10);
        assert_eq!(render("<b>é</b>", false).text, "é");
    }

    #[test]
    fn tables_headings_and_captions() {
        let doc = "# Card\n\n## Results\n<details>\n<summary>Image -> Text</summary>\n\n\
                   **Ruler**\n  | a | b |\n  |---|---|\n  | x | 1 |\n</details>\n\n\
                   ```python\n# not a heading\n| c | d |\n|---|---|\n```\n\
                   <table><tr><th>m</th><th>s</th></tr>\n<!--<tr><td>hidden</td></tr>-->\n<tr><td rowspan=\"2\">p</td><td>1</td></tr>\n<tr><td>2</td></tr></table>\n";
        let ts = tables(doc);
        assert_eq!(ts.len(), 2);
        assert_eq!(ts[0].headings, vec!["Card", "Results", "Image -> Text"]);
        assert_eq!(ts[0].caption.as_deref(), Some("Ruler"));
        assert_eq!(ts[0].rows.len(), 2);
        assert_eq!(ts[1].headings, vec!["Card", "Results"]);
        assert!(ts[1].html);
        assert_eq!(ts[1].rows.len(), 3);
        assert_eq!(ts[1].rows[2].cells[0].rich.text, "p");
        assert!(ts[1].rows[2].cells[0].carried);
        assert_eq!(ts[1].rows[1].line, 20);
        assert_eq!(ts[1].rows[2].line, 21);
        assert_eq!(ts[1].default_header_rows(), 1);
    }
}
