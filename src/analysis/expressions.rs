//! The expression pass: every `{{ }}` and every `let` binding, parsed and
//! type-checked by openjd-expr against the variables the scope table says
//! are visible there. Each interpolation is checked on its own, so a string
//! with three mistakes gets three diagnostics, each on its exact characters.

use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use openjd_expr::{
    ExprProfile, ExprType, ExprValue, ExpressionError, ExpressionErrorKind, FunctionLibrary,
    ParsedExpression, SymbolTable,
};

use crate::model::{Template, split_let};
use crate::schema::{Extension, ScopeClass};
use crate::syntax::format_string::scan;
use crate::syntax::nesting;
use crate::syntax::{ScalarMap, Span};

use super::codes::Code;
use super::diagnostic::{Diagnostic, Suggestions, did_you_mean};
use super::extensions::ExtSet;
use super::scope::{LetBlock, LetTypes, Site, Var, library, out_of_scope_reason, variables};
use super::staged::{Split, Staged};
use super::stop::Stop;
use super::structure::{FmtSite, LetSite, Target};

pub struct Scope {
    pub vars: Vec<Var>,
    /// Shared by every scope with the same names and types: building (or
    /// copying) a symbol table per site was the pass's largest cost.
    pub symtab: Arc<SymbolTable>,
    /// Shared like `symtab`.
    pub names: Arc<ScopeNames>,
    /// Scopes with the same names and types share one id, so results can be
    /// reused across the many steps of a large template.
    pub id: usize,
}

/// The names of a scope's variables, and the namespaces they are in
/// (`Param`, `Task.File`), to tell at once a reference no variable
/// resolves.
pub struct ScopeNames {
    variables: FxHashSet<Box<str>>,
    namespaces: FxHashSet<Box<str>>,
}

impl ScopeNames {
    fn of(vars: &[Var]) -> Self {
        let mut names = ScopeNames {
            variables: FxHashSet::default(),
            namespaces: FxHashSet::default(),
        };
        for v in vars {
            names.variables.insert(v.name.as_ref().into());
            for (dot, _) in v.name.match_indices('.') {
                names.namespaces.insert(v.name[..dot].into());
            }
        }
        names
    }

    /// Whether `name` (a dotted reference) may resolve: it is a variable,
    /// a namespace, or a property of a variable (`Param.File.stem`).
    fn may_resolve(&self, name: &str) -> bool {
        self.variables.contains(name)
            || self.namespaces.contains(name)
            || name
                .match_indices('.')
                .any(|(dot, _)| self.variables.contains(&name[..dot]))
    }
}

/// A scalar's offset map, built only when a diagnostic needs a position.
struct LazyMap<'t> {
    text: &'t str,
    span: &'t Span,
    style: crate::syntax::ScalarStyle,
    value: &'t str,
    map: std::cell::OnceCell<ScalarMap>,
}

impl<'t> LazyMap<'t> {
    fn new(
        text: &'t str,
        span: &'t Span,
        style: crate::syntax::ScalarStyle,
        value: &'t str,
    ) -> Self {
        LazyMap {
            text,
            span,
            style,
            value,
            map: std::cell::OnceCell::new(),
        }
    }
    fn get(&self) -> &ScalarMap {
        self.map
            .get_or_init(|| ScalarMap::new(self.text, self.span, self.style, self.value))
    }
    fn range_to_source(&self, r: std::ops::Range<usize>) -> Span {
        self.get().range_to_source(r)
    }
}

type Parsed = Result<Arc<ParsedExpression>, ExpressionError>;

/// Operations one expression's static check may perform. openjd-expr
/// charges one per function call and per list element built or visited and
/// one per 256 characters of string work, so this bounds `range(N)`,
/// comprehensions and string repetition alike. The runtime allows
/// [`openjd_expr::DEFAULT_OPERATION_LIMIT`] (10,000,000); checking that
/// much while the author types would cost seconds and gigabytes, so an
/// expression that needs more is reported as too large to check here.
pub(crate) const CHECK_OPERATION_LIMIT: usize = 100_000;

/// Operations the checks of one document may perform in all. Past it, each
/// further expression gets only [`SPENT_OPERATION_LIMIT`]: enough for
/// every ordinary expression, so a template of many large expressions
/// costs about as much as one of a few.
pub(crate) const DOCUMENT_OPERATION_LIMIT: usize = 2_000_000;

/// The per-expression budget once [`DOCUMENT_OPERATION_LIMIT`] is spent.
pub(crate) const SPENT_OPERATION_LIMIT: usize = 1_000;

