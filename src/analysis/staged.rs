//! Staged expression typing as the newest reference types it (openjd-expr
//! 0.12–0.13, #435 and #462), on top of the openjd-expr 0.8 evaluator
//! that this crate builds with.
//!
//! The rule of the newest reference: no stage rejects an expression that a
//! later stage's values let succeed, and what fails on every run is an
//! error at every stage. openjd-expr 0.8 differs in four constructs, which
//! this module types itself, evaluating everything else with 0.8:
//!
//! - `and`/`or` after an operand of unknown value: 0.8 drops every error of
//!   the later operands and types the result `bool`. Now a name that
//!   resolves nowhere is an error, a value error is an error when every run
//!   reaches it, and the result is the union of what the operator may
//!   return (`Task.Param.S or "x"` is a string).
//! - `a if test else b` with a test of unknown value: a name that resolves
//!   nowhere in either branch is an error (0.8 dropped it).
//! - A chained comparison after a link of unknown value: a later link's
//!   value error is not an error (a run may stop at a `false` before it).
//! - A list comprehension over an unknown list, or whose filter is unknown:
//!   the filter and body are typed once with the loop variable of unknown
//!   value; a value error there is not an error (a run over the empty list
//!   succeeds), a filter of type `unresolved[bool]` is accepted.
//!
//! The Python reference implementation (Deadline Cloud's) types some of
//! these otherwise: it checks every variable name wherever it stands, does
//! not check function or member names in branches a run may skip, and
//! rejects a value error in a comprehension over an unknown list or in a
//! later link of a chain. Each such case is returned as a [`Split`], for a
//! `reference-disagreement` warning.

use std::ops::Range;

use crate::syntax::nesting;
use openjd_expr::{
    ExprProfile, ExprType, ExprValue, ExpressionError, ExpressionErrorKind, FunctionLibrary,
    ParsedExpression, SymbolTable, TypeCode,
};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

/// What the Python reference says where it and the Rust one disagree.
#[derive(Clone, Debug, PartialEq)]
pub enum Split {
    /// The Rust reference rejects (the error of [`Staged::rust`]); the
    /// Python one accepts, for this reason.
    PythonAccepts(String),
    /// The Rust reference accepts; the Python one rejects with this error.
    PythonRejects(String),
}

/// A failure, with the range of the expression text it belongs to.
#[derive(Clone, Debug)]
pub struct Fail {
    pub error: ExpressionError,
    pub range: Range<usize>,
}

/// The staged verdict on one expression.
#[derive(Clone, Debug)]
pub struct Staged {
    /// The newest Rust reference's verdict: the value's type, or the error.
    pub rust: Result<ExprValue, Fail>,
    /// Where the Python reference judges otherwise, and the range concerned.
    pub split: Option<(Split, Range<usize>)>,
}

/// Budgets of one staged check (per evaluation of a part).
pub struct Limits {
    pub operations: usize,
    pub memory: usize,
}

