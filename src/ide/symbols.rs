//! Symbols: what a name at an offset refers to, where it is defined and
//! where it is used — for go-to-definition, references, highlight and rename.
//!
//! Every span this module returns covers exactly the NAME: for a use
//! `{{ Param.Frame }}` it is the source range of `Frame` (not `Param.`), for
//! a definition `name: "Frame"` the range inside the quotes. Renaming
//! replaces exactly these ranges. A name written with escapes in a
//! double-quoted scalar (`Fr\u0061me`) is one range covering the escape.

use std::collections::HashMap;

use crate::analysis::Analysis;
use crate::analysis::scope::{Origin, Site, Var, variables};
use crate::model::{EnvLoc, Environment, Let, Template, Text};
use crate::syntax::{Scalar, ScalarKind, ScalarMap, ScalarStyle, Span};
use crate::text::floor_char_boundary;

use super::expr_lexer::{Chain, is_identifier, is_keyword};
use super::regions::{ExprKind, ExprScalar, expr_scalars};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Symbol {
    /// `parameterDefinitions[i]` (index into `Template::parameters`); used as
    /// `Param.X` and `RawParam.X`.
    Parameter(usize),
    /// `steps[step].parameterSpace.taskParameterDefinitions` (index into
    /// `Step::task_parameters`); used as `Task.Param.X` / `Task.RawParam.X`
    /// in that step.
    TaskParameter { step: usize, index: usize },
    /// An embedded file of a step's script; used as `Task.File.X` in that step.
    StepFile { step: usize, index: usize },
    /// An embedded file of an environment's script; used as `Env.File.X` in
    /// that environment.
    EnvFile { env: EnvLoc, index: usize },
    /// A `let` binding, known by its name's span.
    Let { name_span: Span },
    /// `steps[i].name`; used by `dependencies[k].dependsOn`.
    Step(usize),
    /// An environment's `name`.
    Environment(EnvLoc),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Occurrence {
    pub symbol: Symbol,
    /// The name's source range.
    pub span: Span,
    pub is_definition: bool,
    /// The style of the scalar the name is written in.
    pub style: ScalarStyle,
    /// The name is the scalar's whole value (a definition or `dependsOn`),
    /// not a part of an expression.
    pub whole: bool,
}

/// The source range of a string's value without quotes (and without the
/// trailing line break a block scalar adds).
fn value_span(text: &str, t: &Text) -> Span {
    let map = ScalarMap::new(text, &t.span, t.style, &t.value);
    map.range_to_source(0..t.value.trim_end_matches(['\n', '\r']).len())
}

fn def(text: &str, symbol: Symbol, t: &Text) -> Occurrence {
    Occurrence {
        symbol,
        span: value_span(text, t),
        is_definition: true,
        style: t.style,
        whole: true,
    }
}

fn env_defs(text: &str, env: &Environment, out: &mut Vec<Occurrence>) {
    if let Some(n) = &env.name {
        out.push(def(text, Symbol::Environment(env.loc), n));
    }
    if let Some(script) = &env.script {
        for (index, f) in script.files.iter().enumerate() {
            let sym = Symbol::EnvFile {
                env: env.loc,
                index,
            };
            out.push(def(text, sym, &f.name));
        }
        let_defs(&script.lets, out);
    }
}

fn let_defs(lets: &[Let], out: &mut Vec<Occurrence>) {
    for l in lets {
        out.push(Occurrence {
            symbol: Symbol::Let {
                name_span: l.name_span.clone(),
            },
            span: l.name_span.clone(),
            is_definition: true,
            style: l.text.style,
            whole: false,
        });
    }
}

fn env_lets(e: &Environment) -> impl Iterator<Item = &Let> {
    e.script.iter().flat_map(|s| s.lets.iter())
}

/// Every `let` binding of the template, in document order.
pub(crate) fn all_lets(t: &Template) -> Vec<&Let> {
    let mut out = Vec::new();
    for e in &t.job_environments {
        out.extend(env_lets(e));
    }
    for s in &t.steps {
        out.extend(s.lets.iter());
        for e in &s.environments {
            out.extend(env_lets(e));
        }
        out.extend(s.script.iter().flat_map(|sc| sc.lets.iter()));
        out.extend(s.simple.iter().flat_map(|sa| sa.lets.iter()));
    }
    if let Some(e) = &t.environment {
        out.extend(env_lets(e));
    }
    out.sort_by_key(|l| l.name_span.start);
    out
}

fn definitions(a: &Analysis, t: &Template) -> Vec<Occurrence> {
    let text = &*a.text;
    let mut out = Vec::new();
    for (i, p) in t.parameters.iter().enumerate() {
        out.push(def(text, Symbol::Parameter(i), &p.name));
    }
    for e in &t.job_environments {
        env_defs(text, e, &mut out);
    }
    for (s, step) in t.steps.iter().enumerate() {
        if let Some(n) = &step.name {
            out.push(def(text, Symbol::Step(s), n));
        }
        for (index, p) in step.task_parameters.iter().enumerate() {
            out.push(def(text, Symbol::TaskParameter { step: s, index }, &p.name));
        }
        let_defs(&step.lets, &mut out);
        for e in &step.environments {
            env_defs(text, e, &mut out);
        }
        if let Some(script) = &step.script {
            for (index, f) in script.files.iter().enumerate() {
                out.push(def(text, Symbol::StepFile { step: s, index }, &f.name));
            }
            let_defs(&script.lets, &mut out);
        }
        if let Some(simple) = &step.simple {
            let_defs(&simple.lets, &mut out);
        }
        for dep in &step.dependencies {
            if let Some(target) = t
                .steps
                .iter()
                .position(|x| x.name.as_ref().is_some_and(|n| n.value == dep.value))
            {
                out.push(Occurrence {
                    is_definition: false,
                    ..def(text, Symbol::Step(target), dep)
                });
            }
        }
    }
    if let Some(e) = &t.environment {
        env_defs(text, e, &mut out);
    }
    out
}

/// The variables visible at each site, computed once per site.
struct Scopes<'a> {
    a: &'a Analysis,
    t: &'a Template,
    cache: HashMap<Site, Vec<Var>>,
}