/// Bytes one expression's static check may hold in intermediate values
/// (the runtime allows [`openjd_expr::DEFAULT_MEMORY_LIMIT`], 100,000,000).
pub(crate) const CHECK_MEMORY_LIMIT: usize = 32 << 20;

/// Evaluation cache key: scope id, host library, target type, expression id.
type EvalKey = (usize, bool, String, usize);

pub(crate) struct ExprPass<'a> {
    text: &'a str,
    template: &'a Template,
    exts: ExtSet,
    pub diags: Vec<Diagnostic>,
    pub let_types: LetTypes,
    // The caches are hit for every interpolation of a large template, with
    // keys from our own tables, so they use a fast hasher.
    scopes: FxHashMap<Site, Arc<Scope>>,
    fingerprints: FxHashMap<String, Arc<Scope>>,
    /// Reused to build each site's fingerprint without allocating.
    fingerprint: String,
    /// Each distinct expression text, parsed once, with an id for `evaluated`.
    parsed: FxHashMap<String, (usize, Parsed)>,
    evaluated: FxHashMap<EvalKey, Result<String, ExpressionError>>,
    /// Did-you-mean for undefined variables, per scope id.
    suggestions: Suggestions,
    /// The staged typing of the newest reference, per scope, host library
    /// and expression id (`None`: openjd-expr 0.8's verdict stands).
    staged: FxHashMap<(usize, bool, usize), Option<Staged>>,
    host_lib: Arc<FunctionLibrary>,
    template_lib: Arc<FunctionLibrary>,
    profile: ExprProfile,
    /// Some expression needed more than the check's budget; the reference
    /// validator, which checks with the runtime's much larger limits, must
    /// not be run on this document.
    pub over_budget: bool,
    /// Operations spent on this document's expressions so far.
    operations: usize,
    /// Expressions openjd-expr 0.8 rejects that the newest reference's
    /// staged typing accepts (or where the references disagree): the
    /// backstop's errors there are dropped.
    pub settled: Vec<Span>,
    /// Asked at every expression; once it says so, the pass ends.
    stop: &'a Stop<'a>,
}

/// The expression type named by a scope-table type string.
pub(crate) fn parse_type(ty: &str) -> ExprType {
    if ty == "any" {
        return ExprType::ANY;
    }
    if let Some(inner) = ty.strip_suffix('?') {
        return ExprType::union(vec![parse_type(inner), ExprType::NULLTYPE]);
    }
    ExprType::parse(ty).unwrap_or(ExprType::ANY)
}

/// A readable name for a value's static type.
pub(crate) fn type_name(value: &ExprValue) -> String {
    let t = value.expr_type();
    let t = if t.code() == openjd_expr::TypeCode::Unresolved {
        t.params().first().cloned().unwrap_or(t)
    } else {
        t
    };
    t.to_string()
}

fn symtab_of(vars: &[Var]) -> SymbolTable {
    let mut symtab = SymbolTable::new();
    for v in vars {
        // A name that clashes with a namespace (a parameter called like a
        // table) cannot be represented; it is reported elsewhere.
        let _ = symtab.set(&v.name, ExprValue::unresolved(parse_type(&v.ty)));
    }
    symtab
}

impl<'a> ExprPass<'a> {
    pub fn new(text: &'a str, template: &'a Template, exts: ExtSet, stop: &'a Stop<'a>) -> Self {
        let profile = ExprProfile::current();
        ExprPass {
            text,
            template,
            exts,
            diags: Vec::new(),
            let_types: LetTypes::new(),
            scopes: FxHashMap::default(),
            fingerprints: FxHashMap::default(),
            fingerprint: String::new(),
            parsed: FxHashMap::default(),
            evaluated: FxHashMap::default(),
            suggestions: Suggestions::default(),
            staged: FxHashMap::default(),
            host_lib: library(ScopeClass::Host),
            template_lib: library(ScopeClass::Template),
            profile,
            over_budget: false,
            operations: 0,
            settled: Vec::new(),
            stop,
        }
    }

    fn expr_on(&self) -> bool {
        self.exts.has(Extension::Expr)
    }

