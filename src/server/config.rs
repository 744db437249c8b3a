//! Server settings: from `initializationOptions` and the `openjd` section of
//! `workspace/configuration`. Every option has a default; a malformed value
//! is reported and the previous settings are kept.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::workspace::QueueConfig;
use crate::workspace::files::IndexLimits;

/// A setting the server reads, below the `openjd` section.
#[derive(Clone, Copy, Debug)]
pub struct Setting {
    /// Dotted path below `openjd`, e.g. `diagnostics.debounceMs`.
    pub key: &'static str,
    /// The default, as JSON.
    pub default: &'static str,
    pub doc: &'static str,
}

/// Every setting of the server: the one list. Keys outside it (and outside
/// [`CLIENT_SETTINGS`]) are reported as unknown; VS Code's `package.json`
/// and the README's settings tables are tested against it
/// (tests/editor_settings.rs), and a test below holds it to [`Config`].
pub const SETTINGS: &[Setting] = &[
    Setting {
        key: "diagnostics.debounceMs",
        default: "\"auto\"",
        doc: "Wait in milliseconds after an edit before the document is analysed again; \"auto\" (or null): none while its analyses end between its edits, else about one analysis' time (at most 0.5 s) until one does.",
    },
    Setting {
        key: "log.level",
        default: "\"info\"",
        doc: "Level of the server's log: error, warn, info, debug or trace.",
    },
    Setting {
        key: "hints.wrappedActions",
        default: "true",
        doc: "Inlay hints naming the environment whose wrap hook runs instead of each action.",
    },
    Setting {
        key: "files.maxSizeMiB",
        default: "16",
        doc: "Files on disk larger than this many MiB are not read (logged, or reported on the queue configuration entry that names them).",
    },
    Setting {
        key: "files.maxIndexedFiles",
        default: "20000",
        doc: "At most this many YAML and JSON files of each workspace folder are read when indexing (a message says when a folder has more).",
    },
    Setting {
        key: "files.maxIndexedMiB",
        default: "256",
        doc: "At most this many MiB of YAML and JSON files of each workspace folder are read when indexing (a message says when a folder has more).",
    },
    Setting {
        key: "queues",
        default: "[]",
        doc: "Queue environments applied outside jobs: [{name, environments: [paths, outermost first], jobs: [globs]}], as in openjd-lsp.yaml.",
    },
];

/// Top-level keys of client-side settings that editors keep in the same
/// `openjd` section (VS Code's `openjd.server.path`, `openjd.trace.server`,
/// `openjd.detectTemplatesByContent`): accepted and ignored.
pub const CLIENT_SETTINGS: &[&str] = &["server", "trace", "detectTemplatesByContent"];

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Config {
    pub diagnostics: DiagnosticsConfig,
    pub log: LogConfig,
    pub hints: HintsConfig,
    pub files: FilesConfig,
    pub queues: Vec<QueueConfig>,
    /// Client-side settings that may be sent along ([`CLIENT_SETTINGS`]);
    /// ignored here.
    #[serde(skip_serializing)]
    pub server: serde_json::Value,
    #[serde(skip_serializing)]
    pub trace: serde_json::Value,
    #[serde(skip_serializing)]
    pub detect_templates_by_content: serde_json::Value,
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
            detect_templates_by_content: serde_json::Value::Null,
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct DiagnosticsConfig {
    /// Wait after an edit before the document is analysed again.
    pub debounce_ms: Debounce,
}

/// The wait after an edit before the document is analysed again: a number
/// of milliseconds, or `"auto"` (also `null`), which scales it from the
/// document's recent analyses (see `server::pacing`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Debounce {
    #[default]
    Auto,
    Fixed(u64),
}

impl Serialize for Debounce {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Debounce::Auto => serializer.serialize_str("auto"),
            Debounce::Fixed(ms) => serializer.serialize_u64(*ms),
        }
    }
}

impl<'de> Deserialize<'de> for Debounce {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DebounceVisitor)
    }
}

struct DebounceVisitor;