/// Type `expr` in the symbol tables `scope` (`names`: every visible
/// variable, for the Python reference's name check), or `None` when it
/// holds none of the four constructs (openjd-expr 0.8's verdict stands) or
/// cannot be read here.
pub fn check(
    expr: &str,
    scope: &SymbolTable,
    names: &[&str],
    library: &FunctionLibrary,
    profile: &ExprProfile,
    limits: &Limits,
) -> Option<Staged> {
    // Nothing parses what nests too deeply (the expression pass says so).
    if nesting::expression_nesting(expr) > nesting::MAX_NESTING {
        return None;
    }
    let trimmed = expr.trim();
    let lead = expr.len() - expr.trim_start().len();
    // openjd-expr reads a multi-line expression inside parentheses.
    let multiline = trimmed.contains('\n');
    let source = if multiline {
        format!("({trimmed})")
    } else {
        trimmed.to_string()
    };
    let parsed = ruff_python_parser::parse_expression(&source).ok()?;
    let root = parsed.expr();
    if !has_staged_construct(root) {
        return None;
    }
    let mut ctx = Ctx {
        source: &source,
        scope,
        library,
        profile,
        limits,
        splits: Vec::new(),
        next: 0,
        over_budget: false,
    };
    let locals = SymbolTable::new();
    let rust = ctx.eval(root, &locals);
    if ctx.over_budget {
        return None;
    }
    // The Python reference checks every variable name, also where a run
    // never goes (after `Task.Param.I or`, in the branch `if false`
    // skips).
    if rust.is_ok()
        && ctx.splits.is_empty()
        && let Ok(p) = ParsedExpression::with_profile(trimmed, profile)
    {
        let mut unknown: Vec<&String> = p
            .accessed_symbols()
            .iter()
            .filter(|s| {
                !p.local_bindings().contains(s.as_str())
                    && !names
                        .iter()
                        .any(|n| s.as_str() == *n || s.starts_with(&format!("{n}.")))
            })
            .collect();
        unknown.sort();
        if let Some(name) = unknown.first() {
            let at = trimmed.find(name.as_str()).unwrap_or(0);
            ctx.splits.push((
                Split::PythonRejects(format!("Undefined variable `{name}`")),
                at..at + name.len(),
            ));
        }
    }
    // Offsets in `source` → offsets in `expr`.
    let shift = |r: Range<usize>| {
        let back = usize::from(multiline);
        let s = (r.start.saturating_sub(back) + lead).min(expr.len());
        let e = (r.end.saturating_sub(back) + lead).clamp(s, expr.len());
        s..e
    };
    let rust = rust.map_err(|f| Fail {
        error: f.error,
        range: shift(f.range),
    });
    let split = ctx.splits.into_iter().next().map(|(s, r)| (s, shift(r)));
    Some(Staged { rust, split })
}

/// Whether `e` is one of the constructs typed here.
fn is_staged(e: &Expr) -> bool {
    match e {
        Expr::BoolOp(_) | Expr::If(_) | Expr::ListComp(_) => true,
        Expr::Compare(c) => c.ops.len() > 1,
        _ => false,
    }
}

fn has_staged_construct(e: &Expr) -> bool {
    struct Finder(bool);
    impl<'a> Visitor<'a> for Finder {
        fn visit_expr(&mut self, e: &'a Expr) {
            if is_staged(e) {
                self.0 = true;
            } else if !self.0 {
                visitor::walk_expr(self, e);
            }
        }
    }
    let mut f = Finder(false);
    f.visit_expr(e);
    f.0
}

/// The outermost staged constructs strictly inside `e`, in source order.
fn staged_children(e: &Expr) -> Vec<&Expr> {
    struct Collect<'a>(Vec<&'a Expr>);
    impl<'a> Visitor<'a> for Collect<'a> {
        fn visit_expr(&mut self, e: &'a Expr) {
            if is_staged(e) {
                self.0.push(e);
            } else {
                visitor::walk_expr(self, e);
            }
        }
    }
    let mut c = Collect(Vec::new());
    visitor::walk_expr(&mut c, e);
    c.0.sort_by_key(|e| e.range().start());
    c.0
}

fn range_of(e: &impl Ranged) -> Range<usize> {
    let r = e.range();
    usize::from(r.start())..usize::from(r.end())
}

fn unwrap_unresolved(t: &ExprType) -> ExprType {
    if t.code() == TypeCode::Unresolved {
        t.params().first().cloned().unwrap_or(ExprType::ANY)
    } else {
        t.clone()
    }
}

/// A test or filter of this type may be `true` on some run.
fn is_bool_compatible(t: &ExprType) -> bool {
    let t = unwrap_unresolved(t);
    let can_be_bool = |m: &ExprType| {
        *m == ExprType::BOOL
            || matches!(
                m.code(),
                TypeCode::Unresolved
                    | TypeCode::Any
                    | TypeCode::NoReturn
                    | TypeCode::TypeVarT
                    | TypeCode::TypeVarT1
                    | TypeCode::TypeVarT2
                    | TypeCode::TypeVarT3
            )
    };
    can_be_bool(&t) || (t.code() == TypeCode::Union && t.params().iter().any(can_be_bool))
}

/// A value an `and`/`or` with an operand of unknown value may return.
enum Outcome {
    Exact(ExprValue),
    Typed(ExprType),
}

