//! Configs as code: `ensureConfig`, and `checkTools` for the calls that write a config. The
//! decisions (what differs, what to send, which tool names are unknown) are `core::configs`';
//! this performs the calls they need.

use std::rc::Rc;

use web_sys::AbortSignal;

use super::call::{run, Budget, Client, Work};
use super::js::now_ms;
use crate::core::configs::{check_tools, plan, update_for, ConnectionTools};
use crate::core::error::{ErrorKind, SdkError};
use crate::core::events::Event;
use crate::core::model::*;
use crate::core::ops::{Answer, CreateConfig, ListConfigs, ListTools, UpdateConfig};

/// How long the tools of a connection are trusted once fetched, in milliseconds.
pub(crate) const TOOLS_CACHE_MS: f64 = 5.0 * 60.0 * 1000.0;

/// Most pages of one connection's tools read (1000 tools each).
const MAX_TOOL_PAGES: usize = 20;

fn unexpected() -> SdkError {
    SdkError::invalid_response(None, "an answer of another operation")
}

/// The tools of connection `name`: from the client's cache when fetched within
/// [`TOOLS_CACHE_MS`], else every page of the tools API for that connector.
async fn connection_tools(client: &Rc<Client>, name: &str, field: &str, budget: &Budget<'_>) -> Result<ConnectionTools, SdkError> {
    let now = now_ms();
    if let Some((_, _, tools)) = client.tools.borrow().iter().find(|(n, at, _)| n == name && now - at < TOOLS_CACHE_MS) {
        return Ok(tools.clone());
    }
    let mut found = ConnectionTools::default();
    let mut page_token = None;
    for _ in 0..MAX_TOOL_PAGES {
        let input = ListToolsInput {
            filter: Some(ToolFilter { connector: Some(name.to_owned()), ..Default::default() }),
            page_size: Some(1000),
            page_token: page_token.take(),
        };
        let page = match run(client.clone(), &Work::of::<ListTools>(&input), budget).await {
            Ok(Answer::Tools(page)) => page,
            Ok(_) => return Err(unexpected()),
            Err(e) if e.kind == ErrorKind::NotFound => {
                let mut v = SdkError::validation(field, String::new());
                v.message = format!("unknown connection \"{name}\": the tools API knows no connection of that name");
                return Err(v);
            }
            Err(e) => return Err(e),
        };
        if found.provider.is_empty() {
            found.provider = page.tools.first().map(|t| t.provider.clone()).unwrap_or_default();
        }
        found.names.extend(page.tools.into_iter().map(|t| t.name));
        found.names.extend(page.tool_names);
        if page.next_page_token.is_empty() {
            break;
        }
        page_token = Some(page.next_page_token);
    }
    found.names.sort_unstable();
    found.names.dedup();
    let mut cache = client.tools.borrow_mut();
    cache.retain(|(n, at, _)| n != name && now - at < TOOLS_CACHE_MS);
    cache.push((name.to_owned(), now, found.clone()));
    Ok(found)
}

/// Checks every tool named in `mappings` against its connection's tools.
pub(crate) async fn check_mappings(client: &Rc<Client>, mappings: &[ConnectionToolMappingInput], budget: &Budget<'_>) -> Result<(), SdkError> {
    for (i, m) in mappings.iter().enumerate() {
        if m.tools.as_ref().is_none_or(Vec::is_empty) {
            continue;
        }
        let offered = connection_tools(client, &m.connection_name, &format!("connectionToolMappings[{i}].connectionName"), budget).await?;
        check_tools(i, m, &offered)?;
    }
    Ok(())
}

/// The config named `name`, if there is one.
async fn find(client: &Rc<Client>, name: &str, budget: &Budget<'_>) -> Result<Option<McpConfig>, SdkError> {
    let input = ListConfigsInput { filter: Some(ConfigFilter { name: Some(name.to_owned()), ..Default::default() }), ..Default::default() };
    match run(client.clone(), &Work::of::<ListConfigs>(&input), budget).await? {
        Answer::Configs(page) => Ok(page.configs.into_iter().find(|c| c.name == name)),
        _ => Err(unexpected()),
    }
}

/// What `ensureConfig` was asked.
pub(crate) struct Ensure {
    pub(crate) input: CreateConfigInput,
    pub(crate) dry_run: bool,
    pub(crate) check_tools: bool,
}

/// Makes the config named `input.name` what `input` says: creates it, updates what differs, or
/// leaves it. Safe to repeat and to run from two processes at once: a create that meets a
/// config of the same name (409) reads it and goes on as if it had been there.
pub(crate) async fn ensure_config(client: Rc<Client>, ensure: Ensure, signal: Option<&AbortSignal>, timeout_ms: f64) -> Result<EnsureConfigResult, SdkError> {
    let name = ensure.input.name.clone();
    let result = ensure_config_steps(&client, ensure, signal, timeout_ms).await?;
    client.emit(|| Event::Ensured { name, action: result.action, changes: result.changes.len(), dry_run: result.dry_run });
    Ok(result)
}

async fn ensure_config_steps(client: &Rc<Client>, ensure: Ensure, signal: Option<&AbortSignal>, timeout_ms: f64) -> Result<EnsureConfigResult, SdkError> {
    let Ensure { input, dry_run, check_tools } = ensure;
    let budget = Budget::new(signal, timeout_ms);
    if check_tools {
        check_mappings(client, input.connection_tool_mappings.as_deref().unwrap_or_default(), &budget).await?;
    }
    let existing = match find(client, &input.name, &budget).await? {
        Some(config) => config,
        None if dry_run => return Ok(EnsureConfigResult { config: None, action: EnsureAction::Created, changes: plan(None, &input), dry_run }),
        None => {
            match run(client.clone(), &Work::of::<CreateConfig>(&input), &budget).await {
                Ok(Answer::Config(config)) => {
                    return Ok(EnsureConfigResult { config: Some(config), action: EnsureAction::Created, changes: plan(None, &input), dry_run });
                }
                Ok(_) => return Err(unexpected()),
                // Created meanwhile by someone else: compare with theirs.
                Err(e) if e.kind == ErrorKind::Conflict => find(client, &input.name, &budget).await?.ok_or(e)?,
                Err(e) => return Err(e),
            }
        }
    };
    let changes = plan(Some(&existing), &input);
    if changes.is_empty() {
        return Ok(EnsureConfigResult { config: Some(existing), action: EnsureAction::Unchanged, changes, dry_run });
    }
    if dry_run {
        return Ok(EnsureConfigResult { config: Some(existing), action: EnsureAction::Updated, changes, dry_run });
    }
    let update = update_for(&existing.id, &input, &changes)?;
    match run(client.clone(), &Work::of::<UpdateConfig>(&update), &budget).await? {
        Answer::Config(config) => Ok(EnsureConfigResult { config: Some(config), action: EnsureAction::Updated, changes, dry_run }),
        _ => Err(unexpected()),
    }
}
