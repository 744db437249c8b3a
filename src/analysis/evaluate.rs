//! What an action's fields resolve to: every `{{ }}` of a format string
//! evaluated with `openjd-expr` against the values known before the session
//! starts — job parameters, task parameters, `let` bindings, `Step.Name`,
//! and for a wrap hook the `WrappedAction.*`, `WrappedEnv.Name` and
//! `WrappedStep.Name` of the action it replaces.
//!
//! Values that exist only at run time (the session's working directory,
//! the paths of embedded files, variables exported with `openjd_env`) are
//! never in a [`Scope`], so an interpolation that needs one is kept as
//! written (`{{Env.File.Run}}`): the preview shows exactly what is known and
//! marks the rest. Hover, the session preview and the CLI all ask this
//! module; nothing else evaluates a field.

use openjd_expr::path_mapping::PathFormat;
use openjd_expr::{
    ExprProfile, ExprType, ExprValue, FunctionLibrary, HostContext, ParsedExpression, SymbolTable,
};

use super::preview::Given;
use crate::model::{Action, ActionKind, Let, ParamKind, SimpleAction, Step, Template};
use crate::syntax::{format_string, nesting};

/// Evaluation budget of one interpolation: far above any real template
/// field, far below what would hurt (an expression such as
/// `range(9999999)` stops here and stays as written).
pub(crate) const MEMORY_LIMIT: usize = 8 << 20;
pub(crate) const OPERATION_LIMIT: usize = 200_000;

/// Operations all the evaluations of one evaluator (one preview, one
/// hover) may perform: a session evaluates its fields once per task, so
/// without it a field just under [`OPERATION_LIMIT`] would cost that much
/// for each of thousands of tasks. Past it, each further expression gets
/// only [`SPENT_OPERATION_LIMIT`], and one already found too large is not
/// tried again.
pub(crate) const SESSION_OPERATION_LIMIT: usize = 10_000_000;

/// The per-expression budget once [`SESSION_OPERATION_LIMIT`] is spent.
pub(crate) const SPENT_OPERATION_LIMIT: usize = 1_000;

/// The budget as a reader is told it: why an expression whose values are
/// known was not evaluated.
pub fn budget_text() -> String {
    use super::expressions::group;
    format!(
        "more than this preview's budget of {} operations or {} MiB per expression ({} operations for all of them)",
        group(OPERATION_LIMIT),
        MEMORY_LIMIT >> 20,
        group(SESSION_OPERATION_LIMIT)
    )
}

/// An expression as a message quotes it: `{{ … }}` on one line, control
/// characters escaped and a long one cut short.
pub fn quoted_expression(expr: &str) -> String {
    const SHOWN: usize = 60;
    let mut out = String::from("{{ ");
    for (i, c) in expr.trim().chars().enumerate() {
        if i == SHOWN {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push_str(" }}");
    out
}

/// Values known in the scope of one action.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    table: SymbolTable,
}

impl Scope {
    pub fn new() -> Scope {
        Scope::default()
    }

    /// Set `name` (dotted, e.g. `Param.Frame`); a value the symbol table
    /// cannot hold is left out, so expressions using it stay as written.
    pub fn set(&mut self, name: &str, value: ExprValue) {
        let _ = self.table.set(name, value);
    }

    /// Add every value of `other`, replacing values of the same name.
    pub(crate) fn merge(&mut self, other: &Scope) {
        self.table.merge_from(&other.table);
    }

    pub fn get(&self, name: &str) -> Option<&ExprValue> {
        self.table.get_value(name)
    }

    /// Job parameters from their values as text (`-p NAME=VALUE`, a
    /// parameter values file, or the defaults written in the template).
    pub(crate) fn with_parameters<'a>(
        &mut self,
        params: impl IntoIterator<Item = (&'a str, ParamKind, &'a ExprValue)>,
    ) {
        for (name, kind, value) in params {
            let (mapped, raw) = parameter_values(kind, value);
            if let Some(v) = mapped {
                self.set(&format!("Param.{name}"), v);
            }
            if let Some(v) = raw {
                self.set(&format!("RawParam.{name}"), v);
            }
        }
    }
}

