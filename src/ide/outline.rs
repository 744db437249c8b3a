//! Document structure: the outline (document symbols), folding ranges and
//! selection ranges.

use crate::analysis::Analysis;
use crate::model::{Action, Environment, Let, Script, TaskParamKind, TemplateKind, Text};
use crate::syntax::{Node, NodeKind, ScalarMap, Span};
use crate::text::floor_char_boundary;

use super::regions::{ExprKind, expr_scalar_at};

/// What an outline entry is. Suggested LSP kinds: Parameter → Variable,
/// Environment → Namespace, Step → Function, Action → Event,
/// TaskParameter → TypeParameter, EmbeddedFile → File, Let → Variable,
/// EnvVariable → Constant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OutlineKind {
    Parameter,
    Environment,
    Step,
    Action,
    TaskParameter,
    EmbeddedFile,
    Let,
    /// An entry of an environment's `variables`.
    EnvVariable,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OutlineSymbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: OutlineKind,
    /// The whole definition.
    pub span: Span,
    /// The name (inside `span`).
    pub selection_span: Span,
    pub children: Vec<OutlineSymbol>,
}

/// `span` without the whitespace (line breaks, the next line's indentation)
/// a block collection's span may end with.
fn trim_end(text: &str, span: &Span) -> Span {
    let start = floor_char_boundary(text, span.start);
    let end = floor_char_boundary(text, span.end).max(start);
    let trimmed = text[start..end].trim_end();
    start..start + trimmed.len()
}

fn symbol(
    text: &str,
    name: String,
    detail: Option<String>,
    kind: OutlineKind,
    span: &Span,
    selection: Span,
    children: Vec<OutlineSymbol>,
) -> OutlineSymbol {
    let span = trim_end(text, span);
    // LSP requires the selection inside the whole range.
    let span = span.start.min(selection.start)..span.end.max(selection.end);
    OutlineSymbol {
        name,
        detail,
        kind,
        span,
        selection_span: selection,
        children,
    }
}

fn one_line(s: &str) -> String {
    let first = s.trim().lines().next().unwrap_or("");
    let mut out: String = first.chars().take(80).collect();
    if out.len() < first.len() || s.trim().lines().nth(1).is_some() {
        out.push('…');
    }
    out
}

/// The name and its span (the span of the item's start when it has none).
fn name_of(name: Option<&Text>, item: &Span) -> (String, Span) {
    match name {
        Some(n) => (n.value.to_string(), n.span.clone()),
        None => ("(unnamed)".into(), item.start..item.start),
    }
}

fn action(text: &str, a: &Action, name: &str) -> OutlineSymbol {
    let detail = a.command.as_ref().map(|c| one_line(&c.value));
    let span = a.key_span.start..a.span.end.max(a.key_span.end);
    symbol(
        text,
        name.to_string(),
        detail,
        OutlineKind::Action,
        &span,
        a.key_span.clone(),
        Vec::new(),
    )
}

fn lets(text: &str, lets: &[Let], out: &mut Vec<OutlineSymbol>) {
    for l in lets {
        out.push(symbol(
            text,
            l.name.clone(),
            Some(one_line(l.expr())),
            OutlineKind::Let,
            &l.text.span,
            l.name_span.clone(),
            Vec::new(),
        ));
    }
}

fn script_children(text: &str, script: &Script, out: &mut Vec<OutlineSymbol>) {
    lets(text, &script.lets, out);
    for f in &script.files {
        out.push(symbol(
            text,
            f.name.value.to_string(),
            None,
            OutlineKind::EmbeddedFile,
            &f.span,
            f.name.span.clone(),
            Vec::new(),
        ));
    }
    for a in &script.actions {
        out.push(action(text, a, a.kind.key()));
    }
}

fn environment(text: &str, e: &Environment) -> OutlineSymbol {
    let mut children = Vec::new();
    for (k, v) in &e.variables {
        children.push(symbol(
            text,
            k.value.to_string(),
            Some(one_line(&v.value)),
            OutlineKind::EnvVariable,
            &(k.span.start..v.span.end),
            k.span.clone(),
            Vec::new(),
        ));
    }
    if let Some(s) = &e.script {
        script_children(text, s, &mut children);
    }
    let (name, sel) = name_of(e.name.as_ref(), &e.span);
    let detail = e.is_wrapper().then(|| "wraps actions".to_string());
    symbol(
        text,
        name,
        detail,
        OutlineKind::Environment,
        &e.span,
        sel,
        children,
    )
}

