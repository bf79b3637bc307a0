//! HTML tables found with CSS selectors: header rows (several, with `rowspan` and
//! `colspan`) name the columns, body rows become records that keep the row's `style` and
//! `class` (some leaderboards say open or closed only by colour), and an empty table is
//! reported as such, never as a silent nothing.

use std::rc::Rc;

use scraper::{ElementRef, Html, Selector};

use crate::config::{SourceConfig, TableSpec};
use crate::record::{Cells, Header, Record, fold};

/// Widest table read, in columns; cells past it are dropped with a note. Keeps a hostile
/// `colspan` from making every row huge.
const MAX_COLUMNS: usize = 2000;
/// HTML's own limit on `colspan`.
const MAX_COLSPAN: usize = 1000;
/// Longest `rowspan` honoured.
const MAX_ROWSPAN: usize = 1000;

/// The rows of a page's configured tables.
pub(crate) struct HtmlRows {
    pub(crate) records: Vec<Record<'static>>,
    pub(crate) warnings: Vec<String>,
    pub(crate) empty_reason: Option<String>,
}

struct RawCell {
    text: String,
    /// The text of the element each cell selector picks within the cell, when one matches,
    /// in the order of the table's `cells` map.
    picked: Vec<Option<String>>,
    colspan: usize,
    rowspan: usize,
    th: bool,
}

struct RawRow {
    /// Position among the table's rows, from 1.
    index: usize,
    cells: Vec<RawCell>,
    in_thead: bool,
    style: Option<String>,
    class: Option<String>,
}

/// Collapses whitespace runs to one space and trims.
pub(crate) fn element_text(el: ElementRef<'_>) -> String {
    let mut out = String::new();
    for piece in el.text() {
        for word in piece.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

/// Reads every configured table of the page.
pub(crate) fn records(doc: &Html, source: &SourceConfig) -> Result<HtmlRows, String> {
    let mut out = HtmlRows {
        records: Vec::new(),
        warnings: Vec::new(),
        empty_reason: None,
    };
    let mut unmatched: Vec<&str> = Vec::new();
    let mut empty_tables: Vec<String> = Vec::new();
    let table_sel = Selector::parse("table").map_err(|e| e.to_string())?;
    for spec in &source.tables {
        let sel = Selector::parse(&spec.selector)
            .map_err(|e| format!("table selector {:?}: {e}", spec.selector))?;
        let matched: Vec<ElementRef<'_>> = doc.select(&sel).collect();
        if matched.is_empty() {
            unmatched.push(&spec.selector);
            if !spec.optional {
                out.warnings
                    .push(format!("selector {:?} matched nothing", spec.selector));
            }
            continue;
        }
        let group = group_of(doc, spec)?;
        let several = matched.len() > 1;
        for (k, el) in matched.into_iter().enumerate() {
            let table = if el.value().name() == "table" {
                Some(el)
            } else {
                el.select(&table_sel).next()
            };
            let Some(table) = table else {
                out.warnings.push(format!(
                    "selector {:?} matched an element with no table in it",
                    spec.selector
                ));
                continue;
            };
            let name = describe(table, spec, several.then_some(k + 1));
            let before = out.records.len();
            read_table(table, spec, &name, group.as_deref(), &mut out);
            if out.records.len() == before {
                empty_tables.push(name);
            }
        }
    }
    if out.records.is_empty() {
        let scripted = Selector::parse("script")
            .ok()
            .is_some_and(|s| doc.select(&s).next().is_some());
        out.empty_reason = Some(if let Some(t) = empty_tables.first() {
            if scripted {
                format!("0 rows: client-rendered table {t} (the page fills it with a script)")
            } else {
                format!("0 rows: empty table {t}")
            }
        } else {
            let list: Vec<String> = unmatched.iter().map(|s| format!("{s:?}")).collect();
            format!("0 rows: no element matches {}", list.join(", "))
        });
    }
    Ok(out)
}

/// The group a table belongs to: fixed, or read from a label elsewhere on the page.
fn group_of(doc: &Html, spec: &TableSpec) -> Result<Option<String>, String> {
    if let Some(label) = &spec.group_label {
        let sel = Selector::parse(&label.selector)
            .map_err(|e| format!("group_label selector {:?}: {e}", label.selector))?;
        if let Some(el) = doc.select(&sel).next() {
            let text = fold(&element_text(el));
            for (needle, group) in &label.cases {
                if text.contains(&fold(needle)) {
                    return Ok(Some(group.clone()));
                }
            }
        }
    }
    Ok(spec.group.clone())
}

/// `table#table1`, `#leaderboard-Verified table` (the nearest ancestor with an id), or
/// the alternative of the selector that matched, with a match number when several did.
fn describe(table: ElementRef<'_>, spec: &TableSpec, nth: Option<usize>) -> String {
    if let Some(id) = table.value().id() {
        return format!("table#{id}");
    }
    let mut node = table.parent();
    while let Some(n) = node {
        if let Some(id) = ElementRef::wrap(n).and_then(|e| e.value().id()) {
            return format!("#{id} table");
        }
        node = n.parent();
    }
    let alternative = spec
        .selector
        .split(',')
        .map(str::trim)
        .find(|alt| Selector::parse(alt).is_ok_and(|s| s.matches(&table)))
        .unwrap_or(spec.selector.as_str());
    match nth {
        Some(n) => format!("{alternative}[{n}]"),
        None => alternative.to_owned(),
    }
}

fn raw_rows(table: ElementRef<'_>, pickers: &[Selector]) -> Vec<RawRow> {
    let mut rows = Vec::new();
    let push = |tr: ElementRef<'_>, in_thead: bool, rows: &mut Vec<RawRow>| {
        let cells = tr
            .child_elements()
            .filter(|c| matches!(c.value().name(), "td" | "th"))
            .map(|c| RawCell {
                text: element_text(c),
                picked: pickers
                    .iter()
                    .map(|sel| c.select(sel).next().map(element_text))
                    .collect(),
                colspan: span(c.value().attr("colspan"), MAX_COLSPAN),
                rowspan: span(c.value().attr("rowspan"), MAX_ROWSPAN),
                th: c.value().name() == "th",
            })
            .collect();
        let index = rows.len() + 1;
        rows.push(RawRow {
            index,
            cells,
            in_thead,
            style: tr.value().attr("style").map(str::to_owned),
            class: tr.value().attr("class").map(str::to_owned),
        });
    };
    for child in table.child_elements() {
        match child.value().name() {
            "tr" => push(child, false, &mut rows),
            section @ ("thead" | "tbody" | "tfoot") => {
                for tr in child.child_elements().filter(|c| c.value().name() == "tr") {
                    push(tr, section == "thead", &mut rows);
                }
            }
            _ => {}
        }
    }
    rows
}

fn span(attr: Option<&str>, max: usize) -> usize {
    attr.and_then(|a| a.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, max)
}

fn fill_pending<'r>(
    pending: &mut [Option<(usize, &'r RawCell)>],
    col: &mut usize,
    out: &mut Vec<&'r RawCell>,
) {
    while let Some(Some((left, cell))) = pending.get(*col).copied() {
        out.push(cell);
        pending[*col] = (left > 1).then_some((left - 1, cell));
        *col += 1;
    }
}

/// Lays rows out on a grid, repeating a cell over the columns and rows it spans.
fn expand<'r>(rows: &[&'r RawRow], notes: &mut Vec<(usize, String)>) -> Vec<Vec<&'r RawCell>> {
    let mut pending: Vec<Option<(usize, &'r RawCell)>> = Vec::new();
    let mut grid = Vec::with_capacity(rows.len());
    for row in rows {
        let mut out: Vec<&'r RawCell> = Vec::with_capacity(row.cells.len());
        let mut col = 0usize;
        let mut clipped = false;
        for cell in &row.cells {
            fill_pending(&mut pending, &mut col, &mut out);
            for _ in 0..cell.colspan {
                if col >= MAX_COLUMNS {
                    clipped = true;
                    break;
                }
                out.push(cell);
                if cell.rowspan > 1 {
                    if pending.len() <= col {
                        pending.resize(col + 1, None);
                    }
                    pending[col] = Some((cell.rowspan - 1, cell));
                }
                col += 1;
            }
        }
        fill_pending(&mut pending, &mut col, &mut out);
        if clipped {
            notes.push((
                row.index,
                format!("cells past column {MAX_COLUMNS} dropped"),
            ));
        }
        grid.push(out);
    }
    grid
}

