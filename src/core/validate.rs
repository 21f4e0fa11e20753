//! Reading and checking JavaScript inputs: types first (via [`Input`]), then the descriptor's
//! `buf.validate` rules and the SDK's own rules. Every error is a `Validation` error naming the
//! input field as a JavaScript path, and nothing is sent unless everything passes.

use crate::prelude::*;

use super::error::SdkError;
use super::json::{index, parse_input, Input, Value};
use super::model::*;
use super::text::{cat, push_u64};

/// Most entries of `connectionToolMappings`.
pub(crate) const MAX_MAPPINGS: usize = 25;
/// Most characters of a config name (and of `filter.name`).
pub(crate) const MAX_CONFIG_NAME: usize = 100;
/// Most characters of an id, connection name or user identifier.
pub(crate) const MAX_ID: usize = 255;
/// Most configs or instances per page.
pub(crate) const MAX_PAGE_SIZE: u32 = 30;
/// Shortest and longest session token lifetimes, in seconds.
pub(crate) const MIN_EXPIRY_SECS: u32 = 60;
pub(crate) const MAX_EXPIRY_SECS: u32 = 86_400;

/// `<field><rule><n><unit>`, e.g. `name must be at most 100 characters`.
fn number_message(field: &str, rule: &str, n: usize, unit: &str) -> String {
    let mut msg = cat(&[field, rule]);
    push_u64(&mut msg, n as u64);
    msg.push_str(unit);
    msg
}

fn chars(s: &str) -> usize {
    super::text::char_count(s)
}

/// A config name: 1-100 characters of `[a-z0-9_-]`.
pub(crate) fn config_name(field: &str, v: &str) -> Result<(), SdkError> {
    if v.is_empty() {
        return Err(SdkError::validation(field, cat(&[field, " must not be empty"])));
    }
    if chars(v) > MAX_CONFIG_NAME {
        return Err(SdkError::validation(field, number_message(field, " must be at most ", MAX_CONFIG_NAME, " characters")));
    }
    if !v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-') {
        return Err(SdkError::validation(
            field,
            cat(&[field, " may contain only lowercase letters a-z, digits, '-' and '_'"]),
        ));
    }
    Ok(())
}

/// A value that goes into the URL path: 1-255 characters and not `.` or `..` (which URL parsers
/// resolve as dot segments even when percent-encoded).
pub(crate) fn path_param(field: &str, v: &str) -> Result<(), SdkError> {
    non_empty_max(field, v, MAX_ID)?;
    if v == "." || v == ".." {
        return Err(SdkError::validation(field, cat(&[field, " must not be '.' or '..'"])));
    }
    Ok(())
}

/// 1 to `max` characters.
pub(crate) fn non_empty_max(field: &str, v: &str, max: usize) -> Result<(), SdkError> {
    if v.is_empty() {
        return Err(SdkError::validation(field, cat(&[field, " must not be empty"])));
    }
    if chars(v) > max {
        return Err(SdkError::validation(field, number_message(field, " must be at most ", max, " characters")));
    }
    Ok(())
}

/// `filter.name` of `listConfigs`: at most 100 characters of `[a-zA-Z0-9_-]`.
fn filter_name(field: &str, v: &str) -> Result<(), SdkError> {
    if chars(v) > MAX_CONFIG_NAME {
        return Err(SdkError::validation(field, number_message(field, " must be at most ", MAX_CONFIG_NAME, " characters")));
    }
    if !v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        return Err(SdkError::validation(field, cat(&[field, " may contain only letters, digits, '-' and '_'"])));
    }
    Ok(())
}

const MAPPING_KEYS: &[&str] = &["connectionName", "tools"];

/// `connectionToolMappings`: an array of `{connectionName, tools?}`, at most 25, each connection
/// named once, tool names non-empty. `allow_empty` is false for updates, where an empty list
/// would be read as "no change".
fn mappings(input: &Input<'_>, key: &str, allow_empty: bool) -> Result<Option<Vec<ConnectionToolMappingInput>>, SdkError> {
    let Some(items) = input.opt_array(key)? else { return Ok(None) };
    let field = input.path(key);
    if items.len() > MAX_MAPPINGS {
        return Err(SdkError::validation(&field, number_message(&field, " must have at most ", MAX_MAPPINGS, " entries")));
    }
    if items.is_empty() && !allow_empty {
        return Err(SdkError::validation(
            &field,
            cat(&[&field, " must not be empty: an empty list cannot clear the mappings"]),
        ));
    }
    let mut out: Vec<ConnectionToolMappingInput> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = index(&field, i);
        let m = Input::new(item, &at, MAPPING_KEYS)?;
        let connection_name = m.req_str("connectionName")?;
        path_param(&m.path("connectionName"), &connection_name)?;
        if out.iter().any(|o| o.connection_name == connection_name) {
            let f = m.path("connectionName");
            return Err(SdkError::validation(&f, cat(&[&f, " repeats connection `", &connection_name, "`"])));
        }
        let tools = match m.opt_array("tools")? {
            None => None,
            Some(list) => {
                let mut tools = Vec::with_capacity(list.len());
                for (j, t) in list.iter().enumerate() {
                    let tf = index(&cat(&[&at, ".tools"]), j);
                    match t {
                        Value::String(s) if !s.is_empty() => tools.push(String::from(s.as_ref())),
                        Value::String(_) => return Err(SdkError::validation(&tf, cat(&[&tf, " must not be empty"]))),
                        other => {
                            return Err(SdkError::validation(
                                &tf,
                                cat(&[&tf, " must be a string, not ", super::json::type_name(other)]),
                            ))
                        }
                    }
                }
                Some(tools)
            }
        };
        out.push(ConnectionToolMappingInput { connection_name, tools });
    }
    Ok(Some(out))
}