impl Scopes<'_> {
    fn vars(&mut self, site: &Site) -> &[Var] {
        let (a, t) = (self.a, self.t);
        self.cache
            .entry(*site)
            .or_insert_with(|| variables(t, site, a.exts(), &a.let_types))
    }
}

/// What a chain written at `site` refers to, and the range (relative to
/// the expression) of the part that names it.
fn resolve_chain(
    t: &Template,
    scopes: &mut Scopes<'_>,
    site: &Site,
    chain: &Chain,
    local: bool,
) -> Option<(Symbol, std::ops::Range<usize>)> {
    let parts = &chain.parts;
    // The parts that can name a variable: a called last part is a function
    // or a method.
    let usable = if chain.call {
        parts.len().saturating_sub(1)
    } else {
        parts.len()
    };
    let part = |i: usize| parts.get(i).filter(|_| i < usable);
    let name = |i: usize| part(i).map(|(n, _)| n.as_str());
    match name(0)? {
        "Param" | "RawParam" => {
            let (n, r) = part(1)?;
            let i = t.parameters.iter().position(|p| p.name.value == n)?;
            Some((Symbol::Parameter(i), r.clone()))
        }
        "Task" => {
            let step = site.step?;
            let st = t.steps.get(step)?;
            let (n, r) = part(2)?;
            match name(1)? {
                "Param" | "RawParam" => {
                    let index = st.task_parameters.iter().position(|p| p.name.value == n)?;
                    Some((Symbol::TaskParameter { step, index }, r.clone()))
                }
                "File" => {
                    let files = &st.script.as_ref()?.files;
                    let index = files.iter().position(|f| f.name.value == n)?;
                    Some((Symbol::StepFile { step, index }, r.clone()))
                }
                _ => None,
            }
        }
        "Env" => {
            let env = site.env?;
            let (n, r) = part(2)?;
            if name(1)? != "File" {
                return None;
            }
            let files = &t.environment_at(env)?.script.as_ref()?.files;
            let index = files.iter().position(|f| f.name.value == n)?;
            Some((Symbol::EnvFile { env, index }, r.clone()))
        }
        bare => {
            if local {
                return None;
            }
            let r = part(0)?.1.clone();
            let var = scopes.vars(site).iter().find(|v| v.name == bare)?;
            match &var.origin {
                Origin::Let { name_span } => Some((
                    Symbol::Let {
                        name_span: name_span.clone(),
                    },
                    r,
                )),
                _ => None,
            }
        }
    }
}