fn read_table(
    table: ElementRef<'_>,
    spec: &TableSpec,
    name: &str,
    group: Option<&str>,
    out: &mut HtmlRows,
) {
    let pickers: Vec<Selector> = spec
        .cells
        .values()
        .filter_map(|sel| Selector::parse(sel).ok())
        .collect();
    let rows = raw_rows(table, &pickers);
    if rows.is_empty() {
        return;
    }
    let header_count = spec.header_rows.unwrap_or_else(|| {
        let thead = rows.iter().take_while(|r| r.in_thead).count();
        if thead > 0 {
            return thead;
        }
        let th_only = rows
            .iter()
            .take_while(|r| !r.cells.is_empty() && r.cells.iter().all(|c| c.th))
            .count();
        if th_only > 0 { th_only } else { 1 }
    });
    let header_count = header_count.min(rows.len());
    let (head, body) = rows.split_at(header_count);
    let mut notes: Vec<(usize, String)> = Vec::new();
    let head_refs: Vec<&RawRow> = head.iter().collect();
    let head_grid = expand(&head_refs, &mut notes);
    let width = head_grid.iter().map(Vec::len).max().unwrap_or(0);
    let names: Vec<String> = (0..width)
        .map(|c| {
            let mut parts: Vec<&str> = Vec::new();
            for row in &head_grid {
                if let Some(cell) = row.get(c)
                    && !cell.text.is_empty()
                    && parts.last() != Some(&cell.text.as_str())
                {
                    parts.push(&cell.text);
                }
            }
            parts.join(" / ")
        })
        .collect();
    // Which cell selector, if any, reads each column.
    let picker_of: Vec<Option<usize>> = names
        .iter()
        .map(|n| {
            let full = fold(n);
            let leaf = full.rsplit(" / ").next().unwrap_or(&full).to_owned();
            spec.cells
                .keys()
                .position(|k| fold(k) == full)
                .or_else(|| spec.cells.keys().position(|k| fold(k) == leaf))
        })
        .collect();
    for (k, key) in spec.cells.keys().enumerate() {
        if !picker_of.contains(&Some(k)) {
            out.warnings.push(format!(
                "{name}: the cell selector for {key:?} names no column; the header is: {}",
                names.join(" | ")
            ));
        }
    }
    let header = Rc::new(Header::new(names));
    let body_rows: Vec<&RawRow> = body
        .iter()
        .filter(|r| {
            let section = r.cells.len() == 1 && r.cells[0].colspan >= 2 && width >= 2;
            !r.cells.is_empty() && !section
        })
        .collect();
    let body_grid = expand(&body_rows, &mut notes);
    for (row, cells) in body_rows.iter().zip(body_grid) {
        // A row of another width than the header's is judged when it is mapped.
        let row_notes: Vec<String> = notes
            .iter()
            .filter(|(i, _)| *i == row.index)
            .map(|(_, n)| n.clone())
            .collect();
        out.records.push(Record {
            locator: format!("{name} tr[{}]", row.index),
            group: group.map(str::to_owned),
            cells: Cells::Table {
                header: Rc::clone(&header),
                cells: cells
                    .into_iter()
                    .enumerate()
                    .map(|(c, cell)| {
                        picker_of
                            .get(c)
                            .copied()
                            .flatten()
                            .and_then(|k| cell.picked.get(k).cloned().flatten())
                            .unwrap_or_else(|| cell.text.clone())
                    })
                    .collect(),
            },
            style: row.style.clone(),
            class: row.class.clone(),
            notes: row_notes,
        });
    }
}

