//! Completion as an author meets it: every accepted template we have (the
//! conformance suite's `accept` rows, `examples/`, `tests/runtime/`), and
//! each of them again as JSON. For every mapping key the schema knows, the
//! key is removed as an author about to type it — its line and nested
//! block, leaving the indentation (after `- ` for a list item's first key;
//! in a flow mapping or JSON, the entry and its comma) — and completion is
//! asked for at the cursor. For every dotted variable inside `{{ }}` its
//! last segment is removed and completion is asked for after the dot.
//!
//! The corpus writes `{{ }}` in a few ways only (never glued to the text
//! before it in a plain list item, for one); a second test rewrites each
//! variable's scalar into every form and placement and asks completion,
//! hover and definition there.
//!
//! Printed: recall (the removed name is offered), how often it is among
//! the first 10 items, and precision (keys: offered keys that belong to the
//! mapping and are not there yet; variables: offered variables that, put in
//! place of the removed one, add no error).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use openjd_lsp::analysis::{Analysis, DocKind, Options, analyze};
use openjd_lsp::ide::completion::{ItemKind, complete};
use openjd_lsp::schema::lookup::{Step, fields_of, lookup};
use openjd_lsp::schema::{self, Extension, Ty};
use openjd_lsp::syntax::{Node, NodeKind, ScalarKind};

mod support;
use support::conformance::conformance_dir;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "broken") {
                yaml_files(&p, out);
            }
        } else if p
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(p);
        }
    }
}

/// Every accepted template: (name, text).
fn corpus() -> Vec<(String, String)> {
    let mut paths: Vec<PathBuf> = Vec::new();
    let conformance = conformance_dir("the conformance part of the completion recall test");
    if let Some(dir) = &conformance {
        let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv"))
            .unwrap_or_else(|e| panic!("cannot read the conformance manifest: {e}"));
        paths.extend(manifest.lines().skip(1).filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols.get(1) == Some(&"accept")).then(|| dir.join(cols[0]))
        }));
    }
    yaml_files(&root().join("examples"), &mut paths);
    yaml_files(&root().join("tests/runtime"), &mut paths);
    let mut out = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let a = analyze(&text, &Options::own());
        if !matches!(a.kind, DocKind::Job | DocKind::Environment) {
            continue;
        }
        out.push((p.display().to_string(), text));
    }
    let least = if conformance.is_some() { 100 } else { 10 };
    assert!(out.len() > least, "only {} templates found", out.len());
    out
}

fn root_ty(kind: DocKind) -> Ty {
    match kind {
        DocKind::Environment => Ty::Object(&schema::ENVIRONMENT_TEMPLATE),
        _ => Ty::Object(&schema::JOB_TEMPLATE),
    }
}

/// A mapping of the document with the schema's fields for it.
struct MappingSite<'n> {
    node: &'n Node,
    fields: BTreeSet<&'static str>,
}

fn mappings<'n>(a: &Analysis, root: &'n Node) -> Vec<MappingSite<'n>> {
    let expr = a.exts().has(Extension::Expr);
    let rt = root_ty(a.kind);
    let mut out = Vec::new();
    // A node, the keys (or `None` for an index) leading to it, and the
    // container of each step.
    type Walk<'n> = (&'n Node, Vec<Option<String>>, Vec<Option<&'n Node>>);
    let mut stack: Vec<Walk<'n>> = vec![(root, Vec::new(), Vec::new())];
    while let Some((node, segs, containers)) = stack.pop() {
        let steps: Vec<Step<'_>> = segs
            .iter()
            .map(|s| match s {
                Some(k) => Step::Key(k.as_str()),
                None => Step::Index,
            })
            .collect();
        match &node.kind {
            NodeKind::Mapping(entries) => {
                if let Some(found) = lookup(rt, &steps, &containers, expr)
                    && matches!(found.ty, Ty::Object(_) | Ty::Tagged(_))
                {
                    let fields = fields_of(found.ty, Some(node), expr)
                        .into_iter()
                        .map(|f| f.key)
                        .collect();
                    out.push(MappingSite { node, fields });
                }
                for e in entries {
                    if let Some(k) = e.key.as_str() {
                        let mut s = segs.clone();
                        s.push(Some(k.to_string()));
                        let mut c = containers.clone();
                        c.push(Some(node));
                        stack.push((&e.value, s, c));
                    }
                }
            }
            NodeKind::Sequence(items) => {
                for it in items {
                    let mut s = segs.clone();
                    s.push(None);
                    let mut c = containers.clone();
                    c.push(Some(node));
                    stack.push((it, s, c));
                }
            }
            NodeKind::Scalar(_) => {}
        }
    }
    out
}