    pub fn scope(&mut self, site: &Site) -> Arc<Scope> {
        let site = &site.scope_key();
        if let Some(s) = self.scopes.get(site) {
            return s.clone();
        }
        let vars = variables(self.template, site, self.exts, &self.let_types);
        let fingerprint = &mut self.fingerprint;
        fingerprint.clear();
        for v in &vars {
            fingerprint.push_str(&v.name);
            fingerprint.push(':');
            fingerprint.push_str(&v.ty);
            fingerprint.push(';');
        }
        let scope = match self.fingerprints.get(fingerprint.as_str()) {
            // Same names and types; keep this site's own origins for messages.
            Some(shared) => Arc::new(Scope {
                vars,
                symtab: shared.symtab.clone(),
                names: shared.names.clone(),
                id: shared.id,
            }),
            None => {
                let symtab = Arc::new(symtab_of(&vars));
                let names = Arc::new(ScopeNames::of(&vars));
                let scope = Arc::new(Scope {
                    vars,
                    symtab,
                    names,
                    id: self.fingerprints.len(),
                });
                self.fingerprints.insert(fingerprint.clone(), scope.clone());
                scope
            }
        };
        self.scopes.insert(*site, scope.clone());
        scope
    }

    /// True (and the warning given) when `expr` nests too deeply to hand to
    /// a parser at all; the reference validator, whose parser would run out
    /// of stack on it, is then not run either.
    fn too_deep(&mut self, expr: &str, span: impl FnOnce() -> Span) -> bool {
        let levels = nesting::expression_nesting(expr);
        if levels <= nesting::MAX_NESTING {
            return false;
        }
        self.over_budget = true;
        self.diags.push(Diagnostic::new(
            Code::ExpressionTooLarge,
            span(),
            format!(
                "This expression nests {levels} levels deep (brackets and operators such as `not` and `-` each open one); past {} it is not parsed, so it was not checked and the reference validator was not run on this document. Parsers of expressions descend once per level and run out of stack on nesting this deep: write it with fewer levels",
                nesting::MAX_NESTING
            ),
        ));
        true
    }

    /// The parsed expression and its id; cached.
    fn parse(&mut self, expr: &str) -> (usize, Parsed) {
        if let Some(p) = self.parsed.get(expr) {
            return p.clone();
        }
        let p = ParsedExpression::with_profile(expr, &self.profile).map(Arc::new);
        let entry = (self.parsed.len(), p);
        self.parsed.insert(expr.to_string(), entry.clone());
        entry
    }

