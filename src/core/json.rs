//! JSON without serde: a small value tree, a reader, a writer, and the two ways the core walks
//! values: a strict reader for JavaScript inputs and a tolerant one for server answers. Doing it
//! by hand keeps the wasm small and lets every error name its field.
//!
//! Objects keep their members in order (a repeated key: the last one counts). Numbers are `f64`,
//! exact for integers up to 2^53; a number too large for an `f64` (`1e400`) reads as `null`.
//! Strings borrow from the text unless they hold escapes, so reading allocates little.

// `push_str` of one ASCII character is a plain copy; `push(char)` encodes UTF-8 first, in a call
// that the size-optimized build does not inline. The writer is on every call's path.
#![allow(clippy::single_char_add_str)]

use crate::prelude::*;
use alloc::borrow::Cow;

use super::error::SdkError;
use super::text::{cat, push_u64};

/// Deepest nesting of arrays and objects accepted.
const MAX_DEPTH: u32 = 128;

/// A string read from JSON text: borrowed from it when it has no escapes.
pub(crate) type Str<'a> = Cow<'a, str>;

/// A JSON value, borrowing from the text it was read from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value<'a> {
    Null,
    Bool(bool),
    Number(f64),
    String(Str<'a>),
    Array(Vec<Value<'a>>),
    Object(Map<'a>),
}

/// The members of an object, in document order.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Map<'a>(Vec<(Str<'a>, Value<'a>)>);

impl<'a> Map<'a> {
    /// The value of `key` (the last one when repeated).
    pub(crate) fn get(&self, key: &str) -> Option<&Value<'a>> {
        let mut i = self.0.len();
        while i > 0 {
            i -= 1;
            if let Some((k, v)) = self.0.get(i) {
                if k.as_bytes() == key.as_bytes() {
                    return Some(v);
                }
            }
        }
        None
    }

    pub(crate) fn contains_key(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k == key)
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_ref())
    }

    /// The value of the member whose name is `snake` in lowerCamelCase (`connection_id` ->
    /// `connectionId`), without building that name.
    pub(crate) fn get_camel(&self, snake: &str) -> Option<&Value<'a>> {
        let mut i = self.0.len();
        while i > 0 {
            i -= 1;
            if let Some((k, v)) = self.0.get(i) {
                if is_camel_of(k, snake) {
                    return Some(v);
                }
            }
        }
        None
    }
}

impl<'a> Value<'a> {
    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    #[cfg(test)]
    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub(crate) fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub(crate) fn as_object(&self) -> Option<&Map<'a>> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The member `key` of an object.
    pub(crate) fn get(&self, key: &str) -> Option<&Value<'a>> {
        self.as_object().and_then(|m| m.get(key))
    }
}

/// `n` as an integer when it is one and lies in `min..=max` (both within ±2^53).
pub(crate) fn integer_in(n: f64, min: f64, max: f64) -> Option<f64> {
    (n >= min && n <= max && is_integral(n)).then_some(n)
}

/// Whether a finite `n` has no fractional part (every `f64` of magnitude 2^52 or more has none).
pub(crate) fn is_integral(n: f64) -> bool {
    const BIG: f64 = 4_503_599_627_370_496.0;
    n.is_finite() && (!(-BIG..=BIG).contains(&n) || (n as i64) as f64 == n)
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/// Parses JSON text (surrounding whitespace allowed). `None` for anything that is not exactly one
/// JSON value, nests deeper than 128 levels, or has a lone surrogate escape.
pub(crate) fn parse(text: &str) -> Option<Value<'_>> {
    parse_with(text, true)
}

/// [`parse`]; unless `lenient`, a number too large for an `f64` makes the text invalid instead of
/// reading as `null`.
fn parse_with(text: &str, lenient: bool) -> Option<Value<'_>> {
    let mut p = Parser { text, pos: 0, lenient };
    let v = p.value(MAX_DEPTH)?;
    p.skip_ws();
    (p.pos == text.len()).then_some(v)
}

/// Parses a JSON number (the whole of `text`, no whitespace): `None` when it is not one or does
/// not fit an `f64`.
pub(crate) fn parse_number(text: &str) -> Option<f64> {
    let mut p = Parser { text, pos: 0, lenient: false };
    let n = p.number()?;
    (p.pos == text.len() && n.is_finite()).then_some(n)
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    lenient: bool,
}

