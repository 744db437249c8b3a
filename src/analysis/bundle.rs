//! The files of a Deadline Cloud job bundle that sit beside its template:
//! `parameter_values.yaml|json` (values for the template's parameters and
//! for Deadline Cloud's own job settings) and `asset_references.yaml|json`
//! (the files and directories a job reads and writes), and where present
//! `hooks.yaml|json` (the submission hooks the submitter runs on the
//! submitting workstation: `preGUI`, `preSubmission`, `postSubmission`).
//!
//! The values file is read the way the Deadline Cloud submitter reads it:
//! a value may be written as any scalar, because the submitter passes
//! `str(value)` on; names with the `deadline:` prefix are job settings,
//! and only the ones the submitter knows are accepted; names with another
//! application's prefix (`maya:…`) are dropped by the submitter and left
//! alone here.

use std::path::PathBuf;

use crate::model::ParamKind;
use crate::syntax::{self, Node, NodeKind, ScalarKind, Span};

use super::Code;
use super::diagnostic::{Diagnostic, Related, did_you_mean};

/// Which bundle file a file name is, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BundleFile {
    ParameterValues,
    AssetReferences,
    /// Deadline Cloud's submission hooks (`hooks.yaml|json` beside the
    /// template), read by its `job_bundle._hooks` module.
    Hooks,
}

impl BundleFile {
    pub(crate) fn of_name(file_name: &str) -> Option<BundleFile> {
        let (stem, ext) = file_name.rsplit_once('.')?;
        if !matches!(ext.to_ascii_lowercase().as_str(), "yaml" | "yml" | "json") {
            return None;
        }
        match stem {
            "parameter_values" => Some(BundleFile::ParameterValues),
            "asset_references" => Some(BundleFile::AssetReferences),
            "hooks" => Some(BundleFile::Hooks),
            _ => None,
        }
    }

    pub(crate) fn of_path(path: &std::path::Path) -> Option<BundleFile> {
        BundleFile::of_name(path.file_name()?.to_str()?)
    }
}

/// A Deadline Cloud job setting a values file may give (`deadline:<name>`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct JobSetting {
    pub name: &'static str,
    pub kind: ParamKind,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub allowed: &'static [&'static str],
    pub doc: &'static str,
}

/// The job settings the Deadline Cloud submitter accepts from a values file
/// (its `DEFAULT_SUPPORTED_APP_PARAMETER_NAMES`), with the types and ranges
/// of the CreateJob API fields they become.
pub(crate) const JOB_SETTINGS: [JobSetting; 5] = [
    JobSetting {
        name: "deadline:priority",
        kind: ParamKind::Int,
        min: Some(0),
        max: Some(100),
        allowed: &[],
        doc: "The job's priority in its queue, 0 to 100 (the submitter's default is 50); higher runs first.",
    },
    JobSetting {
        name: "deadline:targetTaskRunStatus",
        kind: ParamKind::String,
        min: None,
        max: None,
        allowed: &["READY", "SUSPENDED"],
        doc: "The state the job's tasks start in: READY to run as soon as possible, SUSPENDED to hold them.",
    },
    JobSetting {
        name: "deadline:maxFailedTasksCount",
        kind: ParamKind::Int,
        min: Some(0),
        max: Some(2_147_483_647),
        allowed: &[],
        doc: "How many tasks may fail before the job is marked failed (the submitter's default is 20).",
    },
    JobSetting {
        name: "deadline:maxRetriesPerTask",
        kind: ParamKind::Int,
        min: Some(0),
        max: Some(2_147_483_647),
        allowed: &[],
        doc: "How many times a failed task is retried before it is marked failed (the submitter's default is 5).",
    },
    JobSetting {
        name: "deadline:maxWorkerCount",
        kind: ParamKind::Int,
        min: Some(-1),
        max: Some(2_147_483_647),
        allowed: &[],
        doc: "How many workers may run the job's tasks at once; -1 (the default) for no limit.",
    },
];

pub(crate) fn job_setting(name: &str) -> Option<&'static JobSetting> {
    JOB_SETTINGS.iter().find(|s| s.name == name)
}