    /// The name `parsed` is, when it is only a reference (`Param.Fram`)
    /// that no variable of `scope` resolves. Such a reference is reported
    /// without evaluating it: openjd-expr would rank every name in scope to
    /// suggest one (in its own message, which is not shown), and a document
    /// of many such references among many names took minutes.
    fn unresolvable<'p>(&self, parsed: &'p ParsedExpression, scope: &Scope) -> Option<&'p str> {
        let name = parsed.as_name_lookup()?;
        if scope.names.may_resolve(name) {
            return None;
        }
        let first = name.split('.').next().unwrap_or(name);
        let function = self.host_lib.function_names().any(|f| f == first);
        (!function).then_some(name)
    }

    /// The static type of `expr` in `scope`, or its error; cached.
    fn evaluate(
        &mut self,
        parsed: &ParsedExpression,
        expr_id: usize,
        scope: &Scope,
        class: ScopeClass,
        target: Option<&ExprType>,
    ) -> Result<String, ExpressionError> {
        let host = class.runs_on_host();
        let key = (
            scope.id,
            host,
            target.map(|t| t.to_string()).unwrap_or_default(),
            expr_id,
        );
        if let Some(r) = self.evaluated.get(&key) {
            return r.clone();
        }
        let lib = if host {
            &self.host_lib
        } else {
            &self.template_lib
        };
        let limit = if self.operations < DOCUMENT_OPERATION_LIMIT {
            CHECK_OPERATION_LIMIT
        } else {
            SPENT_OPERATION_LIMIT
        };
        let mut builder = parsed
            .with_library(lib)
            .with_operation_limit(limit)
            .with_memory_limit(CHECK_MEMORY_LIMIT);
        if let Some(t) = target {
            builder = builder.with_target_type(t);
        }
        let r = match builder.evaluate_with_metrics(&[&scope.symtab]) {
            Ok(result) => {
                self.operations += result.operation_count;
                Ok(type_name(&result.value))
            }
            Err(e) => {
                if is_over_budget(&e) {
                    self.operations += limit;
                }
                Err(e)
            }
        };
        self.evaluated.insert(key, r.clone());
        r
    }

    /// Check the `let` bindings, outer blocks first so inner ones see their types.
    pub(crate) fn lets(&mut self, sites: &[LetSite]) {
        let mut ordered: Vec<(&LetSite, Site)> = sites
            .iter()
            .map(|s| (s, s.site()))
            .filter(|(_, site)| site.let_block.is_some())
            .collect();
        let rank = |site: &Site| match site.let_block {
            Some((LetBlock::Step(_), _)) => 0,
            Some((LetBlock::Env(_), _)) => 1,
            _ => 2,
        };
        ordered.sort_by_key(|(s, site)| (rank(site), s.span.start));
        let mut seen: HashMap<LetBlock, Vec<(String, Span)>> = HashMap::new();
        for (let_site, site) in ordered {
            if self.stop.step() {
                return;
            }
            let Some((block, _)) = site.let_block else {
                continue;
            };
            self.check_let(let_site, &site, block, &mut seen);
        }
    }

    fn check_let(
        &mut self,
        let_site: &LetSite,
        site: &Site,
        block: LetBlock,
        seen: &mut HashMap<LetBlock, Vec<(String, Span)>>,
    ) {
        let value = let_site.value(self.text);
        let map = LazyMap::new(self.text, &let_site.span, let_site.style, value);
        let Some((name_range, expr_range)) = split_let(value) else {
            self.diags.push(Diagnostic::new(
                Code::LetSyntax,
                let_site.span.clone(),
                "A let binding is written `name = expression`",
            ));
            return;
        };
        let name = &value[name_range.clone()];
        let name_span = map.range_to_source(name_range);
        let first = name.chars().next().unwrap_or('_');
        if !(first.is_ascii_lowercase() || first == '_')
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            self.diags.push(Diagnostic::new(
                Code::LetName,
                name_span.clone(),
                format!("`{name}` is not a valid let name: start with a lowercase letter or `_`, then letters, digits or `_`"),
            ));
        }
        if name.len() > 512 {
            self.diags.push(Diagnostic::new(
                Code::LetName,
                name_span.clone(),
                "A let name may have at most 512 characters",
            ));
        }
        let scope = self.scope(site);
        let earlier = seen.entry(block).or_default();
        if let Some((_, first_span)) = earlier.iter().find(|(n, _)| n == name) {
            self.diags.push(
                Diagnostic::new(
                    Code::DuplicateName,
                    name_span.clone(),
                    format!("`{name}` is already bound in this let block"),
                )
                .with_related(first_span.clone(), "first bound here"),
            );
        } else if let Some(outer) = scope.vars.iter().find(|v| v.name == name) {
            let mut d = Diagnostic::new(
                Code::LetShadow,
                name_span.clone(),
                format!(
                    "`{name}` shadows a binding of an enclosing let block; choose another name"
                ),
            );
            if let super::scope::Origin::Let { name_span: s } = &outer.origin {
                d = d.with_related(s.clone(), "the enclosing binding");
            }
            self.diags.push(d);
        }
        earlier.push((name.to_string(), name_span.clone()));
        if !self.expr_on() {
            return;
        }
        let expr = &value[expr_range.clone()];
        if expr.is_empty() {
            self.diags.push(Diagnostic::new(
                Code::LetSyntax,
                name_span,
                "The let binding has no expression after `=`",
            ));
            return;
        }
        if self.too_deep(expr, || map.range_to_source(expr_range.clone())) {
            return;
        }
        let (expr_id, parsed) = self.parse(expr);
        let parsed = match parsed {
            Ok(p) => p,
            Err(e) => {
                let span = error_span(&map, expr_range.clone(), expr, &e);
                self.diags.push(Diagnostic::new(
                    Code::ExpressionSyntax,
                    span,
                    clean_message(&e),
                ));
                return;
            }
        };
        if parsed.accessed_symbols().contains(name) {
            self.diags.push(Diagnostic::new(
                Code::LetSelfReference,
                name_span.clone(),
                format!(
                    "`{name}` refers to itself; a let binding can only use names bound before it"
                ),
            ));
            return;
        }
        self.check_locals(&parsed, &scope, &map, expr_range.clone(), expr);
        if let Some(name) = self.unresolvable(&parsed, &scope) {
            let span = map.range_to_source(expr_range);
            let diag = self.undefined(name, span, &scope, site);
            self.diags.push(diag);
            return;
        }
        let verdict = self.evaluate(&parsed, expr_id, &scope, ScopeClass::Host, None);
        match self.judge(
            verdict,
            expr,
            expr_id,
            &scope,
            ScopeClass::Host,
            &map,
            &expr_range,
        ) {
            Ok(ty) => {
                self.let_types.insert(name_span.start, ty);
            }
            Err((e, at)) => {
                let (range, part) = part_of(expr_range, expr, at);
                let diag = self.expression_error(&e, &map, range, part, &scope, site);
                self.diags.push(diag);
            }
        }
    }

    /// Comprehension variables: lowercase, and never shadowing a let name.
    fn check_locals(
        &mut self,
        parsed: &ParsedExpression,
        scope: &Scope,
        map: &LazyMap<'_>,
        range: std::ops::Range<usize>,
        expr: &str,
    ) {
        for local in parsed.local_bindings() {
            let at = expr
                .find(&format!("for {local}"))
                .map(|i| range.start + i + 4..range.start + i + 4 + local.len())
                .unwrap_or(range.clone());
            let span = map.range_to_source(at);
            let first = local.chars().next().unwrap_or('_');
            if !(first.is_ascii_lowercase() || first == '_') {
                self.diags.push(Diagnostic::new(
                    Code::ComprehensionVariable,
                    span,
                    format!(
                        "Comprehension variable `{local}` must start with a lowercase letter or `_`"
                    ),
                ));
            } else if scope
                .vars
                .iter()
                .any(|v| v.name == *local && matches!(v.origin, super::scope::Origin::Let { .. }))
            {
                self.diags.push(Diagnostic::new(
                    Code::ComprehensionVariable,
                    span,
                    format!(
                        "Comprehension variable `{local}` shadows the let binding of the same name"
                    ),
                ));
            }
        }
    }

    pub(crate) fn format_strings(&mut self, sites: &[FmtSite]) {
        for site in sites {
            if self.stop.step() {
                return;
            }
            self.format_string(site);
        }
    }

    fn format_string(&mut self, fs: &FmtSite) {
        let value = fs.value(self.text);
        let map = LazyMap::new(self.text, &fs.span, fs.style, value);
        let scanned = scan(value);
        for e in &scanned.errors {
            self.diags.push(Diagnostic::new(
                Code::FormatStringSyntax,
                map.range_to_source(e.range.clone()),
                e.message(),
            ));
        }
        let site = fs.site();
        let whole_field = scanned.interpolations.len() == 1
            && scanned.interpolations[0].open == 0
            && scanned.interpolations[0]
                .close
                .is_some_and(|c| c + 2 == value.len());
        for interp in &scanned.interpolations {
            if self.stop.step() {
                return;
            }
            if interp.close.is_none() || interp.expr.is_empty() {
                continue;
            }
            let expr = &value[interp.expr.clone()];
            let target = if whole_field {
                fs.target.map(target_type)
            } else {
                None
            };
            self.interpolation(&site, &map, interp.expr.clone(), expr, target.as_ref());
        }
    }

    fn interpolation(
        &mut self,
        site: &Site,
        map: &LazyMap<'_>,
        range: std::ops::Range<usize>,
        expr: &str,
        target: Option<&ExprType>,
    ) {
        if self.too_deep(expr, || map.range_to_source(range.clone())) {
            return;
        }
        let (expr_id, parsed) = self.parse(expr);
        let parsed = match parsed {
            Ok(p) => p,
            Err(e) => {
                let span = error_span(map, range.clone(), expr, &e);
                self.diags.push(Diagnostic::new(
                    Code::ExpressionSyntax,
                    span,
                    clean_message(&e),
                ));
                return;
            }
        };
        let scope = self.scope(site);
        if !self.expr_on() && parsed.as_name_lookup().is_none() {
            self.diags.push(Diagnostic::new(
                Code::ExprExtensionRequired,
                map.range_to_source(range),
                "Only variable references like `{{Param.Name}}` are allowed without the EXPR extension; add EXPR to `extensions` to use expressions",
            ).with_fix(super::diagnostic::Fix::AddExtension(Extension::Expr)));
            return;
        }
        self.check_locals(&parsed, &scope, map, range.clone(), expr);
        if let Some(name) = self.unresolvable(&parsed, &scope) {
            let diag = self.undefined(name, map.range_to_source(range), &scope, site);
            self.diags.push(diag);
            return;
        }
        let verdict = self.evaluate(&parsed, expr_id, &scope, site.class, target);
        if let Err((e, at)) = self.judge(verdict, expr, expr_id, &scope, site.class, map, &range) {
            let (range, part) = part_of(range, expr, at);
            let diag = self.expression_error(&e, map, range, part, &scope, site);
            self.diags.push(diag);
        }
    }

    /// openjd-expr 0.8's verdict on `expr`, adjusted to the newest
    /// reference's staged typing (`staged.rs`); where the Rust and Python
    /// references disagree, a `reference-disagreement` warning instead of
    /// an error. An error may name the part of `expr` it belongs to.
    #[allow(clippy::too_many_arguments)]
    fn judge(
        &mut self,
        verdict: Result<String, ExpressionError>,
        expr: &str,
        expr_id: usize,
        scope: &Scope,
        class: ScopeClass,
        map: &LazyMap<'_>,
        range: &std::ops::Range<usize>,
    ) -> Result<String, (ExpressionError, Option<std::ops::Range<usize>>)> {
        if matches!(&verdict, Err(e) if is_over_budget(e)) || !self.expr_on() {
            return verdict.map_err(|e| (e, None));
        }
        let host = class.runs_on_host();
        let key = (scope.id, host, expr_id);
        let staged = match self.staged.get(&key) {
            Some(s) => s.clone(),
            None => {
                let names: Vec<&str> = scope.vars.iter().map(|v| v.name.as_ref()).collect();
                let lib = if host {
                    &self.host_lib
                } else {
                    &self.template_lib
                };
                let limits = super::staged::Limits {
                    operations: CHECK_OPERATION_LIMIT,
                    memory: CHECK_MEMORY_LIMIT,
                };
                let s =
                    super::staged::check(expr, &scope.symtab, &names, lib, &self.profile, &limits);
                self.staged.insert(key, s.clone());
                s
            }
        };
        let Some(staged) = staged else {
            return verdict.map_err(|e| (e, None));
        };
        let at = |r: &std::ops::Range<usize>| {
            map.range_to_source(range.start + r.start..range.start + r.end)
        };
        let accepted = matches!(
            (&staged.split, &staged.rust),
            (_, Ok(_)) | (Some((Split::PythonAccepts(_), _)), Err(_))
        );
        if accepted && verdict.is_err() {
            self.settled.push(map.range_to_source(range.clone()));
        }
        match (&staged.split, &staged.rust) {
            (Some((Split::PythonAccepts(why), r)), Err(f)) => {
                self.diags.push(Diagnostic::new(
                    Code::ReferenceDisagreement,
                    at(r),
                    format!(
                        "The Rust openjd-model (0.13 and later) rejects this expression: {}. \
                         The Python openjd-model (used by Deadline Cloud) accepts it: {why}. \
                         Fix it so that both accept it.",
                        clean_message(&f.error)
                    ),
                ));
                return Ok(verdict.unwrap_or_else(|_| "any".into()));
            }
            (Some((Split::PythonRejects(why), r)), Ok(_)) => {
                self.diags.push(Diagnostic::new(
                    Code::ReferenceDisagreement,
                    at(r),
                    format!(
                        "The Python openjd-model (used by Deadline Cloud) rejects this \
                         expression: {}. The Rust openjd-model (0.13 and later) accepts it, \
                         since a run may never evaluate this part. Fix it so that both accept it.",
                        why.trim_end_matches('.')
                    ),
                ));
            }
            _ => {}
        }
        match (verdict, staged.rust) {
            (_, Ok(v)) => Ok(type_name(&v)),
            (Ok(_), Err(f)) => Err((f.error, Some(f.range))),
            (Err(e), Err(_)) => Err((e, None)),
        }
    }

    fn expression_error(
        &mut self,
        e: &ExpressionError,
        map: &LazyMap<'_>,
        range: std::ops::Range<usize>,
        expr: &str,
        scope: &Scope,
        site: &Site,
    ) -> Diagnostic {
        if is_over_budget(e) {
            self.over_budget = true;
            let spent = matches!(
                e.kind(),
                ExpressionErrorKind::OperationLimitExceeded { limit, .. }
                    if *limit == SPENT_OPERATION_LIMIT
            );
            return too_large(map.range_to_source(range), spent);
        }
        let span = error_span(map, range.clone(), expr, e);
        match e.kind() {
            ExpressionErrorKind::UndefinedVariable { name, .. } => {
                self.undefined(name, span, scope, site)
            }
            ExpressionErrorKind::UnknownFunction { name } => {
                let lib = &self.host_lib;
                let names = lib.function_names().filter(|n| !n.starts_with("__"));
                let mut d = Diagnostic::new(
                    Code::UnknownFunction,
                    span,
                    format!("Unknown function `{name}`"),
                );
                if let Some(best) = did_you_mean(name, names) {
                    d.message.push_str(&format!("; did you mean `{best}`?"));
                    d = d.with_suggestion(best);
                }
                d
            }
            ExpressionErrorKind::TypeError { .. } => {
                Diagnostic::new(Code::TypeError, span, clean_message(e))
            }
            _ => Diagnostic::new(Code::ExpressionError, span, clean_message(e)),
        }
    }

    fn undefined(&mut self, name: &str, span: Span, scope: &Scope, site: &Site) -> Diagnostic {
        let expr_only = name == "Job.Name" || name == "Step.Name";
        if expr_only && !self.expr_on() {
            return Diagnostic::new(
                Code::ExtensionRequired,
                span,
                format!("`{name}` requires the EXPR extension; add EXPR to `extensions`"),
            )
            .with_fix(super::diagnostic::Fix::AddExtension(Extension::Expr));
        }
        if let Some((code, message)) = out_of_scope_reason(name, self.template, site) {
            return Diagnostic::new(code, span, message);
        }
        let mut d = Diagnostic::new(
            Code::UndefinedVariable,
            span,
            format!("Undefined variable `{name}`"),
        );
        let names = || scope.vars.iter().map(|v| v.name.as_ref());
        let best = self
            .suggestions
            .suggest(scope.id, name, scope.vars.len(), || {
                closest_name(name, names()).map(str::to_string)
            });
        if let Some(best) = best {
            d.message.push_str(&format!("; did you mean `{best}`?"));
            d = d.with_suggestion(best);
        }
        d
    }
}

