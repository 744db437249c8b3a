//! What the cursor is on: a key being typed, a value, or an expression
//! inside `{{ }}` — worked out even in the half-typed states people are
//! really in (an unterminated `{{` or quote, a key with no value, a fresh
//! `- ` item, a syntax error elsewhere). When the parser stopped before the
//! cursor, the cursor's line is closed off and other broken lines blanked,
//! without moving anything before the cursor.

use std::borrow::Cow;

use crate::analysis::path::{Path, Seg};
use crate::analysis::{Analysis, DocKind, Site};
use crate::model::{self, Template, TemplateKind};
use crate::schema::lookup::{Found, Step, fields_of, lookup};
use crate::schema::{self, ScopeClass, Ty};
use crate::syntax::format_string::scan;
use crate::syntax::{self, Node, NodeKind, PathStep, ScalarMap, Span};

use super::layout::{self, Slot, Style};

#[derive(Debug)]
pub(crate) enum Context {
    /// Inside an expression: `{{ … }}` of a format string, or a `let`.
    Expression {
        site: Site,
        /// The expression text from its start to the cursor.
        before: String,
        /// The dotted name being typed, and where it is in the document.
        chain: String,
        replace: Span,
    },
    /// A key of a mapping of type `ty`.
    Key {
        ty: Ty,
        path: Path,
        present: Vec<String>,
        replace: Span,
        /// Column where the key starts (for multi-line snippets).
        column: usize,
        /// The mapping's keys and inline values as read from the text (its
        /// tag selects the variant of a tagged object).
        container: Option<Node>,
        /// The replaced key already has its `:` and value: only the name
        /// is replaced.
        has_value: bool,
        style: Style,
    },
    /// The value of a field.
    Value {
        found: Found,
        path: Path,
        replace: Span,
        style: Style,
        /// The replaced range is inside quotes.
        quoted: bool,
    },
    /// An empty document: offer a whole template.
    EmptyDocument,
    Nothing,
}

/// The (possibly repaired) document the cursor context was computed in.
pub(crate) struct CursorDoc<'a> {
    pub text: Cow<'a, str>,
    pub root: Option<Cow<'a, Node>>,
    pub template: Option<Cow<'a, Template>>,
    pub kind: DocKind,
}

impl CursorDoc<'_> {
    pub fn expr(&self, analysis: &Analysis) -> bool {
        analysis.exts().has(schema::Extension::Expr)
    }
}

fn root_ty(kind: DocKind) -> Option<Ty> {
    match kind {
        DocKind::Job => Some(Ty::Object(&schema::JOB_TEMPLATE)),
        DocKind::Environment => Some(Ty::Object(&schema::ENVIRONMENT_TEMPLATE)),
        _ => None,
    }
}

/// Closers that make the line prefix `prefix` well-formed: an open `{{`, an
/// open quote, open flow brackets.
fn closers(prefix: &str) -> String {
    let mut quote: Option<char> = None;
    let mut brackets: Vec<char> = Vec::new();
    let mut chars = prefix.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some('\'') if c == '\'' => {
                if chars.peek() == Some(&'\'') {
                    chars.next();
                } else {
                    quote = None;
                }
            }
            Some('"') if c == '\\' => {
                chars.next();
            }
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' => quote = Some(c),
                '[' => brackets.push(']'),
                '{' => brackets.push('}'),
                ']' | '}' => {
                    brackets.pop();
                }
                '#' => break,
                _ => {}
            },
        }
    }
    let mut out = String::new();
    let open_interp = prefix
        .rfind("{{")
        .is_some_and(|o| !prefix[o..].contains("}}"));
    if open_interp {
        out.push_str("}}");
        // The `{{` opened flow mappings in plain context; they are closed now.
        if quote.is_none() {
            brackets.pop();
            brackets.pop();
        }
    }
    if let Some(q) = quote {
        out.push(q);
    }
    out.extend(brackets.iter().rev());
    out
}

fn reaches(parsed: &syntax::Parsed, offset: usize) -> bool {
    !parsed.truncated || parsed.errors.iter().all(|e| e.span.start > offset)
}

