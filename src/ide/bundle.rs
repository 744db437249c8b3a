//! Editor features in a job bundle's values file
//! (`parameter_values.yaml|json`), answered from the template beside it:
//! completion of the parameter names not given yet (and of Deadline
//! Cloud's `deadline:*` job settings), of allowed and BOOL values; hover
//! with a parameter's definition; go-to-definition, references and rename
//! across the values file and the template.
//!
//! The template side of references and rename is here too: a parameter of
//! a bundle's template is also named in the bundle's values file.

use std::path::{Path, PathBuf};

use crate::analysis::Analysis;
use crate::analysis::bundle::{
    BundleFile, JOB_SETTINGS, JobSetting, ParamDef, ParameterValues, ValueEntry, job_setting,
};
use crate::model::ParamKind;
use crate::syntax::{Node, Span};
use crate::text::floor_char_boundary;
use crate::workspace::Workspace;
use crate::workspace::bundle::{parameters, template_analysis, template_of, values_files};

use super::completion::{Completions, Item, ItemKind};
use super::hover::Hover;
use super::symbols::{Location, Symbol};

/// Whether `path` is a values file (and so these features answer there).
pub(crate) fn is_values_file(path: Option<&Path>, a: &Analysis) -> bool {
    !a.is_template() && path.and_then(BundleFile::of_path) == Some(BundleFile::ParameterValues)
}

/// What the cursor is on in a values file.
#[derive(Debug, PartialEq, Eq)]
enum Spot {
    /// The value of a `name` key: the range to replace, and whether the
    /// scalar is quoted (then the quotes stay).
    Name { replace: Span, quoted: bool },
    /// The value of a `value` key of the entry named `name`.
    Value {
        name: Option<String>,
        replace: Span,
        quoted: bool,
    },
    /// A blank line (or a bare `- `) where a whole entry fits; `dash`:
    /// the line already has its `- `; `indent`: the column of the entry's
    /// keys.
    NewEntry {
        at: usize,
        dash: bool,
        indent: usize,
    },
    /// The key position of an entry that has a `name` but no `value`.
    ValueKey { at: usize, name: String },
}

fn line_bounds(text: &str, offset: usize) -> (usize, usize) {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    (start, end)
}

/// The end of the token the cursor is in: up to a closing quote, `,`,
/// `}` or the end of the line (trailing blanks and comments left out).
fn token_end(text: &str, offset: usize, line_end: usize, quote: Option<char>) -> usize {
    let rest = &text[offset..line_end];
    let stop = match quote {
        Some(q) => rest.find(q).unwrap_or(rest.len()),
        None => rest
            .find([',', '}', ']', '#'])
            .unwrap_or(rest.len())
            .min(rest.find(" #").unwrap_or(rest.len())),
    };
    offset + rest[..stop].trim_end().len()
}

