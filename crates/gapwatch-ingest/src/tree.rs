//! JSON and YAML documents (and JSON embedded in a page): parsed strictly, rows found with
//! JSONPath, each row located by its path (`leaderboards[name=Verified].results[12]`).

use std::fmt::{self, Write as _};

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use serde_json_path::{JsonPath, NormalizedPath, PathElement};

use crate::config::SourceConfig;
use crate::record::{Cells, Record};

/// A JSON value read with two checks serde_json's own `Value` skips: a key given twice in
/// one object is an error (rather than the last one silently winning), and so is a number
/// that is not finite (YAML's `.nan`, `.inf`).
struct Checked(Value);

impl<'de> Deserialize<'de> for Checked {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CheckedVisitor).map(Checked)
    }
}

struct CheckedVisitor;

impl<'de> Visitor<'de> for CheckedVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom(format!("number {v} is not finite")))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Checked::deserialize(d).map(|c| c.0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(Checked(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(Key(k)) = map.next_key()? {
            let Checked(v) = map.next_value()?;
            if out.contains_key(&k) {
                return Err(de::Error::custom(format!("duplicate key {k:?}")));
            }
            out.insert(k, v);
        }
        Ok(Value::Object(out))
    }
}

/// An object key; YAML allows numbers and booleans as keys, which become their text.
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = String;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E>(self, v: &str) -> Result<String, E> {
                Ok(v.to_owned())
            }
            fn visit_string<E>(self, v: String) -> Result<String, E> {
                Ok(v)
            }
            fn visit_i64<E>(self, v: i64) -> Result<String, E> {
                Ok(v.to_string())
            }
            fn visit_u64<E>(self, v: u64) -> Result<String, E> {
                Ok(v.to_string())
            }
            fn visit_f64<E>(self, v: f64) -> Result<String, E> {
                Ok(v.to_string())
            }
            fn visit_bool<E>(self, v: bool) -> Result<String, E> {
                Ok(v.to_string())
            }
            fn visit_unit<E>(self) -> Result<String, E> {
                Ok("null".to_owned())
            }
        }
        d.deserialize_any(KeyVisitor).map(Key)
    }
}

/// Parses JSON text strictly (see [`Checked`]).
pub(crate) fn parse_json(text: &str) -> Result<Value, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    let Checked(v) = Checked::deserialize(&mut de).map_err(|e| format!("invalid JSON: {e}"))?;
    de.end().map_err(|e| format!("invalid JSON: {e}"))?;
    Ok(v)
}

/// Parses YAML text strictly (see [`Checked`]).
pub(crate) fn parse_yaml(text: &str) -> Result<Value, String> {
    let de = serde_yaml_ng::Deserializer::from_str(text);
    Checked::deserialize(de)
        .map(|c| c.0)
        .map_err(|e| format!("invalid YAML: {e}"))
}

/// Parses the text of a `<script>`: JSON as is, or the value of a JavaScript assignment
/// such as `window.DATA = {...};`.
pub(crate) fn parse_script_json(text: &str) -> Result<Value, String> {
    let t = text.trim();
    match parse_json(t) {
        Ok(v) => Ok(v),
        Err(first) => {
            let Some(eq) = t.find('=') else {
                return Err(first);
            };
            let rest = t[eq + 1..].trim().trim_end_matches(';').trim_end();
            if rest.starts_with(['{', '[']) {
                parse_json(rest)
            } else {
                Err(first)
            }
        }
    }
}

/// What a tree yields: the rows, warnings about the structure, and why it holds no rows.
pub(crate) struct TreeRows<'a> {
    pub(crate) records: Vec<Record<'a>>,
    pub(crate) warnings: Vec<String>,
    pub(crate) empty_reason: Option<String>,
}