/// The part of an expression an error belongs to: its range in the
/// scalar and its text (the whole expression when `at` is `None`).
fn part_of(
    range: std::ops::Range<usize>,
    expr: &str,
    at: Option<std::ops::Range<usize>>,
) -> (std::ops::Range<usize>, &str) {
    match at.and_then(|a| Some((expr.get(a.clone())?, a))) {
        Some((part, a)) => (range.start + a.start..range.start + a.end, part),
        None => (range, expr),
    }
}

/// The closest visible name: within the same namespace by the last part
/// (`Param.Fram` → `Param.Frame`), else by the whole name.
pub(crate) fn closest_name<'a>(
    name: &str,
    names: impl Iterator<Item = &'a str> + Clone,
) -> Option<&'a str> {
    if let Some((prefix, last)) = name.rsplit_once('.') {
        let siblings = names.clone().filter_map(|n| {
            let (p, l) = n.rsplit_once('.')?;
            (p == prefix).then_some((l, n))
        });
        let lasts: Vec<(&str, &str)> = siblings.collect();
        if let Some(best) = did_you_mean(last, lasts.iter().map(|(l, _)| *l)) {
            return lasts.iter().find(|(l, _)| *l == best).map(|(_, n)| *n);
        }
        if !lasts.is_empty() {
            return None;
        }
    }
    did_you_mean(name, names)
}

