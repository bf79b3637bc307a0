//! CSV: a header row, then records (quoted cells may span lines). Columns are found by
//! header name, so a column that moves between versions still maps.

use std::rc::Rc;

use crate::record::{Cells, Header, Record};

/// The rows of a CSV file, and warnings about the file.
pub(crate) struct CsvRows {
    pub(crate) records: Vec<Record<'static>>,
    pub(crate) warnings: Vec<String>,
    pub(crate) empty_reason: Option<String>,
}

/// Reads `bytes` (a UTF-8 BOM is dropped). A record with bytes that are not UTF-8, or with
/// more or fewer fields than the header, is kept with a note; an unreadable header is an
/// error for the file.
pub(crate) fn records(bytes: &[u8], delimiter: u8) -> Result<CsvRows, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rows = reader.byte_records();
    let header_record = match rows.next() {
        None => {
            return Ok(CsvRows {
                records: Vec::new(),
                warnings: vec!["the file is empty".to_owned()],
                empty_reason: Some("0 rows: the file is empty".to_owned()),
            });
        }
        Some(Err(e)) => return Err(format!("unreadable CSV header: {e}")),
        Some(Ok(r)) => r,
    };
    let header_names: Vec<String> = header_record
        .iter()
        .map(|f| String::from_utf8_lossy(f).trim().to_owned())
        .collect();
    if std::str::from_utf8(header_record.as_slice()).is_err() {
        return Err("the CSV header is not valid UTF-8".to_owned());
    }
    let header = Rc::new(Header::new(header_names));
    let mut out = CsvRows {
        records: Vec::new(),
        warnings: Vec::new(),
        empty_reason: None,
    };
    let mut n = 0usize;
    for row in rows {
        n += 1;
        let locator = format!("row {n}");
        let record = match row {
            Ok(r) => r,
            Err(e) => {
                out.warnings
                    .push(format!("{locator}: unreadable record, skipped: {e}"));
                continue;
            }
        };
        // A blank line at the end of a file is not a row.
        if record.len() == 1 && record.get(0).is_some_and(|f| f.is_empty()) {
            n -= 1;
            continue;
        }
        let mut notes = Vec::new();
        let mut cells = Vec::with_capacity(record.len());
        for field in record.iter() {
            match std::str::from_utf8(field) {
                Ok(s) => cells.push(s.to_owned()),
                Err(_) => {
                    if !notes.iter().any(|n: &String| n.contains("UTF-8")) {
                        notes.push("bytes that are not UTF-8, replaced with U+FFFD".to_owned());
                    }
                    cells.push(String::from_utf8_lossy(field).into_owned());
                }
            }
        }
        out.records.push(Record {
            locator,
            group: None,
            cells: Cells::Table {
                header: Rc::clone(&header),
                cells,
            },
            style: None,
            class: None,
            notes,
        });
    }
    if out.records.is_empty() {
        out.empty_reason = Some("0 rows: a header and no records".to_owned());
    }
    Ok(out)
}