/// The document as the cursor sees it: the analysis's own tree when it
/// reaches the cursor, else a repaired copy.
pub(crate) fn cursor_doc<'a>(analysis: &'a Analysis, offset: usize) -> CursorDoc<'a> {
    let text = &*analysis.text;
    let offset = crate::text::floor_char_boundary(text, offset);
    let original = || CursorDoc {
        text: Cow::Borrowed(text),
        // Borrowed: a copy of a large document's tree per request costs
        // more than the request itself.
        root: analysis.root.as_ref().map(Cow::Borrowed),
        template: analysis.template.as_deref().map(Cow::Borrowed),
        kind: analysis.kind,
    };
    if !analysis.truncated {
        return original();
    }
    let line = analysis.line_index.line_of(offset.min(text.len()));
    let line_range = analysis.line_index.line_range(text, line);
    let cut = offset.clamp(line_range.start, line_range.end);
    let mut repaired = String::with_capacity(text.len() + 8);
    repaired.push_str(&text[..cut]);
    repaired.push_str(&closers(&text[line_range.start..cut]));
    let after_line = &text[line_range.end..];
    repaired.push_str(after_line);
    let mut parsed = syntax::parse(&repaired);
    // Still broken: blank the other lines that leave a quote, bracket or
    // `{{` open (YAML only: JSON spreads brackets over lines by design).
    if parsed.truncated && !analysis.json {
        let index = crate::text::LineIndex::new(&repaired);
        let mut patched = repaired.clone();
        for l in 0..index.line_count() {
            let r = index.line_range(&repaired, l);
            if r.start <= cut && cut <= r.end {
                continue;
            }
            if !closers(&repaired[r.clone()]).is_empty() {
                let blank: String = repaired[r.clone()].bytes().map(|_| ' ').collect();
                patched.replace_range(r, &blank);
            }
        }
        let again = syntax::parse(&patched);
        if !again.truncated {
            repaired = patched;
            parsed = again;
        }
    }
    // Still broken: blank the lines the parser stops at.
    let mut rounds = 0;
    while parsed.truncated && rounds < 8 {
        rounds += 1;
        let Some(err) = parsed.errors.first() else {
            break;
        };
        let index = crate::text::LineIndex::new(&repaired);
        let bad = index.line_of(err.span.start.min(repaired.len()));
        let r = index.line_range(&repaired, bad);
        if r.start <= cut && cut <= r.end {
            break;
        }
        let blank: String = repaired[r.clone()].bytes().map(|_| ' ').collect();
        repaired.replace_range(r, &blank);
        parsed = syntax::parse(&repaired);
    }
    if !reaches(&parsed, cut) && parsed.root.is_none() {
        return original();
    }
    let kind = match analysis.kind {
        DocKind::NotTemplate | DocKind::UnknownVersion => analysis.kind,
        k => k,
    };
    let template = parsed.root.as_ref().and_then(|root| {
        let tk = match kind {
            DocKind::Job => TemplateKind::Job,
            DocKind::Environment => TemplateKind::Environment,
            _ => return None,
        };
        Some(Cow::Owned(model::build(&repaired, root, tk)))
    });
    CursorDoc {
        text: Cow::Owned(repaired),
        root: parsed.root.map(Cow::Owned),
        template,
        kind,
    }
}

fn column(text: &str, offset: usize) -> usize {
    let start = text[..offset.min(text.len())]
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1);
    text[start..offset.min(text.len())].chars().count()
}

/// Schema steps and the container node before each step.
fn schema_path<'n>(
    root: &'n Node,
    steps: &[PathStep<'n>],
) -> (Path, Vec<Step<'n>>, Vec<Option<&'n Node>>) {
    let mut path = Path::default();
    let mut schema_steps = Vec::new();
    let mut containers = Vec::new();
    let mut node = root;
    for step in steps {
        containers.push(Some(node));
        match step {
            PathStep::Key(e) | PathStep::Value(e) => {
                let k = e.key.as_str().unwrap_or("");
                path.0.push(Seg::Key(Cow::Owned(k.to_string())));
                schema_steps.push(Step::Key(k));
                node = &e.value;
            }
            PathStep::Item(i, n) => {
                path.push_index(*i);
                schema_steps.push(Step::Index);
                node = n;
            }
        }
    }
    (path, schema_steps, containers)
}

fn keys_of(node: &Node) -> Vec<String> {
    node.entries()
        .unwrap_or(&[])
        .iter()
        .filter_map(|e| e.key.as_str().map(str::to_string))
        .collect()
}