impl<'a> Parser<'a> {
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    #[inline(always)]
    fn bump(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    #[inline(always)]
    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn literal(&mut self, word: &str, v: Value<'a>) -> Option<Value<'a>> {
        let end = self.pos.checked_add(word.len())?;
        if self.text.as_bytes().get(self.pos..end)? != word.as_bytes() {
            return None;
        }
        self.pos = end;
        Some(v)
    }

    fn value(&mut self, depth: u32) -> Option<Value<'a>> {
        self.skip_ws();
        match self.peek()? {
            b'{' => {
                let depth = depth.checked_sub(1)?;
                self.pos += 1;
                let mut members = Vec::with_capacity(8);
                self.skip_ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Some(Value::Object(Map(members)));
                }
                loop {
                    self.skip_ws();
                    if self.peek()? != b'"' {
                        return None;
                    }
                    let key = self.string()?;
                    self.skip_ws();
                    if self.bump()? != b':' {
                        return None;
                    }
                    let v = self.value(depth)?;
                    members.push((key, v));
                    self.skip_ws();
                    match self.bump()? {
                        b',' => {}
                        b'}' => return Some(Value::Object(Map(members))),
                        _ => return None,
                    }
                }
            }
            b'[' => {
                let depth = depth.checked_sub(1)?;
                self.pos += 1;
                let mut items = Vec::with_capacity(4);
                self.skip_ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Some(Value::Array(items));
                }
                loop {
                    items.push(self.value(depth)?);
                    self.skip_ws();
                    match self.bump()? {
                        b',' => {}
                        b']' => return Some(Value::Array(items)),
                        _ => return None,
                    }
                }
            }
            b'"' => self.string().map(Value::String),
            b't' => self.literal("true", Value::Bool(true)),
            b'f' => self.literal("false", Value::Bool(false)),
            b'n' => self.literal("null", Value::Null),
            b'-' | b'0'..=b'9' => {
                let n = self.number()?;
                if n.is_finite() {
                    Some(Value::Number(n))
                } else {
                    self.lenient.then_some(Value::Null)
                }
            }
            _ => None,
        }
    }

    /// A string; `pos` is at its opening quote.
    fn string(&mut self) -> Option<Str<'a>> {
        self.pos += 1;
        let text: &'a str = self.text;
        let mut out = String::new();
        loop {
            // The run of plain characters up to the next quote, backslash or control character.
            let bytes = self.text.as_bytes();
            let run = self.pos;
            while let Some(&b) = bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            match self.peek()? {
                b'"' => {
                    let s = text.get(run..self.pos)?;
                    self.pos += 1;
                    if out.is_empty() {
                        return Some(Cow::Borrowed(s));
                    }
                    out.push_str(s);
                    return Some(Cow::Owned(out));
                }
                b'\\' => {
                    out.push_str(self.text.get(run..self.pos)?);
                    self.pos += 1;
                    let c = match self.bump()? {
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
                    };
                    out.push(c);
                }
                _ => return None,
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut n = 0u32;
        for _ in 0..4 {
            let d = char::from(self.bump()?).to_digit(16)?;
            n = n * 16 + d;
        }
        Some(n)
    }

    /// The character of `\uXXXX` (`pos` after the `u`), joining a surrogate pair.
    fn unicode_escape(&mut self) -> Option<char> {
        let hi = self.hex4()?;
        if (0xDC00..0xE000).contains(&hi) {
            return None;
        }
        if !(0xD800..0xDC00).contains(&hi) {
            return char::from_u32(hi);
        }
        if self.bump()? != b'\\' || self.bump()? != b'u' {
            return None;
        }
        let lo = self.hex4()?;
        if !(0xDC00..0xE000).contains(&lo) {
            return None;
        }
        char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
    }

    /// A number by the JSON grammar; infinite when it is too large for an `f64`.
    fn number(&mut self) -> Option<f64> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        // The digits are kept exactly in `mantissa` while it fits a u64 (so integers up to
        // 18446744073709551615 convert with one rounding); later digits of the integer part only
        // scale it, later fraction digits are dropped.
        let mut mantissa: u64 = 0;
        let mut exp: i64 = 0;
        let mut take = |d: u8, exp: &mut i64, in_fraction: bool| {
            if mantissa <= (u64::MAX - 9) / 10 {
                mantissa = mantissa * 10 + u64::from(d);
                if in_fraction {
                    *exp -= 1;
                }
            } else if !in_fraction {
                *exp += 1;
            }
        };
        match self.bump()? {
            b'0' => {}
            d @ b'1'..=b'9' => {
                take(d - b'0', &mut exp, false);
                while let Some(d @ b'0'..=b'9') = self.peek() {
                    self.pos += 1;
                    take(d - b'0', &mut exp, false);
                }
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            let mut any = false;
            while let Some(d @ b'0'..=b'9') = self.peek() {
                self.pos += 1;
                any = true;
                take(d - b'0', &mut exp, true);
            }
            if !any {
                return None;
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            let minus = match self.peek() {
                Some(b'-') => {
                    self.pos += 1;
                    true
                }
                Some(b'+') => {
                    self.pos += 1;
                    false
                }
                _ => false,
            };
            let mut e: i64 = 0;
            let mut any = false;
            while let Some(d @ b'0'..=b'9') = self.peek() {
                self.pos += 1;
                any = true;
                e = (e * 10 + i64::from(d - b'0')).min(1_000_000);
            }
            if !any {
                return None;
            }
            exp += if minus { -e } else { e };
        }
        let v = scale(mantissa, exp);
        Some(if negative { -v } else { v })
    }
}

/// Powers of ten that an `f64` holds exactly.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
    1e20, 1e21, 1e22,
];

