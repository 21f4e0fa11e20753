//! Reading and checking JavaScript inputs: serde reads the input into its type (refusing unknown
//! keys and wrong types, with the JavaScript path of the field at fault), then [`Validate`]
//! checks the descriptor's `buf.validate` rules and the package's own. Every error is a
//! `Validation` error naming the field, and nothing is sent unless everything passes. No message
//! quotes the value it refuses: a secret passed in the wrong place stays out of it.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::SdkError;
use super::model::*;

/// Most entries of `connectionToolMappings`.
pub(crate) const MAX_MAPPINGS: usize = 25;
/// Most characters of a config name (and of `filter.name`).
pub(crate) const MAX_CONFIG_NAME: usize = 100;
/// Most characters of an id, connection name or user identifier.
pub(crate) const MAX_ID: usize = 255;
/// Most configs or instances per page.
pub(crate) const MAX_PAGE_SIZE: u32 = 30;
/// Most tools per page of `listTools`.
pub(crate) const MAX_TOOL_PAGE_SIZE: u32 = 1000;
/// Shortest and longest session token lifetimes, in seconds.
pub(crate) const MIN_EXPIRY_SECS: u32 = 60;
pub(crate) const MAX_EXPIRY_SECS: u32 = 86_400;

/// The rules of an input beyond its types.
pub trait Validate {
    fn validate(&self) -> Result<(), SdkError>;
}

/// Reads `value` (a JavaScript input as JSON) as a `T` and checks its rules.
pub fn read<T: DeserializeOwned + Validate>(value: Value) -> Result<T, SdkError> {
    if !value.is_object() {
        let kind = match value {
            Value::Array(_) => "an array",
            Value::String(_) => "a string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "a boolean",
            _ => "null",
        };
        return Err(SdkError::validation("", format!("input must be an object, not {kind}")));
    }
    let input: T = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        type_error(if path == "." { "" } else { &path }, &e.inner().to_string())
    })?;
    input.validate()?;
    Ok(input)
}

/// `field` below `path`.
fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_owned()
    } else {
        format!("{path}.{field}")
    }
}

/// What a serde message calls a JSON value, as JavaScript would (the value itself left out).
fn kind_of(unexpected: &str) -> &'static str {
    match unexpected.split([' ', '`', '"']).next().unwrap_or_default() {
        "integer" | "floating" => "a number",
        "boolean" => "a boolean",
        "string" | "char" => "a string",
        "sequence" => "an array",
        "map" => "an object",
        _ => "null",
    }
}

/// What a serde message expects, in the words of the JavaScript API.
fn expected(exp: &str) -> String {
    let exp = exp.trim();
    if exp.starts_with("struct ") || exp == "a map" {
        "an object".to_owned()
    } else if exp == "a sequence" {
        "an array".to_owned()
    } else if exp == "u32" || exp == "a whole number" {
        "a whole number".to_owned()
    } else if exp == "a boolean" || exp == "a string" {
        exp.to_owned()
    } else if exp.starts_with("one of ") || exp.starts_with("enum ") {
        let names: Vec<String> = exp.split('`').skip(1).step_by(2).map(|n| format!("\"{n}\"")).collect();
        format!("one of {} (case-sensitive)", names.join(", "))
    } else {
        exp.to_owned()
    }
}