fn uses_in(
    t: &Template,
    scopes: &mut Scopes<'_>,
    scalar: &ExprScalar<'_>,
    out: &mut Vec<Occurrence>,
) {
    for expr in &scalar.exprs {
        for chain in &expr.lexed.chains {
            let local = expr.lexed.is_local(chain.first());
            if let Some((symbol, r)) = resolve_chain(t, scopes, &scalar.site, chain, local) {
                out.push(Occurrence {
                    symbol,
                    span: scalar.expr_to_source(expr, r),
                    is_definition: false,
                    style: scalar.style,
                    whole: false,
                });
            }
        }
    }
}

/// Every definition and use of every symbol in the document, in document
/// order, each span once.
pub(crate) fn occurrences(a: &Analysis) -> Vec<Occurrence> {
    let Some(t) = &a.template else {
        return Vec::new();
    };
    let mut out = definitions(a, t);
    let mut scopes = Scopes {
        a,
        t,
        cache: HashMap::new(),
    };
    for scalar in expr_scalars(a) {
        uses_in(t, &mut scopes, &scalar, &mut out);
    }
    out.sort_by_key(|o| (o.span.start, o.span.end, !o.is_definition));
    out.dedup_by(|b, a| a.span == b.span);
    out
}

fn clamp(a: &Analysis, offset: usize) -> usize {
    floor_char_boundary(&a.text, offset)
}

/// The occurrence at `offset`: one whose span contains it, preferring one
/// that starts at or before the cursor and ends after it (so `a|+b` picks
/// `a`, and `a+|b` picks `b`).
fn pick(all: &[Occurrence], offset: usize) -> Option<&Occurrence> {
    all.iter()
        .find(|o| o.span.start <= offset && offset < o.span.end)
        .or_else(|| {
            all.iter()
                .find(|o| o.span.start <= offset && offset == o.span.end)
        })
}

/// The occurrence at `offset` and every occurrence of the same symbol.
fn lookup(a: &Analysis, offset: usize) -> Option<(Occurrence, Vec<Occurrence>)> {
    let all = occurrences(a);
    let at = pick(&all, clamp(a, offset))?.clone();
    let same = all.into_iter().filter(|o| o.symbol == at.symbol).collect();
    Some((at, same))
}

/// The symbol occurrence (definition or use) at `offset`.
pub(crate) fn symbol_at(a: &Analysis, offset: usize) -> Option<Occurrence> {
    pick(&occurrences(a), clamp(a, offset)).cloned()
}

/// A place to go to: in this document (`file: None`) or in another file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: Option<std::path::PathBuf>,
    pub span: Span,
}

/// Go to definition as the editor does it at `offset` of a document at
/// `here` in workspace `ws`: the definition of the symbol under the cursor,
/// else, on an action, the wrap hook that runs instead of it (maybe in a
/// queue environment's file).
pub(crate) fn goto_definition(
    a: &Analysis,
    here: Option<&std::path::Path>,
    ws: &crate::workspace::Workspace,
    offset: usize,
) -> Option<Location> {
    if let Some(span) = definition(a, offset) {
        return Some(Location { file: None, span });
    }
    let (file, span) = super::wrap::hook_definition(a, here, ws, offset)?;
    Some(Location { file, span })
}

/// Where the symbol at `offset` is defined (its name).
pub fn definition(a: &Analysis, offset: usize) -> Option<Span> {
    let (_, same) = lookup(a, offset)?;
    same.into_iter().find(|o| o.is_definition).map(|o| o.span)
}

/// Every use of the symbol at `offset`, and its definition when
/// `include_declaration`; in document order.
pub fn references(a: &Analysis, offset: usize, include_declaration: bool) -> Vec<Span> {
    let Some((_, same)) = lookup(a, offset) else {
        return Vec::new();
    };
    same.into_iter()
        .filter(|o| include_declaration || !o.is_definition)
        .map(|o| o.span)
        .collect()
}

/// Every occurrence of the symbol at `offset`, with `true` for the definition.
pub(crate) fn document_highlight(a: &Analysis, offset: usize) -> Vec<(Span, bool)> {
    let Some((_, same)) = lookup(a, offset) else {
        return Vec::new();
    };
    same.into_iter()
        .map(|o| (o.span, o.is_definition))
        .collect()
}

/// The range a rename at `offset` would replace, if there is a symbol there.
pub(crate) fn prepare_rename(a: &Analysis, offset: usize) -> Option<Span> {
    let (at, same) = lookup(a, offset)?;
    // A symbol with no definition in this document (a dangling name)
    // cannot be renamed.
    same.iter().any(|o| o.is_definition).then_some(at.span)
}

