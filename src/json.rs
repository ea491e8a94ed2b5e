//! The JSON Keyturn reads and writes: the services' answers (read), request bodies
//! (written), and the bulk run it hands the page and reads back (both).
//!
//! Written here rather than taken from serde_json, which with its float parser, error
//! formatting and map type was the largest single part of the wasm module. Numbers are
//! kept exactly as written: Keyturn only ever reads them as whole numbers, and keeping the
//! text means none is ever rounded. Parsing follows RFC 8259 strictly (no comments,
//! trailing commas, lone surrogates or raw control characters); a duplicate member name
//! reads as its last value, as in `JSON.parse`.

/// Nesting deeper than this is refused rather than recursed into: no documented answer
/// nests more than three levels, and the limit keeps hostile input from exhausting the stack.
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// A number as written, already checked against JSON's number grammar.
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Object),
}

/// An object's members in document order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object(Vec<(String, Json)>);

impl Object {
    pub fn new() -> Object {
        Object::default()
    }

    /// The member `name` (the last one, if the name repeats).
    pub fn get(&self, name: &str) -> Option<&Json> {
        self.0.iter().rev().find(|(member, _)| member == name).map(|(_, value)| value)
    }

    /// The member `name` if it is a string.
    pub fn str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Json::as_str)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Adds a member (for building a document to write).
    pub fn with(mut self, name: &str, value: impl Into<Json>) -> Object {
        self.0.push((name.to_string(), value.into()));
        self
    }

    /// Adds a member only when there is a value: an absent optional field is left out.
    pub fn with_some(self, name: &str, value: Option<impl Into<Json>>) -> Object {
        match value {
            Some(value) => self.with(name, value),
            None => self,
        }
    }
}

