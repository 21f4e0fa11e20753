//! Configs as code: what `ensureConfig` has to change to make a config what the code says, and
//! the check of a mapping's tool names against the connection's tools in the catalogue.

use std::collections::BTreeSet;

use super::error::SdkError;
use super::model::{ConfigChange, ConnectionToolMappingInput, CreateConfigInput, McpConfig, UpdateConfigInput};

/// A mapping's tools as a set; empty means every tool of the connection.
fn tool_set(tools: Option<&Vec<String>>) -> BTreeSet<&str> {
    tools.into_iter().flatten().map(String::as_str).collect()
}

/// The changes that make `existing` (the config of that name, if there is one) what `desired`
/// says. Mappings and their tools are compared as sets: order does not matter. A left-out
/// description is no description.
pub fn plan(existing: Option<&McpConfig>, desired: &CreateConfigInput) -> Vec<ConfigChange> {
    let Some(existing) = existing else { return vec![ConfigChange::Created] };
    let mut changes = Vec::new();
    let description = desired.description.as_deref().unwrap_or_default();
    if existing.description != description {
        changes.push(ConfigChange::Description { from: existing.description.clone(), to: description.to_owned() });
    }
    let wanted = desired.connection_tool_mappings.as_deref().unwrap_or_default();
    for m in wanted {
        let want = tool_set(m.tools.as_ref());
        match existing.connection_tool_mappings.iter().find(|e| e.connection_name == m.connection_name) {
            None => changes
                .push(ConfigChange::ConnectionAdded { connection_name: m.connection_name.clone(), tools: want.iter().map(|t| (*t).to_owned()).collect() }),
            Some(e) => {
                let have = tool_set(Some(&e.tools));
                let added: Vec<String> = want.difference(&have).map(|t| (*t).to_owned()).collect();
                let removed: Vec<String> = have.difference(&want).map(|t| (*t).to_owned()).collect();
                if !added.is_empty() || !removed.is_empty() {
                    changes.push(ConfigChange::ToolsChanged { connection_name: m.connection_name.clone(), added, removed });
                }
            }
        }
    }
    for e in &existing.connection_tool_mappings {
        if !wanted.iter().any(|m| m.connection_name == e.connection_name) {
            changes.push(ConfigChange::ConnectionRemoved { connection_name: e.connection_name.clone() });
        }
    }
    changes
}

/// The update that applies `changes` (from [`plan`]) to the config `config_id`.
///
/// The API cannot clear a config's mappings (an empty list means "no change"): removing every
/// mapping of an existing config is refused, naming the field.
pub fn update_for(config_id: &str, desired: &CreateConfigInput, changes: &[ConfigChange]) -> Result<UpdateConfigInput, SdkError> {
    let description = changes
        .iter()
        .any(|c| matches!(c, ConfigChange::Description { .. }))
        .then(|| desired.description.clone().unwrap_or_default());
    let mappings_changed = changes
        .iter()
        .any(|c| matches!(c, ConfigChange::ConnectionAdded { .. } | ConfigChange::ConnectionRemoved { .. } | ConfigChange::ToolsChanged { .. }));
    let mappings = desired.connection_tool_mappings.clone().unwrap_or_default();
    if mappings_changed && mappings.is_empty() {
        return Err(SdkError::validation(
            "connectionToolMappings",
            "connectionToolMappings cannot remove every mapping of an existing config; delete the config and ensure it again",
        ));
    }
    Ok(UpdateConfigInput { config_id: config_id.to_owned(), description, connection_tool_mappings: mappings_changed.then_some(mappings) })
}

/// The tools one connection offers: its provider and their names.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConnectionTools {
    pub provider: String,
    pub names: Vec<String>,
}

/// Most names suggested for a misspelt one.
const MAX_SUGGESTIONS: usize = 3;
/// How alike (normalized Levenshtein: 1 less the edits over the longer length) a name must be
/// to be suggested. Tool names share their provider's prefix, so measures that favour a common
/// prefix would suggest every tool of the provider.
const SIMILAR: f64 = 0.8;

/// The names most like `name`, best first.
pub fn closest<'a>(name: &str, names: &'a [String]) -> Vec<&'a str> {
    let lower = name.to_ascii_lowercase();
    let mut scored: Vec<(f64, &str)> = names
        .iter()
        .map(|n| (strsim::normalized_levenshtein(&lower, &n.to_ascii_lowercase()), n.as_str()))
        .filter(|(score, _)| *score >= SIMILAR)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().take(MAX_SUGGESTIONS).map(|(_, n)| n).collect()
}