/// `Param.X` and `RawParam.X` of a parameter value. A PATH parameter's
/// `Param` is a path (the runtime maps it; without mapping rules it is the
/// value itself); its `RawParam` is the string.
fn parameter_values(kind: ParamKind, value: &ExprValue) -> (Option<ExprValue>, Option<ExprValue>) {
    match (kind, value) {
        (ParamKind::Path, ExprValue::String(s))
        | (ParamKind::Path, ExprValue::Path { value: s, .. }) => (
            Some(ExprValue::new_path(s.clone(), PathFormat::Posix)),
            Some(ExprValue::String(s.clone())),
        ),
        (ParamKind::ListPath, ExprValue::ListString(items, _))
        | (ParamKind::ListPath, ExprValue::ListPath(items, _, _)) => (
            ExprValue::make_list(
                items
                    .iter()
                    .map(|s| ExprValue::new_path(s.clone(), PathFormat::Posix))
                    .collect(),
                ExprType::PATH,
            )
            .ok(),
            ExprValue::make_list(
                items.iter().map(|s| ExprValue::String(s.clone())).collect(),
                ExprType::STRING,
            )
            .ok(),
        ),
        _ => (Some(value.clone()), Some(value.clone())),
    }
}

/// A parameter value given as text, typed as the parameter declares; `None`
/// when the text is not a value of that type.
pub(crate) fn typed_value(kind: ParamKind, text: &str) -> Option<ExprValue> {
    let list = |ty: ExprType, f: &dyn Fn(&serde_json::Value) -> Option<ExprValue>| {
        let items: Vec<serde_json::Value> = serde_json::from_str(text).ok()?;
        let values: Option<Vec<ExprValue>> = items.iter().map(f).collect();
        ExprValue::make_list(values?, ty).ok()
    };
    let string = |v: &serde_json::Value| v.as_str().map(|s| ExprValue::String(s.to_string()));
    let int = |v: &serde_json::Value| {
        v.as_i64()
            .or_else(|| v.as_str()?.trim().parse().ok())
            .map(ExprValue::Int)
    };
    Some(match kind {
        ParamKind::String | ParamKind::Path => ExprValue::String(text.to_string()),
        ParamKind::Int => ExprValue::Int(text.trim().parse().ok()?),
        ParamKind::Float => {
            let f: f64 = text.trim().parse().ok()?;
            ExprValue::Float(
                openjd_expr::value::Float64::with_str(f, text.trim().to_string()).ok()?,
            )
        }
        ParamKind::Bool => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => ExprValue::Bool(true),
            "false" | "no" | "off" | "0" => ExprValue::Bool(false),
            _ => return None,
        },
        ParamKind::ListString | ParamKind::ListPath => list(ExprType::STRING, &string)?,
        ParamKind::ListInt => list(ExprType::INT, &int)?,
        ParamKind::ListBool => list(ExprType::BOOL, &|v| v.as_bool().map(ExprValue::Bool))?,
        ParamKind::ListFloat => list(ExprType::FLOAT, &|v| {
            let f = v.as_f64()?;
            Some(ExprValue::Float(openjd_expr::value::Float64::new(f).ok()?))
        })?,
        ParamKind::RangeExpr | ParamKind::ListListInt | ParamKind::Unknown => return None,
    })
}