/// `mantissa * 10^exp`: correctly rounded when `mantissa` and the power are exact (up to 2^53 and
/// 10^22), otherwise within a few units in the last place; infinite when too large.
fn scale(mantissa: u64, exp: i64) -> f64 {
    let mut v = mantissa as f64;
    if mantissa == 0 {
        return 0.0;
    }
    let mut e = exp.clamp(-2000, 2000);
    while e > 22 {
        v *= 1e22;
        e -= 22;
    }
    while e < -22 {
        v /= 1e22;
        e += 22;
    }
    let p = POW10.get(e.unsigned_abs() as usize).copied().unwrap_or(1.0);
    if e >= 0 {
        v * p
    } else {
        v / p
    }
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/// Appends `s` as a JSON string: `"` and `\` escaped, control characters as `\n`, `\t`, ... or
/// `\u00XX`, everything else as is.
pub(crate) fn push_str(out: &mut String, s: &str) {
    out.push_str("\"");
    let bytes = s.as_bytes();
    let mut run = 0;
    let mut i = 0;
    // Index loops rather than iterator adapters: the size-optimized build does not inline those.
    while let Some(&b) = bytes.get(i) {
        i += 1;
        if b >= 0x20 && b != b'"' && b != b'\\' {
            continue;
        }
        let esc: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            _ => "",
        };
        out.push_str(s.get(run..i - 1).unwrap_or_default());
        if esc.is_empty() {
            const HEX: &str = "0123456789abcdef";
            let (hi, lo) = (usize::from(b >> 4), usize::from(b & 15));
            out.push_str("\\u00");
            out.push_str(HEX.get(hi..hi + 1).unwrap_or_default());
            out.push_str(HEX.get(lo..lo + 1).unwrap_or_default());
        } else {
            out.push_str(esc);
        }
        run = i;
    }
    out.push_str(s.get(run..).unwrap_or_default());
    out.push_str("\"");
}

/// `s` as a JSON string.
#[cfg(any(test, target_arch = "wasm32"))]
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_str(&mut out, s);
    out
}

/// Writes one JSON object member by member: `{"a":1,"b":"x"}`. Keys are written as given (they
/// are the crate's own ASCII names).
pub(crate) struct ObjectWriter<'a> {
    out: &'a mut String,
    empty: bool,
}

impl<'a> ObjectWriter<'a> {
    pub(crate) fn new(out: &'a mut String) -> Self {
        out.push_str("{");
        ObjectWriter { out, empty: true }
    }

    /// Starts member `key`; the caller writes its value into the returned buffer.
    pub(crate) fn key(&mut self, key: &str) -> &mut String {
        self.out.push_str(if self.empty { "\"" } else { ",\"" });
        self.empty = false;
        self.out.push_str(key);
        self.out.push_str("\":");
        self.out
    }

    pub(crate) fn str(&mut self, key: &str, v: &str) -> &mut Self {
        push_str(self.key(key), v);
        self
    }

    /// A string or `null`.
    pub(crate) fn opt_str(&mut self, key: &str, v: Option<&str>) -> &mut Self {
        match v {
            Some(v) => push_str(self.key(key), v),
            None => self.key(key).push_str("null"),
        }
        self
    }

    /// A string member, left out when `None`.
    pub(crate) fn some_str(&mut self, key: &str, v: Option<&str>) -> &mut Self {
        if let Some(v) = v {
            push_str(self.key(key), v);
        }
        self
    }

    pub(crate) fn u64(&mut self, key: &str, v: u64) -> &mut Self {
        push_u64(self.key(key), v);
        self
    }

    /// A number or `null`.
    pub(crate) fn opt_u64(&mut self, key: &str, v: Option<u64>) -> &mut Self {
        match v {
            Some(v) => push_u64(self.key(key), v),
            None => self.key(key).push_str("null"),
        }
        self
    }

    pub(crate) fn bool(&mut self, key: &str, v: bool) -> &mut Self {
        self.key(key).push_str(if v { "true" } else { "false" });
        self
    }

    /// An array of strings.
    pub(crate) fn strs(&mut self, key: &str, items: &[String]) -> &mut Self {
        let out = self.key(key);
        out.push_str("[");
        for (n, s) in items.iter().enumerate() {
            if n > 0 {
                out.push_str(",");
            }
            push_str(out, s);
        }
        out.push_str("]");
        self
    }

    /// An array of values written by `write`.
    pub(crate) fn array<T>(&mut self, key: &str, items: &[T], write: impl Fn(&T, &mut String)) -> &mut Self {
        let out = self.key(key);
        push_array(out, items, write);
        self
    }

    pub(crate) fn end(&mut self) {
        self.out.push_str("}");
    }
}