/// Reads `key` as an id used in the URL path.
fn required_path_param(input: &Input<'_>, key: &str) -> Result<String, SdkError> {
    let v = input.req_str(key)?;
    path_param(&input.path(key), &v)?;
    Ok(v)
}

/// Reads `key` as a user identifier (1-255 characters).
fn identifier(input: &Input<'_>, key: &str) -> Result<String, SdkError> {
    let v = input.req_str(key)?;
    non_empty_max(&input.path(key), &v, MAX_ID)?;
    Ok(v)
}

fn access_level(input: &Input<'_>) -> Result<Option<AccessLevel>, SdkError> {
    match input.opt_str("accessLevel")? {
        None => Ok(None),
        Some(s) => AccessLevel::from_name(&s).map(Some).ok_or_else(|| {
            SdkError::validation("accessLevel", "accessLevel must be \"FULL\", \"READ_ONLY\" or \"\" (case-sensitive)")
        }),
    }
}

fn expiry(input: &Input<'_>) -> Result<Option<u32>, SdkError> {
    input.opt_int("expirySeconds", MIN_EXPIRY_SECS, MAX_EXPIRY_SECS)
}

impl CreateConfigInput {
    pub(crate) const KEYS: &'static [&'static str] = &["name", "description", "connectionToolMappings"];

    #[inline(never)]
    pub(crate) fn read(json: &str) -> Result<Self, SdkError> {
        let v = parse_input(json, false)?;
        let i = Input::new(&v, "", Self::KEYS)?;
        let name = i.req_str("name")?;
        config_name("name", &name)?;
        let description = i.opt_str("description")?;
        let connection_tool_mappings = mappings(&i, "connectionToolMappings", true)?;
        Ok(CreateConfigInput { name, description, connection_tool_mappings })
    }
}

impl ConfigFilter {
    pub(crate) const KEYS: &'static [&'static str] = &["id", "name", "provider", "mcpServerUrl"];
}

impl ListConfigsInput {
    pub(crate) const KEYS: &'static [&'static str] = &["filter", "search", "pageSize", "pageToken"];

    #[inline(never)]
    pub(crate) fn read(json: &str) -> Result<Self, SdkError> {
        let v = parse_input(json, true)?;
        let i = Input::new(&v, "", Self::KEYS)?;
        let filter = match i.opt_object("filter", ConfigFilter::KEYS)? {
            None => None,
            Some(f) => {
                let name = f.opt_str("name")?;
                if let Some(n) = &name {
                    filter_name("filter.name", n)?;
                }
                Some(ConfigFilter {
                    id: f.opt_str("id")?,
                    name,
                    provider: f.opt_str("provider")?,
                    mcp_server_url: f.opt_str("mcpServerUrl")?,
                })
            }
        };
        Ok(ListConfigsInput {
            filter,
            search: i.opt_str("search")?,
            page_size: i.opt_int("pageSize", 0, MAX_PAGE_SIZE)?,
            page_token: i.opt_str("pageToken")?,
        })
    }
}

impl ConfigIdInput {
    pub(crate) const KEYS: &'static [&'static str] = &["configId"];

    #[inline(never)]
    pub(crate) fn read(json: &str) -> Result<Self, SdkError> {
        let v = parse_input(json, false)?;
        let i = Input::new(&v, "", Self::KEYS)?;
        Ok(ConfigIdInput { config_id: required_path_param(&i, "configId")? })
    }
}