/// The job scope from the values given for the template's parameters (a
/// job bundle's parameter values file, `-p`; the last of a name wins) over
/// the defaults written in the template: what hover shows. A value that is
/// not one of its parameter's type is left out, as is a parameter with
/// neither a value nor a default: it stays `{{Param.X}}`.
pub(crate) fn given_scope(ev: &Evaluator, t: &Template, given: &[(String, Given)]) -> Scope {
    let values: Vec<(&str, ParamKind, ExprValue)> = t
        .parameters
        .iter()
        .filter_map(|p| {
            let text = match given.iter().rev().find(|(n, _)| *n == p.name.value) {
                Some((_, g)) => g.as_text(),
                None => p.default.clone()?,
            };
            let v = typed_value(p.kind, &text)?;
            Some((p.name.value.as_str(), p.kind, v))
        })
        .collect();
    let mut scope = Scope::new();
    scope.with_parameters(values.iter().map(|(n, k, v)| (*n, *k, v)));
    if let Some(name) = &t.name
        && let Field::Known(v) = ev.field(&name.value, &scope)
    {
        scope.set("Job.Name", v);
    }
    scope
}

/// A field as the runtime would see it: its value when every part is
/// known, else the text with the unknown interpolations kept as written.
#[derive(Clone, Debug, PartialEq)]
pub enum Field {
    Known(ExprValue),
    Partial(String),
}

impl Field {
    /// As text: a known value's display form (`null` renders as nothing).
    pub fn text(&self) -> String {
        match self {
            Field::Known(ExprValue::Null) => String::new(),
            Field::Known(v) => v.to_display_string(),
            Field::Partial(s) => s.clone(),
        }
    }
}

/// The evaluator: one profile and function library for every field.
pub(crate) struct Evaluator {
    profile: ExprProfile,
    library: &'static FunctionLibrary,
    /// Parsed expressions by text: a session evaluates the same few
    /// expressions for every task.
    parsed:
        std::cell::RefCell<rustc_hash::FxHashMap<String, Option<std::rc::Rc<ParsedExpression>>>>,
    /// Operations spent so far, against [`SESSION_OPERATION_LIMIT`].
    spent: std::cell::Cell<usize>,
    /// Expressions stopped by the budget, each once, in the order met.
    too_large: std::cell::RefCell<Vec<String>>,
}

impl Default for Evaluator {
    fn default() -> Self {
        Evaluator::new()
    }
}

/// The function library of actions resolved on the host, built once: with
/// every function of the language it takes a moment to build.
fn host_library() -> &'static FunctionLibrary {
    static LIBRARY: std::sync::OnceLock<FunctionLibrary> = std::sync::OnceLock::new();
    LIBRARY.get_or_init(|| {
        // `openjd run` applies no path mapping rules unless given some.
        let library = FunctionLibrary::for_profile(
            &ExprProfile::current().with_host_context(HostContext::with_rules(Vec::new())),
        );
        std::sync::Arc::unwrap_or_clone(library)
    })
}

impl Evaluator {
    pub fn new() -> Evaluator {
        Evaluator {
            profile: ExprProfile::current(),
            library: host_library(),
            parsed: Default::default(),
            spent: Default::default(),
            too_large: Default::default(),
        }
    }

    /// The expressions whose evaluation the budget stopped: each is shown
    /// as written though its values are known.
    pub fn too_large(&self) -> Vec<String> {
        self.too_large.borrow().clone()
    }

    fn parse(&self, expr: &str) -> Option<std::rc::Rc<ParsedExpression>> {
        if let Some(p) = self.parsed.borrow().get(expr) {
            return p.clone();
        }
        // What nests too deeply is never parsed: parsers run out of stack.
        let shallow = nesting::expression_nesting(expr) <= nesting::MAX_NESTING;
        let p = shallow
            .then(|| ParsedExpression::with_profile(expr, &self.profile).ok())
            .flatten()
            .map(std::rc::Rc::new);
        self.parsed.borrow_mut().insert(expr.to_string(), p.clone());
        p
    }