/// The type a whole-field expression must resolve to, as the reference
/// checks it.
fn target_type(target: Target) -> ExprType {
    match target {
        Target::FloatOrNull => ExprType::union(vec![ExprType::FLOAT, ExprType::NULLTYPE]),
        Target::Int => ExprType::INT,
        Target::IntOrNull => ExprType::union(vec![ExprType::INT, ExprType::NULLTYPE]),
        Target::StringOrNull => ExprType::union(vec![ExprType::STRING, ExprType::NULLTYPE]),
    }
}

/// The document range an expression error points at: the failing node when
/// the error carries one, else the whole expression.
fn error_span(
    map: &LazyMap<'_>,
    range: std::ops::Range<usize>,
    expr: &str,
    e: &ExpressionError,
) -> Span {
    let whole = || map.range_to_source(range.clone());
    let (Some(src), Some(start), Some(end)) = (e.expr(), e.col_offset(), e.end_col_offset()) else {
        return whole();
    };
    let Some(base) = expr.find(src.trim()) else {
        return whole();
    };
    let lead = src.len() - src.trim_start().len();
    let s = (range.start + base + start.saturating_sub(lead)).min(range.end);
    let t = (range.start + base + end.saturating_sub(lead)).clamp(s, range.end);
    if t <= s {
        return whole();
    }
    map.range_to_source(s..t)
}