/// The `Validation` error for serde's message `msg` about the value at `path`.
fn type_error(path: &str, msg: &str) -> SdkError {
    let quoted = |rest: &str| rest.split('`').next().unwrap_or_default().to_owned();
    if let Some(rest) = msg.strip_prefix("missing field `") {
        let field = join(path, &quoted(rest));
        return SdkError::validation(&field, format!("{field} is required"));
    }
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        // The path already ends with the unknown key.
        let name = quoted(rest);
        let field = path.to_owned();
        let allowed: Vec<&str> = rest.split_once("expected ").map_or("", |(_, e)| e).split('`').skip(1).step_by(2).collect();
        let hint = if allowed.is_empty() { String::new() } else { format!("; expected one of: {}", allowed.join(", ")) };
        return SdkError::validation(&field, format!("unknown field \"{name}\"{hint}"));
    }
    let name = if path.is_empty() { "input" } else { path };
    if let Some(rest) = msg.strip_prefix("invalid type: ") {
        let (unexpected, exp) = rest.split_once(", expected ").unwrap_or((rest, "another type"));
        return SdkError::validation(path, format!("{name} must be {}, not {}", expected(exp), kind_of(unexpected)));
    }
    if let Some(rest) = msg.strip_prefix("unknown variant `") {
        let exp = rest.split_once("expected ").map_or("", |(_, e)| e);
        return SdkError::validation(path, format!("{name} must be {}", expected(&format!("one of {exp}"))));
    }
    if let Some(rest) = msg.strip_prefix("invalid value: ") {
        let exp = rest.split_once(", expected ").map_or("a valid value", |(_, e)| e);
        return SdkError::validation(path, format!("{name} must be {}", expected(exp)));
    }
    SdkError::validation(path, format!("{name} is not valid"))
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// A config name: 1-100 characters of `[a-z0-9_-]`.
pub(crate) fn config_name(field: &str, v: &str) -> Result<(), SdkError> {
    non_empty_max(field, v, MAX_CONFIG_NAME)?;
    if !v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-') {
        return Err(SdkError::validation(field, format!("{field} may contain only lowercase letters a-z, digits, '-' and '_'")));
    }
    Ok(())
}

/// A value that goes into the URL path: 1-255 characters and not `.` or `..` (which URL parsers
/// resolve as dot segments even when percent-encoded).
pub(crate) fn path_param(field: &str, v: &str) -> Result<(), SdkError> {
    non_empty_max(field, v, MAX_ID)?;
    if v == "." || v == ".." {
        return Err(SdkError::validation(field, format!("{field} must not be '.' or '..'")));
    }
    Ok(())
}

/// 1 to `max` characters.
pub(crate) fn non_empty_max(field: &str, v: &str, max: usize) -> Result<(), SdkError> {
    if v.is_empty() {
        return Err(SdkError::validation(field, format!("{field} must not be empty")));
    }
    if chars(v) > max {
        return Err(SdkError::validation(field, format!("{field} must be at most {max} characters")));
    }
    Ok(())
}

/// `filter.name` of `listConfigs`: at most 100 characters of `[a-zA-Z0-9_-]`.
fn filter_name(field: &str, v: &str) -> Result<(), SdkError> {
    at_most(field, Some(v), MAX_CONFIG_NAME)?;
    if !v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        return Err(SdkError::validation(field, format!("{field} may contain only letters, digits, '-' and '_'")));
    }
    Ok(())
}

/// `pageSize` of a list: at most `max`.
fn page_size(v: Option<u32>, max: u32) -> Result<(), SdkError> {
    match v {
        Some(n) if n > max => Err(SdkError::validation("pageSize", format!("pageSize must be at most {max}"))),
        _ => Ok(()),
    }
}

fn expiry(v: Option<u32>) -> Result<(), SdkError> {
    match v {
        Some(n) if !(MIN_EXPIRY_SECS..=MAX_EXPIRY_SECS).contains(&n) => {
            Err(SdkError::validation("expirySeconds", format!("expirySeconds must be from {MIN_EXPIRY_SECS} to {MAX_EXPIRY_SECS} seconds")))
        }
        _ => Ok(()),
    }
}

fn identifier(field: &str, v: &str) -> Result<(), SdkError> {
    non_empty_max(field, v, MAX_ID)
}