fn line_end(text: &str, at: usize) -> usize {
    text[at..].find(['\n', '\r']).map_or(text.len(), |i| at + i)
}

/// The text with entry `i` of `map` removed as an author about to type it,
/// and the cursor.
fn remove_key(text: &str, map: &Node, i: usize) -> (String, usize) {
    let entries = map.entries().unwrap_or(&[]);
    let e = &entries[i];
    let start = e.key.span.start;
    let flow = text[map.span.start..].starts_with('{');
    if flow {
        let mut end = e.value.span.end.max(e.key.span.end);
        if let Some(next) = entries.get(i + 1) {
            end = next.key.span.start;
            // Quoted keys start at their quote.
            while end > 0 && matches!(text.as_bytes()[end - 1], b'"' | b'\'') {
                end -= 1;
            }
        }
        let mut out = text[..start].to_string();
        out.push_str(&text[end..]);
        return (out, start);
    }
    // Block: the key's line and its nested block; the indentation stays.
    let mut end = e.value.span.end.max(e.key.span.end);
    while end > start && text.as_bytes()[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    let end = line_end(text, end);
    let mut out = text[..start].to_string();
    out.push_str(&text[end..]);
    (out, start)
}

/// Dotted names inside `{{ }}` in `source`: (start of the last segment,
/// end of the chain) as offsets into `source`.
fn chains(source: &str) -> Vec<(usize, usize)> {
    let b = source.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(open) = source[i..].find("{{") {
        let start = i + open + 2;
        let close = source[start..]
            .find("}}")
            .map_or(source.len(), |c| start + c);
        let mut j = start;
        let mut quote: Option<u8> = None;
        while j < close {
            let c = b[j];
            if let Some(q) = quote {
                if c == q {
                    quote = None;
                }
                j += 1;
                continue;
            }
            if c == b'\'' || (c == b'"' && !source[..start].ends_with('\\')) {
                quote = Some(c);
                j += 1;
                continue;
            }
            let ident_start = |c: u8| c.is_ascii_alphabetic() || c == b'_';
            if ident_start(c)
                && (j == start
                    || !(b[j - 1].is_ascii_alphanumeric() || b[j - 1] == b'_' || b[j - 1] == b'.'))
            {
                let s = j;
                let mut last = j;
                while j < close && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'.') {
                    if b[j] == b'.' {
                        last = j + 1;
                    }
                    j += 1;
                }
                let followed_by_call = source[j..close].trim_start().starts_with('(');
                if last > s && last < j && !followed_by_call && !source[s..j].contains("..") {
                    out.push((last, j));
                }
                continue;
            }
            j += 1;
        }
        i = close.min(source.len());
        if i >= source.len() {
            break;
        }
    }
    out
}

#[derive(Default)]
struct Tally {
    asked: usize,
    found: usize,
    top10: usize,
    offered: usize,
    correct: usize,
    untagged_offered: usize,
    untagged_correct: usize,
    sibling_offered: Vec<String>,
    misses: Vec<String>,
}