/// The text of the first element matching `selector`.
pub(crate) fn script_text(doc: &Html, selector: &str) -> Result<Option<String>, String> {
    let sel =
        Selector::parse(selector).map_err(|e| format!("script selector {selector:?}: {e}"))?;
    Ok(doc
        .select(&sel)
        .next()
        .map(|el| el.text().collect::<String>()))
}

/// A CSS colour in one canonical form, so `#f9f2f8`, `rgb(249,242,248)` and
/// `rgba(249, 242, 248, 1)` compare equal: `rgba(249,242,248,1)`.
pub(crate) fn canonical_color(text: &str) -> Option<String> {
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    if let Some(hex) = t.strip_prefix('#') {
        let expand = |s: &str| -> Option<Vec<u8>> {
            match s.len() {
                3 | 4 => s
                    .chars()
                    .map(|c| {
                        let d = c.to_digit(16)? as u8;
                        Some(d * 17)
                    })
                    .collect(),
                6 | 8 => (0..s.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
                    .collect(),
                _ => None,
            }
        };
        let v = expand(hex)?;
        let alpha = v
            .get(3)
            .map_or("1".to_owned(), |a| trim_float(f64::from(*a) / 255.0));
        return Some(format!("rgba({},{},{},{alpha})", v[0], v[1], v[2]));
    }
    let inner = t
        .strip_prefix("rgba(")
        .or_else(|| t.strip_prefix("rgb("))?
        .strip_suffix(')')?;
    let parts: Vec<&str> = inner.split(',').collect();
    if !(3..=4).contains(&parts.len()) {
        return None;
    }
    let mut rgb = [0u8; 3];
    for (slot, p) in rgb.iter_mut().zip(&parts) {
        *slot = p.parse::<f64>().ok()?.round().clamp(0.0, 255.0) as u8;
    }
    let alpha = match parts.get(3) {
        Some(a) => trim_float(a.parse::<f64>().ok()?.clamp(0.0, 1.0)),
        None => "1".to_owned(),
    };
    Some(format!("rgba({},{},{},{alpha})", rgb[0], rgb[1], rgb[2]))
}

fn trim_float(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// The background colour a `style` attribute sets, canonical.
pub(crate) fn style_background(style: &str) -> Option<String> {
    style.split(';').find_map(|decl| {
        let (prop, value) = decl.split_once(':')?;
        let prop = prop.trim().to_ascii_lowercase();
        (prop == "background-color" || prop == "background")
            .then(|| canonical_color(value.trim()))
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_compare_by_value() {
        let a = canonical_color("#f9f2f8");
        assert_eq!(a.as_deref(), Some("rgba(249,242,248,1)"));
        assert_eq!(canonical_color("rgba(249, 242, 248, 1)"), a);
        assert_eq!(canonical_color("rgba(249,242,248, 1.0)"), a);
        assert_eq!(canonical_color("rgb(249 ,242,248)"), a);
        assert_eq!(
            canonical_color("rgba(117, 209, 215, 0.1)").as_deref(),
            Some("rgba(117,209,215,0.1)")
        );
        assert_eq!(canonical_color("red"), None);
        assert_eq!(
            style_background("text-align: left; background-color: #F9F2F8;"),
            a
        );
    }
}