impl serde::de::Visitor<'_> for DebounceVisitor {
    type Value = Debounce;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a whole number of milliseconds (0 or more) or \"auto\"")
    }

    fn visit_u64<E: serde::de::Error>(self, ms: u64) -> Result<Debounce, E> {
        Ok(Debounce::Fixed(ms))
    }

    fn visit_i64<E: serde::de::Error>(self, ms: i64) -> Result<Debounce, E> {
        u64::try_from(ms)
            .map(Debounce::Fixed)
            .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(ms), &self))
    }

    fn visit_str<E: serde::de::Error>(self, word: &str) -> Result<Debounce, E> {
        match word {
            "auto" => Ok(Debounce::Auto),
            _ => Err(E::invalid_value(serde::de::Unexpected::Str(word), &self)),
        }
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Debounce, E> {
        Ok(Debounce::Auto)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Debounce, E> {
        Ok(Debounce::Auto)
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
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

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
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

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct FilesConfig {
    /// Files on disk larger than this many MiB are not read (a log line or
    /// a diagnostic on the configuration entry that names them says so).
    #[serde(rename = "maxSizeMiB")]
    pub max_size_mib: usize,
    /// Candidate files of a workspace folder read when indexing, at most.
    pub max_indexed_files: usize,
    /// Their MiB together, at most.
    #[serde(rename = "maxIndexedMiB")]
    pub max_indexed_mib: u64,
}

impl Default for FilesConfig {
    fn default() -> Self {
        let limits = IndexLimits::DEFAULT;
        FilesConfig {
            max_size_mib: crate::workspace::files::DEFAULT_MAX_FILE_BYTES >> 20,
            max_indexed_files: limits.files,
            max_indexed_mib: limits.bytes >> 20,
        }
    }
}

impl FilesConfig {
    /// How much of each workspace folder is indexed.
    pub(crate) fn index_limits(&self) -> IndexLimits {
        IndexLimits {
            files: self.max_indexed_files,
            bytes: self.max_indexed_mib.saturating_mul(1 << 20),
        }
    }
}

impl Config {
    /// Top-level keys of the section this server does not know; they are
    /// ignored, and reported so a typo does not go unnoticed.
    pub(crate) fn unknown_keys(value: &serde_json::Value) -> Vec<String> {
        let known = |k: &str| {
            CLIENT_SETTINGS.contains(&k)
                || SETTINGS.iter().any(|s| s.key.split('.').next() == Some(k))
        };
        let section = match value {
            serde_json::Value::Object(map) if map.contains_key("openjd") => &map["openjd"],
            other => other,
        };
        section
            .as_object()
            .map(|m| m.keys().filter(|k| !known(k)).cloned().collect())
            .unwrap_or_default()
    }

    /// Read settings sent by a client: either `{ "openjd": {...} }` or the
    /// section itself. `Ok(None)` when nothing was sent.
    pub(crate) fn from_client(value: &serde_json::Value) -> Result<Option<Config>, String> {
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
        assert_eq!(c.diagnostics.debounce_ms, Debounce::Fixed(10));
        assert!(c.hints.wrapped_actions);
        assert_eq!(c.files.max_size_mib, 16);
        let c = Config::from_client(&json!({"log": {"level": "debug"}}))
            .unwrap()
            .unwrap();
        assert_eq!(c.log.level, "debug");
        assert!(Config::from_client(&json!(null)).unwrap().is_none());
        assert!(Config::from_client(&json!({"diagnostics": {"debounceMs": "soon"}})).is_err());
        assert!(Config::from_client(&json!({"diagnostics": {"debounceMs": -1}})).is_err());
        assert!(Config::from_client(&json!({"diagnostics": {"debounceMs": 2.5}})).is_err());
        // An unknown key is ignored (and reported), not fatal.
        let v = json!({"openjd": {"colour": "red", "log": {"level": "warn"}}});
        assert_eq!(Config::from_client(&v).unwrap().unwrap().log.level, "warn");
        assert_eq!(Config::unknown_keys(&v), vec!["colour".to_string()]);
    }

    /// The settings as nested JSON, from a dotted key and a value per entry.
    fn nested(
        entries: impl Iterator<Item = (&'static str, serde_json::Value)>,
    ) -> serde_json::Value {
        let mut root = serde_json::Map::new();
        for (key, value) in entries {
            let mut map = &mut root;
            let mut parts = key.split('.').peekable();
            while let Some(part) = parts.next() {
                if parts.peek().is_none() {
                    map.insert(part.to_string(), value.clone());
                } else {
                    map = map
                        .entry(part)
                        .or_insert_with(|| json!({}))
                        .as_object_mut()
                        .expect("an object");
                }
            }
        }
        serde_json::Value::Object(root)
    }

    /// Dotted keys of the leaves of a JSON object (arrays are leaves).
    fn leaves(value: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
        match value.as_object() {
            Some(map) => {
                for (k, v) in map {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    leaves(v, &key, out);
                }
            }
            None => out.push(prefix.to_string()),
        }
    }

    #[test]
    fn the_debounce_is_automatic_unless_a_number_is_given() {
        let debounce = |v: serde_json::Value| {
            Config::from_client(&json!({"diagnostics": {"debounceMs": v}}))
                .map(|c| c.map(|c| c.diagnostics.debounce_ms))
        };
        assert_eq!(Config::default().diagnostics.debounce_ms, Debounce::Auto);
        assert_eq!(debounce(json!("auto")), Ok(Some(Debounce::Auto)));
        assert_eq!(debounce(json!(null)), Ok(Some(Debounce::Auto)));
        assert_eq!(debounce(json!(0)), Ok(Some(Debounce::Fixed(0))));
        assert_eq!(debounce(json!(250)), Ok(Some(Debounce::Fixed(250))));
        let err = debounce(json!("later")).unwrap_err();
        assert!(err.contains("\"auto\""), "{err}");
        // Written back as read: the word, or the number.
        assert_eq!(serde_json::to_value(Debounce::Auto).unwrap(), json!("auto"));
        assert_eq!(serde_json::to_value(Debounce::Fixed(7)).unwrap(), json!(7));
    }

    #[test]
    fn the_settings_list_is_the_config_with_its_defaults() {
        // Every listed setting, at its listed default, reads as the default
        // configuration...
        let defaults = nested(SETTINGS.iter().map(|s| {
            let value: serde_json::Value = serde_json::from_str(s.default)
                .unwrap_or_else(|e| panic!("{}: default is not JSON: {e}", s.key));
            (s.key, value)
        }));
        assert_eq!(
            Config::from_client(&defaults).unwrap(),
            Some(Config::default()),
            "{defaults}"
        );
        assert!(Config::unknown_keys(&defaults).is_empty());
        // ...and every setting of the configuration is listed.
        let mut keys = Vec::new();
        leaves(
            &serde_json::to_value(Config::default()).unwrap(),
            "",
            &mut keys,
        );
        let mut listed: Vec<String> = SETTINGS.iter().map(|s| s.key.to_string()).collect();
        keys.sort();
        listed.sort();
        assert_eq!(keys, listed);
        // Client-side settings are accepted, not reported.
        let client = json!({"server": {"path": "/x"}, "trace": {"server": "off"}, "detectTemplatesByContent": false});
        assert!(Config::from_client(&client).unwrap().is_some());
        assert!(Config::unknown_keys(&client).is_empty());
    }
}