impl Tally {
    fn print(&self, what: &str) {
        let pct = |n: usize, d: usize| 100.0 * n as f64 / d.max(1) as f64;
        println!(
            "{what}: recall {:.2}% ({}/{}), in the first 10 {:.2}%, precision {:.2}% ({}/{}), siblings offered {}",
            pct(self.found, self.asked),
            self.found,
            self.asked,
            pct(self.top10, self.asked),
            pct(self.correct, self.offered),
            self.correct,
            self.offered,
            self.sibling_offered.len(),
        );
        if self.untagged_offered > 0 {
            println!(
                "  precision where the tag (`type`) was removed: {:.2}% ({}/{})",
                pct(self.untagged_correct, self.untagged_offered),
                self.untagged_correct,
                self.untagged_offered
            );
        }
        for m in self.misses.iter().take(40) {
            println!("  miss: {m}");
        }
        for m in self.sibling_offered.iter().take(20) {
            println!("  sibling offered: {m}");
        }
    }

    fn check(&self, what: &str) {
        let pct = |n: usize, d: usize| 100.0 * n as f64 / d.max(1) as f64;
        assert!(self.asked > 0, "{what}: nothing asked");
        assert!(
            pct(self.found, self.asked) >= 99.0,
            "{what}: recall below 99%"
        );
        assert!(
            pct(self.top10, self.asked) >= 95.0,
            "{what}: the removed name is in the first 10 items less than 95% of the time"
        );
        assert!(
            self.sibling_offered.is_empty(),
            "{what}: keys already present were offered"
        );
    }
}

fn keys_of(name: &str, text: &str, t: &mut Tally) {
    let a = analyze(text, &Options::own());
    let Some(root) = a.root.as_ref() else {
        return;
    };
    for site in mappings(&a, root) {
        let entries = site.node.entries().unwrap_or(&[]);
        for (i, e) in entries.iter().enumerate() {
            let Some(key) = e.key.as_str() else { continue };
            if !site.fields.contains(key) {
                continue;
            }
            let (edited, cursor) = remove_key(text, site.node, i);
            let b = analyze(&edited, &Options::own());
            let items = complete(&b, cursor);
            let keys: Vec<&str> = items
                .iter()
                .filter(|it| it.kind == ItemKind::Key)
                .map(|it| it.label.as_str())
                .collect();
            t.asked += 1;
            let siblings: BTreeSet<&str> = entries
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .filter_map(|(_, e)| e.key.as_str())
                .collect();
            let line = text[..e.key.span.start].matches('\n').count() + 1;
            match items.iter().position(|it| it.label == key) {
                Some(p) => {
                    t.found += 1;
                    if p < 10 {
                        t.top10 += 1;
                    } else {
                        t.misses
                            .push(format!("{name}:{line} `{key}` ranked {p}: {keys:?}"));
                    }
                }
                None => t.misses.push(format!(
                    "{name}:{line} `{key}` not offered{}; got {:?}",
                    if std::env::var("RECALL_DEBUG").is_ok() {
                        format!(
                            " in\n{}$0{}\n",
                            &edited[cursor.saturating_sub(300)..cursor],
                            &edited[cursor..(cursor + 200).min(edited.len())]
                        )
                    } else {
                        String::new()
                    },
                    items
                        .iter()
                        .map(|i| i.label.as_str())
                        .take(12)
                        .collect::<Vec<_>>()
                )),
            }
            // Without its tag (`type`) a mapping's variant is unknown: the
            // keys of every variant are offered, counted apart.
            let tag = key == "type";
            for k in &keys {
                if tag {
                    t.untagged_offered += 1;
                    if site.fields.contains(k) && !siblings.contains(k) {
                        t.untagged_correct += 1;
                    }
                    continue;
                }
                t.offered += 1;
                if site.fields.contains(k) && !siblings.contains(k) {
                    t.correct += 1;
                }
                if siblings.contains(k) {
                    t.sibling_offered
                        .push(format!("{name}:{line} `{k}` (removed `{key}`)"));
                }
            }
        }
    }
}