pub(crate) fn context_at(analysis: &Analysis, doc: &CursorDoc<'_>, offset: usize) -> Context {
    let text = doc.text.as_ref();
    let offset = crate::text::floor_char_boundary(text, offset);
    let Some(root_ty) = root_ty(doc.kind) else {
        if text.trim().is_empty() {
            return Context::EmptyDocument;
        }
        return Context::Nothing;
    };
    let expr = doc.expr(analysis);
    if let Some(ctx) = from_layout(analysis, root_ty, expr, offset) {
        return ctx;
    }
    let Some(root) = doc.root.as_ref() else {
        return Context::Key {
            ty: root_ty,
            path: Path::default(),
            present: Vec::new(),
            replace: offset..offset,
            column: 0,
            container: None,
            has_value: false,
            style: Style::Block,
        };
    };
    let steps = root.path_to(offset);
    let (path, schema_steps, containers) = schema_path(root, &steps);
    match steps.last() {
        Some(PathStep::Key(e)) => {
            let parent_steps = &schema_steps[..schema_steps.len() - 1];
            let parent_ty = lookup(root_ty, parent_steps, &containers, expr).map(|f| f.ty);
            let container = containers.last().copied().flatten();
            let present = container
                .map(keys_of)
                .unwrap_or_default()
                .into_iter()
                .filter(|k| Some(k.as_str()) != e.key.as_str())
                .collect();
            match parent_ty {
                Some(ty) => Context::Key {
                    ty,
                    path: Path(path.0[..path.0.len() - 1].to_vec()),
                    present,
                    replace: e.key.span.clone(),
                    column: column(text, e.key.span.start),
                    container: container.cloned(),
                    has_value: true,
                    style: Style::Block,
                },
                None => Context::Nothing,
            }
        }
        Some(PathStep::Value(_)) | Some(PathStep::Item(..)) => {
            let node = match steps.last() {
                Some(PathStep::Value(e)) => &e.value,
                Some(PathStep::Item(_, n)) => *n,
                _ => return Context::Nothing,
            };
            if node.scalar().is_none()
                && let Some(ctx) = empty_value(text, root, root_ty, offset, expr)
            {
                return ctx;
            }
            let Some(found) = lookup(root_ty, &schema_steps, &containers, expr) else {
                return Context::Nothing;
            };
            in_value(text, node, found, path, offset)
        }
        None => empty_value(text, root, root_ty, offset, expr)
            .unwrap_or_else(|| by_indentation(text, root, root_ty, offset, expr)),
    }
}

/// The context read from the text's layout (see [`layout`]): `None` when
/// the cursor is inside a scalar, which the tree describes.
fn from_layout(analysis: &Analysis, root_ty: Ty, expr: bool, offset: usize) -> Option<Context> {
    let r = layout::read(&analysis.text, &analysis.line_index, offset, analysis.json)?;
    let steps: Vec<Step<'_>> = r
        .path
        .0
        .iter()
        .map(|s| match s {
            Seg::Key(k) => Step::Key(k.as_ref()),
            Seg::Index(_) => Step::Index,
        })
        .collect();
    let nodes: Vec<Option<&Node>> = r.containers.iter().map(Option::as_ref).collect();
    let found = lookup(root_ty, &steps, &nodes, expr);
    let path = r.path.clone();
    match r.slot {
        Slot::Entry {
            replace,
            column,
            siblings,
            has_value,
            item,
        } => {
            let Some(found) = found else {
                return Some(Context::Nothing);
            };
            match found.ty {
                Ty::Object(_) | Ty::Tagged(_) => Some(Context::Key {
                    ty: found.ty,
                    path,
                    present: keys_of(&siblings),
                    replace,
                    column,
                    container: Some(siblings),
                    has_value,
                    style: r.style,
                }),
                Ty::List(_) | Ty::EnvVars => Some(Context::Nothing),
                _ if item => Some(Context::Value {
                    found,
                    path,
                    replace,
                    style: r.style,
                    quoted: false,
                }),
                _ => Some(Context::Nothing),
            }
        }
        Slot::Value { replace, quoted } => {
            let found = found?;
            if matches!(
                found.ty,
                Ty::Object(_) | Ty::Tagged(_) | Ty::List(_) | Ty::EnvVars
            ) {
                return Some(Context::Nothing);
            }
            Some(Context::Value {
                found,
                path,
                replace,
                style: r.style,
                quoted,
            })
        }
    }
}