fn task_param_type(k: TaskParamKind) -> Option<&'static str> {
    Some(match k {
        TaskParamKind::Int => "INT",
        TaskParamKind::Float => "FLOAT",
        TaskParamKind::String => "STRING",
        TaskParamKind::Path => "PATH",
        TaskParamKind::ChunkInt => "CHUNK[INT]",
        TaskParamKind::Unknown => return None,
    })
}

/// The outline: parameters, environments (with variables, `let` bindings,
/// embedded files and actions) and steps (with step environments, task
/// parameters, `let` bindings, embedded files and the task action).
pub(crate) fn document_symbols(a: &Analysis) -> Vec<OutlineSymbol> {
    let Some(t) = &a.template else {
        return Vec::new();
    };
    let text = &*a.text;
    let mut out = Vec::new();
    for p in &t.parameters {
        out.push(symbol(
            text,
            p.name.value.to_string(),
            p.type_name.as_ref().map(|t| t.value.to_string()),
            OutlineKind::Parameter,
            &p.span,
            p.name.span.clone(),
            Vec::new(),
        ));
    }
    match t.kind {
        TemplateKind::Job => {
            for e in &t.job_environments {
                out.push(environment(text, e));
            }
            for step in &t.steps {
                let mut children = Vec::new();
                for e in &step.environments {
                    children.push(environment(text, e));
                }
                for p in &step.task_parameters {
                    children.push(symbol(
                        text,
                        p.name.value.to_string(),
                        task_param_type(p.kind).map(str::to_string),
                        OutlineKind::TaskParameter,
                        &p.span,
                        p.name.span.clone(),
                        Vec::new(),
                    ));
                }
                lets(text, &step.lets, &mut children);
                if let Some(s) = &step.script {
                    script_children(text, s, &mut children);
                }
                if let Some(simple) = &step.simple {
                    lets(text, &simple.lets, &mut children);
                    let mut sym = action(text, &simple.action, simple.interpreter);
                    sym.detail = simple.script.as_ref().map(|s| one_line(&s.value));
                    children.push(sym);
                }
                let detail = (!step.dependencies.is_empty()).then(|| {
                    let deps: Vec<&str> =
                        step.dependencies.iter().map(|d| d.value.as_str()).collect();
                    format!("after {}", deps.join(", "))
                });
                let (name, sel) = name_of(step.name.as_ref(), &step.span);
                out.push(symbol(
                    text,
                    name,
                    detail,
                    OutlineKind::Step,
                    &step.span,
                    sel,
                    children,
                ));
            }
        }
        TemplateKind::Environment => {
            if let Some(e) = &t.environment {
                out.push(environment(text, e));
            }
        }
    }
    out
}

/// The last line a node occupies; for a flow collection (`[…]`, `{…}`)
/// whose closing bracket starts its line, the line before, so the bracket
/// stays visible.
fn last_line(a: &Analysis, node: &Node) -> usize {
    let text = &*a.text;
    let span = trim_end(text, &node.span);
    let end = span.end.max(span.start + 1) - 1;
    let line = a.line_index.line_of(end.min(text.len()));
    let flow = !matches!(node.kind, NodeKind::Scalar(_))
        && matches!(text.as_bytes().get(span.start), Some(b'[' | b'{'))
        && matches!(text.as_bytes().get(end), Some(b']' | b'}'));
    let line_start = a.line_index.line_start(line);
    let bracket_first = text
        .get(line_start..end)
        .is_some_and(|before| before.trim().is_empty());
    if flow && bracket_first {
        line.saturating_sub(1)
    } else {
        line
    }
}

/// Every multi-line mapping, sequence and scalar, as (first line, last
/// line), zero-based: an entry folds from its key's line, a list item from
/// its first line.
pub(crate) fn folding_ranges(a: &Analysis) -> Vec<(usize, usize)> {
    let Some(root) = &a.root else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut stack = vec![root];
    if matches!(a.text.as_bytes().get(root.span.start), Some(b'{' | b'[')) {
        out.push((a.line_index.line_of(root.span.start), last_line(a, root)));
    }
    while let Some(node) = stack.pop() {
        match &node.kind {
            NodeKind::Mapping(entries) => {
                for e in entries {
                    let first = a.line_index.line_of(e.key.span.start);
                    out.push((first, last_line(a, &e.value)));
                    stack.push(&e.value);
                }
            }
            NodeKind::Sequence(items) => {
                for item in items {
                    let first = a.line_index.line_of(item.span.start);
                    out.push((first, last_line(a, item)));
                    stack.push(item);
                }
            }
            NodeKind::Scalar(_) => {}
        }
    }
    out.retain(|(s, e)| e > s);
    out.sort_unstable();
    out.dedup();
    out
}