fn errors(a: &Analysis) -> usize {
    a.diagnostics
        .iter()
        .filter(|d| d.severity == openjd_lsp::analysis::Severity::Error)
        .count()
}

fn variables_of(name: &str, text: &str, t: &mut Tally) {
    let a = analyze(text, &Options::own());
    let base_errors = errors(&a);
    let Some(root) = a.root.as_ref() else {
        return;
    };
    let mut scalars = Vec::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match &n.kind {
            NodeKind::Mapping(es) => stack.extend(es.iter().map(|e| &e.value)),
            NodeKind::Sequence(items) => stack.extend(items.iter()),
            NodeKind::Scalar(_) => scalars.push(n.span.clone()),
        }
    }
    scalars.sort_by_key(|s| s.start);
    for span in scalars {
        let source = &text[span.clone()];
        for (last, end) in chains(source) {
            let (cut, end) = (span.start + last, span.start + end);
            let removed = &text[cut..end];
            let chain_start = text[..cut]
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                .map_or(0, |i| i + 1);
            let chain = &text[chain_start..end];
            let edited = format!("{}{}", &text[..cut], &text[end..]);
            let b = analyze(&edited, &Options::own());
            let items = complete(&b, cut);
            t.asked += 1;
            let line = text[..cut].matches('\n').count() + 1;
            match items
                .iter()
                .position(|it| it.insert == chain || it.label == removed)
            {
                Some(p) => {
                    t.found += 1;
                    if p < 10 {
                        t.top10 += 1;
                    } else {
                        t.misses.push(format!("{name}:{line} `{chain}` ranked {p}"));
                    }
                }
                None => t.misses.push(format!(
                    "{name}:{line} `{chain}` not offered; got {:?}",
                    items
                        .iter()
                        .map(|i| i.insert.as_str())
                        .take(8)
                        .collect::<Vec<_>>()
                )),
            }
            // Precision: each offered variable or property put in place.
            for it in items
                .iter()
                .filter(|it| matches!(it.kind, ItemKind::Variable | ItemKind::Property))
                .take(12)
            {
                let mut filled = edited.clone();
                filled.replace_range(it.replace.clone(), &it.insert);
                t.offered += 1;
                if errors(&analyze(&filled, &Options::own())) <= base_errors {
                    t.correct += 1;
                }
            }
        }
    }
}

/// The tree as pretty-printed JSON.
fn to_json(node: &Node, indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent + 1);
    match &node.kind {
        NodeKind::Mapping(entries) => {
            out.push_str("{\n");
            for (i, e) in entries.iter().enumerate() {
                out.push_str(&pad);
                out.push_str(&json_string(e.key.as_str().unwrap_or("")));
                out.push_str(": ");
                to_json(&e.value, indent + 1, out);
                if i + 1 < entries.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&"  ".repeat(indent));
            out.push('}');
        }
        NodeKind::Sequence(items) => {
            out.push_str("[\n");
            for (i, it) in items.iter().enumerate() {
                out.push_str(&pad);
                to_json(it, indent + 1, out);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&"  ".repeat(indent));
            out.push(']');
        }
        NodeKind::Scalar(s) => match s.kind() {
            ScalarKind::Null => out.push_str("null"),
            ScalarKind::Bool(b) => out.push_str(if b { "true" } else { "false" }),
            ScalarKind::Int(Some(_)) | ScalarKind::Float(_)
                if s.value.parse::<f64>().is_ok_and(f64::is_finite)
                    && !s.value.starts_with(['+', '.'])
                    && !s.value.ends_with('.') =>
            {
                out.push_str(&s.value)
            }
            _ => out.push_str(&json_string(&s.value)),
        },
    }
}