/// Appends `[a,b,...]`, each item written by `write`.
pub(crate) fn push_array<T>(out: &mut String, items: &[T], write: impl Fn(&T, &mut String)) {
    out.push_str("[");
    for (n, item) in items.iter().enumerate() {
        if n > 0 {
            out.push_str(",");
        }
        write(item, out);
    }
    out.push_str("]");
}

// ---------------------------------------------------------------------------------------------
// Walking
// ---------------------------------------------------------------------------------------------

/// Whether `name` is `snake` in lowerCamelCase: every `_` dropped and the character after it
/// upper-cased (`connection_tool_mappings` -> `connectionToolMappings`).
fn is_camel_of(name: &str, snake: &str) -> bool {
    let (name, snake) = (name.as_bytes(), snake.as_bytes());
    let (mut i, mut j) = (0, 0);
    let mut upper = false;
    while let Some(&c) = snake.get(j) {
        j += 1;
        if c == b'_' {
            upper = true;
            continue;
        }
        let want = if upper { c.to_ascii_uppercase() } else { c };
        upper = false;
        if name.get(i) != Some(&want) {
            return false;
        }
        i += 1;
    }
    i == name.len()
}

/// `parent.key`, or `key` at the root.
pub(crate) fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        cat(&[parent, ".", key])
    }
}

/// `key[i]`.
pub(crate) fn index(key: &str, i: usize) -> String {
    let mut s = String::with_capacity(key.len() + 4);
    s.push_str(key);
    s.push('[');
    push_u64(&mut s, i as u64);
    s.push(']');
    s
}

/// At most 80 characters of a user-supplied key, for an error message.
fn short(key: &str) -> String {
    let mut s: String = key.chars().take(80).filter(|c| !c.is_control()).collect();
    if key.chars().nth(80).is_some() {
        s.push('…');
    }
    s
}

/// Parses the JSON text of a JavaScript input. An optional input may be empty or `null`.
pub(crate) fn parse_input(text: &str, optional: bool) -> Result<Value<'_>, SdkError> {
    let t = text.trim();
    if optional && (t.is_empty() || t == "null") {
        return Ok(Value::Object(Map::default()));
    }
    // JSON.stringify never writes a number beyond the f64 range: such an input is not its JSON.
    parse_with(t, false).ok_or_else(|| SdkError::validation("", "input must be a JSON object"))
}

/// A JavaScript input object being read: every key must be one of `keys`; `null` is the same as
/// absent.
pub(crate) struct Input<'a> {
    map: &'a Map<'a>,
    path: String,
}

impl<'a> Input<'a> {
    /// `v` as an object at `path` ("" for the input itself) whose keys are all in `keys`.
    pub(crate) fn new(v: &'a Value<'a>, path: &str, keys: &[&str]) -> Result<Self, SdkError> {
        let Some(map) = v.as_object() else {
            let what = if path.is_empty() { "input" } else { path };
            return Err(SdkError::validation(path, cat(&[what, " must be an object, not ", type_name(v)])));
        };
        if let Some(k) = map.keys().find(|k| !keys.contains(k)) {
            let mut expected = String::new();
            for (n, key) in keys.iter().enumerate() {
                if n > 0 {
                    expected.push_str(", ");
                }
                expected.push_str(key);
            }
            let field = join(path, k);
            let msg = cat(&["unknown option `", &short(&field), "`; expected one of: ", &expected]);
            return Err(SdkError::validation(&field, msg));
        }
        Ok(Input { map, path: path.to_owned() })
    }

    pub(crate) fn path(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// The value at `key`, `None` when absent or `null`.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Value<'a>> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn type_error(&self, key: &str, expected: &str, v: &Value) -> SdkError {
        let p = self.path(key);
        let msg = cat(&[&p, " must be ", expected, ", not ", type_name(v)]);
        SdkError::validation(&p, msg)
    }

    pub(crate) fn opt_str(&self, key: &str) -> Result<Option<String>, SdkError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(String::from(s.as_ref()))),
            Some(v) => Err(self.type_error(key, "a string", v)),
        }
    }

    pub(crate) fn req_str(&self, key: &str) -> Result<String, SdkError> {
        self.opt_str(key)?.ok_or_else(|| {
            let p = self.path(key);
            let msg = cat(&[&p, " is required"]);
            SdkError::validation(&p, msg)
        })
    }

    pub(crate) fn opt_bool(&self, key: &str) -> Result<Option<bool>, SdkError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(self.type_error(key, "a boolean", v)),
        }
    }

    /// An integer in `min..=max`.
    pub(crate) fn opt_int(&self, key: &str, min: u32, max: u32) -> Result<Option<u32>, SdkError> {
        let Some(v) = self.get(key) else { return Ok(None) };
        let Value::Number(f) = *v else { return Err(self.type_error(key, "an integer", v)) };
        let p = self.path(key);
        if !is_integral(f) {
            let msg = cat(&[&p, " must be an integer"]);
            return Err(SdkError::validation(&p, msg));
        }
        if f < f64::from(min) || f > f64::from(max) {
            let mut msg = cat(&[&p, " must be between "]);
            push_u64(&mut msg, u64::from(min));
            msg.push_str(" and ");
            push_u64(&mut msg, u64::from(max));
            return Err(SdkError::validation(&p, msg));
        }
        // In range and integral, so the conversion is exact.
        Ok(Some(f as u32))
    }

    /// An array, `None` when absent or `null`.
    pub(crate) fn opt_array(&self, key: &str) -> Result<Option<&'a Vec<Value<'a>>>, SdkError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(v) => Err(self.type_error(key, "an array", v)),
        }
    }

    /// A nested object with its own allowed keys.
    pub(crate) fn opt_object(&self, key: &str, keys: &[&str]) -> Result<Option<Input<'a>>, SdkError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => Input::new(v, &self.path(key), keys).map(Some),
        }
    }
}

