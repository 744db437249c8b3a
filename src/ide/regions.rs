//! Every expression in a document: the `{{ }}` interpolations of its format
//! strings and the expressions of its `let` bindings, lexed, with the map
//! from their offsets back to the document.

use std::ops::Range;

use crate::analysis::Analysis;
use crate::analysis::scope::Site;
use crate::model::split_let;
use crate::syntax::format_string::scan;
use crate::syntax::{ScalarMap, ScalarStyle, Span};

use super::expr_lexer::{self, Lexed};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExprKind {
    /// A `{{ … }}`: offsets of the opening and (if any) closing braces in
    /// the value.
    Interpolation { open: usize, close: Option<usize> },
    /// The expression of `name = expression`, with the name's range in the
    /// value.
    Let { name: Range<usize> },
}

pub struct Expr {
    pub kind: ExprKind,
    /// The expression's range in the scalar's value (trimmed).
    pub range: Range<usize>,
    /// Its tokens and chains, relative to `range.start`.
    pub lexed: Lexed,
}

/// A format string or `let` binding scalar.
pub(crate) struct ExprScalar<'a> {
    pub span: Span,
    pub style: ScalarStyle,
    pub value: &'a str,
    pub site: Site,
    pub map: ScalarMap,
    pub exprs: Vec<Expr>,
}

impl ExprScalar<'_> {
    /// The document range of a range of the value.
    pub(crate) fn to_source(&self, range: Range<usize>) -> Span {
        self.map.range_to_source(range)
    }

    /// The document range of a range of an expression's text.
    pub(crate) fn expr_to_source(&self, expr: &Expr, range: Range<usize>) -> Span {
        self.to_source(expr.range.start + range.start..expr.range.start + range.end)
    }

    /// The value offset of a document offset inside this scalar.
    pub(crate) fn value_offset(&self, offset: usize) -> usize {
        self.map.from_source(offset)
    }
}

fn format_scalar<'a>(
    a: &Analysis,
    span: &Span,
    style: ScalarStyle,
    value: &'a str,
    site: Site,
) -> ExprScalar<'a> {
    let scanned = scan(value);
    let exprs = scanned
        .interpolations
        .iter()
        .map(|i| Expr {
            kind: ExprKind::Interpolation {
                open: i.open,
                close: i.close,
            },
            range: i.expr.clone(),
            lexed: expr_lexer::analyze(value.get(i.expr.clone()).unwrap_or("")),
        })
        .collect();
    ExprScalar {
        span: span.clone(),
        style,
        value,
        site,
        map: ScalarMap::new(&a.text, span, style, value),
        exprs,
    }
}

fn let_scalar<'a>(
    a: &Analysis,
    span: &Span,
    style: ScalarStyle,
    value: &'a str,
    site: Site,
) -> ExprScalar<'a> {
    let exprs = split_let(value)
        .map(|(name, range)| Expr {
            kind: ExprKind::Let { name },
            lexed: expr_lexer::analyze(value.get(range.clone()).unwrap_or("")),
            range,
        })
        .into_iter()
        .collect();
    ExprScalar {
        span: span.clone(),
        style,
        value,
        site,
        map: ScalarMap::new(&a.text, span, style, value),
        exprs,
    }
}

/// Every format string and `let` binding whose span passes `keep`, in
/// document order, each scalar once (alias copies share a span).
pub(crate) fn expr_scalars_where(
    a: &Analysis,
    keep: impl Fn(&Span) -> bool,
) -> Vec<ExprScalar<'_>> {
    let mut out: Vec<ExprScalar<'_>> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for fs in &a.fmt_sites {
        if keep(&fs.span) && seen.insert(fs.span.start) {
            let site = fs.site();
            out.push(format_scalar(
                a,
                &fs.span,
                fs.style,
                fs.value(&a.text),
                site,
            ));
        }
    }
    for ls in &a.let_sites {
        if keep(&ls.span) && seen.insert(ls.span.start) {
            let site = ls.site();
            out.push(let_scalar(a, &ls.span, ls.style, ls.value(&a.text), site));
        }
    }
    out.sort_by_key(|s| s.span.start);
    out
}

/// Every format string and `let` binding of the document.
pub(crate) fn expr_scalars(a: &Analysis) -> Vec<ExprScalar<'_>> {
    expr_scalars_where(a, |_| true)
}

/// The format string or `let` binding whose source contains `offset`.
pub(crate) fn expr_scalar_at(a: &Analysis, offset: usize) -> Option<ExprScalar<'_>> {
    expr_scalars_where(a, |s| s.start <= offset && offset <= s.end)
        .into_iter()
        .next()
}