/// One `{name, value}` entry of a values file.
#[derive(Clone, Debug)]
pub(crate) struct ValueEntry {
    pub name: String,
    pub name_span: Span,
    /// The `name` key, so completion can tell a name from a value.
    pub span: Span,
    pub value: Option<Node>,
}

/// A values file read for its entries; shape problems are diagnostics.
#[derive(Debug, Default)]
pub(crate) struct ParameterValues {
    pub root: Option<Node>,
    pub entries: Vec<ValueEntry>,
    /// The `parameterValues` key, where a missing value is reported.
    pub list_key: Option<Span>,
    pub diagnostics: Vec<Diagnostic>,
}

fn syntax_diagnostics(parsed: &syntax::Parsed) -> Vec<Diagnostic> {
    parsed
        .errors
        .iter()
        .map(|e| Diagnostic::new(Code::Syntax, e.span.clone(), e.message.clone()))
        .collect()
}

/// Unknown keys of `node` (one of `known`), with did-you-mean.
fn unknown_keys(node: &Node, known: &[&str], what: &str, diags: &mut Vec<Diagnostic>) {
    for e in node.entries().unwrap_or(&[]) {
        let Some(k) = e.key.as_str() else { continue };
        if known.contains(&k) {
            continue;
        }
        let expected = known
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut d = Diagnostic::new(
            Code::BundleUnknownKey,
            e.key.span.clone(),
            format!("Unknown key `{k}` in {what}; expected {expected}"),
        );
        if let Some(best) = did_you_mean(k, known.iter().copied()) {
            d.message.push_str(&format!("; did you mean `{best}`?"));
            d = d.with_suggestion(best);
        }
        diags.push(d);
    }
}

impl ParameterValues {
    pub fn parse(text: &str) -> ParameterValues {
        let parsed = syntax::parse(text);
        let mut out = ParameterValues {
            diagnostics: syntax_diagnostics(&parsed),
            ..ParameterValues::default()
        };
        let Some(root) = parsed.root else {
            return out;
        };
        if root.entries().is_none() {
            if !root.is_null() {
                out.diagnostics.push(Diagnostic::new(
                    Code::BundleWrongType,
                    root.span.clone(),
                    "A parameter values file is a mapping with a `parameterValues` list",
                ));
            }
            out.root = Some(root);
            return out;
        }
        unknown_keys(
            &root,
            &["parameterValues"],
            "a parameter values file",
            &mut out.diagnostics,
        );
        if let Some(e) = root.entry("parameterValues") {
            out.list_key = Some(e.key.span.clone());
            match &e.value.kind {
                NodeKind::Sequence(items) => {
                    for item in items {
                        out.entry(item);
                    }
                }
                _ if e.value.is_null() => {}
                _ => out.diagnostics.push(Diagnostic::new(
                    Code::BundleWrongType,
                    e.value.span.clone(),
                    format!(
                        "`parameterValues` must be a list of `{{name, value}}` entries, not {}",
                        e.value.type_name()
                    ),
                )),
            }
        }
        out.root = Some(root);
        out
    }

    fn entry(&mut self, item: &Node) {
        if item.entries().is_none() {
            self.diagnostics.push(Diagnostic::new(
                Code::BundleWrongType,
                item.span.clone(),
                format!(
                    "Each parameter value is a mapping with `name` and `value`, not {}",
                    item.type_name()
                ),
            ));
            return;
        }
        unknown_keys(
            item,
            &["name", "value"],
            "a parameter value",
            &mut self.diagnostics,
        );
        let Some(name) = item.entry("name") else {
            self.diagnostics.push(Diagnostic::new(
                Code::BundleMissingKey,
                item.span.start..item.span.start,
                "This entry has no `name`",
            ));
            return;
        };
        let Some(n) = name
            .value
            .as_str()
            .filter(|_| name.value.entries().is_none())
        else {
            self.diagnostics.push(Diagnostic::new(
                Code::BundleWrongType,
                name.value.span.clone(),
                "A parameter's `name` is a string",
            ));
            return;
        };
        let value = item.get("value").cloned();
        if value.is_none() {
            self.diagnostics.push(Diagnostic::new(
                Code::BundleMissingKey,
                name.value.span.clone(),
                format!("`{n}` has no `value`; the submitter needs one for every entry"),
            ));
        }
        self.entries.push(ValueEntry {
            name: n.to_string(),
            name_span: name.value.span.clone(),
            span: item.span.clone(),
            value,
        });
    }