impl UpdateConfigInput {
    pub(crate) const KEYS: &'static [&'static str] = &["configId", "description", "connectionToolMappings"];

    #[inline(never)]
    pub(crate) fn read(json: &str) -> Result<Self, SdkError> {
        let v = parse_input(json, false)?;
        let i = Input::new(&v, "", Self::KEYS)?;
        let config_id = required_path_param(&i, "configId")?;
        let description = i.opt_str("description")?;
        let connection_tool_mappings = mappings(&i, "connectionToolMappings", false)?;
        if description.is_none() && connection_tool_mappings.is_none() {
            return Err(SdkError::validation(
                "description",
                "updateConfig needs description or connectionToolMappings (or both)",
            ));
        }
        Ok(UpdateConfigInput { config_id, description, connection_tool_mappings })
    }
}

impl ListConnectedAccountsInput {
    pub(crate) const KEYS: &'static [&'static str] = &["configId", "identifier", "includeAuthLink"];

    #[inline(never)]
    pub(crate) fn read(json: &str) -> Result<Self, SdkError> {
        let v = parse_input(json, false)?;
        let i = Input::new(&v, "", Self::KEYS)?;
        Ok(ListConnectedAccountsInput {
            config_id: required_path_param(&i, "configId")?,
            identifier: identifier(&i, "identifier")?,
            include_auth_link: i.opt_bool("includeAuthLink")?,
        })
    }
}

impl CreateSessionTokenInput {
    pub(crate) const KEYS: &'static [&'static str] = &["configId", "identifier", "expirySeconds", "accessLevel"];

    #[inline(never)]
    pub(crate) fn read(json: &str) -> Result<Self, SdkError> {
        let v = parse_input(json, false)?;
        let i = Input::new(&v, "", Self::KEYS)?;
        Ok(CreateSessionTokenInput {
            config_id: required_path_param(&i, "configId")?,
            identifier: identifier(&i, "identifier")?,
            expiry_seconds: expiry(&i)?,
            access_level: access_level(&i)?,
        })
    }
}

impl CreateConnectionSessionTokenInput {
    pub(crate) const KEYS: &'static [&'static str] = &["connectionName", "identifier", "expirySeconds", "accessLevel"];

    #[inline(never)]
    pub(crate) fn read(json: &str) -> Result<Self, SdkError> {
        let v = parse_input(json, false)?;
        let i = Input::new(&v, "", Self::KEYS)?;
        Ok(CreateConnectionSessionTokenInput {
            connection_name: required_path_param(&i, "connectionName")?,
            identifier: identifier(&i, "identifier")?,
            expiry_seconds: expiry(&i)?,
            access_level: access_level(&i)?,
        })
    }
}

impl EnsureInstanceInput {
    pub(crate) const KEYS: &'static [&'static str] = &["configName", "userIdentifier", "name"];

    #[inline(never)]
    pub(crate) fn read(json: &str) -> Result<Self, SdkError> {
        let v = parse_input(json, false)?;
        let i = Input::new(&v, "", Self::KEYS)?;
        let config = i.req_str("configName")?;
        config_name("configName", &config)?;
        Ok(EnsureInstanceInput {
            config_name: config,
            user_identifier: identifier(&i, "userIdentifier")?,
            name: i.opt_str("name")?,
        })
    }
}

impl InstanceFilter {
    pub(crate) const KEYS: &'static [&'static str] = &["id", "name", "configName", "userIdentifier"];
}

impl ListInstancesInput {
    pub(crate) const KEYS: &'static [&'static str] = &["filter", "search", "pageSize", "pageToken"];

    #[inline(never)]
    pub(crate) fn read(json: &str) -> Result<Self, SdkError> {
        let v = parse_input(json, true)?;
        let i = Input::new(&v, "", Self::KEYS)?;
        let filter = match i.opt_object("filter", InstanceFilter::KEYS)? {
            None => None,
            Some(f) => Some(InstanceFilter {
                id: f.opt_str("id")?,
                name: f.opt_str("name")?,
                config_name: f.opt_str("configName")?,
                user_identifier: f.opt_str("userIdentifier")?,
            }),
        };
        Ok(ListInstancesInput {
            filter,
            search: i.opt_str("search")?,
            page_size: i.opt_int("pageSize", 0, MAX_PAGE_SIZE)?,
            page_token: i.opt_str("pageToken")?,
        })
    }
}

impl InstanceIdInput {
    pub(crate) const KEYS: &'static [&'static str] = &["instanceId"];

    #[inline(never)]
    pub(crate) fn read(json: &str) -> Result<Self, SdkError> {
        let v = parse_input(json, false)?;
        let i = Input::new(&v, "", Self::KEYS)?;
        Ok(InstanceIdInput { instance_id: required_path_param(&i, "instanceId")? })
    }
}