fn json_string(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_corpus(yaml: &[(String, String)]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, text) in yaml {
        if name.ends_with(".json") {
            out.push((name.clone(), text.clone()));
            continue;
        }
        let a = analyze(text, &Options::own());
        if errors(&a) > 0 || text.contains('&') || text.contains("<<") {
            continue;
        }
        let Some(root) = a.root.as_ref() else {
            continue;
        };
        let mut json = String::new();
        to_json(root, 0, &mut json);
        json.push('\n');
        let j = analyze(&json, &Options::own());
        if errors(&j) == 0 {
            out.push((format!("{name} (as JSON)"), json));
        }
    }
    out
}

#[test]
fn completion_offers_what_authors_remove() {
    let corpus = corpus();
    let json = json_corpus(&corpus);
    let yaml: Vec<_> = corpus
        .iter()
        .filter(|(n, _)| !n.ends_with(".json"))
        .collect();
    println!(
        "{} YAML templates, {} JSON templates ({} written in JSON)",
        yaml.len(),
        json.len(),
        corpus.len() - yaml.len()
    );
    let (mut keys, mut vars, mut jkeys, mut jvars) = (
        Tally::default(),
        Tally::default(),
        Tally::default(),
        Tally::default(),
    );
    for (name, text) in &yaml {
        keys_of(name, text, &mut keys);
        variables_of(name, text, &mut vars);
    }
    for (name, text) in &json {
        keys_of(name, text, &mut jkeys);
        variables_of(name, text, &mut jvars);
    }
    keys.print("YAML keys");
    vars.print("YAML variables");
    jkeys.print("JSON keys");
    jvars.print("JSON variables");
    keys.check("YAML keys");
    vars.check("YAML variables");
    jkeys.check("JSON keys");
    jvars.check("JSON variables");
}

// ------------------------------------------------- interpolations in any form

/// How a `{{ }}` may be written around: (name, value with `V` for the
/// interpolation). The text before it is separated from it by a space or
/// glued to it, as in command lines, URLs and embedded code.
const PLACEMENTS: &[(&str, &str)] = &[
    ("alone", "V"),
    ("start, glued after", "V/out.exr"),
    ("start, separated", "V --x"),
    ("middle, separated", "echo V x"),
    ("middle, glued `file://`", "file://V/x"),
    ("middle, glued `'`", "print('V')"),
    ("end, separated", "echo V"),
    ("end, glued `--x=`", "--x=V"),
    ("several", "--a=V --b=V,V"),
];

/// How the scalar holding the interpolations is written.
#[derive(Clone, Copy, PartialEq)]
enum Form {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
    /// The document in flow style below its top level; the scalar
    /// single-quoted (a `{` in a plain flow scalar is a YAML error).
    Flow,
    Json,
}

const FORMS: &[Form] = &[
    Form::Plain,
    Form::SingleQuoted,
    Form::DoubleQuoted,
    Form::Literal,
    Form::Folded,
    Form::Flow,
    Form::Json,
];

/// The scalar to rewrite, the value to give it, and (filled in while
/// writing) where it lands in the new text.
struct Target<'a> {
    span: &'a std::ops::Range<usize>,
    value: String,
    form: Form,
    written: Option<std::ops::Range<usize>>,
}

fn plain_key(k: &str) -> String {
    let simple = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if simple {
        k.to_string()
    } else {
        json_string(k)
    }
}

fn other_scalar(node: &Node, out: &mut String) {
    let mut s = String::new();
    to_json(node, 0, &mut s);
    out.push_str(&s);
}

/// The target's value written in its block form, its block content
/// indented to `indent`.
fn block_scalar(t: &Target<'_>, indent: usize) -> String {
    let v = &t.value;
    let pad = " ".repeat(indent);
    match t.form {
        Form::Plain => v.clone(),
        Form::SingleQuoted => format!("'{}'", v.replace('\'', "''")),
        Form::DoubleQuoted | Form::Json => json_string(v),
        Form::Literal => format!("|-\n{pad}{v}"),
        Form::Folded => format!(">-\n{pad}{v}"),
        Form::Flow => format!("'{}'", v.replace('\'', "''")),
    }
}