/// The key (`name` or `value`) whose value the text before the cursor is
/// in, the offset where that value starts, and its opening quote.
fn key_before(line: &str) -> Option<(&'static str, usize, Option<char>)> {
    let mut best: Option<(&'static str, usize, Option<char>)> = None;
    for key in ["name", "value"] {
        for (i, _) in line.match_indices(key) {
            let before = &line[..i];
            let quoted_key = before.ends_with('"') || before.ends_with('\'');
            let head = before.trim_end_matches(['"', '\'']);
            let head_ok = head.trim().is_empty()
                || head.trim_end().ends_with('-')
                || head.trim_end().ends_with('{')
                || head.trim_end().ends_with(',');
            if !head_ok {
                continue;
            }
            let mut after = i + key.len();
            if quoted_key {
                after += 1;
            }
            let rest = &line[after..];
            let Some(colon) = rest.strip_prefix(':') else {
                let trimmed = rest.trim_start();
                if !(trimmed.starts_with(':') && quoted_key) {
                    continue;
                }
                let skip = rest.len() - trimmed.len();
                let value_at = after + skip + 1;
                let Some((at, q)) = value_start(line, value_at) else {
                    continue;
                };
                best = best.filter(|b| b.1 > at).or(Some((key, at, q)));
                continue;
            };
            let _ = colon;
            let value_at = after + 1;
            // YAML needs a blank after the colon (or the end of the line).
            if !quoted_key && !line[value_at..].is_empty() && !line[value_at..].starts_with(' ') {
                continue;
            }
            let Some((at, q)) = value_start(line, value_at) else {
                continue;
            };
            best = best.filter(|b| b.1 > at).or(Some((key, at, q)));
        }
    }
    best
}

/// Where a value starts after `value_at` (blanks skipped), and its quote.
fn value_start(line: &str, value_at: usize) -> Option<(usize, Option<char>)> {
    let rest = &line[value_at..];
    let skip = rest.len() - rest.trim_start().len();
    let at = value_at + skip;
    match line[at..].chars().next() {
        Some(q @ ('"' | '\'')) => {
            // The value must still be open at the cursor.
            if line[at + 1..].contains(q) {
                return None;
            }
            Some((at + 1, Some(q)))
        }
        Some('[' | '{' | '|' | '>') => None,
        _ => Some((at, None)),
    }
}

fn spot(text: &str, values: &ParameterValues, offset: usize) -> Option<Spot> {
    let (ls, le) = line_bounds(text, offset);
    let before = &text[ls..offset];
    if let Some((key, at, quote)) = key_before(before) {
        let start = ls + at;
        let replace = start..token_end(text, offset, le, quote);
        let quoted = quote.is_some();
        return Some(match key {
            "name" => Spot::Name { replace, quoted },
            _ => Spot::Value {
                name: entry_name_near(text, values, offset),
                replace,
                quoted,
            },
        });
    }
    // A blank line, or `- ` alone: a new entry (YAML only).
    let whole = &text[ls..le];
    let content = whole.trim();
    if content.is_empty() || content == "-" {
        let indent = whole.len() - whole.trim_start().len();
        if content == "-" {
            return Some(Spot::NewEntry {
                at: offset,
                dash: true,
                indent: indent + 2,
            });
        }
        // Inside an entry that still lacks its value: offer the key.
        if let Some(e) = values
            .entries
            .iter()
            .rev()
            .find(|e| e.span.start < ls && e.value.is_none())
            && e.span.end + 1 >= ls
            && indent > column_of(text, e.span.start).saturating_sub(2)
            && indent >= column_of(text, e.span.start)
        {
            return Some(Spot::ValueKey {
                at: offset,
                name: e.name.clone(),
            });
        }
        values.list_key.as_ref().filter(|k| k.end <= ls)?;
        return Some(Spot::NewEntry {
            at: offset,
            dash: false,
            indent: indent + 2,
        });
    }
    None
}

fn column_of(text: &str, offset: usize) -> usize {
    offset - line_bounds(text, offset).0
}

/// The name of the entry the cursor's line belongs to: from the parsed
/// entries, else (a document that does not parse, such as JSON with an
/// open string) from the `{...}` around the cursor.
fn entry_name_near(text: &str, values: &ParameterValues, offset: usize) -> Option<String> {
    let (ls, _) = line_bounds(text, offset);
    if let Some(e) = values
        .entries
        .iter()
        .rev()
        .find(|e| e.span.start <= offset && e.span.end >= ls)
    {
        return Some(e.name.clone());
    }
    let open = text[..offset].rfind('{')?;
    let close = text[offset..].find('}').map_or(text.len(), |i| offset + i);
    let region = &text[open..close];
    let at = region.find("\"name\"")?;
    let rest = region[at + 6..]
        .trim_start()
        .strip_prefix(':')?
        .trim_start();
    let rest = rest.strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_string())
}