/// `connectionToolMappings`: at most 25, each connection named once, tool names non-empty.
/// `allow_empty` is false for updates, where an empty list would be read as "no change".
fn mappings(list: &[ConnectionToolMappingInput], allow_empty: bool) -> Result<(), SdkError> {
    let field = "connectionToolMappings";
    if list.len() > MAX_MAPPINGS {
        return Err(SdkError::validation(field, format!("{field} must have at most {MAX_MAPPINGS} entries")));
    }
    if list.is_empty() && !allow_empty {
        return Err(SdkError::validation(field, format!("{field} must not be empty: an empty list cannot clear the mappings")));
    }
    for (i, m) in list.iter().enumerate() {
        let name_field = format!("{field}[{i}].connectionName");
        path_param(&name_field, &m.connection_name)?;
        if list.iter().take(i).any(|o| o.connection_name == m.connection_name) {
            return Err(SdkError::validation(&name_field, format!("{name_field} repeats connection `{}`", m.connection_name)));
        }
        for (j, tool) in m.tools.iter().flatten().enumerate() {
            if tool.is_empty() {
                let tf = format!("{field}[{i}].tools[{j}]");
                return Err(SdkError::validation(&tf, format!("{tf} must not be empty")));
            }
        }
    }
    Ok(())
}

impl Validate for CreateConfigInput {
    fn validate(&self) -> Result<(), SdkError> {
        config_name("name", &self.name)?;
        mappings(self.connection_tool_mappings.as_deref().unwrap_or_default(), true)
    }
}

impl Validate for ListConfigsInput {
    fn validate(&self) -> Result<(), SdkError> {
        if let Some(name) = self.filter.as_ref().and_then(|f| f.name.as_deref()) {
            filter_name("filter.name", name)?;
        }
        page_size(self.page_size, MAX_PAGE_SIZE)
    }
}

/// At most `max` characters, when present.
fn at_most(field: &str, v: Option<&str>, max: usize) -> Result<(), SdkError> {
    match v {
        Some(v) if chars(v) > max => Err(SdkError::validation(field, format!("{field} must be at most {max} characters"))),
        _ => Ok(()),
    }
}

impl Validate for ListToolsInput {
    fn validate(&self) -> Result<(), SdkError> {
        if let Some(f) = &self.filter {
            at_most("filter.provider", f.provider.as_deref(), 50)?;
            at_most("filter.identifier", f.identifier.as_deref(), 100)?;
            at_most("filter.connectedAccountId", f.connected_account_id.as_deref(), 100)?;
            at_most("filter.organizationId", f.organization_id.as_deref(), 32)?;
            at_most("filter.userId", f.user_id.as_deref(), 32)?;
            at_most("filter.connector", f.connector.as_deref(), 400)?;
            if let Some(c) = &f.connector {
                if !c.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b' ' | b'-')) {
                    return Err(SdkError::validation("filter.connector", "filter.connector may contain only letters, digits, spaces, '-', '_' and ':'"));
                }
            }
            if let Some(q) = &f.query {
                let n = chars(q);
                if !(3..=100).contains(&n) {
                    return Err(SdkError::validation("filter.query", "filter.query must be 3 to 100 characters"));
                }
            }
            for (i, name) in f.tool_name.iter().flatten().enumerate() {
                if name.is_empty() {
                    let field = format!("filter.toolName[{i}]");
                    return Err(SdkError::validation(&field, format!("{field} must not be empty")));
                }
            }
        }
        page_size(self.page_size, MAX_TOOL_PAGE_SIZE)
    }
}

impl Validate for ConfigIdInput {
    fn validate(&self) -> Result<(), SdkError> {
        path_param("configId", &self.config_id)
    }
}

impl Validate for UpdateConfigInput {
    fn validate(&self) -> Result<(), SdkError> {
        path_param("configId", &self.config_id)?;
        if let Some(list) = &self.connection_tool_mappings {
            mappings(list, false)?;
        }
        if self.description.is_none() && self.connection_tool_mappings.is_none() {
            return Err(SdkError::validation("description", "updateConfig needs description or connectionToolMappings (or both)"));
        }
        Ok(())
    }
}