/// `node` as block YAML at `indent`, the target in its form.
fn to_block(node: &Node, indent: usize, out: &mut String, t: &mut Target<'_>) {
    let pad = " ".repeat(indent);
    match &node.kind {
        NodeKind::Mapping(entries) if !entries.is_empty() => {
            for (i, e) in entries.iter().enumerate() {
                if i > 0 || !out.ends_with("- ") {
                    if i > 0 || !out.is_empty() && !out.ends_with('\n') {
                        out.push('\n');
                    }
                    out.push_str(&pad);
                }
                out.push_str(&plain_key(e.key.as_str().unwrap_or("")));
                out.push(':');
                value_after(&e.value, indent, out, t);
            }
        }
        NodeKind::Sequence(items) if !items.is_empty() => {
            for it in items {
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(&pad);
                out.push_str("- ");
                if matches!(&it.kind, NodeKind::Mapping(es) if !es.is_empty()) {
                    to_block(it, indent + 2, out, t);
                } else {
                    out.pop();
                    value_after(it, indent, out, t);
                }
            }
        }
        _ => other_scalar(node, out),
    }
}

/// A value after `key:` or `-` written at `indent`.
fn value_after(v: &Node, indent: usize, out: &mut String, t: &mut Target<'_>) {
    match &v.kind {
        NodeKind::Mapping(es) if !es.is_empty() => {
            out.push('\n');
            to_block(v, indent + 2, out, t);
        }
        NodeKind::Sequence(is) if !is.is_empty() => {
            out.push('\n');
            to_block(v, indent + 2, out, t);
        }
        _ if v.span == *t.span => {
            out.push(' ');
            let start = out.len();
            out.push_str(&block_scalar(t, indent + 2));
            t.written = Some(start..out.len());
        }
        _ => {
            out.push(' ');
            other_scalar(v, out);
        }
    }
}

/// `node` as flow YAML (or JSON), the target in its form.
fn to_flow(node: &Node, out: &mut String, t: &mut Target<'_>) {
    let json = t.form == Form::Json;
    let key = |k: &str| if json { json_string(k) } else { plain_key(k) };
    match &node.kind {
        NodeKind::Mapping(entries) => {
            out.push('{');
            for (i, e) in entries.iter().enumerate() {
                if i > 0 {
                    // Indented: continuation lines of a flow collection
                    // under a block mapping must be.
                    out.push_str(",\n  ");
                }
                out.push_str(&key(e.key.as_str().unwrap_or("")));
                out.push_str(": ");
                to_flow(&e.value, out, t);
            }
            out.push('}');
        }
        NodeKind::Sequence(items) => {
            out.push('[');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    // Indented: continuation lines of a flow collection
                    // under a block mapping must be.
                    out.push_str(",\n  ");
                }
                to_flow(it, out, t);
            }
            out.push(']');
        }
        NodeKind::Scalar(_) if node.span == *t.span => {
            let start = out.len();
            out.push_str(&block_scalar(t, 0));
            t.written = Some(start..out.len());
        }
        NodeKind::Scalar(_) => other_scalar(node, out),
    }
}

/// The dotted variables inside the `{{ }}` of the format strings of a
/// tree: (the scalar's span, the variable), each variable once.
fn variables_in<'n>(a: &Analysis, root: &'n Node) -> Vec<(&'n std::ops::Range<usize>, String)> {
    let format_string = |span: &std::ops::Range<usize>| a.fmt_sites.iter().any(|f| f.span == *span);
    let mut out: Vec<(&std::ops::Range<usize>, String)> = Vec::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match &n.kind {
            NodeKind::Mapping(es) => stack.extend(es.iter().rev().map(|e| &e.value)),
            NodeKind::Sequence(items) => stack.extend(items.iter().rev()),
            NodeKind::Scalar(_) if !format_string(&n.span) => {}
            NodeKind::Scalar(s) => {
                for (last, end) in chains(&s.value) {
                    let start = s.value[..last]
                        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                        .map_or(0, |i| i + 1);
                    let chain = s.value[start..end].to_string();
                    if !out.iter().any(|(_, c)| *c == chain) {
                        out.push((&n.span, chain));
                    }
                }
            }
        }
    }
    out
}