/// Checks that every tool named by mapping number `index` exists on its connection: a
/// `Validation` error naming the tool's field and the closest existing names otherwise.
pub fn check_tools(index: usize, mapping: &ConnectionToolMappingInput, offered: &ConnectionTools) -> Result<(), SdkError> {
    for (j, tool) in mapping.tools.iter().flatten().enumerate() {
        if offered.names.iter().any(|n| n == tool) {
            continue;
        }
        let field = format!("connectionToolMappings[{index}].tools[{j}]");
        let on = if offered.provider.is_empty() { mapping.connection_name.clone() } else { format!("{} ({})", mapping.connection_name, offered.provider) };
        let hint = match closest(tool, &offered.names).as_slice() {
            [] => "; it has no tool of that name".to_owned(),
            names => format!("; did you mean {}?", names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(" or ")),
        };
        let mut e = SdkError::validation(&field, String::new());
        e.message = format!("unknown tool \"{tool}\" on {on}{hint}");
        return Err(e);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::ConnectionToolMapping;

    fn mapping(name: &str, tools: &[&str]) -> ConnectionToolMappingInput {
        ConnectionToolMappingInput { connection_name: name.into(), tools: Some(tools.iter().map(|t| (*t).to_owned()).collect()) }
    }

    fn config(description: &str, mappings: &[(&str, &[&str])]) -> McpConfig {
        McpConfig {
            id: "cfg_1".into(),
            name: "agent".into(),
            description: description.into(),
            connection_tool_mappings: mappings
                .iter()
                .map(|(n, t)| ConnectionToolMapping { connection_name: (*n).into(), tools: t.iter().map(|s| (*s).to_owned()).collect(), ..Default::default() })
                .collect(),
            mcp_server_url: String::new(),
        }
    }

    fn desired(description: Option<&str>, mappings: Vec<ConnectionToolMappingInput>) -> CreateConfigInput {
        CreateConfigInput { name: "agent".into(), description: description.map(str::to_owned), connection_tool_mappings: Some(mappings) }
    }

    #[test]
    fn a_missing_config_is_created() {
        assert_eq!(plan(None, &desired(None, vec![])), vec![ConfigChange::Created]);
    }

    #[test]
    fn order_does_not_matter() {
        let have = config("d", &[("gmail", &["a", "b"]), ("cal", &[])]);
        let want = desired(Some("d"), vec![ConnectionToolMappingInput { connection_name: "cal".into(), tools: None }, mapping("gmail", &["b", "a", "a"])]);
        assert_eq!(plan(Some(&have), &want), vec![]);
    }

    #[test]
    fn every_difference_is_named() {
        let have = config("old", &[("gmail", &["a", "b"]), ("slack", &["s"])]);
        let want = desired(None, vec![mapping("gmail", &["b", "c"]), mapping("cal", &[])]);
        assert_eq!(
            plan(Some(&have), &want),
            vec![
                ConfigChange::Description { from: "old".into(), to: String::new() },
                ConfigChange::ToolsChanged { connection_name: "gmail".into(), added: vec!["c".into()], removed: vec!["a".into()] },
                ConfigChange::ConnectionAdded { connection_name: "cal".into(), tools: vec![] },
                ConfigChange::ConnectionRemoved { connection_name: "slack".into() },
            ]
        );
        let changes = plan(Some(&have), &want);
        let update = update_for("cfg_1", &want, &changes).unwrap();
        assert_eq!(update.description.as_deref(), Some(""));
        assert_eq!(update.connection_tool_mappings.unwrap().len(), 2);
        // Only the description: the mappings are left alone.
        let want = desired(Some("new"), vec![mapping("gmail", &["a", "b"]), mapping("slack", &["s"])]);
        let update = update_for("cfg_1", &want, &plan(Some(&have), &want)).unwrap();
        assert_eq!((update.description.as_deref(), update.connection_tool_mappings), (Some("new"), None));
        // Every mapping removed: the API cannot do that.
        let want = desired(Some("old"), vec![]);
        let e = update_for("cfg_1", &want, &plan(Some(&have), &want)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("connectionToolMappings"));
    }

    #[test]
    fn unknown_tools_name_the_closest_ones() {
        let offered =
            ConnectionTools { provider: "GMAIL".into(), names: ["gmail_fetch_mails", "gmail_send_mail", "gmail_get_attachment"].map(str::to_owned).to_vec() };
        check_tools(0, &mapping("MY_GMAIL", &["gmail_send_mail", "gmail_fetch_mails"]), &offered).unwrap();
        let e = check_tools(1, &mapping("MY_GMAIL", &["gmail_send_mail", "gmail_fetch_mail"]), &offered).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("connectionToolMappings[1].tools[1]"));
        assert_eq!(e.message, r#"unknown tool "gmail_fetch_mail" on MY_GMAIL (GMAIL); did you mean "gmail_fetch_mails"?"#);
        let e = check_tools(0, &mapping("MY_GMAIL", &["slack_post"]), &offered).unwrap_err();
        assert!(e.message.ends_with("it has no tool of that name"), "{}", e.message);
        assert_eq!(closest("GMAIL_SEND_MAIL", &offered.names), ["gmail_send_mail"]);
    }
}