    fn eval(&self, expr: &str, scope: &Scope) -> Option<ExprValue> {
        let parsed = self.parse(expr)?;
        // A name known only at run time: no need to evaluate (and build
        // the evaluator's error) to know the value is not known.
        let known = parsed.accessed_symbols().iter().all(|sym| {
            let first = sym.split('.').next().unwrap_or(sym);
            if parsed.local_bindings().contains(first) {
                return true;
            }
            let mut name = sym.as_str();
            loop {
                if scope.get(name).is_some() {
                    return true;
                }
                match name.rfind('.') {
                    Some(i) => name = &name[..i],
                    None => return false,
                }
            }
        });
        if !known {
            return None;
        }
        let spent = self.spent.get() >= SESSION_OPERATION_LIMIT;
        if spent && self.too_large.borrow().iter().any(|e| e == expr) {
            return None;
        }
        let limit = if spent {
            SPENT_OPERATION_LIMIT
        } else {
            OPERATION_LIMIT
        };
        let evaluated = parsed
            .with_library(self.library)
            .with_memory_limit(MEMORY_LIMIT)
            .with_operation_limit(limit)
            .with_path_format(PathFormat::Posix)
            .evaluate_with_metrics(&[&scope.table]);
        match evaluated {
            Ok(result) => {
                self.spent
                    .set(self.spent.get().saturating_add(result.operation_count));
                (!result.value.is_unresolved()).then_some(result.value)
            }
            Err(e) => {
                if is_over_budget(&e) {
                    self.spent.set(self.spent.get().saturating_add(limit));
                    let mut seen = self.too_large.borrow_mut();
                    if !seen.iter().any(|s| s == expr) {
                        seen.push(expr.to_string());
                    }
                }
                None
            }
        }
    }

    /// One format string.
    pub fn field(&self, value: &str, scope: &Scope) -> Field {
        let scan = format_string::scan(value);
        if !scan.errors.is_empty() {
            return Field::Partial(value.to_string());
        }
        if let [one] = scan.interpolations.as_slice()
            && one.open == 0
            && one.close.is_some_and(|c| c + 2 == value.len())
        {
            return match self.eval(&value[one.expr.clone()], scope) {
                Some(v) => Field::Known(v),
                None => Field::Partial(value.to_string()),
            };
        }
        let mut out = String::with_capacity(value.len());
        let mut known = true;
        let mut at = 0;
        for i in &scan.interpolations {
            let whole = i.full(value.len());
            out.push_str(&value[at..whole.start]);
            match self.eval(&value[i.expr.clone()], scope) {
                Some(ExprValue::Null) => {}
                Some(v) => out.push_str(&v.to_display_string()),
                None => {
                    known = false;
                    out.push_str(&value[whole.clone()]);
                }
            }
            at = whole.end;
        }
        out.push_str(&value[at..]);
        if known {
            Field::Known(ExprValue::String(out))
        } else {
            Field::Partial(out)
        }
    }

    /// The elements one `args` entry becomes: a whole-field list is spread
    /// into one argument per element and a whole-field `null` into none.
    pub fn arg(&self, value: &str, scope: &Scope) -> Vec<String> {
        match self.field(value, scope) {
            Field::Known(ExprValue::Null) => Vec::new(),
            Field::Known(v) if v.is_list() => v
                .list_elements()
                .unwrap_or_default()
                .iter()
                .filter(|e| !matches!(e, ExprValue::Null))
                .map(ExprValue::to_display_string)
                .collect(),
            f => vec![f.text()],
        }
    }

    /// The command and arguments of an action, as the runtime runs them.
    pub fn argv(&self, action: &Action, scope: &Scope) -> Vec<String> {
        let mut argv = Vec::with_capacity(action.args.len() + 1);
        if let Some(c) = &action.command {
            argv.push(self.field(&c.value, scope).text());
        }
        for a in &action.args {
            argv.extend(self.arg(&a.value, scope));
        }
        argv
    }