impl Json {
    /// The value `text` holds, or `None` when it is not exactly one JSON value.
    pub fn parse(text: &str) -> Option<Json> {
        let mut parser = Parser { text, at: 0 };
        let value = parser.value(0)?;
        parser.skip_whitespace();
        (parser.at == text.len()).then_some(value)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Json::Object(object) => Some(object),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    /// A number written as plain digits that fits a `u64` (so not `-1`, `1.0` or `1e3`).
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Number(text) if text.bytes().all(|b| b.is_ascii_digit()) => text.parse().ok(),
            _ => None,
        }
    }

    /// The value as compact JSON text.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(value) => out.push_str(if *value { "true" } else { "false" }),
            Json::Number(text) => out.push_str(text),
            Json::String(text) => write_string(text, out),
            Json::Array(items) => {
                out.push('[');
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Object(Object(members)) => {
                out.push('{');
                for (index, (name, value)) in members.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    write_string(name, out);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

fn write_string(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c < ' ' => {
                out.push_str("\\u00");
                out.push(HEX[c as usize >> 4] as char);
                out.push(HEX[c as usize & 15] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

impl From<&str> for Json {
    fn from(text: &str) -> Json {
        Json::String(text.to_string())
    }
}

impl From<String> for Json {
    fn from(text: String) -> Json {
        Json::String(text)
    }
}

impl From<&String> for Json {
    fn from(text: &String) -> Json {
        Json::String(text.clone())
    }
}

impl From<u64> for Json {
    fn from(number: u64) -> Json {
        Json::Number(number.to_string())
    }
}

impl From<usize> for Json {
    fn from(number: usize) -> Json {
        Json::from(number as u64)
    }
}

impl From<bool> for Json {
    fn from(value: bool) -> Json {
        Json::Bool(value)
    }
}

impl From<Object> for Json {
    fn from(object: Object) -> Json {
        Json::Object(object)
    }
}

impl From<Vec<Json>> for Json {
    fn from(items: Vec<Json>) -> Json {
        Json::Array(items)
    }
}

/// A recursive-descent reader over the text; `at` is always on a character boundary.
struct Parser<'a> {
    text: &'a str,
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Option<Json> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_whitespace();
        match self.peek()? {
            b'{' => self.object(depth).map(Json::Object),
            b'[' => self.array(depth).map(Json::Array),
            b'"' => self.string().map(Json::String),
            b't' => self.word("true", Json::Bool(true)),
            b'f' => self.word("false", Json::Bool(false)),
            b'n' => self.word("null", Json::Null),
            _ => self.number().map(Json::Number),
        }
    }

    fn word(&mut self, word: &str, value: Json) -> Option<Json> {
        self.text[self.at..].starts_with(word).then(|| {
            self.at += word.len();
            value
        })
    }

    fn array(&mut self, depth: usize) -> Option<Vec<Json>> {
        self.at += 1; // '['
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.eat(b']') {
            return Some(items);
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_whitespace();
            if self.eat(b']') {
                return Some(items);
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    fn object(&mut self, depth: usize) -> Option<Object> {
        self.at += 1; // '{'
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.eat(b'}') {
            return Some(Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return None;
            }
            let name = self.string()?;
            self.skip_whitespace();
            if !self.eat(b':') {
                return None;
            }
            members.push((name, self.value(depth + 1)?));
            self.skip_whitespace();
            if self.eat(b'}') {
                return Some(Object(members));
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    fn string(&mut self) -> Option<String> {
        self.at += 1; // the opening quote
        let mut out = String::new();
        loop {
            let run = self.at;
            while matches!(self.peek(), Some(b) if b != b'"' && b != b'\\' && b >= 0x20) {
                self.at += 1;
            }
            // The run ends before an ASCII byte or at the end, so it is whole characters.
            out.push_str(&self.text[run..self.at]);
            match self.peek()? {
                b'"' => {
                    self.at += 1;
                    return Some(out);
                }
                b'\\' => {
                    let escape = *self.text.as_bytes().get(self.at + 1)?;
                    self.at += 2;
                    out.push(match escape {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return None,
                    });
                }
                _ => return None, // a raw control character
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.at..self.at + 4)?;
        // Checked first: from_str_radix would also take a leading '+'.
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.at += 4;
        u32::from_str_radix(digits, 16).ok()
    }

    /// The character of a `\uXXXX` escape; a high surrogate must be followed by an escaped
    /// low one, and a lone surrogate of either kind is refused.
    fn unicode_escape(&mut self) -> Option<char> {
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if !self.text[self.at..].starts_with("\\u") {
                return None;
            }
            self.at += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return None;
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code)
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, kept as text.
    fn number(&mut self) -> Option<String> {
        let start = self.at;
        self.eat(b'-');
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.eat(b'.') && self.digits() == 0 {
            return None;
        }
        if self.eat(b'e') || self.eat(b'E') {
            let _ = self.eat(b'+') || self.eat(b'-');
            if self.digits() == 0 {
                return None;
            }
        }
        Some(self.text[start..self.at].to_string())
    }

    /// Skips a run of digits and says how long it was.
    fn digits(&mut self) -> usize {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        self.at - start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(text: &str) -> Object {
        Json::parse(text).unwrap().as_object().unwrap().clone()
    }

    #[test]
    fn reads_the_documented_answers() {
        let model =
            object(r#" {"oid":"93d3","name":"Sales","type":"elasticube","nested":{"a":[1,-2.5e3,true,null]}} "#);
        assert_eq!(
            (model.str("oid"), model.str("name"), model.str("type")),
            (Some("93d3"), Some("Sales"), Some("elasticube"))
        );
        let nested = model.get("nested").unwrap().as_object().unwrap().get("a").unwrap().as_array().unwrap();
        assert_eq!(nested, [Json::Number("1".into()), Json::Number("-2.5e3".into()), Json::Bool(true), Json::Null]);
        assert_eq!(
            object(r#"{"error":{"code":"X"}}"#).get("error").unwrap().as_object().unwrap().str("code"),
            Some("X")
        );
    }

    #[test]
    fn reads_escapes_and_unicode() {
        let text = object(r#"{"s":"a\"b\\c\/d\b\f\n\r\t\u00e9\u65e5\ud83d\ude00 日本"}"#);
        assert_eq!(text.str("s"), Some("a\"b\\c/d\u{8}\u{c}\n\r\té日😀 日本"));
    }

    #[test]
    fn whole_numbers_only_as_u64() {
        let number = |text: &str| Json::parse(text).unwrap().as_u64();
        assert_eq!(number("0"), Some(0));
        assert_eq!(number("3600"), Some(3600));
        assert_eq!(number("18446744073709551615"), Some(u64::MAX));
        for text in ["-1", "1.0", "1e3", "18446744073709551616", "\"5\""] {
            assert_eq!(number(text), None, "{text}");
        }
        // Beyond a double's range, still JSON (JSON.parse reads it as Infinity): kept as written.
        assert_eq!(Json::parse("[973e+968]"), Some(Json::Array(vec![Json::Number("973e+968".into())])));
    }

    #[test]
    fn the_last_of_repeated_names_wins() {
        assert_eq!(object(r#"{"oid":"a","oid":"b"}"#).str("oid"), Some("b"));
    }

    #[test]
    fn refuses_what_is_not_exactly_one_json_value() {
        for text in [
            "",
            " ",
            "{",
            "}",
            "[1,]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{a:1}",
            "{\"a\":1}x",
            "[1 2]",
            "01",
            "1.",
            ".5",
            "-",
            "1e",
            "1e+",
            "+1",
            "tru",
            "nul",
            "True",
            "'a'",
            "\"a",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\u+123\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\u0041\"",
            "\"a\u{1}b\"",
            "NaN",
            "Infinity",
            "// c\n1",
            "\u{feff}{}",
        ] {
            assert_eq!(Json::parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn refuses_nesting_deeper_than_the_limit() {
        let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert!(Json::parse(&nested(MAX_DEPTH)).is_some());
        assert_eq!(Json::parse(&nested(MAX_DEPTH + 2)), None);
        assert_eq!(Json::parse(&"[".repeat(100_000)), None);
    }

    #[test]
    fn writes_what_it_reads() {
        let written = Json::from(
            Object::new()
                .with("s", "quote \" backslash \\ newline \n tab \t bell \u{7} é")
                .with("n", 42u64)
                .with_some("absent", None::<&str>)
                .with("list", vec![Json::Null, Json::from(true)]),
        )
        .to_text();
        assert_eq!(
            written,
            r#"{"s":"quote \" backslash \\ newline \n tab \t bell \u0007 é","n":42,"list":[null,true]}"#
        );
        assert_eq!(Json::parse(&written).unwrap().to_text(), written);
    }
}