/// The value of a key on the cursor's line that has none yet.
fn empty_value(text: &str, root: &Node, root_ty: Ty, offset: usize, expr: bool) -> Option<Context> {
    let steps = value_on_line(text, root, offset)?;
    let (path, schema_steps, containers) = schema_path(root, &steps);
    let found = lookup(root_ty, &schema_steps, &containers, expr)?;
    if matches!(found.ty, Ty::Object(_) | Ty::Tagged(_) | Ty::List(_)) {
        return None;
    }
    Some(Context::Value {
        found,
        path,
        replace: offset..offset,
        style: Style::Block,
        quoted: false,
    })
}

/// A key on the cursor's line, before it, whose value is still empty
/// (`mode: |`): the cursor is typing that value.
fn value_on_line<'n>(text: &str, root: &'n Node, offset: usize) -> Option<Vec<PathStep<'n>>> {
    let line_start = text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let mut stack: Vec<(&Node, Vec<PathStep<'n>>)> = vec![(root, Vec::new())];
    while let Some((node, steps)) = stack.pop() {
        match &node.kind {
            NodeKind::Mapping(entries) => {
                for e in entries {
                    let mut s = steps.clone();
                    s.push(PathStep::Value(e));
                    if e.key.span.start >= line_start
                        && e.key.span.end <= offset
                        && e.value.is_null()
                    {
                        return Some(s);
                    }
                    if e.value.span.start <= offset
                        && offset <= e.value.span.end.max(e.value.span.start)
                        || e.value.span.start < offset
                    {
                        stack.push((&e.value, s));
                    }
                }
            }
            NodeKind::Sequence(items) => {
                for (i, n) in items.iter().enumerate() {
                    if n.span.start < offset {
                        let mut s = steps.clone();
                        s.push(PathStep::Item(i, n));
                        stack.push((n, s));
                    }
                }
            }
            NodeKind::Scalar(_) => {}
        }
    }
    None
}

fn in_value(text: &str, node: &Node, found: Found, path: Path, offset: usize) -> Context {
    match &node.kind {
        NodeKind::Mapping(_) | NodeKind::Sequence(_) => {
            // Between the entries of a collection: a key of it (mapping) or nothing.
            if matches!(node.kind, NodeKind::Mapping(_)) {
                return Context::Key {
                    ty: found.ty,
                    path,
                    present: keys_of(node),
                    replace: offset..offset,
                    column: column(text, offset),
                    container: None,
                    has_value: false,
                    style: Style::Block,
                };
            }
            // Between the items of a list: a new item.
            let item = match found.ty {
                Ty::List(l) | Ty::Range(l) => l.item,
                _ => return Context::Nothing,
            };
            if matches!(item, Ty::Object(_) | Ty::Tagged(_) | Ty::List(_)) {
                return Context::Nothing;
            }
            let mut path = path;
            path.push_index(node.items().map_or(0, <[Node]>::len));
            Context::Value {
                found: Found {
                    ty: item,
                    field: None,
                    owner: None,
                },
                path,
                replace: offset..offset,
                style: Style::Block,
                quoted: false,
            }
        }
        NodeKind::Scalar(s) => {
            let is_object = matches!(found.ty, Ty::Object(_) | Ty::Tagged(_));
            if is_object {
                // A key typed where a mapping belongs (`actions:\n  onR`), or
                // a fresh `- ` item.
                return Context::Key {
                    ty: found.ty,
                    path,
                    present: Vec::new(),
                    replace: node.span.clone(),
                    column: column(text, node.span.start),
                    container: None,
                    has_value: false,
                    style: Style::Block,
                };
            }
            let map = ScalarMap::new(text, &node.span, s.style, &s.value);
            let v = map.from_source(offset).min(s.value.len());
            if let Some(class) = expression_class(found.ty) {
                let is_let = matches!(found.ty, Ty::Let);
                let region = if is_let {
                    crate::model::split_let(&s.value)
                        .map(|(_, e)| e.start)
                        .filter(|start| *start <= v)
                } else {
                    scan(&s.value)
                        .interpolations
                        .iter()
                        .find(|i| i.open + 2 <= v && i.close.is_none_or(|c| v <= c))
                        .map(|i| i.open + 2)
                };
                if let Some(start) = region {
                    let before = s.value.get(start..v).unwrap_or("").to_string();
                    let chain_len = before
                        .chars()
                        .rev()
                        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
                        .map(char::len_utf8)
                        .sum::<usize>();
                    let chain = before[before.len() - chain_len..].to_string();
                    let replace = map.range_to_source(v - chain_len..v);
                    let replace = if replace.is_empty() {
                        offset - chain_len.min(offset)..offset
                    } else {
                        replace
                    };
                    return Context::Expression {
                        site: Site::of(&path, class),
                        before,
                        chain,
                        replace,
                    };
                }
            }
            Context::Value {
                found,
                path,
                replace: node.span.clone(),
                style: Style::Block,
                quoted: false,
            }
        }
    }
}

