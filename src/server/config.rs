//! Server settings: from `initializationOptions` and the `openjd` section of
//! `workspace/configuration`. Every option has a default; a malformed value
//! is reported and the previous settings are kept.

use serde::Deserialize;

use crate::workspace::QueueConfig;

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Config {
    pub diagnostics: DiagnosticsConfig,
    pub log: LogConfig,
    pub hints: HintsConfig,
    pub files: FilesConfig,
    pub queues: Vec<QueueConfig>,
    /// Client-side settings that may be sent along; ignored here.
    pub server: serde_json::Value,
    pub trace: serde_json::Value,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            diagnostics: DiagnosticsConfig::default(),
            log: LogConfig::default(),
            hints: HintsConfig::default(),
            files: FilesConfig::default(),
            queues: Vec::new(),
            server: serde_json::Value::Null,
            trace: serde_json::Value::Null,
        }
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct DiagnosticsConfig {
    /// Quiet time after an edit before the document is analysed again.
    pub debounce_ms: u64,
}

impl Default for DiagnosticsConfig {
    fn default() -> Self {
        DiagnosticsConfig { debounce_ms: 50 }
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct LogConfig {
    /// error, warn, info, debug or trace.
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            level: "info".into(),
        }
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct HintsConfig {
    /// Inlay hints naming the environment that wraps each action.
    pub wrapped_actions: bool,
}

impl Default for HintsConfig {
    fn default() -> Self {
        HintsConfig {
            wrapped_actions: true,
        }
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct FilesConfig {
    /// Files on disk larger than this many MiB are not read (a log line or
    /// a diagnostic on the configuration entry that names them says so).
    #[serde(rename = "maxSizeMiB")]
    pub max_size_mib: usize,
}

impl Default for FilesConfig {
    fn default() -> Self {
        FilesConfig {
            max_size_mib: crate::workspace::files::DEFAULT_MAX_FILE_BYTES >> 20,
        }
    }
}

impl Config {
    /// Top-level keys of the section this server does not know; they are
    /// ignored, and reported so a typo does not go unnoticed.
    pub fn unknown_keys(value: &serde_json::Value) -> Vec<String> {
        const KNOWN: [&str; 7] = [
            "diagnostics",
            "log",
            "hints",
            "files",
            "queues",
            "server",
            "trace",
        ];
        let section = match value {
            serde_json::Value::Object(map) if map.contains_key("openjd") => &map["openjd"],
            other => other,
        };
        section
            .as_object()
            .map(|m| {
                m.keys()
                    .filter(|k| !KNOWN.contains(&k.as_str()))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Read settings sent by a client: either `{ "openjd": {...} }` or the
    /// section itself. `Ok(None)` when nothing was sent.
    pub fn from_client(value: &serde_json::Value) -> Result<Option<Config>, String> {
        let section = match value {
            serde_json::Value::Null => return Ok(None),
            serde_json::Value::Object(map) if map.contains_key("openjd") => &map["openjd"],
            other => other,
        };
        if section.is_null() {
            return Ok(None);
        }
        serde_json::from_value(section.clone())
            .map(Some)
            .map_err(|e| format!("invalid openjd settings: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_both_shapes_and_keeps_defaults() {
        let c = Config::from_client(&json!({"openjd": {"diagnostics": {"debounceMs": 10}}}))
            .unwrap()
            .unwrap();
        assert_eq!(c.diagnostics.debounce_ms, 10);
        assert!(c.hints.wrapped_actions);
        assert_eq!(c.files.max_size_mib, 16);
        let c = Config::from_client(&json!({"log": {"level": "debug"}}))
            .unwrap()
            .unwrap();
        assert_eq!(c.log.level, "debug");
        assert!(Config::from_client(&json!(null)).unwrap().is_none());
        assert!(Config::from_client(&json!({"diagnostics": {"debounceMs": "soon"}})).is_err());
        // An unknown key is ignored (and reported), not fatal.
        let v = json!({"openjd": {"colour": "red", "log": {"level": "warn"}}});
        assert_eq!(Config::from_client(&v).unwrap().unwrap().log.level, "warn");
        assert_eq!(Config::unknown_keys(&v), vec!["colour".to_string()]);
    }
}
