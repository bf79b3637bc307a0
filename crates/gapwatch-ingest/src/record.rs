//! Rows as every format yields them: a locator, an optional group, and cells found by name,
//! position or path, so the mapping works the same over tables and trees.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use serde_json::Value;
use serde_json_path::JsonPath;

use crate::config::{FieldRef, FieldSpec};

/// A value found in a row.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Found<'a> {
    /// A cell of a table (CSV, HTML, Markdown).
    Text(&'a str),
    /// A node of a JSON or YAML document.
    Json(&'a Value),
}

impl Found<'_> {
    /// The value as text; `None` for null, empty text, arrays and objects.
    pub(crate) fn text(&self) -> Option<String> {
        match self {
            Found::Text(t) => {
                let t = t.trim();
                (!t.is_empty()).then(|| t.to_owned())
            }
            Found::Json(Value::String(s)) => {
                let t = s.trim();
                (!t.is_empty()).then(|| t.to_owned())
            }
            Found::Json(Value::Number(n)) => Some(n.to_string()),
            Found::Json(Value::Bool(b)) => Some(b.to_string()),
            Found::Json(_) => None,
        }
    }

    /// The value as a list of texts: JSON arrays item by item, text split on `,` or `;`.
    pub(crate) fn list(&self) -> Vec<String> {
        match self {
            Found::Json(Value::Array(items)) => {
                items.iter().filter_map(|v| Found::Json(v).text()).collect()
            }
            Found::Text(t) => t
                .split([',', ';'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            other => other.text().into_iter().collect(),
        }
    }

    /// The value as a boolean: JSON booleans, and texts such as `true`, `yes`, `y`, `1`.
    pub(crate) fn boolean(&self) -> Option<bool> {
        match self {
            Found::Json(Value::Bool(b)) => Some(*b),
            Found::Json(Value::Number(n)) => n.as_f64().map(|f| f != 0.0),
            other => {
                let t = other.text()?.to_ascii_lowercase();
                match t.as_str() {
                    "true" | "yes" | "y" | "1" | "✓" | "✔" | "x" => Some(true),
                    "false" | "no" | "n" | "0" => Some(false),
                    _ => None,
                }
            }
        }
    }

    /// A JSON number as is; text to be parsed otherwise.
    pub(crate) fn number(&self) -> Option<f64> {
        match self {
            Found::Json(Value::Number(n)) => n.as_f64(),
            _ => None,
        }
    }

    /// Present and not empty.
    pub(crate) fn is_present(&self) -> bool {
        match self {
            Found::Text(t) => !t.trim().is_empty(),
            Found::Json(Value::Null) => false,
            Found::Json(Value::String(s)) => !s.trim().is_empty(),
            Found::Json(Value::Array(a)) => !a.is_empty(),
            Found::Json(_) => true,
        }
    }
}

/// Column names of a table, matched without case or extra spaces. A multi-row header gives
/// keys such as `MMMU-Pro / Overall`; its last part alone also matches.
#[derive(Debug)]
pub(crate) struct Header {
    full: Vec<String>,
    leaf: Vec<String>,
    /// Lookups already made: every row asks for the same few names.
    found: RefCell<HashMap<String, Option<usize>>>,
}

impl Header {
    pub(crate) fn new(names: Vec<String>) -> Self {
        let full: Vec<String> = names.iter().map(|n| fold(n)).collect();
        let leaf = full
            .iter()
            .map(|n| n.rsplit(" / ").next().unwrap_or(n).to_owned())
            .collect();
        Header {
            full,
            leaf,
            found: RefCell::new(HashMap::new()),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.full.len()
    }

    /// Whether a column of this name (or last part of a name) is in the header.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.find(name).is_some()
    }

    fn find(&self, name: &str) -> Option<usize> {
        if let Some(hit) = self.found.borrow().get(name) {
            return *hit;
        }
        let key = fold(name);
        let hit = self
            .full
            .iter()
            .position(|h| *h == key)
            .or_else(|| self.leaf.iter().position(|h| *h == key));
        self.found.borrow_mut().insert(name.to_owned(), hit);
        hit
    }

    pub(crate) fn names(&self) -> &[String] {
        &self.full
    }
}

/// Lowercase with whitespace runs folded to one space.
pub(crate) fn fold(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The cells of one row.
#[derive(Debug)]
pub(crate) enum Cells<'a> {
    Table {
        header: Rc<Header>,
        cells: Vec<String>,
    },
    Json {
        value: &'a Value,
        key: Option<&'a str>,
        root: &'a Value,
    },
}

/// One row found in a snapshot.
#[derive(Debug)]
pub(crate) struct Record<'a> {
    /// Where the row is: `table#table1 tr[5]`, `leaderboards[name=Verified].results[12]`.
    pub(crate) locator: String,
    /// The row's group (board, table) name, available as `@group`.
    pub(crate) group: Option<String>,
    pub(crate) cells: Cells<'a>,
    /// HTML: the row's `style` attribute.
    pub(crate) style: Option<String>,
    /// HTML: the row's `class` attribute.
    pub(crate) class: Option<String>,
    /// Problems met while reading the row itself (too few fields, bad bytes).
    pub(crate) notes: Vec<String>,
}

/// Compiled JSONPaths for fields written as `$…`, shared by all rows of one extraction.
#[derive(Debug, Default)]
pub(crate) struct PathCache {
    paths: HashMap<String, Option<JsonPath>>,
}

impl PathCache {
    fn get(&mut self, path: &str) -> Option<&JsonPath> {
        self.paths
            .entry(path.to_owned())
            .or_insert_with(|| JsonPath::parse(path).ok())
            .as_ref()
    }
}

impl<'a> Record<'a> {
    /// The first of the spec's fields that is present and not empty.
    pub(crate) fn get<'r>(&'r self, spec: &FieldSpec, paths: &mut PathCache) -> Option<Found<'r>> {
        let mut first_seen = None;
        for r in &spec.0 {
            if let Some(found) = self.get_one(r, paths) {
                if found.is_present() {
                    return Some(found);
                }
                first_seen.get_or_insert(found);
            }
        }
        first_seen
    }

    fn get_one<'r>(&'r self, r: &FieldRef, paths: &mut PathCache) -> Option<Found<'r>> {
        if let FieldRef::Name(n) = r {
            match n.as_str() {
                "@group" => return self.group.as_deref().map(Found::Text),
                "@key" => {
                    return match &self.cells {
                        Cells::Json { key, .. } => key.map(Found::Text),
                        Cells::Table { .. } => None,
                    };
                }
                _ => {}
            }
        }
        match (&self.cells, r) {
            (Cells::Table { header, cells }, FieldRef::Name(n)) => {
                let i = header.find(n)?;
                cells.get(i).map(|c| Found::Text(c.as_str()))
            }
            (Cells::Table { cells, .. }, FieldRef::Position(p)) => {
                cells.get(p - 1).map(|c| Found::Text(c.as_str()))
            }
            (Cells::Json { root, .. }, FieldRef::Name(n)) if n.starts_with('$') => {
                let path = paths.get(n)?;
                path.query(root).first().map(Found::Json)
            }
            (Cells::Json { value, .. }, FieldRef::Name(n)) => dotted(value, n).map(Found::Json),
            (Cells::Json { value, .. }, FieldRef::Position(p)) => match value {
                Value::Array(items) => items.get(p - 1).map(Found::Json),
                _ => None,
            },
        }
    }
}

/// `info.name` in a JSON value; a key holding dots is tried whole first.
fn dotted<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    if let Some(v) = value.get(path) {
        return Some(v);
    }
    let mut cur = value;
    for part in path.split('.') {
        cur = match cur {
            Value::Object(m) => m.get(part)?,
            Value::Array(a) => a.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}