    /// The entry whose name or value contains `offset`.
    pub(crate) fn entry_at(&self, offset: usize) -> Option<&ValueEntry> {
        self.entries
            .iter()
            .find(|e| syntax::tree::contains(&e.span, offset))
    }
}

/// A parameter the values may name: a definition of the job template (or
/// of a queue environment), read straight from its tree.
#[derive(Clone, Copy, Debug)]
pub struct ParamDef<'a> {
    pub name: &'a str,
    pub name_span: &'a Span,
    pub node: &'a Node,
    pub kind: ParamKind,
    /// The template file that defines it, when it is not the job template.
    pub origin: Option<&'a std::path::Path>,
}

impl<'a> ParamDef<'a> {
    /// A queue environment's parameter, known from its model only: its
    /// type is checked, not its constraints.
    pub(crate) fn from_model(p: &'a crate::model::Parameter, origin: &'a std::path::Path) -> Self {
        ParamDef {
            name: &p.name.value,
            name_span: &p.name.span,
            node: &EMPTY,
            kind: p.kind,
            origin: Some(origin),
        }
    }

    pub(crate) fn type_name(&self) -> &'a str {
        self.node
            .get("type")
            .and_then(Node::as_str)
            .unwrap_or(kind_name(self.kind))
    }
    pub(crate) fn has_default(&self) -> bool {
        self.node.get("default").is_some()
    }
    pub fn description(&self) -> Option<&'a str> {
        self.node.get("description").and_then(Node::as_str)
    }
    pub(crate) fn allowed_values(&self) -> Vec<&'a str> {
        self.node
            .get("allowedValues")
            .and_then(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(Node::as_str)
            .collect()
    }
}

/// The parameter definitions of a template's tree.
#[cfg(test)]
pub(crate) fn definitions<'a>(
    root: &'a Node,
    origin: Option<&'a std::path::Path>,
) -> Vec<ParamDef<'a>> {
    root.get("parameterDefinitions")
        .map(|list| definitions_of(list, origin))
        .unwrap_or_default()
}

/// The definitions of a `parameterDefinitions` list.
pub(crate) fn definitions_of<'a>(
    list: &'a Node,
    origin: Option<&'a std::path::Path>,
) -> Vec<ParamDef<'a>> {
    list.items()
        .unwrap_or(&[])
        .iter()
        .filter_map(|p| {
            let name = p.get("name")?;
            Some(ParamDef {
                name: name.as_str()?,
                name_span: &name.span,
                node: p,
                kind: ParamKind::from_type_name(p.get("type").and_then(Node::as_str).unwrap_or("")),
                origin,
            })
        })
        .collect()
}

/// What the values are checked against.
pub struct Against<'a> {
    /// The job template's parameters, then those of queue environments.
    pub params: Vec<ParamDef<'a>>,
    /// The job template, for related locations.
    pub template: Option<PathBuf>,
    /// Whether the queue environments the job runs under are known (their
    /// parameters are then in `params`). When they are not, a name the
    /// template does not define may still be a queue environment's.
    pub queues_known: bool,
}

