//! GitHub-flavoured Markdown tables: a header line, a delimiter line (`|:---:|`), then rows
//! until a line that is not a table line. A source picks its table by the heading above it.

use std::rc::Rc;

use crate::record::{Cells, Header, Record, fold};

/// The rows of the chosen table, and why there are none.
pub(crate) struct MarkdownRows {
    pub(crate) records: Vec<Record<'static>>,
    pub(crate) empty_reason: Option<String>,
}

struct Table {
    heading: Option<String>,
    header: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
}

/// Reads the first table under a heading containing `heading` (without case), or the first
/// table of the document when no heading is asked for.
pub(crate) fn records(text: &str, heading: Option<&str>) -> MarkdownRows {
    let tables = tables(text);
    let wanted = heading.map(fold);
    let chosen = tables.iter().enumerate().find(|(_, t)| match &wanted {
        Some(w) => t
            .heading
            .as_deref()
            .is_some_and(|h| fold(h).contains(w.as_str())),
        None => true,
    });
    let Some((index, table)) = chosen else {
        let reason = match heading {
            Some(h) => format!("0 rows: no table under a heading containing {h:?}"),
            None => "0 rows: the document has no table".to_owned(),
        };
        return MarkdownRows {
            records: Vec::new(),
            empty_reason: Some(reason),
        };
    };
    let header = Rc::new(Header::new(table.header.clone()));
    let width = table.header.len();
    let records: Vec<Record<'static>> = table
        .rows
        .iter()
        .enumerate()
        .map(|(i, (line, cells))| {
            // As GitHub renders a table: missing cells are empty, extra ones are dropped, so
            // a row reads as the page shows it.
            let mut cells = cells.clone();
            cells.resize(width, String::new());
            Record {
                locator: format!("table {} row {} (line {line})", index + 1, i + 1),
                group: None,
                cells: Cells::Table {
                    header: Rc::clone(&header),
                    cells,
                },
                style: None,
                class: None,
                notes: Vec::new(),
            }
        })
        .collect();
    let empty_reason = records
        .is_empty()
        .then(|| format!("0 rows: table {} has a header and no rows", index + 1));
    MarkdownRows {
        records,
        empty_reason,
    }
}

fn tables(text: &str) -> Vec<Table> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut heading: Option<String> = None;
    let mut i = 0;
    let mut in_fence = false;
    while i < lines.len() {
        let line = lines[i].trim();
        if line.starts_with("```") || line.starts_with("~~~") {
            in_fence = !in_fence;
            i += 1;
            continue;
        }
        if in_fence {
            i += 1;
            continue;
        }
        if let Some(h) = line.strip_prefix('#') {
            heading = Some(h.trim_start_matches('#').trim().to_owned());
            i += 1;
            continue;
        }
        let is_table_start = line.contains('|')
            && lines
                .get(i + 1)
                .is_some_and(|next| is_delimiter_row(next.trim()));
        if !is_table_start {
            i += 1;
            continue;
        }
        let header = split_row(line);
        let mut rows = Vec::new();
        i += 2;
        while i < lines.len() {
            let l = lines[i].trim();
            if l.is_empty() || !l.contains('|') {
                break;
            }
            rows.push((i + 1, split_row(l)));
            i += 1;
        }
        out.push(Table {
            heading: heading.clone(),
            header,
            rows,
        });
    }
    out
}

fn is_delimiter_row(line: &str) -> bool {
    if !line.contains('-') || (!line.contains('|') && !line.contains(':')) {
        return false;
    }
    let cells = split_row(line);
    !cells.is_empty()
        && cells.iter().all(|c| {
            let c = c.trim();
            !c.is_empty()
                && c.trim_start_matches(':')
                    .trim_end_matches(':')
                    .chars()
                    .all(|ch| ch == '-')
                && c.contains('-')
        })
}

/// `| a | b \| c |` → `["a", "b | c"]`.
fn split_row(line: &str) -> Vec<String> {
    let t = line.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = if t.ends_with('|') && !t.ends_with("\\|") {
        &t[..t.len() - 1]
    } else {
        t
    };
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cur.push('|');
                chars.next();
            }
            '|' => {
                cells.push(clean_cell(&cur));
                cur.clear();
            }
            _ => cur.push(c),
        }
    }
    cells.push(clean_cell(&cur));
    cells
}

/// Cell text without emphasis marks or link targets: `[**GPT-4o**](url)` → `GPT-4o`.
fn clean_cell(cell: &str) -> String {
    let mut s = cell.trim().to_owned();
    // [text](url) → text
    while let Some(open) = s.find('[') {
        let Some(close_rel) = s[open..].find("](") else {
            break;
        };
        let close = open + close_rel;
        let Some(end_rel) = s[close..].find(')') else {
            break;
        };
        let end = close + end_rel;
        let text = s[open + 1..close].to_owned();
        s.replace_range(open..=end, &text);
    }
    let s = s.replace("**", "").replace("__", "");
    s.trim().trim_matches('`').trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_rows() {
        assert!(is_delimiter_row("|---|:---:|"));
        assert!(is_delimiter_row(
            "|--------------------------------|:----------------:|"
        ));
        assert!(!is_delimiter_row("| Model | Score |"));
        assert!(!is_delimiter_row("---"));
    }

    #[test]
    fn cells_lose_links_and_emphasis() {
        assert_eq!(
            split_row("| [**GPT-4o**](https://x) | 72.55 | a \\| b |"),
            vec!["GPT-4o", "72.55", "a | b"]
        );
    }
}