/// The scope class of a field that holds expressions.
fn expression_class(ty: Ty) -> Option<ScopeClass> {
    match ty {
        Ty::Fmt(_, class) => Some(class),
        Ty::Num(n) => n.fmt_always.or(n.fmt_fb1),
        Ty::Mode => Some(ScopeClass::Timing),
        Ty::Range(_) => Some(ScopeClass::Template),
        Ty::Let => Some(ScopeClass::Host),
        _ => None,
    }
}

/// The cursor is on blank space: find the mapping whose keys would line up
/// with it, from the nearest preceding key that is indented less.
fn by_indentation(text: &str, root: &Node, root_ty: Ty, offset: usize, expr: bool) -> Context {
    let col = column(text, offset);
    let line_start = text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    if !text[line_start..offset].trim().is_empty() {
        return Context::Nothing;
    }
    // Depth-first over entries before the cursor, keeping their paths.
    let mut best: Option<(Vec<PathStep<'_>>, usize)> = None;
    let mut stack: Vec<(&Node, Vec<PathStep<'_>>)> = vec![(root, Vec::new())];
    while let Some((node, steps)) = stack.pop() {
        match &node.kind {
            NodeKind::Mapping(entries) => {
                for e in entries {
                    if e.key.span.start >= line_start {
                        continue;
                    }
                    let kc = column(text, e.key.span.start);
                    let mut s = steps.clone();
                    s.push(PathStep::Value(e));
                    if kc < col && best.as_ref().is_none_or(|(_, at)| e.key.span.start > *at) {
                        best = Some((s.clone(), e.key.span.start));
                    }
                    stack.push((&e.value, s));
                }
            }
            NodeKind::Sequence(items) => {
                for (i, n) in items.iter().enumerate() {
                    if n.span.start < line_start {
                        let mut s = steps.clone();
                        s.push(PathStep::Item(i, n));
                        let ic = column(text, n.span.start);
                        if ic < col
                            && n.entries().is_some()
                            && best.as_ref().is_none_or(|(_, at)| n.span.start > *at)
                        {
                            best = Some((s.clone(), n.span.start));
                        }
                        stack.push((n, s));
                    }
                }
            }
            NodeKind::Scalar(_) => {}
        }
    }
    let Some((steps, _)) = best else {
        return Context::Key {
            ty: root_ty,
            path: Path::default(),
            present: keys_of(root),
            replace: offset..offset,
            column: col,
            container: None,
            has_value: false,
            style: Style::Block,
        };
    };
    let (path, schema_steps, containers) = schema_path(root, &steps);
    let Some(found) = lookup(root_ty, &schema_steps, &containers, expr) else {
        return Context::Nothing;
    };
    let node = match steps.last() {
        Some(PathStep::Value(e)) => &e.value,
        Some(PathStep::Item(_, n)) => *n,
        _ => root,
    };
    // A mapping item of a list whose keys sit at this column.
    if let (Some(PathStep::Item(..)), Some(first)) =
        (steps.last(), node.entries().and_then(|e| e.first()))
    {
        if column(text, first.key.span.start) == col {
            return Context::Key {
                ty: found.ty,
                path,
                present: keys_of(node),
                replace: offset..offset,
                column: col,
                container: None,
                has_value: false,
                style: Style::Block,
            };
        }
        return Context::Nothing;
    }
    match &node.kind {
        NodeKind::Mapping(_) | NodeKind::Scalar(_)
            if !fields_of(found.ty, Some(node), expr).is_empty() =>
        {
            Context::Key {
                ty: found.ty,
                path,
                present: keys_of(node),
                replace: offset..offset,
                column: col,
                container: None,
                has_value: false,
                style: Style::Block,
            }
        }
        _ => Context::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::closers;

    #[test]
    fn closes_what_the_line_opened() {
        assert_eq!(closers("  args: [\"{{Param."), "}}\"]");
        assert_eq!(closers("  command: '{{ Task."), "}}'");
        assert_eq!(closers("  command: {{Task"), "}}");
        assert_eq!(closers("  k: 'it''s {{x"), "}}'");
        assert_eq!(closers("  k: v # [\""), "");
    }
}