impl UpdateInstanceInput {
    pub(crate) const KEYS: &'static [&'static str] = &["instanceId", "name", "configName"];

    #[inline(never)]
    pub(crate) fn read(json: &str) -> Result<Self, SdkError> {
        let v = parse_input(json, false)?;
        let i = Input::new(&v, "", Self::KEYS)?;
        let instance_id = required_path_param(&i, "instanceId")?;
        let name = i.opt_str("name")?;
        let config = i.opt_str("configName")?;
        if let Some(c) = &config {
            config_name("configName", c)?;
        }
        if name.is_none() && config.is_none() {
            return Err(SdkError::validation("name", "updateInstance needs name or configName (or both)"));
        }
        Ok(UpdateInstanceInput { instance_id, name, config_name: config })
    }
}

impl GetInstanceAuthStateInput {
    pub(crate) const KEYS: &'static [&'static str] = &["instanceId", "includeAuthLinks"];

    #[inline(never)]
    pub(crate) fn read(json: &str) -> Result<Self, SdkError> {
        let v = parse_input(json, false)?;
        let i = Input::new(&v, "", Self::KEYS)?;
        Ok(GetInstanceAuthStateInput {
            instance_id: required_path_param(&i, "instanceId")?,
            include_auth_links: i.opt_bool("includeAuthLinks")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::ErrorKind;
    use crate::core::model::tests::ts_fields;

    fn keys_of<T: ts_rs::TS>() -> Vec<String> {
        let mut v: Vec<String> = ts_fields::<T>().into_iter().map(|k| k.trim_end_matches('?').to_owned()).collect();
        v.sort();
        v
    }

    fn sorted(keys: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
        v.sort();
        v
    }

    /// The keys each reader accepts are the fields of the TypeScript declaration.
    #[test]
    fn accepted_keys_match_typescript() {
        assert_eq!(sorted(CreateConfigInput::KEYS), keys_of::<CreateConfigInput>());
        assert_eq!(sorted(MAPPING_KEYS), keys_of::<ConnectionToolMappingInput>());
        assert_eq!(sorted(ConfigFilter::KEYS), keys_of::<ConfigFilter>());
        assert_eq!(sorted(ListConfigsInput::KEYS), keys_of::<ListConfigsInput>());
        assert_eq!(sorted(ConfigIdInput::KEYS), keys_of::<ConfigIdInput>());
        assert_eq!(sorted(UpdateConfigInput::KEYS), keys_of::<UpdateConfigInput>());
        assert_eq!(sorted(ListConnectedAccountsInput::KEYS), keys_of::<ListConnectedAccountsInput>());
        assert_eq!(sorted(CreateSessionTokenInput::KEYS), keys_of::<CreateSessionTokenInput>());
        assert_eq!(sorted(CreateConnectionSessionTokenInput::KEYS), keys_of::<CreateConnectionSessionTokenInput>());
        assert_eq!(sorted(EnsureInstanceInput::KEYS), keys_of::<EnsureInstanceInput>());
        assert_eq!(sorted(InstanceFilter::KEYS), keys_of::<InstanceFilter>());
        assert_eq!(sorted(ListInstancesInput::KEYS), keys_of::<ListInstancesInput>());
        assert_eq!(sorted(InstanceIdInput::KEYS), keys_of::<InstanceIdInput>());
        assert_eq!(sorted(UpdateInstanceInput::KEYS), keys_of::<UpdateInstanceInput>());
        assert_eq!(sorted(GetInstanceAuthStateInput::KEYS), keys_of::<GetInstanceAuthStateInput>());
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
            (r#"{"name":"a"}"#, |j| CreateConfigInput::read(j).map(|_| ())),
            (r#"{"configId":"c","identifier":"u"}"#, |j| CreateSessionTokenInput::read(j).map(|_| ())),
            (r#"{"configName":"c","userIdentifier":"u"}"#, |j| EnsureInstanceInput::read(j).map(|_| ())),
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
        let ok = CreateConfigInput::read(
            r#"{"name":"n","description":null,"connectionToolMappings":[{"connectionName":"gmail","tools":["a","b"]},{"connectionName":"cal","tools":null}]}"#,
        )
        .unwrap();
        assert_eq!(ok.description, None);
        let m = ok.connection_tool_mappings.unwrap();
        assert_eq!(m[0].tools.as_deref(), Some(&["a".to_owned(), "b".to_owned()][..]));
        assert_eq!(m[1].tools, None);
        let many: Vec<String> = (0..26).map(|i| format!(r#"{{"connectionName":"c{i}"}}"#)).collect();
        let e = CreateConfigInput::read(&format!(r#"{{"name":"n","connectionToolMappings":[{}]}}"#, many.join(","))).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("connectionToolMappings"));
        let e = CreateConfigInput::read(&format!(r#"{{"name":"n","connectionToolMappings":[{}]}}"#, many[..25].join(",")));
        assert!(e.is_ok());
    }
}