    /// An optional integer field (`timeout`, `notifyPeriodInSeconds`):
    /// `Ok(None)` when absent or `null`, `Err(text)` when not known.
    pub(crate) fn int_field(
        &self,
        field: Option<&crate::model::Text>,
        scope: &Scope,
    ) -> Result<Option<i64>, String> {
        let Some(t) = field else { return Ok(None) };
        match self.field(&t.value, scope) {
            Field::Known(ExprValue::Null) => Ok(None),
            Field::Known(ExprValue::Int(i)) => Ok(Some(i)),
            Field::Known(ExprValue::String(s)) => s.trim().parse().map(Some).map_err(|_| s),
            Field::Known(v) => Err(v.to_display_string()),
            Field::Partial(s) => Err(s),
        }
    }

    /// An optional string field (`cancelation.mode`).
    pub(crate) fn string_field(
        &self,
        field: Option<&crate::model::Text>,
        scope: &Scope,
    ) -> Option<Field> {
        let t = field?;
        match self.field(&t.value, scope) {
            Field::Known(ExprValue::Null) => None,
            f => Some(f),
        }
    }

    /// Evaluate `let` bindings in order; a binding whose value is not
    /// known is left out, so what uses it stays as written.
    pub(crate) fn lets(&self, lets: &[Let], scope: &mut Scope) {
        for l in lets {
            match self.eval(l.expr(), scope) {
                Some(v) => scope.set(&l.name, v),
                None => {
                    // An earlier value of the same name must not stand in.
                    if scope.get(&l.name).is_some() {
                        scope.set(&l.name, ExprValue::unresolved(ExprType::ANY));
                    }
                }
            }
        }
    }
}

/// The evaluation stopped at its budget (or a part of it did: an `if`
/// whose branches both fail reports each branch's error).
fn is_over_budget(e: &openjd_expr::ExpressionError) -> bool {
    matches!(
        e.kind(),
        openjd_expr::ExpressionErrorKind::OperationLimitExceeded { .. }
            | openjd_expr::ExpressionErrorKind::MemoryLimitExceeded { .. }
    ) || e.sub_errors().iter().any(is_over_budget)
}

/// What the runtime knows of an action when it hands it to a hook.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Resolved {
    pub argv: Vec<String>,
    /// The declared timeout: `Ok(None)` when there is none.
    pub timeout: Result<Option<i64>, String>,
    pub cancelation: Option<ResolvedCancelation>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedCancelation {
    pub mode: Field,
    /// The effective notify period, the schema default filled in for
    /// `NOTIFY_THEN_TERMINATE`; `Ok(None)` for `TERMINATE`.
    pub notify_period: Result<Option<i64>, String>,
}

impl Evaluator {
    /// Resolve an action's fields in its own scope. `default_notify` is the
    /// notify period the schema gives this kind of action (120 s for a
    /// task, 30 s for an environment action).
    pub fn resolve(&self, action: &Action, scope: &Scope, default_notify: i64) -> Resolved {
        let cancelation = action.cancelation.as_ref().and_then(|c| {
            let mode = self.string_field(c.mode.as_ref(), scope)?;
            let notify = match &mode {
                Field::Known(ExprValue::String(m)) if m == "NOTIFY_THEN_TERMINATE" => self
                    .int_field(c.notify_period.as_ref(), scope)
                    .map(|p| p.or(Some(default_notify))),
                Field::Known(ExprValue::String(m)) if m == "TERMINATE" => Ok(None),
                _ => self.int_field(c.notify_period.as_ref(), scope),
            };
            Some(ResolvedCancelation {
                mode,
                notify_period: notify,
            })
        });
        Resolved {
            argv: self.argv(action, scope),
            timeout: self.int_field(action.timeout.as_deref(), scope),
            cancelation,
        }
    }

