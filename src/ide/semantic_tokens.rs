//! Semantic tokens for what is inside `{{ }}` (and `let` bindings):
//! namespaces, variables, properties, functions, keywords, operators,
//! numbers, strings, and the braces themselves.
//!
//! Every token lies on one line and covers exactly its source characters in
//! every scalar style: a token that the document writes across lines (a
//! string literal in a block scalar, a name split by an escaped line break)
//! becomes one token per line.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::OnceLock;

use crate::analysis::scope::{self, NAMESPACES};
use crate::analysis::{Analysis, Stop};
use crate::schema::ScopeClass;
use crate::syntax::Span;

use super::expr_lexer::{Chain, Lexed, TokenKind as Lex};
use super::regions::{ExprKind, ExprScalar, expr_scalars_where};
use super::symbols::all_lets;

/// The legend's token types, in the order of [`TokenKind`].
pub(crate) const TOKEN_TYPES: &[&str] = &[
    "namespace",
    "variable",
    "property",
    "function",
    "keyword",
    "operator",
    "number",
    "string",
    "macro",
];

/// The legend's modifiers; bit `i` of [`SemanticToken::modifiers`] is
/// `TOKEN_MODIFIERS[i]`.
pub(crate) const TOKEN_MODIFIERS: &[&str] = &["declaration", "readonly", "defaultLibrary"];

/// Where a name is bound: a `let` name before its `=`, a comprehension's
/// `for x`.
pub(crate) const MOD_DECLARATION: u32 = 1 << 0;
/// A template variable (`Param.X`, `Task.File.Y`, …): set by the system.
pub(crate) const MOD_READONLY: u32 = 1 << 1;
/// A function or property of the expression library.
pub(crate) const MOD_DEFAULT_LIBRARY: u32 = 1 << 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// `Param`, `Task`, `Task.File`'s `File`: a part of a variable's name
    /// that is a namespace, not a value.
    Namespace,
    /// A template variable's last part, a `let` name, a comprehension variable.
    Variable,
    /// A property of a value (`.stem`).
    Property,
    /// A called name or a library function.
    Function,
    /// `and or not in if else for True False None true false null`.
    Keyword,
    Operator,
    Number,
    String,
    /// The `{{` and `}}` around an interpolation.
    Macro,
}

