//! JavaScript object literals as data: `export const models = { 'gpt-4o': { url: '…',
//! openweight: false, }, };` is rewritten as the JSON it means, then read as strict JSON.
//!
//! Understood: unquoted keys, single-quoted and backquoted strings (without `${}`), trailing
//! commas, `//` and `/* */` comments, `undefined` (as null), and a leading assignment or
//! export (`export default`, `export const x =`, `var x =`, `window.X =`, `module.exports =`).
//! The first object or array literal is the data; what follows it is ignored. Anything else
//! (functions, expressions, `NaN`) is an error naming its position.

/// Rewrites a JavaScript object or array literal as JSON text.
pub(crate) fn to_json(text: &str) -> Result<String, String> {
    let start = data_start(text)?;
    let mut w = Writer {
        src: text,
        chars: text[start..].char_indices().peekable(),
        base: start,
        out: String::with_capacity(text.len() - start),
    };
    w.value()?;
    Ok(w.out)
}

/// Where the first `{` or `[` of the data is: at the start, or after a leading assignment.
fn data_start(text: &str) -> Result<usize, String> {
    let mut i = 0;
    let bytes = text.as_bytes();
    loop {
        i = skip_space_and_comments(text, i);
        match bytes.get(i) {
            Some(b'{' | b'[') => return Ok(i),
            Some(b'=') => {
                i += 1;
            }
            Some(c) if c.is_ascii_alphanumeric() || matches!(c, b'_' | b'$' | b'.') => {
                // `export`, `const`, `models`, `window.DATA`, `module.exports`, …
                while bytes
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'$' | b'.'))
                {
                    i += 1;
                }
            }
            Some(_) => {
                return Err(format!(
                    "JavaScript: expected an object or array literal at {}",
                    position(text, i)
                ));
            }
            None => return Err("JavaScript: no object or array literal found".to_owned()),
        }
    }
}

fn skip_space_and_comments(text: &str, mut i: usize) -> usize {
    let bytes = text.as_bytes();
    loop {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        if text[i..].starts_with("//") {
            i = text[i..].find('\n').map_or(text.len(), |n| i + n);
        } else if text[i..].starts_with("/*") {
            i = text[i + 2..]
                .find("*/")
                .map_or(text.len(), |n| i + 2 + n + 2);
        } else {
            return i;
        }
    }
}

/// `line L column C` of a byte offset.
fn position(text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("line {line} column {column}")
}

struct Writer<'t> {
    src: &'t str,
    chars: std::iter::Peekable<std::str::CharIndices<'t>>,
    base: usize,
    out: String,
}