    /// The scope of a hook replacing an action whose fields are `wrapped`;
    /// `subject` is `WrappedEnv.Name` or `WrappedStep.Name` as fits `hook`.
    pub(crate) fn hook_scope(
        &self,
        wrapper_scope: &Scope,
        hook: ActionKind,
        wrapped: &Resolved,
        subject: &str,
    ) -> Scope {
        let mut scope = wrapper_scope.clone();
        let (cmd, args) = match wrapped.argv.split_first() {
            Some((c, a)) => (c.clone(), a.to_vec()),
            None => (String::new(), Vec::new()),
        };
        scope.set("WrappedAction.Command", ExprValue::String(cmd));
        if let Ok(list) = ExprValue::make_list(
            args.into_iter().map(ExprValue::String).collect(),
            ExprType::STRING,
        ) {
            scope.set("WrappedAction.Args", list);
        }
        let int = |r: &Result<Option<i64>, String>| match r {
            Ok(Some(i)) => Some(ExprValue::Int(*i)),
            Ok(None) => Some(ExprValue::Null),
            Err(_) => None,
        };
        if let Some(v) = int(&wrapped.timeout) {
            scope.set("WrappedAction.Timeout", v);
        }
        match &wrapped.cancelation {
            None => {
                scope.set("WrappedAction.Cancelation.Mode", ExprValue::Null);
                scope.set(
                    "WrappedAction.Cancelation.NotifyPeriodInSeconds",
                    ExprValue::Null,
                );
            }
            Some(c) => {
                if let Field::Known(m) = &c.mode {
                    scope.set("WrappedAction.Cancelation.Mode", m.clone());
                }
                if let Some(v) = int(&c.notify_period) {
                    scope.set("WrappedAction.Cancelation.NotifyPeriodInSeconds", v);
                }
            }
        }
        let name = ExprValue::String(subject.to_string());
        match hook {
            ActionKind::OnWrapTaskRun => scope.set("WrappedStep.Name", name),
            _ => scope.set("WrappedEnv.Name", name),
        }
        scope
    }
}