/// A parameter's name when `chain` names one (`Param.X`, `Task.RawParam.X`).
fn parameter_name(chain: &str) -> Option<&str> {
    let segs: Vec<&str> = chain.split('.').collect();
    match segs.as_slice() {
        ["Param" | "RawParam", name] | ["Task", "Param" | "RawParam", name] => Some(name),
        _ => None,
    }
}

#[derive(Default)]
struct FormTally {
    /// Documents not valid YAML in this form (not asked).
    not_yaml: usize,
    asked: usize,
    offered: usize,
    hovered: usize,
    definitions_asked: usize,
    defined: usize,
    misses: Vec<String>,
}

fn form_name(form: Form, in_sequence: bool) -> &'static str {
    match form {
        Form::Plain if in_sequence => "plain list item",
        Form::Plain => "plain mapping value",
        Form::SingleQuoted => "single-quoted",
        Form::DoubleQuoted => "double-quoted",
        Form::Literal => "literal block",
        Form::Folded => "folded block",
        Form::Flow if in_sequence => "flow sequence item",
        Form::Flow => "flow mapping value",
        Form::Json => "JSON string",
    }
}

/// Rewrites the scalar at `span` (holding `chain`) into each form and
/// placement and asks completion, hover and definition at each occurrence.
fn ask_in_every_form(
    name: &str,
    root: &Node,
    span: &std::ops::Range<usize>,
    chain: &str,
    in_sequence: bool,
    tallies: &mut std::collections::BTreeMap<&'static str, FormTally>,
) {
    let cut_at = chain.rfind('.').map_or(0, |i| i + 1);
    let segment = &chain[cut_at..];
    for &form in FORMS {
        for (placement, pattern) in PLACEMENTS {
            let mut t = Target {
                span,
                value: pattern.replace('V', &format!("{{{{{chain}}}}}")),
                form,
                written: None,
            };
            let mut text = String::new();
            if form == Form::Flow {
                // The top level stays a block mapping: a document that
                // starts with `{` is read as JSON.
                for e in root.entries().unwrap_or(&[]) {
                    text.push_str(&plain_key(e.key.as_str().unwrap_or("")));
                    text.push_str(": ");
                    to_flow(&e.value, &mut text, &mut t);
                    text.push('\n');
                }
            } else if form == Form::Json {
                to_flow(root, &mut text, &mut t);
            } else {
                to_block(root, 0, &mut text, &mut t);
            }
            text.push('\n');
            let tally = tallies.entry(form_name(form, in_sequence)).or_default();
            let Some(written) = t.written else { continue };
            let a = analyze(&text, &Options::own());
            if a.diagnostics
                .iter()
                .any(|d| d.code == openjd_lsp::analysis::Code::Syntax)
            {
                if std::env::var("FORMS_DEBUG").is_ok() {
                    println!(
                        "not YAML:\n{text}\n{:?}",
                        a.diagnostics
                            .iter()
                            .find(|d| d.code == openjd_lsp::analysis::Code::Syntax)
                    );
                }
                tally.not_yaml += 1;
                continue;
            }
            let needle = format!("{chain}}}}}");
            let occurrences: Vec<usize> = text[written.clone()]
                .match_indices(&needle)
                .map(|(i, _)| written.start + i)
                .collect();
            for at in occurrences {
                let cut = at + cut_at;
                let line = text[..cut].matches('\n').count() + 1;
                let shown: String = chain.chars().take(60).collect();
                let here = format!("{name}, `{shown}` {placement}, line {line}");
                tally.asked += 1;
                let edited = format!("{}{}", &text[..cut], &text[cut + segment.len()..]);
                let b = analyze(&edited, &Options::own());
                let items = complete(&b, cut);
                if items
                    .iter()
                    .any(|it| it.insert == chain || it.label == segment)
                {
                    tally.offered += 1;
                } else {
                    tally.misses.push(format!("completion: {here}"));
                }
                let middle = cut + segment.len() / 2;
                let hover = openjd_lsp::ide::hover::hover(&a, middle);
                if hover.is_some_and(|h| h.contents.contains(chain)) {
                    tally.hovered += 1;
                } else {
                    tally.misses.push(format!("hover: {here}"));
                }
                if let Some(param) = parameter_name(chain) {
                    tally.definitions_asked += 1;
                    let def = openjd_lsp::ide::symbols::definition(&a, middle);
                    if def.is_some_and(|d| text.get(d) == Some(param)) {
                        tally.defined += 1;
                    } else {
                        tally.misses.push(format!("definition: {here}"));
                    }
                }
            }
        }
    }
}