impl Writer<'_> {
    fn offset(&mut self) -> usize {
        self.base
            + self
                .chars
                .peek()
                .map_or(self.src.len() - self.base, |(i, _)| *i)
    }

    fn error(&mut self, what: &str) -> String {
        let at = self.offset();
        format!("JavaScript: {what} at {}", position(self.src, at))
    }

    fn skip(&mut self) {
        loop {
            while self.chars.peek().is_some_and(|(_, c)| c.is_whitespace()) {
                self.chars.next();
            }
            let at = self.offset();
            let rest = &self.src[at..];
            let skip_to = if rest.starts_with("//") {
                rest.find('\n').map_or(self.src.len(), |n| at + n)
            } else if let Some(body) = rest.strip_prefix("/*") {
                body.find("*/").map_or(self.src.len(), |n| at + 2 + n + 2)
            } else {
                return;
            };
            while self.offset() < skip_to {
                self.chars.next();
            }
        }
    }

    fn value(&mut self) -> Result<(), String> {
        self.skip();
        match self.chars.peek().map(|(_, c)| *c) {
            Some('{') => self.container('{', '}', true),
            Some('[') => self.container('[', ']', false),
            Some(q @ ('"' | '\'' | '`')) => self.string(q),
            Some(c) if c == '-' || c == '+' || c == '.' || c.is_ascii_digit() => self.number(),
            Some(c) if c.is_alphabetic() || c == '_' || c == '$' => {
                let word = self.word();
                match word.as_str() {
                    "true" | "false" | "null" => self.out.push_str(&word),
                    "undefined" => self.out.push_str("null"),
                    _ => return Err(self.error(&format!("unsupported value `{word}`"))),
                }
                Ok(())
            }
            Some(c) => Err(self.error(&format!("unexpected `{c}`"))),
            None => Err(self.error("unexpected end")),
        }
    }

    fn word(&mut self) -> String {
        let mut w = String::new();
        while let Some((_, c)) = self.chars.peek() {
            if c.is_alphanumeric() || *c == '_' || *c == '$' {
                w.push(*c);
                self.chars.next();
            } else {
                break;
            }
        }
        w
    }

    fn number(&mut self) -> Result<(), String> {
        let mut n = String::new();
        while let Some((_, c)) = self.chars.peek() {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.') {
                n.push(*c);
                self.chars.next();
            } else {
                break;
            }
        }
        let n = n.strip_prefix('+').unwrap_or(&n).to_owned();
        // JSON wants a digit before and after a decimal point: `.5` and `5.` are JavaScript.
        let n = if let Some(rest) = n.strip_prefix("-.") {
            format!("-0.{rest}")
        } else if let Some(rest) = n.strip_prefix('.') {
            format!("0.{rest}")
        } else {
            n
        };
        let n = n.strip_suffix('.').map_or(n.clone(), str::to_owned);
        if n.parse::<f64>().is_err() {
            return Err(self.error(&format!("`{n}` is not a number")));
        }
        self.out.push_str(&n);
        Ok(())
    }

    fn string(&mut self, quote: char) -> Result<(), String> {
        self.chars.next();
        self.out.push('"');
        loop {
            let Some((_, c)) = self.chars.next() else {
                return Err(self.error("unterminated string"));
            };
            match c {
                c if c == quote => break,
                '\\' => {
                    let Some((_, e)) = self.chars.next() else {
                        return Err(self.error("unterminated string"));
                    };
                    match e {
                        '\'' | '`' => self.out.push(e),
                        '"' => self.out.push_str("\\\""),
                        '\n' => {}
                        'x' => {
                            let hex: String = (0..2)
                                .filter_map(|_| self.chars.next())
                                .map(|(_, c)| c)
                                .collect();
                            self.out.push_str("\\u00");
                            self.out.push_str(&hex);
                        }
                        e => {
                            self.out.push('\\');
                            self.out.push(e);
                        }
                    }
                }
                '$' if quote == '`' && self.chars.peek().is_some_and(|(_, c)| *c == '{') => {
                    return Err(self.error("template strings with `${…}` are code, not data"));
                }
                '"' => self.out.push_str("\\\""),
                '\n' => self.out.push_str("\\n"),
                '\r' => self.out.push_str("\\r"),
                '\t' => self.out.push_str("\\t"),
                c if (c as u32) < 0x20 => self.out.push_str(&format!("\\u{:04x}", c as u32)),
                c => self.out.push(c),
            }
        }
        self.out.push('"');
        Ok(())
    }

    fn container(&mut self, open: char, close: char, object: bool) -> Result<(), String> {
        self.chars.next();
        self.out.push(open);
        let mut first = true;
        loop {
            self.skip();
            match self.chars.peek().map(|(_, c)| *c) {
                Some(c) if c == close => {
                    self.chars.next();
                    self.out.push(close);
                    return Ok(());
                }
                None => return Err(self.error(&format!("missing `{close}`"))),
                _ => {}
            }
            if !first {
                self.out.push(',');
            }
            first = false;
            if object {
                self.key()?;
                self.skip();
                match self.chars.next() {
                    Some((_, ':')) => self.out.push(':'),
                    _ => return Err(self.error("expected `:` after a key")),
                }
            }
            self.value()?;
            self.skip();
            match self.chars.peek().map(|(_, c)| *c) {
                // A trailing comma is fine: the next turn sees the closing bracket.
                Some(',') => {
                    self.chars.next();
                }
                Some(c) if c == close => {}
                None => return Err(self.error(&format!("missing `{close}`"))),
                _ => return Err(self.error(&format!("expected `,` or `{close}`"))),
            }
        }
    }

    fn key(&mut self) -> Result<(), String> {
        match self.chars.peek().map(|(_, c)| *c) {
            Some(q @ ('"' | '\'' | '`')) => self.string(q),
            Some(c) if c.is_alphanumeric() || c == '_' || c == '$' => {
                let word = self.word();
                self.out.push('"');
                self.out.push_str(&word);
                self.out.push('"');
                Ok(())
            }
            _ => Err(self.error("expected a key")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_literals_become_json() {
        let js = r#"// Links to each model's page.
export const modelLinks = {
  'gpt-4o-2024-08-06': { url: "https://openai.com/index/gpt-4o", openweight: false },
  "qwen2.5-72b-instruct": { url: 'https://huggingface.co/Qwen/Qwen2.5-72B-Instruct', openweight: true, },
  /* no page yet */ deepseek_r1: { params: 671, ratio: .5, note: `it's "open"`, extra: undefined, },
};
export default modelLinks;
"#;
        let json = to_json(js).unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["qwen2.5-72b-instruct"]["openweight"], true);
        assert_eq!(v["gpt-4o-2024-08-06"]["openweight"], false);
        assert_eq!(v["deepseek_r1"]["params"], 671);
        assert_eq!(v["deepseek_r1"]["ratio"], 0.5);
        assert_eq!(v["deepseek_r1"]["note"], "it's \"open\"");
        assert!(v["deepseek_r1"]["extra"].is_null());
        assert_eq!(to_json("[1, 2, -3.5,]").unwrap(), "[1,2,-3.5]");
        assert_eq!(
            to_json("window.DATA = {a: 'x\\'y'};").unwrap(),
            r#"{"a":"x'y"}"#
        );
    }

    #[test]
    fn code_is_refused_with_its_position() {
        let err = to_json("const x = {\n  a: compute(),\n};").unwrap_err();
        assert!(
            err.contains("unsupported value `compute`") && err.contains("line 2"),
            "{err}"
        );
        let err = to_json("x = { a: `${b}` }").unwrap_err();
        assert!(err.contains("template"), "{err}");
        let err = to_json("x = { a: 1 b: 2 }").unwrap_err();
        assert!(err.contains("expected `,` or `}`"), "{err}");
        assert!(to_json("x = ").is_err());
        assert!(to_json("{ a: 1").unwrap_err().contains("missing `}`"));
    }
}