/// The JSON type of a value, for error messages.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Parses a server body that must be a JSON object.
pub(crate) fn parse_wire_object(body: &str) -> Result<Map<'_>, SdkError> {
    if body.trim().is_empty() {
        return Err(SdkError::invalid_response(None, "the body is empty"));
    }
    match parse(body) {
        Some(Value::Object(map)) => Ok(map),
        Some(v) => Err(SdkError::invalid_response(None, cat(&["the body is ", type_name(&v), ", not an object"]))),
        None => Err(SdkError::invalid_response(None, "the body is not valid JSON")),
    }
}

/// A server object being read tolerantly: members under their proto (snake_case) or
/// lowerCamelCase names, missing or `null` members give defaults, unknown members are ignored,
/// and a member of the wrong type is an `InvalidResponse` naming its path.
pub(crate) struct Wire<'a, 'p> {
    map: &'a Map<'a>,
    /// Where the object is, for error messages (built only then): the object it is a member of,
    /// the member's name there, and its index when the member is an array.
    at: Option<(&'p Wire<'a, 'p>, &'p str, Option<usize>)>,
}

impl<'a, 'p> Wire<'a, 'p> {
    pub(crate) fn root(map: &'a Map<'a>) -> Self {
        Wire { map, at: None }
    }

    fn write_path(&self, out: &mut String) {
        if let Some((parent, key, index)) = self.at {
            parent.write_path(out);
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(key);
            if let Some(i) = index {
                out.push('[');
                push_u64(out, i as u64);
                out.push(']');
            }
        }
    }

    /// `path.key`, or `key` at the root.
    fn path(&self, key: &str) -> String {
        let mut p = String::new();
        self.write_path(&mut p);
        if !p.is_empty() {
            p.push('.');
        }
        p.push_str(key);
        p
    }

    /// The member `snake` (or its camelCase twin), `None` when absent or `null`.
    pub(crate) fn get(&self, snake: &str) -> Option<&'a Value<'a>> {
        let v = match self.map.get(snake) {
            Some(v) if !v.is_null() => Some(v),
            _ => self.map.get_camel(snake),
        };
        v.filter(|v| !v.is_null())
    }

    fn wrong(&self, key: &str, expected: &str, v: &Value) -> SdkError {
        let msg = cat(&["`", &self.path(key), "` is ", type_name(v), ", expected ", expected]);
        SdkError::invalid_response(None, msg)
    }

    fn not_a(&self, key: &str, what: &str) -> SdkError {
        SdkError::invalid_response(None, cat(&["`", &self.path(key), "` is not ", what]))
    }