/// Check the values of a values file against the template's parameters.
pub(crate) fn check_values(values: &ParameterValues, against: &Against<'_>) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let related = |d: Diagnostic, def: &ParamDef<'_>| -> Diagnostic {
        let mut d = d;
        let file = def.origin.map(PathBuf::from).or(against.template.clone());
        if file.is_some() {
            d.related.push(Related {
                file,
                span: def.name_span.clone(),
                message: format!("`{}` is defined here", def.name),
            });
        }
        d
    };
    let mut seen: Vec<(&str, &Span)> = Vec::new();
    for e in &values.entries {
        if let Some((_, first)) = seen.iter().find(|(n, _)| *n == e.name) {
            diags.push(
                Diagnostic::new(
                    Code::BundleDuplicateValue,
                    e.name_span.clone(),
                    format!(
                        "`{}` is given twice; the submitter keeps only the last value",
                        e.name
                    ),
                )
                .with_related((*first).clone(), "first given here"),
            );
        } else {
            seen.push((&e.name, &e.name_span));
        }
        if let Some(setting) = job_setting(&e.name) {
            if let Some(v) = &e.value {
                check_setting(v, setting, &mut diags);
            }
            continue;
        }
        if let Some(rest) = e.name.strip_prefix("deadline:") {
            let names = JOB_SETTINGS.iter().map(|s| s.name);
            let list = JOB_SETTINGS
                .iter()
                .map(|s| format!("`{}`", s.name))
                .collect::<Vec<_>>()
                .join(", ");
            let mut d = Diagnostic::new(
                Code::BundleUnknownSetting,
                e.name_span.clone(),
                format!(
                    "The Deadline Cloud submitter knows no job setting `deadline:{rest}` and refuses the bundle; it accepts {list}"
                ),
            );
            if let Some(best) = did_you_mean(&e.name, names) {
                d.message.push_str(&format!("; did you mean `{best}`?"));
                d = d.with_suggestion(best);
            }
            diags.push(d);
            continue;
        }
        if e.name.contains(':') {
            // Another application's setting: the submitter drops it.
            continue;
        }
        let Some(def) = against.params.iter().find(|p| p.name == e.name) else {
            let mut d = Diagnostic::new(
                Code::BundleUnknownParameter,
                e.name_span.clone(),
                format!("The job template defines no parameter `{}`", e.name),
            );
            if against.queues_known {
                d.message.push_str(", nor do its queue's environments");
            } else {
                d.severity = Code::BundleMaybeQueueParameter.severity();
                d.code = Code::BundleMaybeQueueParameter;
                d.message.push_str(
                    "; unless a queue environment defines it, the submission fails (no queue configuration names this job's queue)",
                );
            }
            if let Some(best) = did_you_mean(&e.name, against.params.iter().map(|p| p.name)) {
                d.message.push_str(&format!("; did you mean `{best}`?"));
                d = d.with_suggestion(best);
            }
            diags.push(d);
            continue;
        };
        if let Some(v) = &e.value {
            let mut found = Vec::new();
            check_value(v, def.kind, def.node, def.name, &mut found);
            diags.extend(found.into_iter().map(|d| related(d, def)));
        }
    }
    if let Some(at) = &values.list_key {
        for def in &against.params {
            if def.origin.is_some() || def.has_default() {
                continue;
            }
            if values.entries.iter().any(|e| e.name == def.name) {
                continue;
            }
            let d = Diagnostic::new(
                Code::BundleMissingValue,
                at.clone(),
                format!(
                    "The template's parameter `{}` has no default and no value here; the submission must supply one",
                    def.name
                ),
            );
            diags.push(related(d, def));
        }
    }
    diags
}

fn check_setting(v: &Node, s: &JobSetting, diags: &mut Vec<Diagnostic>) {
    match s.kind {
        ParamKind::Int => {
            let Some(n) = int_of(v) else {
                diags.push(Diagnostic::new(
                    Code::BundleWrongType,
                    v.span.clone(),
                    format!("`{}` is an integer, not {}", s.name, v.type_name()),
                ));
                return;
            };
            let (lo, hi) = (s.min.unwrap_or(i64::MIN), s.max.unwrap_or(i64::MAX));
            if n < lo || n > hi {
                diags.push(Diagnostic::new(
                    Code::BundleOutOfRange,
                    v.span.clone(),
                    format!("`{}` must be from {lo} to {hi}; {n} is outside", s.name),
                ));
            }
        }
        _ => {
            let Some(text) = scalar_text(v) else {
                diags.push(Diagnostic::new(
                    Code::BundleWrongType,
                    v.span.clone(),
                    format!("`{}` is a string, not {}", s.name, v.type_name()),
                ));
                return;
            };
            if !s.allowed.is_empty() && !s.allowed.contains(&text) {
                let mut d = Diagnostic::new(
                    Code::BundleNotAllowed,
                    v.span.clone(),
                    format!(
                        "`{text}` is not a value of `{}`; expected one of {}",
                        s.name,
                        s.allowed.join(", ")
                    ),
                );
                if let Some(best) = did_you_mean(text, s.allowed.iter().copied()) {
                    d = d.with_suggestion(best);
                }
                diags.push(d);
            }
        }
    }
}