/// Renames the symbol at `offset`: one edit per occurrence (definition and
/// every use, also inside format strings in any scalar style), sorted by
/// position. Errors say why the name is refused: not a valid name for its
/// kind, the name of another symbol of the same kind in the same scope, or a
/// name that cannot be written in one of the scalars without escaping.
pub fn rename(a: &Analysis, offset: usize, new_name: &str) -> Result<Vec<(Span, String)>, String> {
    let t = a
        .template
        .as_ref()
        .ok_or_else(|| "Nothing to rename here".to_string())?;
    let (at, occurrences) =
        lookup(a, offset).ok_or_else(|| "Nothing to rename here".to_string())?;
    if !occurrences.iter().any(|o| o.is_definition) {
        return Err("This name is not defined in this document".into());
    }
    validate_name(&at.symbol, new_name)?;
    let fb1 = a.exts().has(crate::schema::Extension::FeatureBundle1);
    let limit = match at.symbol {
        // As the expression language limits them (openjd-model's
        // MAX_LET_IDENTIFIER_LEN), with or without extensions.
        Symbol::Let { .. } => MAX_LET_NAME_LENGTH,
        _ => crate::schema::table::NAME_LENGTH.get(fb1),
    };
    let length = new_name.chars().count();
    if length > limit {
        return Err(format!(
            "A name here may have at most {limit} characters; this one has {length}"
        ));
    }
    check_clash(a, t, &at.symbol, new_name, &occurrences)?;
    for o in &occurrences {
        fits(o, new_name)?;
    }
    Ok(occurrences
        .into_iter()
        .map(|o| (o.span, new_name.to_string()))
        .collect())
}

/// The length of a `let` name.
const MAX_LET_NAME_LENGTH: usize = 512;

fn validate_name(symbol: &Symbol, new: &str) -> Result<(), String> {
    match symbol {
        Symbol::Parameter(_)
        | Symbol::TaskParameter { .. }
        | Symbol::StepFile { .. }
        | Symbol::EnvFile { .. } => {
            if !is_identifier(new) {
                return Err(format!(
                    "`{new}` is not a valid name: use a letter or `_`, then letters, digits or `_`"
                ));
            }
        }
        Symbol::Let { .. } => {
            let first = new.chars().next();
            if !is_identifier(new) || !matches!(first, Some('a'..='z' | '_')) {
                return Err(format!(
                    "`{new}` is not a valid let name: start with a lowercase letter or `_`, then letters, digits or `_`"
                ));
            }
            if is_keyword(new) {
                return Err(format!("`{new}` is a keyword"));
            }
        }
        Symbol::Step(_) | Symbol::Environment(_) => {
            if new.is_empty() {
                return Err("A name cannot be empty".into());
            }
            if new.chars().any(char::is_control) {
                return Err("A name cannot contain control characters".into());
            }
        }
    }
    Ok(())
}

fn clash(kind: &str, new: &str) -> String {
    format!("`{new}` is already the name of another {kind} here")
}

fn check_clash(
    a: &Analysis,
    t: &Template,
    symbol: &Symbol,
    new: &str,
    occurrences: &[Occurrence],
) -> Result<(), String> {
    let named = |n: Option<&Text>| n.is_some_and(|n| n.value == new);
    match symbol {
        Symbol::Parameter(i) => {
            let other = t
                .parameters
                .iter()
                .enumerate()
                .any(|(j, p)| j != *i && p.name.value == new);
            if other {
                return Err(clash("parameter", new));
            }
        }
        Symbol::TaskParameter { step, index } => {
            let other = t.steps.get(*step).is_some_and(|s| {
                s.task_parameters
                    .iter()
                    .enumerate()
                    .any(|(j, p)| j != *index && p.name.value == new)
            });
            if other {
                return Err(clash("task parameter", new));
            }
        }
        Symbol::StepFile { step, index } => {
            let files = t
                .steps
                .get(*step)
                .and_then(|s| s.script.as_ref())
                .map_or(&[][..], |s| &s.files[..]);
            if files
                .iter()
                .enumerate()
                .any(|(j, f)| j != *index && f.name.value == new)
            {
                return Err(clash("embedded file", new));
            }
        }
        Symbol::EnvFile { env, index } => {
            let files = t
                .environment_at(*env)
                .and_then(|e| e.script.as_ref())
                .map_or(&[][..], |s| &s.files[..]);
            if files
                .iter()
                .enumerate()
                .any(|(j, f)| j != *index && f.name.value == new)
            {
                return Err(clash("embedded file", new));
            }
        }
        Symbol::Step(i) => {
            let other = t
                .steps
                .iter()
                .enumerate()
                .any(|(j, s)| j != *i && named(s.name.as_ref()));
            if other {
                return Err(clash("step", new));
            }
        }
        Symbol::Environment(loc) => {
            // Job environments share every step's session; step
            // environments of one step share that step's.
            let other = t.environments().any(|e| {
                let related = match (loc, e.loc) {
                    (EnvLoc::Step(s, _), EnvLoc::Step(s2, _)) => *s == s2,
                    _ => true,
                };
                e.loc != *loc && related && named(e.name.as_ref())
            });
            if other {
                return Err(clash("environment", new));
            }
        }
        Symbol::Let { name_span } => check_let_clash(a, t, name_span, new, occurrences)?,
    }
    Ok(())
}