/// `or` returns the first operand that is neither `null` nor `false`, `and`
/// the first that is.
fn decides(op: ast::BoolOp, v: &ExprValue) -> bool {
    let falsy = matches!(v, ExprValue::Null | ExprValue::Bool(false));
    match op {
        ast::BoolOp::And => falsy,
        ast::BoolOp::Or => !falsy,
    }
}

/// What an operand of unknown value of type `t` (not the last) may make
/// the operator return, and whether a run may go on to the next operand.
fn unknown_operand(op: ast::BoolOp, t: &ExprType, outcomes: &mut Vec<Outcome>) -> bool {
    let members = if t.code() == TypeCode::Union {
        t.params().to_vec()
    } else {
        vec![t.clone()]
    };
    let mut passes = false;
    for m in members {
        match (m.code(), op) {
            (TypeCode::NoReturn, _) => {}
            (TypeCode::NullType, ast::BoolOp::Or) => passes = true,
            (TypeCode::NullType, ast::BoolOp::And) => {
                outcomes.push(Outcome::Exact(ExprValue::Null))
            }
            (TypeCode::Bool, ast::BoolOp::Or) => {
                outcomes.push(Outcome::Exact(ExprValue::Bool(true)));
                passes = true;
            }
            (TypeCode::Bool, ast::BoolOp::And) => {
                outcomes.push(Outcome::Exact(ExprValue::Bool(false)));
                passes = true;
            }
            (
                TypeCode::Any
                | TypeCode::Unresolved
                | TypeCode::TypeVarT
                | TypeCode::TypeVarT1
                | TypeCode::TypeVarT2
                | TypeCode::TypeVarT3,
                _,
            ) => {
                match op {
                    ast::BoolOp::Or => outcomes.push(Outcome::Typed(ExprType::ANY)),
                    ast::BoolOp::And => {
                        outcomes.push(Outcome::Exact(ExprValue::Bool(false)));
                        outcomes.push(Outcome::Exact(ExprValue::Null));
                    }
                }
                passes = true;
            }
            (_, ast::BoolOp::Or) => outcomes.push(Outcome::Typed(m.clone())),
            (_, ast::BoolOp::And) => passes = true,
        }
    }
    passes
}

fn is_budget_error(e: &ExpressionError) -> bool {
    matches!(
        e.kind(),
        ExpressionErrorKind::OperationLimitExceeded { .. }
            | ExpressionErrorKind::MemoryLimitExceeded { .. }
    ) || e.sub_errors().iter().any(is_budget_error)
}

struct Ctx<'a> {
    source: &'a str,
    scope: &'a SymbolTable,
    library: &'a FunctionLibrary,
    profile: &'a ExprProfile,
    limits: &'a Limits,
    splits: Vec<(Split, Range<usize>)>,
    next: usize,
    over_budget: bool,
}

/// How a failure in a part a run may skip counts.
enum NameError {
    /// An undefined variable: both references reject it.
    Variable,
    /// An unknown function, or a member no type has: the Rust reference
    /// rejects it, the Python one does not look.
    Function,
}