/// The parent of the scalar at `span` is a sequence.
fn item_of_sequence(root: &Node, span: &std::ops::Range<usize>) -> bool {
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match &n.kind {
            NodeKind::Mapping(es) => stack.extend(es.iter().map(|e| &e.value)),
            NodeKind::Sequence(items) => {
                if items.iter().any(|it| it.span == *span) {
                    return true;
                }
                stack.extend(items.iter());
            }
            NodeKind::Scalar(_) => {}
        }
    }
    false
}

#[test]
fn interpolations_in_every_form_are_completed_hovered_and_defined() {
    let mut templates = corpus();
    let mut fixtures = Vec::new();
    yaml_files(&root().join("tests/fixtures"), &mut fixtures);
    for p in fixtures {
        if let Ok(text) = std::fs::read_to_string(&p) {
            templates.push((p.display().to_string(), text));
        }
    }
    let mut tallies = std::collections::BTreeMap::new();
    let mut used = 0;
    for (name, text) in &templates {
        let a = analyze(text, &Options::own());
        if !matches!(a.kind, DocKind::Job | DocKind::Environment)
            || errors(&a) > 0
            || text.contains('&')
            || text.contains("<<")
        {
            continue;
        }
        let Some(root) = a.root.as_ref() else {
            continue;
        };
        let vars = variables_in(&a, root);
        if !vars.is_empty() {
            used += 1;
        }
        // A few variables per template keep the run short; the corpus has
        // every namespace many times over.
        for (span, chain) in vars.into_iter().take(3) {
            let in_sequence = item_of_sequence(root, span);
            ask_in_every_form(name, root, span, &chain, in_sequence, &mut tallies);
        }
    }
    println!(
        "{used} templates with variables in `{{{{ }}}}`, each variable written {} ways in each form",
        PLACEMENTS.len()
    );
    let pct = |n: usize, d: usize| 100.0 * n as f64 / d.max(1) as f64;
    for (form, t) in &tallies {
        println!(
            "{form:>20}: completion {:.2}% ({}/{}), hover {:.2}%, definition {:.2}% ({}/{}); not YAML in this form: {}",
            pct(t.offered, t.asked),
            t.offered,
            t.asked,
            pct(t.hovered, t.asked),
            pct(t.defined, t.definitions_asked),
            t.defined,
            t.definitions_asked,
            t.not_yaml
        );
        for m in t.misses.iter().take(10) {
            println!("  miss: {m}");
        }
    }
    for (form, t) in &tallies {
        assert!(t.asked > 0, "{form}: nothing asked");
        assert!(t.misses.is_empty(), "{form}: {} misses", t.misses.len());
    }
}