/// The text a scalar value passes on (`str(value)` in the submitter).
fn scalar_text(v: &Node) -> Option<&str> {
    match &v.kind {
        NodeKind::Scalar(s) if !v.is_null() => Some(s.value.as_str()),
        _ => None,
    }
}

fn int_of(v: &Node) -> Option<i64> {
    let s = v.scalar()?;
    match s.kind() {
        ScalarKind::Int(n) => n,
        ScalarKind::Str => s.value.trim().parse::<i64>().ok(),
        _ => None,
    }
}

fn float_of(v: &Node) -> Option<f64> {
    let s = v.scalar()?;
    match s.kind() {
        ScalarKind::Int(Some(n)) => Some(n as f64),
        ScalarKind::Float(f) => Some(f),
        ScalarKind::Str => s.value.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

const BOOL_WORDS: [&str; 8] = ["true", "false", "yes", "no", "on", "off", "1", "0"];

fn is_bool(v: &Node) -> bool {
    match v.scalar().map(|s| (s.kind(), s.value.to_ascii_lowercase())) {
        Some((ScalarKind::Bool(_), _)) => true,
        Some((ScalarKind::Int(Some(0 | 1)), _)) => true,
        Some((ScalarKind::Str, w)) => BOOL_WORDS.contains(&w.as_str()),
        _ => false,
    }
}

/// `1-10:2, 15`: comma-separated integers and ranges with an optional step.
fn is_range_expr(s: &str) -> bool {
    let int = |t: &str| t.trim().parse::<i64>().is_ok();
    !s.trim().is_empty()
        && s.split(',').all(|part| {
            let (range, step) = match part.split_once(':') {
                Some((r, st)) => (r, Some(st)),
                None => (part, None),
            };
            if step.is_some_and(|st| st.trim().parse::<i64>().map_or(true, |n| n <= 0)) {
                return false;
            }
            let r = range.trim();
            // The end may be negative, so split at a `-` after the first digit.
            match r.char_indices().skip(1).find(|&(_, c)| c == '-') {
                Some((i, _)) => int(&r[..i]) && int(&r[i + 1..]),
                None => step.is_none() && int(r),
            }
        })
}

fn item_kind(kind: ParamKind) -> Option<ParamKind> {
    Some(match kind {
        ParamKind::ListString => ParamKind::String,
        ParamKind::ListPath => ParamKind::Path,
        ParamKind::ListInt => ParamKind::Int,
        ParamKind::ListFloat => ParamKind::Float,
        ParamKind::ListBool => ParamKind::Bool,
        ParamKind::ListListInt => ParamKind::ListInt,
        _ => return None,
    })
}

fn number_limit(def: &Node, key: &str) -> Option<f64> {
    let s = def.get(key)?.scalar()?;
    match s.kind() {
        ScalarKind::Int(Some(n)) => Some(n as f64),
        ScalarKind::Float(f) => Some(f),
        ScalarKind::Str => s.value.trim().parse().ok(),
        _ => None,
    }
}

fn length_limit(def: &Node, key: &str) -> Option<usize> {
    let s = def.get(key)?.scalar()?;
    match s.kind() {
        ScalarKind::Int(Some(n)) => usize::try_from(n).ok(),
        ScalarKind::Str => s.value.trim().parse().ok(),
        _ => None,
    }
}

/// Check one value against a definition (`def` holds the constraints: the
/// parameter's mapping, or a list's `item` mapping).
fn check_value(v: &Node, kind: ParamKind, def: &Node, name: &str, diags: &mut Vec<Diagnostic>) {
    let wrong = |what: &str| {
        Diagnostic::new(
            Code::BundleWrongType,
            v.span.clone(),
            format!("`{name}` takes {what}, not {}", v.type_name()),
        )
    };
    if let Some(item) = item_kind(kind) {
        let Some(items) = v.items() else {
            diags.push(wrong(&format!("a list ({})", kind_name(kind))));
            return;
        };
        let n = items.len();
        if let Some(min) = length_limit(def, "minLength").filter(|m| n < *m) {
            diags.push(Diagnostic::new(
                Code::BundleLength,
                v.span.clone(),
                format!("`{name}` needs at least {min} item(s); this list has {n}"),
            ));
        }
        if let Some(max) = length_limit(def, "maxLength").filter(|m| n > *m) {
            diags.push(Diagnostic::new(
                Code::BundleLength,
                v.span.clone(),
                format!("`{name}` takes at most {max} item(s); this list has {n}"),
            ));
        }
        let item_def = def.get("item").unwrap_or(&EMPTY);
        for i in items {
            check_value(i, item, item_def, name, diags);
        }
        return;
    }
    if v.entries().is_some() || v.items().is_some() || v.is_null() {
        diags.push(wrong(&format!("a single {} value", kind_name(kind))));
        return;
    }
    let Some(text) = scalar_text(v) else { return };
    match kind {
        ParamKind::Int => {
            let Some(n) = int_of(v) else {
                diags.push(wrong("an integer"));
                return;
            };
            range_check(v, n as f64, &n.to_string(), def, name, diags);
            allowed_check(
                v,
                def,
                name,
                text,
                |a| a.trim().parse::<i64>().ok() == Some(n),
                diags,
            );
        }
        ParamKind::Float => {
            let Some(f) = float_of(v) else {
                diags.push(wrong("a number"));
                return;
            };
            range_check(v, f, text, def, name, diags);
            allowed_check(
                v,
                def,
                name,
                text,
                |a| a.trim().parse::<f64>().ok() == Some(f),
                diags,
            );
        }
        ParamKind::Bool if !is_bool(v) => {
            diags.push(wrong("a boolean (true/false, yes/no, on/off or 1/0)"));
        }
        ParamKind::RangeExpr if !is_range_expr(text) => {
            diags.push(Diagnostic::new(Code::BundleWrongType,
                v.span.clone(),
                format!("`{name}` takes a range expression such as `1-10` or `1-99:2,100`; `{text}` is not one"),
            ));
        }
        ParamKind::String | ParamKind::Path => {
            let n = text.chars().count();
            if let Some(min) = length_limit(def, "minLength").filter(|m| n < *m) {
                diags.push(Diagnostic::new(
                    Code::BundleLength,
                    v.span.clone(),
                    format!("`{name}` needs at least {min} character(s); this value has {n}"),
                ));
            }
            if let Some(max) = length_limit(def, "maxLength").filter(|m| n > *m) {
                diags.push(Diagnostic::new(
                    Code::BundleLength,
                    v.span.clone(),
                    format!("`{name}` takes at most {max} character(s); this value has {n}"),
                ));
            }
            allowed_check(v, def, name, text, |a| a == text, diags);
        }
        _ => {}
    }
}

static EMPTY: Node = Node {
    span: 0..0,
    kind: NodeKind::Mapping(Vec::new()),
    weight: 1,
};

fn kind_name(kind: ParamKind) -> &'static str {
    match kind {
        ParamKind::String => "STRING",
        ParamKind::Path => "PATH",
        ParamKind::Int => "INT",
        ParamKind::Float => "FLOAT",
        ParamKind::Bool => "BOOL",
        ParamKind::RangeExpr => "RANGE_EXPR",
        ParamKind::ListString => "LIST[STRING]",
        ParamKind::ListPath => "LIST[PATH]",
        ParamKind::ListInt => "LIST[INT]",
        ParamKind::ListFloat => "LIST[FLOAT]",
        ParamKind::ListBool => "LIST[BOOL]",
        ParamKind::ListListInt => "LIST[LIST[INT]]",
        ParamKind::Unknown => "",
    }
}

fn range_check(v: &Node, x: f64, shown: &str, def: &Node, name: &str, diags: &mut Vec<Diagnostic>) {
    if let Some(min) = number_limit(def, "minValue").filter(|m| x < *m) {
        diags.push(Diagnostic::new(
            Code::BundleOutOfRange,
            v.span.clone(),
            format!("`{name}` has minValue {min}; {shown} is below it"),
        ));
    }
    if let Some(max) = number_limit(def, "maxValue").filter(|m| x > *m) {
        diags.push(Diagnostic::new(
            Code::BundleOutOfRange,
            v.span.clone(),
            format!("`{name}` has maxValue {max}; {shown} is above it"),
        ));
    }
}

fn allowed_check(
    v: &Node,
    def: &Node,
    name: &str,
    text: &str,
    matches: impl Fn(&str) -> bool,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(list) = def.get("allowedValues").and_then(Node::items) else {
        return;
    };
    let allowed: Vec<&str> = list.iter().filter_map(Node::as_str).collect();
    if allowed.iter().any(|a| matches(a)) {
        return;
    }
    let mut d = Diagnostic::new(
        Code::BundleNotAllowed,
        v.span.clone(),
        format!(
            "`{text}` is not an allowed value of `{name}`; allowed: {}",
            allowed.join(", ")
        ),
    );
    if let Some(best) = did_you_mean(text, allowed.iter().copied()) {
        d = d.with_suggestion(best);
    }
    diags.push(d);
}

/// The hook phases a submission hooks file may list.
pub(crate) const HOOK_PHASES: [&str; 3] = ["preGUI", "preSubmission", "postSubmission"];

/// Check a submission hooks file's shape as the Deadline Cloud submitter
/// validates it (`job_bundle._hooks._validator`): `version` is the string
/// `"1.0"`; each phase is a list of hooks; each hook has a string
/// `command`, and optionally `args` (a list), `timeout` (a positive
/// integer, seconds) and `env` (a mapping). A key the submitter does not
/// read is reported with did-you-mean: it ignores it, so a misspelt phase
/// never runs.
pub(crate) fn check_hooks(text: &str) -> Vec<Diagnostic> {
    let (root, mut diags) = mapping_root(
        text,
        "A submission hooks file is a mapping with `version` and the hook lists `preGUI`, `preSubmission`, `postSubmission`",
    );
    let Some(root) = root else {
        return diags;
    };
    let mut known = vec!["version"];
    known.extend(HOOK_PHASES);
    unknown_keys(&root, &known, "a submission hooks file", &mut diags);
    if let Some(v) = root.get("version") {
        let is_string = v.scalar().is_some_and(|s| s.kind() == ScalarKind::Str);
        match v.scalar() {
            Some(s) if is_string && s.value == "1.0" => {}
            Some(s) if !is_string && s.value.trim() == "1.0" => diags.push(Diagnostic::new(
                Code::BundleWrongType,
                v.span.clone(),
                "`version` is the string \"1.0\"; unquoted, 1.0 is a number, which the submitter refuses",
            )),
            _ => diags.push(Diagnostic::new(
                Code::BundleNotAllowed,
                v.span.clone(),
                "The submitter supports hooks `version` \"1.0\" only",
            )),
        }
    }
    for phase in HOOK_PHASES {
        let Some(list) = root.get(phase) else {
            continue;
        };
        let Some(hooks) = list.items() else {
            if !list.is_null() {
                diags.push(Diagnostic::new(
                    Code::BundleWrongType,
                    list.span.clone(),
                    format!("`{phase}` is a list of hooks, not {}", list.type_name()),
                ));
            }
            continue;
        };
        for hook in hooks {
            check_hook(hook, phase, &mut diags);
        }
    }
    diags
}

fn check_hook(hook: &Node, phase: &str, diags: &mut Vec<Diagnostic>) {
    if hook.entries().is_none() {
        diags.push(Diagnostic::new(
            Code::BundleWrongType,
            hook.span.clone(),
            format!(
                "Each hook of `{phase}` is a mapping with `command`, not {}",
                hook.type_name()
            ),
        ));
        return;
    }
    unknown_keys(
        hook,
        &["command", "args", "timeout", "env"],
        "a hook",
        diags,
    );
    match hook.get("command") {
        None => diags.push(Diagnostic::new(
            Code::BundleMissingKey,
            hook.span.start..hook.span.start,
            "This hook has no `command`; the submitter refuses the bundle",
        )),
        Some(c)
            if scalar_text(c).is_none()
                || c.scalar().is_some_and(|s| s.kind() != ScalarKind::Str) =>
        {
            diags.push(Diagnostic::new(
                Code::BundleWrongType,
                c.span.clone(),
                format!("A hook's `command` is a string, not {}", c.type_name()),
            ));
        }
        Some(_) => {}
    }
    if let Some(args) = hook.get("args")
        && args.items().is_none()
    {
        diags.push(Diagnostic::new(
            Code::BundleWrongType,
            args.span.clone(),
            format!("A hook's `args` is a list, not {}", args.type_name()),
        ));
    }
    if let Some(t) = hook.get("timeout") {
        match t.scalar().map(|s| s.kind()) {
            Some(ScalarKind::Int(Some(n))) if n <= 0 => diags.push(Diagnostic::new(
                Code::BundleOutOfRange,
                t.span.clone(),
                format!("A hook's `timeout` is a positive number of seconds; {n} is not"),
            )),
            Some(ScalarKind::Int(Some(_))) => {}
            _ => diags.push(Diagnostic::new(
                Code::BundleWrongType,
                t.span.clone(),
                format!(
                    "A hook's `timeout` is a whole number of seconds, not {}",
                    t.type_name()
                ),
            )),
        }
    }
    if let Some(env) = hook.get("env")
        && env.entries().is_none()
    {
        diags.push(Diagnostic::new(
            Code::BundleWrongType,
            env.span.clone(),
            format!(
                "A hook's `env` is a mapping of variable names to values, not {}",
                env.type_name()
            ),
        ));
    }
}

/// A bundle file's syntax diagnostics and its root when that is a mapping;
/// any other root gets `bundle-wrong-type` saying what the file holds.
fn mapping_root(text: &str, what: &str) -> (Option<Node>, Vec<Diagnostic>) {
    let parsed = syntax::parse(text);
    let mut diags = syntax_diagnostics(&parsed);
    let root = parsed.root.filter(|root| {
        let mapping = root.entries().is_some();
        if !mapping && !root.is_null() {
            diags.push(Diagnostic::new(
                Code::BundleWrongType,
                root.span.clone(),
                what,
            ));
        }
        mapping
    });
    (root, diags)
}

/// Check an `asset_references` file's shape.
pub(crate) fn check_asset_references(text: &str) -> Vec<Diagnostic> {
    let (root, mut diags) = mapping_root(
        text,
        "An asset references file is a mapping with an `assetReferences` mapping",
    );
    let Some(root) = root else {
        return diags;
    };
    unknown_keys(
        &root,
        &["assetReferences"],
        "an asset references file",
        &mut diags,
    );
    let Some(refs) = root.get("assetReferences") else {
        return diags;
    };
    let mapping = |node: &Node, what: &str, diags: &mut Vec<Diagnostic>| -> bool {
        if node.entries().is_some() || node.is_null() {
            return node.entries().is_some();
        }
        diags.push(Diagnostic::new(
            Code::BundleWrongType,
            node.span.clone(),
            format!("`{what}` is a mapping, not {}", node.type_name()),
        ));
        false
    };
    let paths = |node: &Node, what: &str, diags: &mut Vec<Diagnostic>| {
        if node.is_null() {
            return;
        }
        let Some(items) = node.items() else {
            diags.push(Diagnostic::new(
                Code::BundleWrongType,
                node.span.clone(),
                format!("`{what}` is a list of paths, not {}", node.type_name()),
            ));
            return;
        };
        for i in items {
            if i.scalar().is_none() || i.is_null() {
                diags.push(Diagnostic::new(
                    Code::BundleWrongType,
                    i.span.clone(),
                    format!("Each of `{what}` is a path string, not {}", i.type_name()),
                ));
            }
        }
    };
    if !mapping(refs, "assetReferences", &mut diags) {
        return diags;
    }
    unknown_keys(
        refs,
        &["inputs", "outputs", "referencedPaths"],
        "`assetReferences`",
        &mut diags,
    );
    if let Some(inputs) = refs.get("inputs")
        && mapping(inputs, "inputs", &mut diags)
    {
        unknown_keys(
            inputs,
            &["filenames", "directories"],
            "`inputs`",
            &mut diags,
        );
        for key in ["filenames", "directories"] {
            if let Some(n) = inputs.get(key) {
                paths(n, &format!("inputs.{key}"), &mut diags);
            }
        }
    }
    if let Some(outputs) = refs.get("outputs")
        && mapping(outputs, "outputs", &mut diags)
    {
        unknown_keys(outputs, &["directories"], "`outputs`", &mut diags);
        if let Some(n) = outputs.get("directories") {
            paths(n, "outputs.directories", &mut diags);
        }
    }
    if let Some(n) = refs.get("referencedPaths") {
        paths(n, "referencedPaths", &mut diags);
    }
    diags
}

#[cfg(test)]
mod tests;