impl TokenKind {
    /// The index into [`TOKEN_TYPES`].
    pub fn index(self) -> u32 {
        self as u32
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SemanticToken {
    pub span: Span,
    pub kind: TokenKind,
    pub modifiers: u32,
}

/// The expression library's function and property names.
fn library() -> &'static (HashSet<String>, HashSet<String>) {
    static NAMES: OnceLock<(HashSet<String>, HashSet<String>)> = OnceLock::new();
    NAMES.get_or_init(|| {
        let lib = scope::library(ScopeClass::Host);
        let mut functions = HashSet::new();
        let mut properties = HashSet::new();
        for name in lib.function_names() {
            if let Some(p) = name
                .strip_prefix("__property_")
                .and_then(|p| p.strip_suffix("__"))
            {
                properties.insert(p.to_string());
            } else if !(name.starts_with("__") && name.ends_with("__")) {
                functions.insert(name.to_string());
            }
        }
        (functions, properties)
    })
}

/// (relative range, kind, modifiers) for each name of a chain.
fn classify_chain(
    chain: &Chain,
    lexed: &Lexed,
    lets: &HashSet<&str>,
    out: &mut Vec<(Range<usize>, TokenKind, u32)>,
) {
    let (functions, properties) = library();
    let n = chain.parts.len();
    let first = chain.first();
    let local = lexed.is_local(first);
    // How many leading parts are namespaces.
    let mut ns = 0;
    if !local {
        let mut prefix = String::new();
        for (name, _) in &chain.parts {
            if !prefix.is_empty() {
                prefix.push('.');
            }
            prefix.push_str(name);
            if NAMESPACES.contains(&prefix.as_str()) {
                ns += 1;
            } else {
                break;
            }
        }
    }
    for (i, (name, range)) in chain.parts.iter().enumerate() {
        let called = chain.call && i + 1 == n;
        let (kind, mods) = if i < ns && !called {
            (TokenKind::Namespace, 0)
        } else if i == ns && !called {
            let is_function =
                ns == 0 && n == 1 && !local && !lets.contains(first) && functions.contains(name);
            if is_function {
                (TokenKind::Function, MOD_DEFAULT_LIBRARY)
            } else if ns > 0 {
                (TokenKind::Variable, MOD_READONLY)
            } else {
                (TokenKind::Variable, 0)
            }
        } else if called {
            let lib = if functions.contains(name) {
                MOD_DEFAULT_LIBRARY
            } else {
                0
            };
            (TokenKind::Function, lib)
        } else {
            let lib = if properties.contains(name) {
                MOD_DEFAULT_LIBRARY
            } else {
                0
            };
            (TokenKind::Property, lib)
        };
        out.push((range.clone(), kind, mods));
    }
}

/// The tokens of one expression, relative to its text, in order.
fn expr_tokens(lexed: &Lexed, lets: &HashSet<&str>) -> Vec<(Range<usize>, TokenKind, u32)> {
    let mut out = Vec::new();
    for chain in &lexed.chains {
        classify_chain(chain, lexed, lets, &mut out);
    }
    // Where each name starts, to find a comprehension's `for x` among
    // them without searching them all for each.
    let at: HashMap<usize, usize> = out
        .iter()
        .enumerate()
        .map(|(i, t)| (t.0.start, i))
        .collect();
    for (_, r) in &lexed.locals {
        if let Some(t) = at.get(&r.start).and_then(|&i| out.get_mut(i))
            && t.0 == *r
        {
            t.1 = TokenKind::Variable;
            t.2 = MOD_DECLARATION;
        }
    }
    for t in &lexed.tokens {
        let kind = match t.kind {
            Lex::Keyword => TokenKind::Keyword,
            Lex::Operator => TokenKind::Operator,
            Lex::Number => TokenKind::Number,
            Lex::String => TokenKind::String,
            _ => continue,
        };
        out.push((t.range.clone(), kind, 0));
    }
    out.sort_by_key(|t| t.0.start);
    out
}

/// Emits the document ranges of a value range, one per source line.
fn emit(
    a: &Analysis,
    scalar: &ExprScalar<'_>,
    range: Range<usize>,
    kind: TokenKind,
    modifiers: u32,
    out: &mut Vec<SemanticToken>,
) {
    let text = &*a.text;
    let Some(slice) = scalar.value.get(range.clone()) else {
        return;
    };
    let mut piece: Option<(Span, usize)> = None;
    let flush = |piece: &mut Option<(Span, usize)>, out: &mut Vec<SemanticToken>| {
        if let Some((span, _)) = piece.take() {
            let on_one_line = text
                .get(span.clone())
                .is_some_and(|s| !s.contains(['\n', '\r']));
            if span.end > span.start && on_one_line {
                out.push(SemanticToken {
                    span,
                    kind,
                    modifiers,
                });
            }
        }
    };
    for (i, c) in slice.char_indices() {
        let at = range.start + i;
        let src = scalar.to_source(at..at + c.len_utf8());
        let src_text = text.get(src.clone()).unwrap_or("");
        if c == '\n' || c == '\r' || src_text.contains(['\n', '\r']) {
            // A line break (or a space that folding made of one).
            flush(&mut piece, out);
            continue;
        }
        let line = a.line_index.line_of(src.start);
        match &mut piece {
            Some((span, l)) if *l == line && src.start >= span.end => span.end = src.end,
            _ => {
                flush(&mut piece, out);
                piece = Some((src, line));
            }
        }
    }
    flush(&mut piece, out);
}

fn scalar_tokens(
    a: &Analysis,
    scalar: &ExprScalar<'_>,
    lets: &HashSet<&str>,
    stop: &Stop,
    out: &mut Vec<SemanticToken>,
) {
    for expr in &scalar.exprs {
        if stop.step() {
            return;
        }
        let base = expr.range.start;
        match &expr.kind {
            ExprKind::Interpolation { open, .. } => {
                emit(a, scalar, *open..open + 2, TokenKind::Macro, 0, out);
            }
            ExprKind::Let { name } => {
                emit(
                    a,
                    scalar,
                    name.clone(),
                    TokenKind::Variable,
                    MOD_DECLARATION,
                    out,
                );
                if let Some(eq) = scalar.value.get(name.end..base).and_then(|s| s.find('=')) {
                    let at = name.end + eq;
                    emit(a, scalar, at..at + 1, TokenKind::Operator, 0, out);
                }
            }
        }
        for (r, kind, mods) in expr_tokens(&expr.lexed, lets) {
            emit(a, scalar, base + r.start..base + r.end, kind, mods, out);
        }
        if let ExprKind::Interpolation {
            close: Some(close), ..
        } = expr.kind
        {
            emit(a, scalar, close..close + 2, TokenKind::Macro, 0, out);
        }
    }
}

/// Every semantic token of the document, sorted, none overlapping.
pub fn semantic_tokens(a: &Analysis) -> Vec<SemanticToken> {
    semantic_tokens_in(a, 0..a.text.len())
}

/// The semantic tokens of the format strings and `let` bindings that
/// intersect `range`.
pub fn semantic_tokens_in(a: &Analysis, range: Span) -> Vec<SemanticToken> {
    semantic_tokens_until(a, range, &|| false).unwrap_or_default()
}

/// [`semantic_tokens_in`], giving up (`None`) once `stop` says so, as a
/// cancelled request does: it is asked every so many expressions, as the
/// analysis asks it ([`Stop`]).
pub fn semantic_tokens_until(
    a: &Analysis,
    range: Span,
    stop: &(dyn Fn() -> bool + Sync),
) -> Option<Vec<SemanticToken>> {
    let stop = Stop::new(stop);
    let lets: HashSet<&str> = a
        .template
        .iter()
        .flat_map(|t| all_lets(t))
        .map(|l| l.name.as_str())
        .collect();
    let scalars = expr_scalars_where(a, |s| s.start <= range.end && range.start <= s.end);
    let mut out = Vec::new();
    for scalar in &scalars {
        if stop.step() {
            return None;
        }
        scalar_tokens(a, scalar, &lets, &stop, &mut out);
    }
    if stop.stopped() {
        return None;
    }
    out.retain(|t| t.span.start < range.end && range.start < t.span.end);
    out.sort_by_key(|t| (t.span.start, t.span.end));
    let mut result: Vec<SemanticToken> = Vec::with_capacity(out.len());
    for t in out {
        if result
            .last()
            .is_none_or(|last| last.span.end <= t.span.start)
        {
            result.push(t);
        }
    }
    Some(result)
}

#[cfg(test)]
mod tests;