    /// A string member, `None` when missing.
    pub(crate) fn opt_str(&self, key: &str) -> Result<Option<&'a str>, SdkError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(self.wrong(key, "a string", v)),
        }
    }

    /// A string member, `""` when missing.
    pub(crate) fn str(&self, key: &str) -> Result<&'a str, SdkError> {
        Ok(self.opt_str(key)?.unwrap_or_default())
    }

    /// A `uint32` member: a number or a decimal string, `0` when missing.
    pub(crate) fn u32(&self, key: &str) -> Result<u32, SdkError> {
        let parsed = match self.get(key) {
            None => return Ok(0),
            Some(Value::Number(n)) => integer_in(*n, 0.0, f64::from(u32::MAX)).map(|n| n as u32),
            Some(Value::String(s)) => parse_u64(s.trim()).and_then(|n| u32::try_from(n).ok()),
            Some(v) => return Err(self.wrong(key, "a number", v)),
        };
        parsed.ok_or_else(|| self.not_a(key, "a uint32"))
    }

    /// Writes the array of strings `key` (`[]` when missing) as JSON.
    pub(crate) fn write_strings(&self, key: &str, out: &mut String) -> Result<(), SdkError> {
        self.write_array(key, "a string", out, |_, item, out| match item {
            Value::String(s) => {
                push_str(out, s);
                Ok(true)
            }
            _ => Ok(false),
        })
    }

    /// Writes the array `key` (`[]` when missing) as JSON, each item with `write`, which returns
    /// `false` for an item that is not `expected`.
    fn write_array(
        &self,
        key: &str,
        expected: &str,
        out: &mut String,
        mut write: impl FnMut(usize, &'a Value<'a>, &mut String) -> Result<bool, SdkError>,
    ) -> Result<(), SdkError> {
        out.push_str("[");
        if let Some(v) = self.get(key) {
            let Value::Array(items) = v else { return Err(self.wrong(key, "an array", v)) };
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(",");
                }
                if !write(i, item, out)? {
                    return Err(self.wrong(&index(key, i), expected, item));
                }
            }
        }
        out.push_str("]");
        Ok(())
    }

    /// A nested object, `None` when missing.
    pub(crate) fn object<'s>(&'s self, key: &'s str) -> Result<Option<Wire<'a, 's>>, SdkError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Wire { map, at: Some((self, key, None)) })),
            Some(v) => Err(self.wrong(key, "an object", v)),
        }
    }

    /// A nested object that must be present.
    pub(crate) fn required_object<'s>(&'s self, key: &'s str) -> Result<Wire<'a, 's>, SdkError> {
        self.object(key)?.ok_or_else(|| SdkError::invalid_response(None, cat(&["`", &self.path(key), "` is missing"])))
    }

    /// Writes the array of objects `key` (`[]` when missing) as JSON, each object with `write`.
    pub(crate) fn write_objects(
        &self,
        key: &str,
        out: &mut String,
        mut write: impl FnMut(&Wire<'a, '_>, &mut String) -> Result<(), SdkError>,
    ) -> Result<(), SdkError> {
        self.write_array(key, "an object", out, |i, item, out| match item {
            Value::Object(map) => write(&Wire { map, at: Some((self, key, Some(i))) }, out).map(|()| true),
            _ => Ok(false),
        })
    }

    /// A `google.protobuf.Timestamp`: an RFC 3339 string kept as received, or a
    /// `{seconds, nanos}` object rendered as RFC 3339. Missing, `""` and the zero time
    /// (`0001-01-01T00:00:00Z`, or `{}`/epoch zero in object form) give `None`.
    pub(crate) fn timestamp(&self, key: &str) -> Result<Option<String>, SdkError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(if super::time::is_zero_rfc3339(s) { None } else { Some(String::from(s.as_ref())) }),
            Some(Value::Object(map)) => {
                let w = Wire { map, at: Some((self, key, None)) };
                let secs = w.int64("seconds")?;
                let nanos = w.int64("nanos")?;
                if (secs == 0 || secs == super::time::ZERO_TIME_SECS) && nanos == 0 {
                    return Ok(None);
                }
                let nanos = u32::try_from(nanos).ok().filter(|n| *n < 1_000_000_000);
                nanos.and_then(|n| super::time::rfc3339(secs, n)).map(Some).ok_or_else(|| self.not_a(key, "a valid timestamp"))
            }
            Some(v) => Err(self.wrong(key, "a timestamp", v)),
        }
    }

    /// An `int64` member: an integral number or a decimal string, `0` when missing.
    fn int64(&self, key: &str) -> Result<i64, SdkError> {
        const LIMIT: f64 = 9_223_372_036_854_775_807.0;
        let parsed = match self.get(key) {
            None => return Ok(0),
            Some(Value::Number(n)) => integer_in(*n, -LIMIT, LIMIT).map(|n| n as i64),
            Some(Value::String(s)) => parse_i64(s.trim()),
            Some(v) => return Err(self.wrong(key, "an integer", v)),
        };
        parsed.ok_or_else(|| self.not_a(key, "an integer"))
    }
}

/// A decimal `i64` string (an optional sign, then digits), as Rust's `str::parse::<i64>` reads it.
pub(crate) fn parse_i64(s: &str) -> Option<i64> {
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n: i64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        let d = i64::from(b - b'0');
        n = n.checked_mul(10)?;
        n = if negative { n.checked_sub(d)? } else { n.checked_add(d)? };
    }
    Some(n)
}