/// Finds the rows of a document with the source's `groups`, `rows` and `keyed` settings.
pub(crate) fn records<'a>(source: &SourceConfig, root: &'a Value) -> Result<TreeRows<'a>, String> {
    let rows_text = source.rows.as_deref().unwrap_or("$[*]");
    let rows_path = JsonPath::parse(rows_text).map_err(|e| format!("rows {rows_text:?}: {e}"))?;
    let mut out = TreeRows {
        records: Vec::new(),
        warnings: Vec::new(),
        empty_reason: None,
    };
    // (group node, its locator, its name)
    let mut groups: Vec<(&Value, String, Option<String>)> = Vec::new();
    match &source.groups {
        Some(g) => {
            let path = JsonPath::parse(g).map_err(|e| format!("groups {g:?}: {e}"))?;
            for node in path.query_located(root) {
                let name = source.group_name.as_ref().and_then(|spec| {
                    spec.0.iter().find_map(|f| match f {
                        crate::config::FieldRef::Name(n) => node
                            .node()
                            .get(n.as_str())
                            .and_then(|v| crate::record::Found::Json(v).text()),
                        crate::config::FieldRef::Position(_) => None,
                    })
                });
                let mut loc = render_path(node.location());
                if let Some(n) = &name {
                    // `leaderboards[1]` → `leaderboards[name=Verified]`: stable when boards move.
                    if let Some(cut) = loc.rfind('[')
                        && loc.ends_with(']')
                        && loc[cut + 1..loc.len() - 1].parse::<usize>().is_ok()
                    {
                        loc.truncate(cut);
                    }
                    let field = source
                        .group_name
                        .as_ref()
                        .and_then(|s| s.0.first())
                        .map(|f| match f {
                            crate::config::FieldRef::Name(n) => n.clone(),
                            crate::config::FieldRef::Position(p) => p.to_string(),
                        })
                        .unwrap_or_default();
                    let _ = write!(loc, "[{field}={n}]");
                }
                if loc.starts_with('[') {
                    loc.insert(0, '$');
                }
                groups.push((node.node(), loc, name));
            }
            if groups.is_empty() {
                out.empty_reason = Some(format!("0 rows: groups {g:?} matched nothing"));
                out.warnings
                    .push(format!("groups path {g:?} matched nothing"));
                return Ok(out);
            }
        }
        None => groups.push((root, String::new(), None)),
    }
    for (node, base, name) in groups {
        let located = rows_path.query_located(node);
        if located.is_empty() && source.groups.is_some() {
            out.warnings.push(format!(
                "rows path {rows_text:?} matched nothing in {}",
                if base.is_empty() { "$" } else { &base }
            ));
        }
        for row in located {
            let mut loc = join(&base, &render_path(row.location()));
            if loc.starts_with('[') {
                loc.insert(0, '$');
            }
            if source.keyed {
                match row.node() {
                    Value::Object(m) => {
                        for (k, v) in m {
                            out.records.push(Record {
                                locator: join(&loc, &render_key(k)),
                                group: name.clone(),
                                cells: Cells::Json {
                                    value: v,
                                    key: Some(k.as_str()),
                                    root,
                                },
                                style: None,
                                class: None,
                                notes: Vec::new(),
                            });
                        }
                    }
                    other => out.warnings.push(format!(
                        "{}: expected an object of keyed rows, found {}",
                        if loc.is_empty() { "$" } else { &loc },
                        kind(other)
                    )),
                }
            } else {
                out.records.push(Record {
                    locator: if loc.is_empty() { "$".to_owned() } else { loc },
                    group: name.clone(),
                    cells: Cells::Json {
                        value: row.node(),
                        key: None,
                        root,
                    },
                    style: None,
                    class: None,
                    notes: Vec::new(),
                });
            }
        }
    }
    if out.records.is_empty() {
        out.empty_reason = Some(format!("0 rows: rows {rows_text:?} matched nothing"));
    }
    Ok(out)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn join(base: &str, rel: &str) -> String {
    match (base.is_empty(), rel.is_empty()) {
        (true, _) => rel.to_owned(),
        (_, true) => base.to_owned(),
        _ if rel.starts_with('[') => format!("{base}{rel}"),
        _ => format!("{base}.{rel}"),
    }
}

/// `$['leaderboards'][1]['results'][12]` → `leaderboards[1].results[12]`.
fn render_path(path: &NormalizedPath<'_>) -> String {
    let mut s = String::new();
    for el in path.iter() {
        match el {
            PathElement::Index(i) => {
                let _ = write!(s, "[{i}]");
            }
            PathElement::Name(n) => {
                let k = render_key(n);
                if s.is_empty() || k.starts_with('[') {
                    s.push_str(&k);
                } else {
                    s.push('.');
                    s.push_str(&k);
                }
            }
        }
    }
    s
}

fn render_key(k: &str) -> String {
    let simple = !k.is_empty()
        && k.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '@' | '+'));
    if simple {
        k.to_owned()
    } else {
        format!("[{}]", serde_json::Value::String(k.to_owned()))
    }
}