impl Ctx<'_> {
    fn fail(&self, error: ExpressionError, e: &impl Ranged) -> Fail {
        Fail {
            error,
            range: range_of(e),
        }
    }

    /// A name that resolves nowhere, whatever the values (0.13's
    /// `contains_name_error`; 0.8 has no kind for an unknown member).
    fn name_error(&self, e: &ExpressionError) -> Option<NameError> {
        match e.kind() {
            ExpressionErrorKind::UndefinedVariable { .. } => return Some(NameError::Variable),
            ExpressionErrorKind::UnknownFunction { .. } => return Some(NameError::Function),
            _ => {}
        }
        let m = e.message();
        let member = m
            .strip_prefix("Cannot access attribute '")
            .or_else(|| m.strip_prefix("'"))
            .and_then(|rest| rest.split('\'').next());
        if let Some(attr) = member
            && (m.starts_with("Cannot access attribute")
                || m.contains("is a method, not a property"))
            && self
                .library
                .get_signatures(&format!("__property_{attr}__"))
                .is_empty()
        {
            return Some(NameError::Function);
        }
        e.sub_errors().iter().find_map(|s| self.name_error(s))
    }

    /// Evaluate `e` where a run may not get to it: a name that resolves
    /// nowhere is an error (the Python reference skips function names), a
    /// value error is returned for the caller to absorb.
    fn speculate(
        &mut self,
        e: &Expr,
        locals: &SymbolTable,
    ) -> Result<Result<ExprValue, Fail>, Fail> {
        match self.eval(e, locals) {
            Err(f) if is_budget_error(&f.error) => Err(f),
            r => self.settle(r),
        }
    }

    /// The result of a part a run may not get to: a name that resolves
    /// nowhere is an error, a value error is left for the caller.
    fn settle(&mut self, r: Result<ExprValue, Fail>) -> Result<Result<ExprValue, Fail>, Fail> {
        match r {
            Ok(v) => Ok(Ok(v)),
            Err(f) => match self.name_error(&f.error) {
                Some(NameError::Variable) => Err(f),
                Some(NameError::Function) => {
                    self.splits.push((
                        Split::PythonAccepts(
                            "it does not check function and member names where a run may not go"
                                .into(),
                        ),
                        f.range.clone(),
                    ));
                    Err(f)
                }
                None => Ok(Err(f)),
            },
        }
    }

    fn eval(&mut self, e: &Expr, locals: &SymbolTable) -> Result<ExprValue, Fail> {
        match e {
            Expr::BoolOp(b) => self.boolop(b, locals),
            Expr::If(i) => self.ifexp(i, locals),
            Expr::Compare(c) if c.ops.len() > 1 => self.chain(c, locals),
            Expr::ListComp(lc) => self.listcomp(lc, locals),
            _ => self.plain(e, &[], locals),
        }
    }

    /// Evaluate `e` with openjd-expr 0.8, each staged construct inside it
    /// typed here first and passed in as a variable (`given` adds
    /// already-evaluated parts).
    fn plain(
        &mut self,
        e: &Expr,
        given: &[(Range<usize>, ExprValue)],
        locals: &SymbolTable,
    ) -> Result<ExprValue, Fail> {
        let mut parts: Vec<(Range<usize>, ExprValue)> = given.to_vec();
        if given.is_empty() {
            for child in staged_children(e) {
                let v = self.eval(child, locals)?;
                parts.push((range_of(child), v));
            }
        }
        // Indexing a comprehension that keeps no element on any run that
        // succeeds fails on every run.
        if let Expr::Subscript(sub) = e
            && !matches!(&*sub.slice, Expr::Slice(_))
            && parts.iter().any(|(r, v)| {
                *r == range_of(&*sub.value)
                    && v.expr_type() == ExprType::unresolved(ExprType::list(ExprType::NULLTYPE))
            })
        {
            // Both references reject it: the Python one for the reason the
            // list is empty.
            self.splits.clear();
            return Err(self.fail(
                ExpressionError::new("Index out of bounds: the list is always empty"),
                e,
            ));
        }
        let whole = range_of(e);
        let mut text = String::new();
        let mut parts_table = SymbolTable::new();
        let mut pos = whole.start;
        for (r, v) in parts {
            let name = self.part_name();
            if parts_table.set(&name, v).is_err() {
                return Err(self.fail(ExpressionError::new("cannot type this expression"), e));
            }
            text.push_str(self.source.get(pos..r.start).unwrap_or(""));
            text.push_str(&name);
            pos = r.end;
        }
        text.push_str(self.source.get(pos..whole.end).unwrap_or(""));
        self.eval_text(&text, &parts_table, locals, whole)
    }

    /// A fresh name for a part passed in as a variable.
    fn part_name(&mut self) -> String {
        self.next += 1;
        format!("staged_part_{}_", self.next)
    }

    /// Evaluate `text` with openjd-expr 0.8; a failure belongs to `range`.
    fn eval_text(
        &mut self,
        text: &str,
        parts: &SymbolTable,
        locals: &SymbolTable,
        range: Range<usize>,
    ) -> Result<ExprValue, Fail> {
        let fail = |error| Fail {
            error,
            range: range.clone(),
        };
        if nesting::expression_nesting(text) > nesting::MAX_NESTING {
            return Err(fail(ExpressionError::new(format!(
                "This expression nests more than {} levels deep",
                nesting::MAX_NESTING
            ))));
        }
        let parsed = ParsedExpression::with_profile(text, self.profile).map_err(fail)?;
        let result = parsed
            .with_library(self.library)
            .with_operation_limit(self.limits.operations)
            .with_memory_limit(self.limits.memory)
            .evaluate_with_metrics(&[self.scope, locals, parts]);
        match result {
            Ok(r) => Ok(r.value),
            Err(err) => {
                if is_budget_error(&err) {
                    self.over_budget = true;
                }
                Err(fail(err))
            }
        }
    }

    fn boolop(&mut self, b: &ast::ExprBoolOp, locals: &SymbolTable) -> Result<ExprValue, Fail> {
        let mut seen_unknown = false;
        let mut absorbed: Option<Fail> = None;
        let mut outcomes: Vec<Outcome> = Vec::new();
        let mut concrete: Option<ExprValue> = None;
        let last = b.values.len().saturating_sub(1);
        for (i, node) in b.values.iter().enumerate() {
            let is_last = i == last;
            let v = if seen_unknown {
                match self.speculate(node, locals)? {
                    Ok(v) => v,
                    Err(f) => {
                        absorbed.get_or_insert(f);
                        continue;
                    }
                }
            } else {
                self.eval(node, locals)?
            };
            let passes = if v.is_unresolved() {
                seen_unknown = true;
                let t = unwrap_unresolved(&v.expr_type());
                if is_last {
                    let t = if t.code() == TypeCode::Unresolved {
                        ExprType::ANY
                    } else {
                        t
                    };
                    outcomes.push(Outcome::Typed(t));
                    true
                } else {
                    unknown_operand(b.op, &t, &mut outcomes)
                }
            } else {
                if decides(b.op, &v) || is_last {
                    if !seen_unknown {
                        return Ok(v);
                    }
                    concrete = Some(v);
                    break;
                }
                true
            };
            if !passes {
                break;
            }
        }
        if !seen_unknown {
            return Ok(ExprValue::Bool(matches!(b.op, ast::BoolOp::And)));
        }
        if absorbed.is_none() {
            let same = |a: &ExprValue, b: &ExprValue| match (a, b) {
                (ExprValue::Null, ExprValue::Null) => true,
                (ExprValue::Bool(x), ExprValue::Bool(y)) => x == y,
                _ => false,
            };
            let mut exact: Option<&ExprValue> = concrete.as_ref();
            let mut agree = true;
            for o in &outcomes {
                match o {
                    Outcome::Exact(v) => match exact {
                        None => exact = Some(v),
                        Some(e) => agree &= same(e, v),
                    },
                    Outcome::Typed(_) => agree = false,
                }
            }
            if agree && let Some(v) = exact {
                return Ok(v.clone());
            }
        }
        if let Some(c) = concrete {
            outcomes.push(match c {
                ExprValue::Null | ExprValue::Bool(_) => Outcome::Exact(c),
                other => Outcome::Typed(other.expr_type()),
            });
        } else if outcomes.is_empty()
            && let Some(f) = absorbed
        {
            // Every run reaches an operand that fails.
            return Err(f);
        }
        let types = outcomes
            .into_iter()
            .map(|o| match o {
                Outcome::Exact(v) => v.expr_type(),
                Outcome::Typed(t) => t,
            })
            .collect();
        Ok(ExprValue::unresolved(ExprType::union(types)))
    }

    fn ifexp(&mut self, i: &ast::ExprIf, locals: &SymbolTable) -> Result<ExprValue, Fail> {
        let test = self.eval(&i.test, locals)?;
        if !test.is_unresolved() {
            return match test {
                ExprValue::Bool(true) => self.eval(&i.body, locals),
                ExprValue::Bool(false) => self.eval(&i.orelse, locals),
                // openjd-expr says what is wrong with the test.
                other => self.plain(&Expr::If(i.clone()), &[(range_of(&*i.test), other)], locals),
            };
        }
        let inner = unwrap_unresolved(&test.expr_type());
        if inner == ExprType::NORETURN || !is_bool_compatible(&inner) {
            return Err(self.fail(
                ExpressionError::new(format!("Condition must be a boolean, got {inner}")),
                &*i.test,
            ));
        }
        // Both branches first: when both fail, both references reject.
        let body = self.eval(&i.body, locals);
        let orelse = self.eval(&i.orelse, locals);
        for f in [&body, &orelse]
            .into_iter()
            .filter_map(|r| r.as_ref().err())
        {
            if is_budget_error(&f.error) {
                return Err(f.clone());
            }
        }
        let (body, orelse) = if body.is_err() && orelse.is_err() {
            (body, orelse)
        } else {
            (self.settle(body)?, self.settle(orelse)?)
        };
        match (body, orelse) {
            (Err(b), Err(o)) => Err(self.fail(
                ExpressionError::new(format!(
                    "Both branches fail in the if/else:\n  if-branch: {}\n  else-branch: {}",
                    b.error.message(),
                    o.error.message()
                )),
                i,
            )),
            (Ok(v), Err(_)) | (Err(_), Ok(v)) => {
                Ok(ExprValue::unresolved(unwrap_unresolved(&v.expr_type())))
            }
            (Ok(b), Ok(o)) => {
                let bt = unwrap_unresolved(&b.expr_type());
                let ot = unwrap_unresolved(&o.expr_type());
                Ok(ExprValue::unresolved(if bt == ot {
                    bt
                } else {
                    ExprType::union(vec![bt, ot])
                }))
            }
        }
    }

    /// `a < b < c`: its links joined by `and`; after a link of unknown
    /// value, a later link's value error is not reached by every run.
    fn chain(&mut self, c: &ast::ExprCompare, locals: &SymbolTable) -> Result<ExprValue, Fail> {
        let mut left_node: &Expr = &c.left;
        let mut left = self.eval(left_node, locals)?;
        let mut unknown = false;
        for right_node in c.comparators.iter() {
            let linked = self.link(left_node, left.clone(), right_node, locals);
            let (result, right) = match linked {
                Ok(r) => r,
                Err(f) if !unknown || is_budget_error(&f.error) => return Err(f),
                Err(f) if self.name_error(&f.error).is_some() => return Err(f),
                Err(f) => {
                    // A run may stop at a `false` before this link.
                    self.splits
                        .push((Split::PythonRejects(f.error.message()), f.range.clone()));
                    return Ok(ExprValue::unresolved(ExprType::BOOL));
                }
            };
            match result {
                ExprValue::Bool(false) => return Ok(ExprValue::Bool(false)),
                ExprValue::Bool(true) => {}
                _ => unknown = true,
            }
            left = right;
            left_node = right_node;
        }
        Ok(if unknown {
            ExprValue::unresolved(ExprType::BOOL)
        } else {
            ExprValue::Bool(true)
        })
    }

    /// One link `left op right` of a chain: the comparison's value and the
    /// right operand's (the next link's left).
    fn link(
        &mut self,
        left_node: &Expr,
        left: ExprValue,
        right_node: &Expr,
        locals: &SymbolTable,
    ) -> Result<(ExprValue, ExprValue), Fail> {
        let right = self.eval(right_node, locals)?;
        let l = range_of(left_node);
        let r = range_of(right_node);
        let op = self
            .source
            .get(l.end..r.start)
            .unwrap_or(" == ")
            .to_string();
        let mut parts = SymbolTable::new();
        let (ln, rn) = (self.part_name(), self.part_name());
        let ok = parts.set(&ln, left).is_ok() && parts.set(&rn, right.clone()).is_ok();
        let text = format!("{ln}{op}{rn}");
        let range = l.start..r.end;
        if !ok {
            return Err(Fail {
                error: ExpressionError::new("cannot type this comparison"),
                range,
            });
        }
        let v = self.eval_text(&text, &parts, locals, range)?;
        Ok((v, right))
    }

    fn listcomp(
        &mut self,
        lc: &ast::ExprListComp,
        locals: &SymbolTable,
    ) -> Result<ExprValue, Fail> {
        let [generator] = lc.generators.as_slice() else {
            return self.plain(&Expr::ListComp(lc.clone()), &[], locals);
        };
        let Expr::Name(var) = &generator.target else {
            return self.plain(&Expr::ListComp(lc.clone()), &[], locals);
        };
        let iterable = self.eval(&generator.iter, locals)?;
        let element = |t: &ExprType| {
            let t = unwrap_unresolved(t);
            match t.list_element_type() {
                Some(e) if e.code() != TypeCode::Unresolved => e.clone(),
                Some(_) => ExprType::ANY,
                None if t.code() == TypeCode::RangeExpr => ExprType::INT,
                None => ExprType::ANY,
            }
        };
        if !iterable.is_unresolved() {
            // Each element in turn, by openjd-expr 0.8; a filter whose value
            // is not known yet makes the whole comprehension unknown.
            let elem = element(&iterable.expr_type());
            match self.plain(
                &Expr::ListComp(lc.clone()),
                &[(range_of(&generator.iter), iterable)],
                locals,
            ) {
                Err(f)
                    if f.error.message().starts_with(
                        "List comprehension filter must be a boolean, got unresolved",
                    ) && is_bool_compatible(
                        &ExprType::parse(
                            f.error
                                .message()
                                .trim_start_matches(
                                    "List comprehension filter must be a boolean, got ",
                                )
                                .trim_end_matches('.'),
                        )
                        .unwrap_or(ExprType::ANY),
                    ) => {}
                other => return other,
            }
            return self.unknown_listcomp(lc, generator, &var.id, elem, locals);
        }
        let elem = element(&iterable.expr_type());
        self.unknown_listcomp(lc, generator, &var.id, elem, locals)
    }

    /// Type the filter and body once, the loop variable of unknown value.
    fn unknown_listcomp(
        &mut self,
        lc: &ast::ExprListComp,
        generator: &ast::Comprehension,
        var: &str,
        elem: ExprType,
        locals: &SymbolTable,
    ) -> Result<ExprValue, Fail> {
        let mut inner = locals.clone();
        if inner.set(var, ExprValue::unresolved(elem)).is_err() {
            return self.plain(&Expr::ListComp(lc.clone()), &[], locals);
        }
        let typed = (|| {
            if let Some(filter) = generator.ifs.first() {
                let cond = self.eval(filter, &inner)?;
                if !is_bool_compatible(&cond.expr_type()) {
                    return Err(self.fail(
                        ExpressionError::new(format!(
                            "List comprehension filter must be a boolean, got {}",
                            unwrap_unresolved(&cond.expr_type())
                        )),
                        filter,
                    ));
                }
            }
            self.eval(&lc.elt, &inner)
        })();
        match typed {
            Ok(v) => Ok(ExprValue::unresolved(ExprType::list(unwrap_unresolved(
                &v.expr_type(),
            )))),
            Err(f) if is_budget_error(&f.error) || self.name_error(&f.error).is_some() => Err(f),
            Err(f) => {
                // A run over the empty list succeeds: the Rust reference
                // types the comprehension as always empty; the Python one
                // rejects it.
                self.splits
                    .push((Split::PythonRejects(f.error.message()), f.range.clone()));
                Ok(ExprValue::unresolved(ExprType::list(ExprType::NULLTYPE)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The staged verdict on `expr` with the variables of a step with a
    /// STRING task parameter `C`, an INT one `I` and a LIST[INT] job
    /// parameter `L`: `accept`, `reject: …`, or `-` (openjd-expr 0.8's
    /// verdict stands), and the disagreement of the Python reference.
    fn staged(expr: &str) -> String {
        let mut scope = SymbolTable::new();
        let vars = [
            ("Task.Param.C", ExprType::STRING),
            ("Task.Param.I", ExprType::INT),
            ("Param.L", ExprType::list(ExprType::INT)),
        ];
        for (name, ty) in &vars {
            scope
                .set(name, ExprValue::unresolved(ty.clone()))
                .expect("a variable");
        }
        let names: Vec<&str> = vars.iter().map(|(n, _)| *n).collect();
        let profile = ExprProfile::current();
        let library = FunctionLibrary::for_profile(&profile);
        let limits = Limits {
            operations: 100_000,
            memory: 1 << 20,
        };
        let Some(s) = check(expr, &scope, &names, &library, &profile, &limits) else {
            return "-".into();
        };
        let verdict = match &s.rust {
            Ok(v) => format!("accept {}", v.expr_type()),
            Err(f) => format!("reject `{}`: {}", &expr[f.range.clone()], f.error.message()),
        };
        match &s.split {
            None => verdict,
            Some((Split::PythonAccepts(why), _)) => format!("{verdict}; Python accepts: {why}"),
            Some((Split::PythonRejects(why), r)) => {
                format!("{verdict}; Python rejects `{}`: {why}", &expr[r.clone()])
            }
        }
    }

    #[test]
    fn expressions_without_staged_constructs_keep_the_evaluators_verdict() {
        assert_eq!(staged("len(Param.L) + 1"), "-");
    }

    #[test]
    fn and_or_after_an_unknown_operand() {
        // A string never ends `and`: every run evaluates len(1).
        assert!(staged("Task.Param.C and len(1)").starts_with("reject `len(1)`"));
        // A bool may be false: the runs that stop there succeed.
        assert_eq!(
            staged("Task.Param.C == 'a' and len(1)"),
            "accept unresolved[bool]"
        );
        // The result is one of the operands, not a bool.
        assert_eq!(staged("(Task.Param.I and 2) + 1"), "accept int");
        assert_eq!(staged("Task.Param.C or 'x'"), "accept unresolved[string]");
        assert!(staged("(Task.Param.C or 1) + 1").starts_with("reject"));
        // A name that resolves nowhere, whatever the values.
        assert!(staged("Task.Param.C == 'a' and Param.Nope").starts_with("reject `Param.Nope`"));
        // Nothing runs after an int in `or`; the Python reference still
        // checks the name.
        assert_eq!(
            staged("Task.Param.I or Param.Nope"),
            "accept unresolved[int]; Python rejects `Param.Nope`: Undefined variable `Param.Nope`"
        );
    }

    #[test]
    fn conditionals_with_an_unknown_test() {
        assert_eq!(
            staged("1 if Task.Param.C == 'a' else len(1)"),
            "accept unresolved[int]"
        );
        assert!(
            staged("len(1) if Task.Param.C == 'a' else len(2)").starts_with(
                "reject `len(1) if Task.Param.C == 'a' else len(2)`: Both branches fail"
            )
        );
        assert!(
            staged("1 if Task.Param.C == 'a' else Param.Nope").starts_with("reject `Param.Nope`")
        );
        assert!(staged("1 if Task.Param.C == 'a' else strr(1)").ends_with(
            "Python accepts: it does not check function and member names where a run may not go"
        ));
    }

    #[test]
    fn comprehensions_over_unknown_values() {
        assert_eq!(
            staged("[x for x in [1, 2] if x == 1 or Task.Param.C == 'a']"),
            "accept unresolved[list[int]]"
        );
        assert_eq!(
            staged("[len(1) for x in Param.L]"),
            "accept unresolved[list[nulltype]]; Python rejects `len(1)`: No matching signature for len(int)"
        );
        assert!(staged("[len(1) for x in Param.L][0]").starts_with("reject"));
        assert!(staged("[strr(1) for x in Param.L]").starts_with("reject `strr(1)`"));
    }

    #[test]
    fn later_links_of_a_chain() {
        assert_eq!(staged("1 < Task.Param.I < 3"), "accept unresolved[bool]");
        assert!(
            staged("Task.Param.I < 3 < len(1)")
                .starts_with("accept unresolved[bool]; Python rejects")
        );
        assert!(staged("Task.Param.I < 3 < strr(1)").starts_with("reject"));
    }

    #[test]
    fn ranges_point_into_a_multi_line_expression() {
        assert!(staged("  Task.Param.C\n  and len(1)").starts_with("reject `len(1)`"));
    }
}