/// A decimal `u64` string (an optional `+`, then digits), as Rust's `str::parse::<u64>` reads it.
pub(crate) fn parse_u64(s: &str) -> Option<u64> {
    let digits = s.strip_prefix('+').unwrap_or(s);
    if digits.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::ErrorKind;

    /// The same value as serde_json reads it (numbers compared as f64).
    fn to_serde(v: &Value) -> serde_json::Value {
        match v {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::json!(n),
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::Array(items) => serde_json::Value::Array(items.iter().map(to_serde).collect()),
            Value::Object(m) => {
                let mut out = serde_json::Map::new();
                for (k, v) in &m.0 {
                    out.insert(k.to_string(), to_serde(v));
                }
                serde_json::Value::Object(out)
            }
        }
    }

    /// serde_json's value with every number as an f64.
    fn floats(v: serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Number(n) => serde_json::json!(n.as_f64().unwrap()),
            serde_json::Value::Array(items) => serde_json::Value::Array(items.into_iter().map(floats).collect()),
            serde_json::Value::Object(m) => serde_json::Value::Object(m.into_iter().map(|(k, v)| (k, floats(v))).collect()),
            other => other,
        }
    }

    fn same_as_serde(text: &str) {
        let ours = parse(text).map(|v| to_serde(&v));
        let theirs = serde_json::from_str::<serde_json::Value>(text).ok().map(floats);
        assert_eq!(ours, theirs, "{text:?}");
    }

    #[test]
    fn reads_what_serde_json_reads() {
        for text in [
            "null", "true", "false", "0", "-0", "1", "-1", "1.5", "-2.25e-3", "3e2", "1E+2", "0.1", "123456789.123456789",
            "9007199254740993", "18446744073709551615", "18446744064486179580", "1e22", "1e23", "4.9e-324", "2.2250738585072014e-308",
            " {\"a\" : [1, {\"b\":null}, \"x\"] , \"c\":{}} ", "[]", "[ ]", "{}", "\"\"", "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"",
            "\"\\u00e9\\u2603\\ud834\\udd1e\"", "\"é☃𝄞\"", "{\"a\":1,\"a\":2}", "[1,2,3]",
            // Not JSON.
            "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "01", "1.", ".5", "-", "+1", "1e", "1e+", "0x10", "NaN",
            "Infinity", "tru", "nul", "\"abc", "\"a\nb\"", "\"\\x\"", "\"\\u12\"", "\"\\ud834\"", "\"\\udd1e\"", "\"\\ud834\\u0041\"",
            "[1] 2", "{} {}", "'a'", "[\"a\"\u{0}]",
        ] {
            same_as_serde(text);
        }
        assert_eq!(parse("18446744064486179580"), Some(Value::Number(18_446_744_064_486_179_580.0)));
        assert_eq!(parse("9007199254740993"), Some(Value::Number(9_007_199_254_740_992.0)));
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(parse(&nested(128)).is_some());
        assert!(parse(&nested(129)).is_none());
    }

    #[test]
    fn huge_numbers_read_as_null() {
        let v = parse(r#"{"a":1e400,"b":"1e400","c":-1e999,"d":[1.5,-2,3e2],"e":"\"1e999"}"#).unwrap();
        assert_eq!(to_serde(&v), serde_json::json!({"a":null,"b":"1e400","c":null,"d":[1.5,-2.0,300.0],"e":"\"1e999"}));
        let big = format!("{{\"x\":{}}}", "9".repeat(400));
        assert_eq!(to_serde(&parse(&big).unwrap()), serde_json::json!({"x":null}));
        assert_eq!(parse("1e-400"), Some(Value::Number(0.0)));
        assert!(parse("{").is_none());
        assert!(parse("{\"a\":1e400").is_none());
        assert!(parse_with("{\"a\":1e400}", false).is_none());
        assert_eq!(parse_number("2.5e3"), Some(2500.0));
        for bad in ["1e400", " 1", "1 ", "\"1\"", "", "-", "NaN"] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn random_numbers_match_std() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let text = match x % 4 {
                0 => (x >> 11).to_string(),
                1 => format!("{}.{}", x % 100_000, (x >> 20) % 1000),
                2 => format!("{}e{}", (x >> 8) % 1_000_000, (x >> 40) as i64 % 40 - 20),
                _ => format!("-{}.{:03}e-{}", x % 1000, (x >> 30) % 1000, (x >> 50) % 5),
            };
            let want: f64 = text.parse().unwrap();
            let got = parse(&text).and_then(|v| v.as_f64()).unwrap();
            let ulps = (got.to_bits() as i64 - want.to_bits() as i64).abs();
            assert!(ulps <= 2, "{text}: {got} vs {want}");
        }
    }

    #[test]
    fn writes_strings_as_serde_json_does() {
        for s in ["", "plain", "quote \" and \\ back", "\u{0}\u{1}\u{8}\u{9}\u{a}\u{b}\u{c}\u{d}\u{1f}\u{7f}", "é☃𝄞 / </script>"] {
            assert_eq!(quote(s), serde_json::to_string(s).unwrap(), "{s:?}");
        }
        let all: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        assert_eq!(quote(&all), serde_json::to_string(&all).unwrap());
        assert_eq!(parse(&quote(&all)), Some(Value::String(all.into())));
        assert!(matches!(parse("\"plain\""), Some(Value::String(Cow::Borrowed("plain")))));
        assert!(matches!(parse("\"a\\nb\""), Some(Value::String(Cow::Owned(_)))));
    }

    #[test]
    fn object_writer() {
        let mut out = String::new();
        let mut o = ObjectWriter::new(&mut out);
        o.str("a", "x").opt_str("b", None).some_str("c", None).some_str("d", Some("y")).u64("e", 42).opt_u64("f", None);
        o.bool("g", true).strs("h", &["1".to_owned(), "2".to_owned()]).array("i", &[1u64, 2], |n, out| push_u64(out, *n)).end();
        assert_eq!(out, r#"{"a":"x","b":null,"d":"y","e":42,"f":null,"g":true,"h":["1","2"],"i":[1,2]}"#);
        let mut out = String::new();
        ObjectWriter::new(&mut out).end();
        assert_eq!(out, "{}");
    }

    #[test]
    fn camel_case_names() {
        for (snake, camel) in [
            ("connection_tool_mappings", "connectionToolMappings"),
            ("id", "id"),
            ("mcp_server_url", "mcpServerUrl"),
            ("a__b", "aB"),
            ("a_", "a"),
            ("_a", "A"),
            ("a_1", "a1"),
        ] {
            assert!(is_camel_of(camel, snake), "{snake}");
            assert!(!is_camel_of(snake, snake) || snake == camel, "{snake}");
            assert!(!is_camel_of(&format!("{camel}x"), snake));
            assert!(!is_camel_of(&camel[..camel.len() - 1], snake));
        }
    }

    #[test]
    fn input_reader() {
        let v = parse(r#"{"a":"x","b":null,"n":5,"f":1.5,"t":true,"o":{"k":1}}"#).unwrap();
        let keys = ["a", "b", "n", "f", "t", "o", "missing"];
        let i = Input::new(&v, "", &keys).unwrap();
        assert_eq!(i.opt_str("a").unwrap().as_deref(), Some("x"));
        assert_eq!(i.opt_str("b").unwrap(), None);
        assert_eq!(i.req_str("b").unwrap_err().message, "b is required");
        assert_eq!(i.opt_str("n").unwrap_err().message, "n must be a string, not a number");
        assert_eq!(i.opt_int("n", 0, 10).unwrap(), Some(5));
        assert_eq!(i.opt_int("n", 6, 10).unwrap_err().message, "n must be between 6 and 10");
        assert_eq!(i.opt_int("f", 0, 10).unwrap_err().message, "f must be an integer");
        assert_eq!(i.opt_bool("t").unwrap(), Some(true));
        assert_eq!(i.opt_bool("a").unwrap_err().field.as_deref(), Some("a"));
        let o = i.opt_object("o", &["j"]).err().unwrap();
        assert_eq!(o.field.as_deref(), Some("o.k"));
        assert!(o.message.contains("unknown option `o.k`"), "{}", o.message);
        let e = Input::new(&v, "", &["a"]).err().unwrap();
        assert_eq!(e.kind, ErrorKind::Validation);
        assert_eq!(e.field.as_deref(), Some("b"));
        assert_eq!(e.message, "unknown option `b`; expected one of: a");
        let arr = Value::Array(vec![]);
        assert_eq!(Input::new(&arr, "", &[]).err().unwrap().message, "input must be an object, not an array");
        assert!(parse_input("{\"a\":1e400}", false).is_err());
        assert_eq!(parse_input(" null ", true).unwrap(), Value::Object(Map::default()));
    }

    #[test]
    fn integers() {
        assert!(is_integral(5.0) && is_integral(-3.0) && is_integral(1e300) && is_integral(-1e20));
        assert!(!is_integral(1.5) && !is_integral(f64::NAN) && !is_integral(f64::INFINITY) && !is_integral(-0.25));
        assert_eq!(integer_in(3.0, 0.0, 16.0), Some(3.0));
        assert_eq!(integer_in(17.0, 0.0, 16.0), None);
        for s in ["0", "7", "+7", "-7", "007", "9223372036854775807", "-9223372036854775808", "", "+", "-", "1 ", "x", "9223372036854775808", "1.0"] {
            assert_eq!(parse_i64(s), s.parse::<i64>().ok(), "{s}");
            assert_eq!(parse_u64(s), s.parse::<u64>().ok(), "{s}");
        }
    }

    #[test]
    fn wire_reader_accepts_both_names_and_defaults() {
        let map = parse_wire_object(r#"{"next_page_token":"n","prevPageToken":"p","total_size":"7","tools":null,"x":{"seconds":"1","nanos":5000000}}"#)
            .unwrap();
        let w = Wire::root(&map);
        assert_eq!(w.str("next_page_token").unwrap(), "n");
        assert_eq!(w.str("prev_page_token").unwrap(), "p");
        assert_eq!(w.u32("total_size").unwrap(), 7);
        assert_eq!(w.u32("absent").unwrap(), 0);
        let mut tools = String::new();
        w.write_strings("tools", &mut tools).unwrap();
        assert_eq!(tools, "[]");
        assert_eq!(w.timestamp("x").unwrap().as_deref(), Some("1970-01-01T00:00:01.005Z"));
        let e = w.write_strings("next_page_token", &mut String::new()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidResponse);
        assert!(e.message.contains("`next_page_token` is a string, expected an array"), "{}", e.message);
    }

    #[test]
    fn wire_bodies_that_are_not_objects() {
        for body in ["", "  ", "[]", "5", "\"x\"", "null", "{", "<html>"] {
            let e = parse_wire_object(body).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidResponse, "{body}");
        }
    }
}