/// The check stopped at its budget (or the error of a part did: an `if`
/// whose branches both fail reports each branch's error).
fn is_over_budget(e: &ExpressionError) -> bool {
    matches!(
        e.kind(),
        ExpressionErrorKind::OperationLimitExceeded { .. }
            | ExpressionErrorKind::MemoryLimitExceeded { .. }
    ) || e.sub_errors().iter().any(is_over_budget)
}

/// The warning for an expression whose static check needs more than
/// [`CHECK_OPERATION_LIMIT`] operations or [`CHECK_MEMORY_LIMIT`] bytes.
/// `spent`: the document's own budget was already used up by others.
fn too_large(span: Span, spent: bool) -> Diagnostic {
    let budget = if spent {
        format!(
            "the checks of this document's other expressions used up its budget of {} operations, and this one needs more than {}",
            group(DOCUMENT_OPERATION_LIMIT),
            group(SPENT_OPERATION_LIMIT)
        )
    } else {
        format!(
            "checking it needs more than {} operations or {} MiB",
            group(CHECK_OPERATION_LIMIT),
            CHECK_MEMORY_LIMIT >> 20
        )
    };
    Diagnostic::new(
        Code::ExpressionTooLarge,
        span,
        format!(
            "This expression is too large to check before it runs: {budget} (this checker's budget), so its type was not checked and the reference validator was not run on this document. At run time OpenJD allows {} operations and {} bytes per expression",
            group(openjd_expr::DEFAULT_OPERATION_LIMIT),
            group(openjd_expr::DEFAULT_MEMORY_LIMIT),
        ),
    )
}