impl Validate for ListConnectedAccountsInput {
    fn validate(&self) -> Result<(), SdkError> {
        path_param("configId", &self.config_id)?;
        identifier("identifier", &self.identifier)
    }
}

impl Validate for CreateSessionTokenInput {
    fn validate(&self) -> Result<(), SdkError> {
        path_param("configId", &self.config_id)?;
        identifier("identifier", &self.identifier)?;
        expiry(self.expiry_seconds)
    }
}

impl Validate for CreateConnectionSessionTokenInput {
    fn validate(&self) -> Result<(), SdkError> {
        path_param("connectionName", &self.connection_name)?;
        identifier("identifier", &self.identifier)?;
        expiry(self.expiry_seconds)
    }
}

impl Validate for EnsureInstanceInput {
    fn validate(&self) -> Result<(), SdkError> {
        config_name("configName", &self.config_name)?;
        identifier("userIdentifier", &self.user_identifier)
    }
}

impl Validate for ListInstancesInput {
    fn validate(&self) -> Result<(), SdkError> {
        page_size(self.page_size, MAX_PAGE_SIZE)
    }
}

impl Validate for InstanceIdInput {
    fn validate(&self) -> Result<(), SdkError> {
        path_param("instanceId", &self.instance_id)
    }
}

impl Validate for UpdateInstanceInput {
    fn validate(&self) -> Result<(), SdkError> {
        path_param("instanceId", &self.instance_id)?;
        if let Some(c) = &self.config_name {
            config_name("configName", c)?;
        }
        if self.name.is_none() && self.config_name.is_none() {
            return Err(SdkError::validation("name", "updateInstance needs name or configName (or both)"));
        }
        Ok(())
    }
}

impl Validate for GetInstanceAuthStateInput {
    fn validate(&self) -> Result<(), SdkError> {
        path_param("instanceId", &self.instance_id)
    }
}