/// The action a simple step action (`bash:`, `python:`, …) stands for, as
/// the runtime expands it: the interpreter, its fixed flags, the embedded
/// script's path (known only at run time) and the given arguments.
pub(crate) fn expand_simple(step: &Step, simple: &SimpleAction) -> Action {
    let (prefix, _ext): (&[&str], &str) = match simple.interpreter {
        "cmd" => (&["/C"], ".bat"),
        "powershell" => (&["-File"], ".ps1"),
        "python" => (&[], ".py"),
        "node" => (&[], ".js"),
        _ => (&[], ".sh"),
    };
    let safe: String = step
        .display_name()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .take(200)
        .collect();
    let safe = if safe.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{safe}")
    } else {
        safe
    };
    let text = |v: String| crate::model::Text {
        value: v.into(),
        span: simple.action.key_span.clone(),
        style: crate::syntax::ScalarStyle::Plain,
    };
    let mut args: Vec<crate::model::Text> = prefix.iter().map(|p| text(p.to_string())).collect();
    args.push(text(format!("{{{{Task.File.{safe}_script}}}}")));
    args.extend(simple.action.args.iter().cloned());
    Action {
        command: Some(text(simple.interpreter.to_string())),
        args: args.into_boxed_slice(),
        ..simple.action.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(pairs: &[(&str, ExprValue)]) -> Scope {
        let mut s = Scope::new();
        for (n, v) in pairs {
            s.set(n, v.clone());
        }
        s
    }

    #[test]
    fn known_values_are_substituted_and_runtime_ones_kept_as_written() {
        let ev = Evaluator::new();
        let s = scope(&[
            ("Param.Shot", ExprValue::String("sh 010".into())),
            ("Task.Param.Frame", ExprValue::Int(7)),
        ]);
        assert_eq!(
            ev.field("--frame={{Task.Param.Frame}}", &s),
            Field::Known(ExprValue::String("--frame=7".into()))
        );
        assert_eq!(
            ev.field("{{Env.File.Run}} {{Param.Shot}}", &s),
            Field::Partial("{{Env.File.Run}} sh 010".into())
        );
        assert_eq!(ev.arg("{{repr_sh(Param.Shot)}}", &s), vec!["'sh 010'"]);
        assert_eq!(
            ev.arg("{{ Session.WorkingDirectory }}", &s),
            vec!["{{ Session.WorkingDirectory }}"]
        );
    }

    #[test]
    fn whole_field_lists_spread_and_null_drops() {
        let ev = Evaluator::new();
        let args = ExprValue::make_list(
            vec![
                ExprValue::String("a b".into()),
                ExprValue::String("c".into()),
            ],
            ExprType::STRING,
        )
        .unwrap();
        let s = scope(&[
            ("WrappedAction.Args", args),
            ("WrappedAction.Command", ExprValue::String("python".into())),
            ("WrappedAction.Timeout", ExprValue::Null),
        ]);
        assert_eq!(ev.arg("{{WrappedAction.Args}}", &s), vec!["a b", "c"]);
        assert_eq!(
            ev.arg("{{WrappedAction.Timeout}}", &s),
            Vec::<String>::new()
        );
        assert_eq!(
            ev.arg(
                "{{repr_sh(WrappedAction.Command)}} {{repr_sh(WrappedAction.Args)}}",
                &s
            ),
            vec!["python 'a b' c"]
        );
    }

    #[test]
    fn lets_see_earlier_lets_and_an_unknown_one_stays_unknown() {
        let ev = Evaluator::new();
        let mut s = scope(&[("Param.N", ExprValue::Int(2))]);
        let lets = crate::model::lets(
            "let: ['a = Param.N * 3', 'b = a + 1', 'c = Session.WorkingDirectory']",
            crate::syntax::parse(
                "let: ['a = Param.N * 3', 'b = a + 1', 'c = Session.WorkingDirectory']",
            )
            .root
            .as_ref()
            .and_then(|r| r.get("let")),
        );
        ev.lets(&lets, &mut s);
        assert_eq!(ev.field("{{b}}", &s), Field::Known(ExprValue::Int(7)));
        assert_eq!(ev.field("{{c}}", &s), Field::Partial("{{c}}".into()));
    }

    #[test]
    fn an_expression_past_the_budget_stays_as_written_and_is_named() {
        let ev = Evaluator::new();
        let s = Scope::new();
        assert_eq!(
            ev.arg("{{ repr_py(range(5000000)) }}", &s),
            vec!["{{ repr_py(range(5000000)) }}"]
        );
        assert_eq!(ev.too_large(), ["repr_py(range(5000000))"]);
    }

    #[test]
    fn once_the_session_budget_is_spent_small_expressions_still_evaluate() {
        let ev = Evaluator::new();
        let s = Scope::new();
        // Each costs just under the per-expression limit; together they
        // spend the session's budget.
        let heavy = "{{ len(range(60000)) }}";
        let mut evaluated = 0;
        for _ in 0..SESSION_OPERATION_LIMIT / 60_000 + 10 {
            if ev.field(heavy, &s) == Field::Known(ExprValue::Int(60000)) {
                evaluated += 1;
            }
        }
        assert!(evaluated < SESSION_OPERATION_LIMIT / 60_000 + 10);
        assert_eq!(ev.too_large(), ["len(range(60000))"]);
        assert_eq!(ev.field("{{ 1 + 2 }}", &s), Field::Known(ExprValue::Int(3)));
    }

    #[test]
    fn typed_parameter_values() {
        assert_eq!(typed_value(ParamKind::Int, " 5"), Some(ExprValue::Int(5)));
        assert_eq!(typed_value(ParamKind::Int, "x"), None);
        assert_eq!(
            typed_value(ParamKind::ListInt, "[1, 2]").and_then(|v| v.list_len()),
            Some(2)
        );
    }
}
