//! The JSON digests of the demo conform to docs/digest-schema.json, checked by a small
//! validator of the JSON Schema keywords that file uses.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

/// Validates `value` against `schema` (resolving `#/$defs/...` in `root`); returns the path
/// and reason of the first mismatch.
fn check(root: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let fail = |why: String| Err(format!("{at}: {why}"));
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.strip_prefix("#/$defs/").expect("local refs only");
        return check(root, &root["$defs"][name], value, at);
    }
    if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
        let matching = options
            .iter()
            .filter(|o| check(root, o, value, at).is_ok())
            .count();
        if matching != 1 {
            return fail(format!(
                "{matching} of {} oneOf branches match",
                options.len()
            ));
        }
    }
    if let Some(c) = schema.get("const")
        && c != value
    {
        return fail(format!("expected {c}, found {value}"));
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        return fail(format!("{value} is not one of {allowed:?}"));
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let ok = types.iter().any(|t| match *t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            _ => false,
        });
        if !ok {
            return fail(format!("{value} is not of type {types:?}"));
        }
    }
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
        && value.as_f64().is_some_and(|v| v < min)
    {
        return fail(format!("{value} is below {min}"));
    }
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
        let s = value.as_str().unwrap_or_default();
        // The schema's two patterns: ISO dates and sha256 hex.
        let ok = match pattern {
            "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" => s.parse::<gapwatch_model::Date>().is_ok(),
            "^[0-9a-f]{64}$" => {
                s.len() == 64
                    && s.bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            }
            other => panic!("the validator does not know the pattern {other}"),
        };
        if !ok {
            return fail(format!("{s:?} does not match {pattern}"));
        }
    }
    if let Some(obj) = value.as_object() {
        for key in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key = key.as_str().unwrap();
            if !obj.contains_key(key) {
                return fail(format!("missing required {key:?}"));
            }
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, v) in obj {
            if let Some(s) = props.and_then(|p| p.get(k)) {
                check(root, s, v, &format!("{at}.{k}"))?;
            } else if let Some(extra) = schema.get("additionalProperties") {
                check(root, extra, v, &format!("{at}.{k}"))?;
            }
        }
    }
    if let Some(items) = value.as_array() {
        let prefix = schema.get("prefixItems").and_then(Value::as_array);
        for (i, item) in items.iter().enumerate() {
            let s = prefix
                .and_then(|p| p.get(i))
                .or_else(|| schema.get("items"));
            if let Some(s) = s {
                check(root, s, item, &format!("{at}[{i}]"))?;
            }
        }
    }
    Ok(())
}

#[test]
fn every_demo_digest_conforms_to_the_documented_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/digest-schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    Command::cargo_bin("gapwatch")
        .unwrap()
        .env_remove("GAPWATCH_WORKSPACE")
        .env_remove("GAPWATCH_DB")
        .env_remove("GAPWATCH_TODAY")
        .args(["demo", "--out"])
        .arg(&out)
        .assert()
        .success();
    let folder = out.join("stories/open-vs-closed");
    let mut checked = 0;
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let value: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            if let Err(e) = check(&schema, &schema, &value, "$") {
                panic!("{}: {e}", path.display());
            }
            checked += 1;
        }
    }
    assert!(checked >= 3, "only {checked} digests");
}

#[test]
fn the_validator_rejects_what_the_schema_forbids() {
    let schema: Value = serde_json::json!({
        "type": "object",
        "required": ["a"],
        "properties": { "a": { "oneOf": [{ "const": 1 }, { "type": "string" }] } },
        "$defs": {}
    });
    assert!(check(&schema, &schema, &serde_json::json!({"a": 1}), "$").is_ok());
    assert!(check(&schema, &schema, &serde_json::json!({"a": "x"}), "$").is_ok());
    assert!(check(&schema, &schema, &serde_json::json!({"a": 2}), "$").is_err());
    assert!(check(&schema, &schema, &serde_json::json!({}), "$").is_err());
}
