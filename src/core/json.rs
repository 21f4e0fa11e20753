//! Walking `serde_json::Value`s by hand: a strict reader for JavaScript inputs and a tolerant one
//! for server answers. Hand-walking keeps the wasm small and lets every error name its field.

use serde_json::{Map, Value};

use super::error::SdkError;

/// Parses JSON, turning numbers too large for an `f64` (`1e400`) into `null` instead of failing.
pub(crate) fn parse_lenient(text: &str) -> Result<Value, serde_json::Error> {
    match serde_json::from_str(text) {
        Err(e) if e.to_string().starts_with("number out of range") => serde_json::from_str(&null_huge_numbers(text)),
        other => other,
    }
}

/// Replaces every number outside strings that does not fit an `f64` by `null`.
fn null_huge_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    let mut in_string = false;
    let mut escaped = false;
    while let Some((start, c)) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        if c == '"' {
            in_string = true;
            out.push(c);
            continue;
        }
        if c == '-' || c.is_ascii_digit() {
            let mut end = start + c.len_utf8();
            while let Some(&(i, n)) = chars.peek() {
                if n.is_ascii_digit() || matches!(n, '.' | 'e' | 'E' | '+' | '-') {
                    end = i + n.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let token = text.get(start..end).unwrap_or_default();
            // serde_json rejects exactly the numbers that overflow an f64.
            match serde_json::from_str::<Value>(token) {
                Err(e) if e.to_string().starts_with("number out of range") => out.push_str("null"),
                _ => out.push_str(token),
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// `snake_case` to `lowerCamelCase`: `connection_tool_mappings` -> `connectionToolMappings`.
pub(crate) fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `parent.key`, or `key` at the root.
pub(crate) fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// At most 80 characters of a user-supplied key, for an error message.
fn short(key: &str) -> String {
    let mut s: String = key.chars().take(80).filter(|c| !c.is_control()).collect();
    if key.chars().count() > 80 {
        s.push('…');
    }
    s
}

/// Parses the JSON text of a JavaScript input. An optional input may be empty or `null`.
pub(crate) fn parse_input(text: &str, optional: bool) -> Result<Value, SdkError> {
    let t = text.trim();
    if optional && (t.is_empty() || t == "null") {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_str(t).map_err(|_| SdkError::validation("", "input must be a JSON object"))
}

/// A JavaScript input object being read: every key must be one of `keys`; `null` is the same as
/// absent.
pub(crate) struct Input<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Input<'a> {
    /// `v` as an object at `path` ("" for the input itself) whose keys are all in `keys`.
    pub(crate) fn new(v: &'a Value, path: &str, keys: &[&str]) -> Result<Self, SdkError> {
        let Some(map) = v.as_object() else {
            let what = if path.is_empty() { "input" } else { path };
            return Err(SdkError::validation(path, format!("{what} must be an object, not {}", type_name(v))));
        };
        if let Some(k) = map.keys().find(|k| !keys.contains(&k.as_str())) {
            let mut expected = String::new();
            for (n, key) in keys.iter().enumerate() {
                if n > 0 {
                    expected.push_str(", ");
                }
                expected.push_str(key);
            }
            return Err(SdkError::validation(
                &join(path, k),
                format!("unknown option `{}`; expected one of: {expected}", short(&join(path, k))),
            ));
        }
        Ok(Input { map, path: path.to_owned() })
    }

    pub(crate) fn path(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// The value at `key`, `None` when absent or `null`.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn type_error(&self, key: &str, expected: &str, v: &Value) -> SdkError {
        let p = self.path(key);
        SdkError::validation(&p, format!("{p} must be {expected}, not {}", type_name(v)))
    }

    pub(crate) fn opt_str(&self, key: &str) -> Result<Option<String>, SdkError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(v) => Err(self.type_error(key, "a string", v)),
        }
    }

    pub(crate) fn req_str(&self, key: &str) -> Result<String, SdkError> {
        self.opt_str(key)?.ok_or_else(|| {
            let p = self.path(key);
            SdkError::validation(&p, format!("{p} is required"))
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
        let Value::Number(n) = v else { return Err(self.type_error(key, "an integer", v)) };
        let p = self.path(key);
        let f = n.as_f64().unwrap_or(f64::NAN);
        if !f.is_finite() || f.fract() != 0.0 {
            return Err(SdkError::validation(&p, format!("{p} must be an integer")));
        }
        if f < f64::from(min) || f > f64::from(max) {
            return Err(SdkError::validation(&p, format!("{p} must be between {min} and {max}")));
        }
        // In range and integral, so the conversion is exact.
        Ok(Some(f as u32))
    }

    /// An array, `None` when absent or `null`.
    pub(crate) fn opt_array(&self, key: &str) -> Result<Option<&'a Vec<Value>>, SdkError> {
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
pub(crate) fn parse_wire_object(body: &str) -> Result<Map<String, Value>, SdkError> {
    if body.trim().is_empty() {
        return Err(SdkError::invalid_response(None, "the body is empty"));
    }
    match parse_lenient(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(v) => Err(SdkError::invalid_response(None, format!("the body is {}, not an object", type_name(&v)))),
        Err(_) => Err(SdkError::invalid_response(None, "the body is not valid JSON")),
    }
}

/// A server object being read tolerantly: members under their proto (snake_case) or
/// lowerCamelCase names, missing or `null` members give defaults, unknown members are ignored,
/// and a member of the wrong type is an `InvalidResponse` naming its path.
pub(crate) struct Wire<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Wire<'a> {
    pub(crate) fn root(map: &'a Map<String, Value>) -> Self {
        Wire { map, path: String::new() }
    }

    fn path(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// The member `snake` (or its camelCase twin), `None` when absent or `null`.
    pub(crate) fn get(&self, snake: &str) -> Option<&'a Value> {
        let v = match self.map.get(snake) {
            Some(v) if !v.is_null() => Some(v),
            _ => self.map.get(&camel_case(snake)),
        };
        v.filter(|v| !v.is_null())
    }

    fn wrong(&self, key: &str, expected: &str, v: &Value) -> SdkError {
        SdkError::invalid_response(None, format!("`{}` is {}, expected {expected}", self.path(key), type_name(v)))
    }

    pub(crate) fn opt_str(&self, key: &str) -> Result<Option<String>, SdkError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(v) => Err(self.wrong(key, "a string", v)),
        }
    }

    /// A string member, `""` when missing.
    pub(crate) fn str(&self, key: &str) -> Result<String, SdkError> {
        Ok(self.opt_str(key)?.unwrap_or_default())
    }

    /// A `uint32` member: a number or a decimal string, `0` when missing.
    pub(crate) fn u32(&self, key: &str) -> Result<u32, SdkError> {
        let parsed = match self.get(key) {
            None => return Ok(0),
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
            Some(v) => return Err(self.wrong(key, "a number", v)),
        };
        parsed
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| SdkError::invalid_response(None, format!("`{}` is not a uint32", self.path(key))))
    }

    /// An array of strings, empty when missing.
    pub(crate) fn strings(&self, key: &str) -> Result<Vec<String>, SdkError> {
        let Some(v) = self.get(key) else { return Ok(Vec::new()) };
        let Value::Array(items) = v else { return Err(self.wrong(key, "an array", v)) };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(self.wrong(&format!("{key}[{i}]"), "a string", other)),
            })
            .collect()
    }

    /// A nested object, `None` when missing.
    pub(crate) fn object(&self, key: &str) -> Result<Option<Wire<'a>>, SdkError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Wire { map, path: self.path(key) })),
            Some(v) => Err(self.wrong(key, "an object", v)),
        }
    }

    /// A nested object that must be present.
    pub(crate) fn required_object(&self, key: &str) -> Result<Wire<'a>, SdkError> {
        self.object(key)?
            .ok_or_else(|| SdkError::invalid_response(None, format!("`{}` is missing", self.path(key))))
    }

    /// An array of objects, empty when missing.
    pub(crate) fn objects(&self, key: &str) -> Result<Vec<Wire<'a>>, SdkError> {
        let Some(v) = self.get(key) else { return Ok(Vec::new()) };
        let Value::Array(items) = v else { return Err(self.wrong(key, "an array", v)) };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let key = format!("{key}[{i}]");
                match item {
                    Value::Object(map) => Ok(Wire { map, path: self.path(&key) }),
                    other => Err(self.wrong(&key, "an object", other)),
                }
            })
            .collect()
    }

    /// A `google.protobuf.Timestamp`: an RFC 3339 string kept as received, or a
    /// `{seconds, nanos}` object rendered as RFC 3339. Missing, `""` and the zero time
    /// (`0001-01-01T00:00:00Z`, or `{}`/epoch zero in object form) give `None`.
    pub(crate) fn timestamp(&self, key: &str) -> Result<Option<String>, SdkError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(if super::time::is_zero_rfc3339(s) { None } else { Some(s.clone()) }),
            Some(Value::Object(map)) => {
                let w = Wire { map, path: self.path(key) };
                let secs = w.int64("seconds")?;
                let nanos = w.int64("nanos")?;
                if (secs == 0 || secs == super::time::ZERO_TIME_SECS) && nanos == 0 {
                    return Ok(None);
                }
                let nanos = u32::try_from(nanos).ok().filter(|n| *n < 1_000_000_000);
                nanos
                    .and_then(|n| super::time::rfc3339(secs, n))
                    .map(Some)
                    .ok_or_else(|| SdkError::invalid_response(None, format!("`{}` is not a valid timestamp", self.path(key))))
            }
            Some(v) => Err(self.wrong(key, "a timestamp", v)),
        }
    }

    /// An `int64` member: an integral number or a decimal string, `0` when missing.
    fn int64(&self, key: &str) -> Result<i64, SdkError> {
        let parsed = match self.get(key) {
            None => return Ok(0),
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
            Some(v) => return Err(self.wrong(key, "an integer", v)),
        };
        parsed.ok_or_else(|| SdkError::invalid_response(None, format!("`{}` is not an integer", self.path(key))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::ErrorKind;

    #[test]
    fn lenient_parse_nulls_only_huge_numbers() {
        let v = parse_lenient(r#"{"a":1e400,"b":"1e400","c":-1e999,"d":[1.5,-2,3e2],"e":"\"1e999"}"#).unwrap();
        assert_eq!(v, serde_json::json!({"a":null,"b":"1e400","c":null,"d":[1.5,-2,300.0],"e":"\"1e999"}));
        let big = format!("{{\"x\":{}}}", "9".repeat(400));
        assert_eq!(parse_lenient(&big).unwrap(), serde_json::json!({"x":null}));
        assert!(parse_lenient("{").is_err());
        assert!(parse_lenient("{\"a\":1e400").is_err());
    }

    #[test]
    fn camel_case_names() {
        assert_eq!(camel_case("connection_tool_mappings"), "connectionToolMappings");
        assert_eq!(camel_case("id"), "id");
        assert_eq!(camel_case("mcp_server_url"), "mcpServerUrl");
    }

    #[test]
    fn input_reader() {
        let v: Value = serde_json::from_str(r#"{"a":"x","b":null,"n":5,"f":1.5,"t":true,"o":{"k":1}}"#).unwrap();
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
        let arr = Value::Array(vec![]);
        assert_eq!(Input::new(&arr, "", &[]).err().unwrap().message, "input must be an object, not an array");
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
        assert_eq!(w.strings("tools").unwrap(), Vec::<String>::new());
        assert_eq!(w.timestamp("x").unwrap().as_deref(), Some("1970-01-01T00:00:01.005Z"));
        let e = w.strings("next_page_token").unwrap_err();
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