/// `1234567` → `1,234,567`.
pub(crate) fn group(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn clean_message(e: &ExpressionError) -> String {
    let m = e.message();
    m.trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use crate::analysis::{Analysis, Code, Options, analyze};

    /// A job with the given parameters whose one command argument is `arg`.
    fn job(params: &[String], arg: &str) -> Analysis {
        let mut text = String::from(
            "specificationVersion: jobtemplate-2023-09\nname: J\nparameterDefinitions:\n",
        );
        for p in params {
            text.push_str(&format!("  - {{name: {p}, type: STRING}}\n"));
        }
        text.push_str(&format!(
            "steps:\n  - name: S\n    script:\n      actions:\n        onRun: {{command: run, args: ['{arg}']}}\n"
        ));
        analyze(&text, &Options::own())
    }

    fn undefined(a: &Analysis) -> Vec<(&str, &str)> {
        a.diagnostics
            .iter()
            .filter(|d| d.code == Code::UndefinedVariable)
            .map(|d| (&a.text[d.span.clone()], d.message.as_str()))
            .collect()
    }

    fn many_params() -> Vec<String> {
        let mut params: Vec<String> = (0..3000).map(|i| format!("Input{i}")).collect();
        params.push("Quality".into());
        params
    }

    #[test]
    fn a_misspelled_reference_among_thousands_of_names_gets_a_suggestion() {
        let a = job(&many_params(), "{{ Param.Qualty }} {{Param.Quality}}");
        assert_eq!(
            undefined(&a),
            [(
                "Param.Qualty",
                "Undefined variable `Param.Qualty`; did you mean `Param.Quality`?"
            )]
        );
    }

    #[test]
    fn every_misspelled_reference_is_reported_and_the_same_one_always_gets_its_suggestion() {
        // Thousands of distinct misspellings among thousands of names: each
        // is reported; suggestions stop once their budget is spent.
        let arg: String = (0..3000)
            .map(|i| format!("{{{{Param.Inpt{i}}}}} "))
            .collect();
        let a = job(&many_params(), &arg);
        let found = undefined(&a);
        assert_eq!(found.len(), 3000);
        assert_eq!(
            found[0],
            (
                "Param.Inpt0",
                "Undefined variable `Param.Inpt0`; did you mean `Param.Input0`?"
            )
        );
        assert!(
            found
                .iter()
                .all(|(_, m)| m.starts_with("Undefined variable"))
        );
        // One misspelling written thousands of times: weighed once, and
        // suggested every time.
        let a = job(&many_params(), &"{{Param.Qualty}} ".repeat(3000));
        let found = undefined(&a);
        assert_eq!(found.len(), 3000);
        assert!(
            found
                .iter()
                .all(|(_, m)| m.ends_with("did you mean `Param.Quality`?"))
        );
    }

    #[test]
    fn references_that_may_resolve_are_still_evaluated() {
        // A property of a variable is not an undefined variable; a
        // misspelled property is the evaluator's to report.
        let params = ["Scene".to_string()];
        let a = job(&params, "{{Param.Scene}} {{Param.Scene.upper}}");
        assert!(undefined(&a).is_empty(), "{:?}", a.diagnostics);
        let a = job(&params, "{{Param.Scene.nope}}");
        assert!(!a.diagnostics.is_empty());
    }
}