impl Validate for WaitTargetInput {
    fn validate(&self) -> Result<(), SdkError> {
        match (&self.instance_id, self.config_id.is_some() || self.identifier.is_some()) {
            (Some(_), true) => Err(SdkError::validation("instanceId", "waitForAuth takes either instanceId, or configId with identifier, not both")),
            (None, false) => Err(SdkError::validation("instanceId", "waitForAuth needs instanceId, or configId with identifier")),
            (Some(id), false) => path_param("instanceId", id),
            (None, true) => {
                path_param("configId", self.config_id.as_deref().ok_or_else(|| SdkError::validation("configId", "configId is required"))?)?;
                identifier("identifier", self.identifier.as_deref().ok_or_else(|| SdkError::validation("identifier", "identifier is required"))?)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::ErrorKind;
    use crate::core::model::tests::ts_fields;
    use serde_json::json;

    fn parse<T: DeserializeOwned + Validate>(json: &str) -> Result<T, SdkError> {
        read(serde_json::from_str(json).unwrap())
    }

    /// A field is optional in TypeScript exactly when the reader accepts the input without it.
    #[test]
    fn required_keys_match_typescript() {
        fn required<T: ts_rs::TS>() -> Vec<String> {
            ts_fields::<T>().into_iter().filter(|k| !k.ends_with('?')).collect()
        }
        assert_eq!(required::<CreateConfigInput>(), ["name"]);
        assert_eq!(required::<ConnectionToolMappingInput>(), ["connectionName"]);
        assert!(required::<ListConfigsInput>().is_empty());
        assert!(required::<ConfigFilter>().is_empty());
        assert_eq!(required::<UpdateConfigInput>(), ["configId"]);
        assert_eq!(required::<ListConnectedAccountsInput>(), ["configId", "identifier"]);
        assert_eq!(required::<CreateSessionTokenInput>(), ["configId", "identifier"]);
        assert_eq!(required::<CreateConnectionSessionTokenInput>(), ["connectionName", "identifier"]);
        assert_eq!(required::<EnsureInstanceInput>(), ["configName", "userIdentifier"]);
        assert!(required::<ListInstancesInput>().is_empty());
        assert!(required::<InstanceFilter>().is_empty());
        assert_eq!(required::<UpdateInstanceInput>(), ["instanceId"]);
        assert_eq!(required::<GetInstanceAuthStateInput>(), ["instanceId"]);
        assert_eq!(required::<ConfigIdInput>(), ["configId"]);
        assert_eq!(required::<InstanceIdInput>(), ["instanceId"]);
        // And the readers agree: the required keys alone are accepted, each one missing is not.
        type Reader = fn(&str) -> Result<(), SdkError>;
        let cases: [(&str, Reader); 3] = [
            (r#"{"name":"a"}"#, |j| parse::<CreateConfigInput>(j).map(|_| ())),
            (r#"{"configId":"c","identifier":"u"}"#, |j| parse::<CreateSessionTokenInput>(j).map(|_| ())),
            (r#"{"configName":"c","userIdentifier":"u"}"#, |j| parse::<EnsureInstanceInput>(j).map(|_| ())),
        ];
        for (json, read) in cases {
            read(json).unwrap();
            let v: serde_json::Value = serde_json::from_str(json).unwrap();
            for k in v.as_object().unwrap().keys() {
                let mut without = v.clone();
                without.as_object_mut().unwrap().remove(k);
                let e = read(&without.to_string()).unwrap_err();
                assert_eq!(e.field.as_deref(), Some(k.as_str()), "{json} without {k}");
                assert!(e.message.contains("is required"), "{}", e.message);
            }
        }
    }

    /// Every key that TypeScript declares is accepted; any other is refused, naming it.
    #[test]
    fn accepted_keys_match_typescript() {
        fn check<T: ts_rs::TS + DeserializeOwned + std::fmt::Debug>(base: serde_json::Value) {
            for key in ts_fields::<T>() {
                let key = key.trim_end_matches('?');
                let mut v = base.clone();
                v.as_object_mut().unwrap().entry(key).or_insert(serde_json::Value::Null);
                if let Err(e) = serde_path_to_error::deserialize::<_, T>(v) {
                    assert!(!e.inner().to_string().contains("unknown field"), "{key}: {e}");
                }
            }
            let mut v = base.clone();
            v.as_object_mut().unwrap().insert("nope".into(), json!(1));
            let e = serde_path_to_error::deserialize::<_, T>(v).unwrap_err();
            assert!(e.inner().to_string().contains("unknown field `nope`"), "{e}");
        }
        check::<CreateConfigInput>(json!({"name":"a"}));
        check::<ConnectionToolMappingInput>(json!({"connectionName":"a"}));
        check::<ConfigFilter>(json!({}));
        check::<ListConfigsInput>(json!({}));
        check::<ConfigIdInput>(json!({"configId":"c"}));
        check::<UpdateConfigInput>(json!({"configId":"c"}));
        check::<ListConnectedAccountsInput>(json!({"configId":"c","identifier":"u"}));
        check::<CreateSessionTokenInput>(json!({"configId":"c","identifier":"u"}));
        check::<CreateConnectionSessionTokenInput>(json!({"connectionName":"c","identifier":"u"}));
        check::<EnsureInstanceInput>(json!({"configName":"c","userIdentifier":"u"}));
        check::<InstanceFilter>(json!({}));
        check::<ListInstancesInput>(json!({}));
        check::<InstanceIdInput>(json!({"instanceId":"i"}));
        check::<UpdateInstanceInput>(json!({"instanceId":"i"}));
        check::<GetInstanceAuthStateInput>(json!({"instanceId":"i"}));
        check::<ToolFilter>(json!({}));
        check::<ListToolsInput>(json!({}));
    }

    #[test]
    fn type_errors_name_the_field_and_never_the_value() {
        let e = parse::<CreateConfigInput>(r#"{"name":"a","connectionToolMappings":[{"connectionName":"c","tools":["x",3]}]}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("connectionToolMappings[0].tools[1]"));
        assert_eq!(e.message, "connectionToolMappings[0].tools[1] must be a string, not a number");
        let e = parse::<CreateConfigInput>(r#"{"name":"a","connectionToolMappings":[{"connectionName":"c","tool":[]}]}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("connectionToolMappings[0].tool"));
        assert!(e.message.contains("expected one of: connectionName, tools"), "{}", e.message);
        let e = parse::<CreateSessionTokenInput>(r#"{"configId":"c","identifier":"u","accessLevel":"s3cr3t-value"}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("accessLevel"));
        assert_eq!(e.message, r#"accessLevel must be one of "FULL", "READ_ONLY", "" (case-sensitive)"#);
        let e = parse::<ListConfigsInput>(r#"{"pageSize":"s3cr3t-value"}"#).unwrap_err();
        assert_eq!((e.field.as_deref(), e.message.as_str()), (Some("pageSize"), "pageSize must be a whole number, not a string"));
        let e = parse::<ListConfigsInput>(r#"{"pageSize":-1}"#).unwrap_err();
        assert_eq!((e.field.as_deref(), e.message.as_str()), (Some("pageSize"), "pageSize must be a whole number"));
        let e = parse::<CreateConfigInput>("null").unwrap_err();
        assert_eq!((e.field.as_deref(), e.message.as_str()), (Some(""), "input must be an object, not null"));
        let e = parse::<CreateConfigInput>(r#"["a"]"#).unwrap_err();
        assert_eq!(e.message, "input must be an object, not an array");
        for (json, field) in [(r#"{"name":5}"#, "name"), (r#"{"name":null}"#, "name"), (r#"{"name":"a","description":true}"#, "description")] {
            let e = parse::<CreateConfigInput>(json).unwrap_err();
            assert_eq!((e.kind, e.field.as_deref()), (ErrorKind::Validation, Some(field)), "{json}");
            assert!(!e.message.contains("s3cr3t"));
        }
    }

    #[test]
    fn config_name_rule() {
        for ok in ["a", "email-calendar-agent", "a_b-9", &"x".repeat(100)] {
            config_name("name", ok).unwrap();
        }
        for bad in ["", "A", "a b", "a.b", "é", "a/b", &"x".repeat(101)] {
            let e = config_name("name", bad).unwrap_err();
            assert_eq!((e.kind, e.field.as_deref()), (ErrorKind::Validation, Some("name")), "{bad}");
        }
    }

    #[test]
    fn path_param_rule() {
        path_param("configId", "cfg_1").unwrap();
        path_param("configId", "../configs").unwrap();
        path_param("configId", "...").unwrap();
        path_param("configId", &"é".repeat(255)).unwrap();
        for bad in ["", ".", "..", &"é".repeat(256)] {
            assert_eq!(path_param("configId", bad).unwrap_err().field.as_deref(), Some("configId"), "{bad}");
        }
    }

    #[test]
    fn mapping_rules_and_paths() {
        let ok = parse::<CreateConfigInput>(
            r#"{"name":"n","description":null,"connectionToolMappings":[{"connectionName":"gmail","tools":["a","b"]},{"connectionName":"cal","tools":null}]}"#,
        )
        .unwrap();
        assert_eq!(ok.description, None);
        let m = ok.connection_tool_mappings.unwrap();
        assert_eq!(m[0].tools.as_deref(), Some(&["a".to_owned(), "b".to_owned()][..]));
        assert_eq!(m[1].tools, None);
        let many: Vec<String> = (0..26).map(|i| format!(r#"{{"connectionName":"c{i}"}}"#)).collect();
        let e = parse::<CreateConfigInput>(&format!(r#"{{"name":"n","connectionToolMappings":[{}]}}"#, many.join(","))).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("connectionToolMappings"));
        let e = parse::<CreateConfigInput>(&format!(r#"{{"name":"n","connectionToolMappings":[{}]}}"#, many[..25].join(",")));
        assert!(e.is_ok());
    }
}