/// A name or value as YAML plain text, or quoted when plain text would
/// read as something else (a number, a boolean, null) or not at all.
fn yaml_scalar(s: &str) -> String {
    let plain = crate::syntax::parse(&format!("k: {s}\n"))
        .root
        .and_then(|r| r.get("k").and_then(Node::as_str).map(str::to_string));
    let is_plain_string = plain.as_deref() == Some(s)
        && crate::syntax::parse(&format!("k: {s}\n"))
            .root
            .and_then(|r| r.get("k").and_then(Node::scalar).map(|sc| sc.kind()))
            == Some(crate::syntax::ScalarKind::Str);
    // The submitter reads YAML 1.1, where these are booleans too.
    let yaml11_bool =
        ["yes", "no", "on", "off", "y", "n"].contains(&s.to_ascii_lowercase().as_str());
    if is_plain_string && !s.is_empty() && !yaml11_bool {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

fn kind_label(p: &ParamDef<'_>) -> String {
    p.type_name().to_string()
}

/// Completion at `offset` of the values file `path` (text `text`).
pub fn complete(ws: &Workspace, path: &Path, text: &str, offset: usize) -> Completions {
    let offset = floor_char_boundary(text, offset);
    let values = ParameterValues::parse(text);
    let mut items = Vec::new();
    let params = template_of(ws, path)
        .map(|t| parameters(ws, t).0)
        .unwrap_or_default();
    let given = |name: &str| values.entries.iter().any(|e| e.name == name);
    let json = text.trim_start().starts_with('{');
    match spot(text, &values, offset) {
        Some(Spot::Name { replace, quoted }) => {
            let current = text[replace.clone()].to_string();
            let mut n = 0;
            for p in &params {
                if given(p.name) && p.name != current {
                    continue;
                }
                let insert = if quoted || json {
                    p.name.to_string()
                } else {
                    yaml_scalar(p.name)
                };
                items.push(param_item(p, insert, replace.clone(), &mut n));
            }
            for s in &JOB_SETTINGS {
                if given(s.name) && s.name != current {
                    continue;
                }
                let insert = if quoted || json {
                    s.name.to_string()
                } else {
                    yaml_scalar(s.name)
                };
                items.push(setting_item(s, insert, replace.clone(), &mut n));
            }
        }
        Some(Spot::Value {
            name: Some(name),
            replace,
            quoted,
        }) => {
            for (i, (v, doc, plain)) in value_choices(&params, &name).into_iter().enumerate() {
                let insert = if quoted || json || plain {
                    v.clone()
                } else {
                    yaml_scalar(&v)
                };
                items.push(Item {
                    label: v,
                    kind: ItemKind::Value,
                    detail: Some(format!("value of {name}")),
                    documentation: doc,
                    replace: replace.clone(),
                    insert,
                    snippet: false,
                    sort: format!("{i:04}"),
                    additional_edits: Vec::new(),
                });
            }
        }
        Some(Spot::NewEntry { at, dash, indent }) => {
            let pad = " ".repeat(indent);
            let mut n = 0;
            let missing = params
                .iter()
                .map(|p| (p.name, Some(p)))
                .chain(JOB_SETTINGS.iter().map(|s| (s.name, None)))
                .filter(|(name, _)| !given(name));
            for (name, def) in missing {
                let head = if dash { "" } else { "- " };
                let insert = format!("{head}name: {}\n{pad}value: $0", yaml_scalar(name));
                let mut item = match def {
                    Some(p) => param_item(p, insert, at..at, &mut n),
                    None => match job_setting(name) {
                        Some(s) => setting_item(s, insert, at..at, &mut n),
                        None => continue,
                    },
                };
                item.snippet = true;
                item.kind = ItemKind::Snippet;
                items.push(item);
            }
        }
        Some(Spot::ValueKey { at, name }) => {
            let mut item = Item {
                label: "value".into(),
                kind: ItemKind::Key,
                detail: Some(format!("the value of {name}")),
                documentation: None,
                replace: at..at,
                insert: "value: $0".into(),
                snippet: true,
                sort: "0".into(),
                additional_edits: Vec::new(),
            };
            if let Some(p) = params.iter().find(|p| p.name == name) {
                item.documentation = Some(definition_doc(ws, p));
            }
            items.push(item);
        }
        _ => {}
    }
    Completions {
        items,
        incomplete: false,
    }
}

fn param_item(p: &ParamDef<'_>, insert: String, replace: Span, n: &mut usize) -> Item {
    *n += 1;
    Item {
        label: p.name.to_string(),
        kind: ItemKind::Variable,
        detail: Some(match p.origin {
            Some(o) => format!("{} (queue environment {})", kind_label(p), file_name(o)),
            None => kind_label(p),
        }),
        documentation: p.description().map(str::to_string),
        replace,
        insert,
        snippet: false,
        // Parameters the template needs a value for come first.
        sort: format!(
            "{}{:04}",
            if p.has_default() || p.origin.is_some() {
                1
            } else {
                0
            },
            n
        ),
        additional_edits: Vec::new(),
    }
}

fn setting_item(s: &JobSetting, insert: String, replace: Span, n: &mut usize) -> Item {
    *n += 1;
    Item {
        label: s.name.to_string(),
        kind: ItemKind::Property,
        detail: Some(format!("Deadline Cloud job setting ({})", setting_type(s))),
        documentation: Some(s.doc.to_string()),
        replace,
        insert,
        snippet: false,
        sort: format!("2{n:04}"),
        additional_edits: Vec::new(),
    }
}

fn setting_type(s: &JobSetting) -> String {
    match (s.kind, s.min, s.max) {
        (ParamKind::Int, Some(lo), Some(hi)) => format!("integer, {lo} to {hi}"),
        (ParamKind::Int, _, _) => "integer".into(),
        _ if !s.allowed.is_empty() => s.allowed.join(" or "),
        _ => "string".into(),
    }
}

/// The values worth offering for the parameter `name`, each with its
/// documentation and whether it goes in as plain text even in YAML (a
/// number or boolean that the submitter passes on as written).
type Choice = (String, Option<String>, bool);

fn value_choices(params: &[ParamDef<'_>], name: &str) -> Vec<Choice> {
    if let Some(s) = job_setting(name) {
        return s
            .allowed
            .iter()
            .map(|a| (a.to_string(), None, false))
            .collect();
    }
    let Some(p) = params.iter().find(|p| p.name == name) else {
        return Vec::new();
    };
    let plain = matches!(p.kind, ParamKind::Int | ParamKind::Float | ParamKind::Bool);
    let allowed = p.allowed_values();
    if !allowed.is_empty() {
        return allowed
            .into_iter()
            .map(|a| (a.to_string(), None, plain))
            .collect();
    }
    match p.kind {
        ParamKind::Bool => ["true", "false"]
            .iter()
            .map(|b| (b.to_string(), None, true))
            .collect(),
        _ => match p.node.get("default").and_then(scalar_text) {
            Some(d) => vec![(d, Some("the template's default".to_string()), plain)],
            None => Vec::new(),
        },
    }
}

fn scalar_text(n: &Node) -> Option<String> {
    n.scalar()
        .filter(|_| !n.is_null())
        .map(|s| s.value.to_string())
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("?")
        .to_string()
}

/// Markdown of a parameter's definition: type, description, limits, default.
fn definition_doc(ws: &Workspace, p: &ParamDef<'_>) -> String {
    let mut s = format!("**{}**: {}", p.name, kind_label(p));
    if let Some(d) = p.description() {
        s.push_str(&format!("\n\n{d}"));
    }
    let mut limits = Vec::new();
    let node = p.node;
    for key in ["minValue", "maxValue", "minLength", "maxLength"] {
        if let Some(v) = node.get(key).and_then(scalar_text) {
            limits.push(format!("{key}: {v}"));
        }
    }
    let allowed = p.allowed_values();
    if !allowed.is_empty() {
        limits.push(format!(
            "allowed: {}",
            allowed
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let Some(item) = node.get("item") {
        for key in ["minValue", "maxValue", "minLength", "maxLength"] {
            if let Some(v) = item.get(key).and_then(scalar_text) {
                limits.push(format!("each item {key}: {v}"));
            }
        }
        let a: Vec<&str> = item
            .get("allowedValues")
            .and_then(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(Node::as_str)
            .collect();
        if !a.is_empty() {
            limits.push(format!("each item one of: {}", a.join(", ")));
        }
    }
    if !limits.is_empty() {
        s.push_str(&format!("\n\n{}", limits.join(" · ")));
    }
    match node.get("default") {
        Some(d) if d.items().is_some() => {
            let items: Vec<String> = d
                .items()
                .unwrap_or(&[])
                .iter()
                .filter_map(scalar_text)
                .collect();
            s.push_str(&format!("\n\nDefault: `[{}]`", items.join(", ")));
        }
        Some(d) => {
            if let Some(v) = scalar_text(d) {
                s.push_str(&format!("\n\nDefault: `{v}`"));
            }
        }
        None if p.origin.is_none() => {
            s.push_str("\n\nNo default: the submission must give a value.");
        }
        None => {}
    }
    if let Some(o) = p.origin {
        let line = ws.line(o, p.name_span.start);
        s.push_str(&format!(
            "\n\nDefined by the queue environment `{}`{}.",
            o.display(),
            line.map(|l| format!(", line {l}")).unwrap_or_default()
        ));
    }
    s
}

fn setting_doc(s: &JobSetting) -> String {
    format!(
        "**{}**: Deadline Cloud job setting ({})\n\n{}",
        s.name,
        setting_type(s),
        s.doc
    )
}

/// The entry whose name or value holds `offset`, and whether it is the name.
fn entry_at(values: &ParameterValues, offset: usize) -> Option<(&ValueEntry, bool)> {
    let e = values.entry_at(offset)?;
    if crate::syntax::tree::contains(&e.name_span, offset) {
        return Some((e, true));
    }
    let v = e.value.as_ref()?;
    crate::syntax::tree::contains(&v.span, offset).then_some((e, false))
}

/// Hover in a values file: the definition of the parameter (or job
/// setting) whose name or value is under the cursor.
pub fn hover(ws: &Workspace, path: &Path, text: &str, offset: usize) -> Option<Hover> {
    let values = ParameterValues::parse(text);
    let (e, on_name) = entry_at(&values, floor_char_boundary(text, offset))?;
    let range = if on_name {
        e.name_span.clone()
    } else {
        e.value.as_ref()?.span.clone()
    };
    if let Some(s) = job_setting(&e.name) {
        return Some(Hover {
            contents: setting_doc(s),
            range,
        });
    }
    let t = template_of(ws, path)?;
    let (params, _) = parameters(ws, t);
    let p = params.iter().find(|p| p.name == e.name)?;
    Some(Hover {
        contents: definition_doc(ws, p),
        range,
    })
}

/// Where a parameter is defined, as a location for the editor.
fn def_location(ws: &Workspace, template: &Path, p: &ParamDef<'_>) -> Location {
    let file = p.origin.unwrap_or(template);
    match ws.locate(file, p.name_span) {
        Some((host, span)) => Location {
            file: Some(host),
            span,
        },
        None => Location {
            file: Some(file.to_path_buf()),
            span: p.name_span.clone(),
        },
    }
}

/// Go to definition from a value's name: the template's (or a queue
/// environment's) definition of the parameter.
pub fn definition(ws: &Workspace, path: &Path, text: &str, offset: usize) -> Option<Location> {
    let values = ParameterValues::parse(text);
    let (e, _) = entry_at(&values, floor_char_boundary(text, offset))?;
    let t = template_of(ws, path)?;
    let (params, _) = parameters(ws, t);
    let p = params.iter().find(|p| p.name == e.name)?;
    Some(def_location(ws, &t.path, p))
}

/// The job template's parameter `name`: its template analysis and the
/// offset of its definition's name.
fn template_parameter(
    ws: &Workspace,
    path: &Path,
    name: &str,
) -> Option<(PathBuf, Analysis, usize)> {
    let t = template_of(ws, path)?;
    let a = template_analysis(&t.path)?;
    let tpl = a.template.as_ref()?;
    let i = tpl.parameters.iter().position(|p| p.name.value == name)?;
    let at = super::symbols::occurrences(&a)
        .into_iter()
        .find(|o| o.is_definition && o.symbol == Symbol::Parameter(i))?
        .span
        .start;
    Some((t.path.clone(), a, at))
}

/// References from a values file: every occurrence of the entry's name in
/// this file, the definition in the template (when asked) and its uses.
pub fn references(
    ws: &Workspace,
    path: &Path,
    text: &str,
    offset: usize,
    include_declaration: bool,
) -> Vec<Location> {
    let values = ParameterValues::parse(text);
    let Some((e, _)) = entry_at(&values, floor_char_boundary(text, offset)) else {
        return Vec::new();
    };
    let mut out: Vec<Location> = values
        .entries
        .iter()
        .filter(|x| x.name == e.name)
        .map(|x| Location {
            file: None,
            span: name_value_span(text, x),
        })
        .collect();
    if let Some((tpath, a, at)) = template_parameter(ws, path, &e.name) {
        for span in super::symbols::references(&a, at, include_declaration) {
            out.push(Location {
                file: Some(tpath.clone()),
                span,
            });
        }
    }
    out
}

/// The range of an entry's name without its quotes.
fn name_value_span(text: &str, e: &ValueEntry) -> Span {
    let s = &text[e.name_span.clone()];
    if (s.starts_with('"') || s.starts_with('\'')) && s.len() >= 2 {
        e.name_span.start + 1..e.name_span.end - 1
    } else {
        e.name_span.clone()
    }
}

/// Edits in one file; `None`: the document the request is about.
pub(crate) type FileEdits = Vec<(Option<PathBuf>, Vec<(Span, String)>)>;

/// The range a rename at `offset` of a values file would replace: a name
/// the bundle's template defines.
pub(crate) fn prepare_rename(
    ws: &Workspace,
    path: &Path,
    text: &str,
    offset: usize,
) -> Option<Span> {
    let values = ParameterValues::parse(text);
    let (e, on_name) = entry_at(&values, floor_char_boundary(text, offset))?;
    if !on_name {
        return None;
    }
    template_parameter(ws, path, &e.name)?;
    Some(name_value_span(text, e))
}

/// Rename from a values file: the template's parameter and its uses, and
/// every entry of this file that names it.
pub fn rename(
    ws: &Workspace,
    path: &Path,
    text: &str,
    offset: usize,
    new_name: &str,
) -> Result<FileEdits, String> {
    let values = ParameterValues::parse(text);
    let (e, _) = entry_at(&values, floor_char_boundary(text, offset))
        .ok_or_else(|| "Nothing to rename here".to_string())?;
    let (tpath, a, at) = template_parameter(ws, path, &e.name).ok_or_else(|| {
        format!(
            "The bundle's template defines no parameter `{}` to rename",
            e.name
        )
    })?;
    let template_edits = super::symbols::rename(&a, at, new_name)?;
    let here = values_edits(text, &values, &e.name, new_name);
    Ok(vec![(Some(tpath), template_edits), (None, here)])
}

fn values_edits(
    text: &str,
    values: &ParameterValues,
    old: &str,
    new_name: &str,
) -> Vec<(Span, String)> {
    values
        .entries
        .iter()
        .filter(|x| x.name == old)
        .map(|x| (name_value_span(text, x), new_name.to_string()))
        .collect()
}

/// The parameter name at `offset` of a job template, if any.
fn parameter_at(a: &Analysis, offset: usize) -> Option<String> {
    let occ = super::symbols::symbol_at(a, offset)?;
    let Symbol::Parameter(i) = occ.symbol else {
        return None;
    };
    Some(
        a.template
            .as_ref()?
            .parameters
            .get(i)?
            .name
            .value
            .to_string(),
    )
}

/// References in the bundle's values file to the parameter at `offset` of
/// the job template `path`.
pub(crate) fn values_references(a: &Analysis, path: Option<&Path>, offset: usize) -> Vec<Location> {
    let (Some(path), Some(name)) = (path, parameter_at(a, offset)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (file, text) in values_files(path) {
        let values = ParameterValues::parse(&text);
        for e in values.entries.iter().filter(|e| e.name == name) {
            out.push(Location {
                file: Some(file.clone()),
                span: name_value_span(&text, e),
            });
        }
    }
    out
}

/// The edits in the bundle's values files that renaming the parameter at
/// `offset` of the job template `path` to `new_name` needs.
pub(crate) fn values_rename(
    a: &Analysis,
    path: Option<&Path>,
    offset: usize,
    new_name: &str,
) -> FileEdits {
    let (Some(path), Some(name)) = (path, parameter_at(a, offset)) else {
        return Vec::new();
    };
    values_files(path)
        .into_iter()
        .filter_map(|(file, text)| {
            let values = ParameterValues::parse(&text);
            let edits = values_edits(&text, &values, &name, new_name);
            (!edits.is_empty()).then_some((Some(file), edits))
        })
        .collect()
}

#[cfg(test)]
mod tests;