fn inside(span: &Span, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

/// Ranges around `offset` for expand-selection, innermost first, each
/// containing the one before: the name or token inside `{{ }}`, the dotted
/// name, the expression, the interpolation, the string's content, the
/// scalar, its key-value entry, the enclosing collections' items and
/// entries … up to the whole document.
pub(crate) fn selection_ranges(a: &Analysis, offset: usize) -> Vec<Span> {
    let text = &*a.text;
    let offset = floor_char_boundary(text, offset);
    // Outermost first, reversed at the end.
    let mut out: Vec<Span> = Vec::new();
    out.push(0..text.len());
    let Some(root) = &a.root else {
        return out;
    };
    let mut node = root;
    out.push(trim_end(text, &root.span));
    loop {
        let next = match &node.kind {
            NodeKind::Mapping(entries) => {
                let Some(e) = entries
                    .iter()
                    .find(|e| inside(&e.key.span, offset) || inside(&e.value.span, offset))
                else {
                    break;
                };
                out.push(trim_end(text, &(e.key.span.start..e.value.span.end)));
                if inside(&e.key.span, offset) {
                    out.push(e.key.span.clone());
                    node = &e.key;
                    break;
                }
                &e.value
            }
            NodeKind::Sequence(items) => {
                let Some(item) = items.iter().find(|n| inside(&n.span, offset)) else {
                    break;
                };
                item
            }
            NodeKind::Scalar(_) => break,
        };
        out.push(trim_end(text, &next.span));
        node = next;
    }
    if let Some(s) = node.scalar() {
        let map = ScalarMap::new(text, &node.span, s.style, &s.value);
        out.push(map.range_to_source(0..s.value.trim_end_matches(['\n', '\r']).len()));
        inner_ranges(a, &node.span, offset, &mut out);
    }
    // Innermost first; each range must contain the next-inner one.
    let mut result: Vec<Span> = Vec::new();
    for span in out.into_iter().rev() {
        if !inside(&span, offset) {
            continue;
        }
        match result.last() {
            Some(last) if *last == span => {}
            Some(last) if !(span.start <= last.start && last.end <= span.end) => {}
            _ => result.push(span),
        }
    }
    result
}

/// The ranges inside a format string or `let` binding, outermost first.
fn inner_ranges(a: &Analysis, scalar_span: &Span, offset: usize, out: &mut Vec<Span>) {
    let Some(scalar) = expr_scalar_at(a, offset).filter(|s| s.span == *scalar_span) else {
        return;
    };
    let v = scalar.value_offset(offset);
    for expr in &scalar.exprs {
        let whole = match expr.kind {
            ExprKind::Interpolation { open, close } => {
                open..close.map_or(scalar.value.len(), |c| c + 2)
            }
            ExprKind::Let { .. } => expr.range.clone(),
        };
        if !(whole.start <= v && v <= whole.end) {
            continue;
        }
        out.push(scalar.to_source(whole));
        if !(expr.range.start <= v && v <= expr.range.end) {
            return;
        }
        out.push(scalar.to_source(expr.range.clone()));
        let rel = v - expr.range.start;
        let hit = |r: &std::ops::Range<usize>| r.start <= rel && rel <= r.end;
        if let Some(chain) = expr.lexed.chains.iter().find(|c| hit(&c.range())) {
            out.push(scalar.expr_to_source(expr, chain.range()));
        }
        // At the boundary of two tokens, prefer a name or literal to
        // punctuation: `Param.X|)` selects `X`.
        let wordy = |t: &&super::expr_lexer::Token| {
            use super::expr_lexer::TokenKind as K;
            matches!(t.kind, K::Name | K::Keyword | K::Number | K::String)
        };
        let tokens = &expr.lexed.tokens;
        let token = tokens
            .iter()
            .filter(|t| hit(&t.range))
            .find(wordy)
            .or_else(|| tokens.iter().find(|t| hit(&t.range)));
        if let Some(t) = token {
            out.push(scalar.expr_to_source(expr, t.range.clone()));
        }
        return;
    }
}

#[cfg(test)]
mod tests;