/// A new let name must not be visible already wherever the binding is
/// defined or used, must not be bound by a binding that can see this one
/// (it would shadow it), nor be a comprehension variable of an expression
/// that uses it.
fn check_let_clash(
    a: &Analysis,
    t: &Template,
    name_span: &Span,
    new: &str,
    occurrences: &[Occurrence],
) -> Result<(), String> {
    let is_self = |v: &Var| matches!(&v.origin, Origin::Let { name_span: s } if s == name_span);
    let mut scopes = Scopes {
        a,
        t,
        cache: HashMap::new(),
    };
    for scalar in expr_scalars(a) {
        let uses_here = occurrences
            .iter()
            .any(|o| scalar.span.start <= o.span.start && o.span.end <= scalar.span.end);
        let vars = scopes.vars(&scalar.site);
        let sees_it = vars.iter().any(is_self);
        if uses_here || sees_it {
            if vars.iter().any(|v| v.name == new && !is_self(v)) {
                return Err(clash("variable", new));
            }
            for expr in &scalar.exprs {
                if let ExprKind::Let { name } = &expr.kind
                    && sees_it
                    && scalar.value.get(name.clone()) == Some(new)
                {
                    return Err(clash("let binding", new));
                }
                if uses_here && expr.lexed.is_local(new) {
                    return Err(clash("comprehension variable", new));
                }
            }
        }
    }
    // Bindings of the same block, before or after this one.
    let block_of = |span: &Span| {
        a.let_sites
            .iter()
            .find(|s| s.span.start <= span.start && span.end <= s.span.end)
            .and_then(|s| s.site().let_block)
            .map(|(b, _)| b)
    };
    let mine = block_of(name_span);
    let same_block = all_lets(t)
        .into_iter()
        .any(|l| &l.name_span != name_span && l.name == new && block_of(&l.name_span) == mine);
    if mine.is_some() && same_block {
        return Err(clash("let binding", new));
    }
    Ok(())
}

/// Whether `new` can replace the occurrence as written, without escaping.
fn fits(o: &Occurrence, new: &str) -> Result<(), String> {
    let refuse = |why: &str| Err(format!("`{new}` cannot be written here {why}"));
    if new.contains(['\n', '\r']) {
        return refuse("(a line break)");
    }
    match o.style {
        ScalarStyle::SingleQuoted if new.contains('\'') => {
            refuse("without escaping: the string is single-quoted")
        }
        ScalarStyle::DoubleQuoted
            if new.contains(['"', '\\']) || new.chars().any(char::is_control) =>
        {
            refuse("without escaping: the string is double-quoted")
        }
        ScalarStyle::Plain if o.whole => {
            let as_scalar = Scalar {
                value: new.into(),
                style: ScalarStyle::Plain,
                tag: None,
            };
            let indicator = new.starts_with([
                '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"',
                '%', '@', '`',
            ]);
            if as_scalar.kind() != ScalarKind::Str {
                refuse("unquoted: it would not be read as a string")
            } else if indicator
                || new.contains(": ")
                || new.contains(" #")
                || new.ends_with(':')
                || new.contains([',', '[', ']', '{', '}', '\t'])
                || new.trim() != new
            {
                refuse("unquoted: quote the name first")
            } else {
                Ok(())
            }
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
