//! The scope table: which template variables a format string or `let`
//! binding may use, decided from where it is (its path) and what kind of
//! field it is. Validation, completion and hover all ask this one module.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use openjd_expr::{ExprProfile, FunctionLibrary, HostContext};

use crate::model::{ActionKind, EnvLoc, Let, Template, TemplateKind};
use crate::schema::{Extension, ScopeClass};
use crate::syntax::Span;

use super::codes::Code;
use super::extensions::ExtSet;
use super::path::Path;

/// The namespaces of the template variables (`Param.X`, `Task.File.X`, ...).
pub(crate) const NAMESPACES: [&str; 15] = [
    "Param",
    "RawParam",
    "Task",
    "Task.Param",
    "Task.RawParam",
    "Task.File",
    "Env",
    "Env.File",
    "Session",
    "Job",
    "Step",
    "WrappedAction",
    "WrappedAction.Cancelation",
    "WrappedEnv",
    "WrappedStep",
];

/// The expression library a field of class `class` is checked and
/// completed with: on the host, with the host functions (path mapping,
/// unresolved until the session runs); elsewhere without them.
pub fn library(class: ScopeClass) -> Arc<FunctionLibrary> {
    let profile = ExprProfile::current();
    if class.runs_on_host() {
        FunctionLibrary::for_profile(&profile.with_host_context(HostContext::Unresolved))
    } else {
        FunctionLibrary::for_profile(&profile)
    }
}

/// Which `let` block a binding belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LetBlock {
    Step(usize),
    StepScript(usize),
    Simple(usize),
    Env(EnvLoc),
}

/// Where a field sits, as far as scoping is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Site {
    pub class: ScopeClass,
    pub step: Option<usize>,
    pub env: Option<EnvLoc>,
    /// In a step's script or shorthand (task context).
    pub task: bool,
    pub simple: bool,
    pub action: Option<ActionKind>,
    /// For a `let` binding: its block, and its position in it.
    pub let_block: Option<(LetBlock, usize)>,
}

impl Site {
    /// The site as far as `variables` can tell it apart: of the action, only
    /// whether (and which) wrap hook it is matters, so every field and
    /// embedded file of one step script shares one scope.
    pub(crate) fn scope_key(&self) -> Site {
        Site {
            action: self.action.filter(|a| a.is_hook()),
            ..*self
        }
    }

    pub fn of(path: &Path, class: ScopeClass) -> Site {
        let mut site = Site {
            class,
            step: None,
            env: None,
            task: false,
            simple: false,
            action: None,
            let_block: None,
        };
        let seg = |i: usize| path.key(i);
        let mut i = 0;
        match seg(0) {
            Some("steps") => {
                let Some(s) = path.index(1) else { return site };
                site.step = Some(s);
                i = 2;
                match seg(2) {
                    Some("stepEnvironments") => {
                        if let Some(e) = path.index(3) {
                            site.env = Some(EnvLoc::Step(s, e));
                            i = 4;
                        }
                    }
                    Some("let") => {
                        site.let_block = path.index(3).map(|k| (LetBlock::Step(s), k));
                    }
                    Some("script") => {
                        site.task = true;
                        i = 3;
                        if seg(3) == Some("let") {
                            site.let_block = path.index(4).map(|k| (LetBlock::StepScript(s), k));
                        }
                    }
                    Some(k) if crate::model::SIMPLE_ACTION_KEYS.contains(&k) => {
                        site.task = true;
                        site.simple = true;
                        site.action = Some(ActionKind::Simple);
                        if seg(3) == Some("let") {
                            site.let_block = path.index(4).map(|k| (LetBlock::Simple(s), k));
                        }
                        return site;
                    }
                    _ => return site,
                }
            }
            Some("jobEnvironments") => {
                if let Some(e) = path.index(1) {
                    site.env = Some(EnvLoc::Job(e));
                    i = 2;
                }
            }
            Some("environment") => {
                site.env = Some(EnvLoc::Template);
                i = 1;
            }
            _ => return site,
        }
        // Inside an environment or a step script: `script.let`, `script.actions.X`.
        if let Some(env) = site.env {
            if seg(i) != Some("script") {
                return site;
            }
            i += 1;
            if seg(i) == Some("let") {
                site.let_block = path.index(i + 1).map(|k| (LetBlock::Env(env), k));
                return site;
            }
        }
        if seg(i) == Some("actions") {
            site.action = seg(i + 1).and_then(ActionKind::from_key);
        }
        site
    }
}

/// A [`Site`] as the format strings and `let` bindings of an open document
/// keep it: a large template has a hundred thousand of them, and its
/// indices fit 32 bits. [`PackedSite::site`] gives back exactly the site it
/// was made from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackedSite(Packed);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Packed {
    /// Every site [`Site::of`] makes within the size caps: a `let` block is
    /// that of the site's own step or environment.
    Usual(Usual),
    /// Anything else, whole.
    Other(Box<Site>),
}

/// What [`Usual`] holds for a missing index.
const NO_INDEX: u32 = u32::MAX;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Usual {
    /// [`NO_INDEX`] outside a step.
    step: u32,
    /// `EnvLoc::Job(env_a)`, `EnvLoc::Step(env_a, env_b)`.
    env_a: u32,
    env_b: u32,
    /// The binding's position in its `let` block.
    let_pos: u32,
    class: ScopeClass,
    action: Option<ActionKind>,
    env: EnvTag,
    let_block: LetTag,
    task: bool,
    simple: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EnvTag {
    None,
    Job,
    Step,
    Template,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LetTag {
    None,
    Step,
    StepScript,
    Simple,
    Env,
}

impl PackedSite {
    pub fn new(site: Site) -> PackedSite {
        PackedSite(match Usual::new(&site) {
            Some(usual) => Packed::Usual(usual),
            None => Packed::Other(Box::new(site)),
        })
    }

    pub fn site(&self) -> Site {
        match &self.0 {
            Packed::Usual(usual) => usual.site(),
            Packed::Other(site) => **site,
        }
    }
}

impl Usual {
    fn new(site: &Site) -> Option<Usual> {
        let index = |i: usize| u32::try_from(i).ok().filter(|&i| i != NO_INDEX);
        let step = match site.step {
            Some(s) => index(s)?,
            None => NO_INDEX,
        };
        let (env, env_a, env_b) = match site.env {
            None => (EnvTag::None, 0, 0),
            Some(EnvLoc::Job(e)) => (EnvTag::Job, index(e)?, 0),
            Some(EnvLoc::Step(s, e)) => (EnvTag::Step, index(s)?, index(e)?),
            Some(EnvLoc::Template) => (EnvTag::Template, 0, 0),
        };
        let (let_block, let_pos) = match site.let_block {
            None => (LetTag::None, 0),
            Some((block, pos)) => {
                let own_step = |s: usize| site.step == Some(s);
                let tag = match block {
                    LetBlock::Step(s) if own_step(s) => LetTag::Step,
                    LetBlock::StepScript(s) if own_step(s) => LetTag::StepScript,
                    LetBlock::Simple(s) if own_step(s) => LetTag::Simple,
                    LetBlock::Env(e) if site.env == Some(e) => LetTag::Env,
                    _ => return None,
                };
                (tag, index(pos)?)
            }
        };
        Some(Usual {
            step,
            env_a,
            env_b,
            let_pos,
            class: site.class,
            action: site.action,
            env,
            let_block,
            task: site.task,
            simple: site.simple,
        })
    }

    fn site(&self) -> Site {
        let step = (self.step != NO_INDEX).then_some(self.step as usize);
        let env = match self.env {
            EnvTag::None => None,
            EnvTag::Job => Some(EnvLoc::Job(self.env_a as usize)),
            EnvTag::Step => Some(EnvLoc::Step(self.env_a as usize, self.env_b as usize)),
            EnvTag::Template => Some(EnvLoc::Template),
        };
        let own_step = step.unwrap_or_default();
        let block = match self.let_block {
            LetTag::None => None,
            LetTag::Step => Some(LetBlock::Step(own_step)),
            LetTag::StepScript => Some(LetBlock::StepScript(own_step)),
            LetTag::Simple => Some(LetBlock::Simple(own_step)),
            LetTag::Env => env.map(LetBlock::Env),
        };
        Site {
            class: self.class,
            step,
            env,
            task: self.task,
            simple: self.simple,
            action: self.action,
            let_block: block.map(|b| (b, self.let_pos as usize)),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Parameter(usize),
    TaskParameter { step: usize, index: usize },
    EmbeddedFile { span: Span },
    Let { name_span: Span },
    Builtin,
}

/// A visible variable. Names, types and docs are mostly fixed text, so they
/// borrow it rather than allocate: a large template asks for thousands of
/// these lists.
#[derive(Clone, Debug)]
pub struct Var {
    /// The full dotted name, e.g. `Task.Param.Frame`.
    pub name: Cow<'static, str>,
    /// Its expression type, e.g. `list[string]` or `int?`.
    pub ty: Cow<'static, str>,
    pub origin: Origin,
    pub doc: Cow<'static, str>,
}

/// Types inferred for `let` bindings, keyed by the start of the name.
pub type LetTypes = HashMap<usize, String>;

struct Builder<'a> {
    t: &'a Template,
    exts: ExtSet,
    let_types: &'a LetTypes,
    vars: Vec<Var>,
}

impl<'a> Builder<'a> {
    fn expr(&self) -> bool {
        self.exts.has(Extension::Expr)
    }

    fn add(
        &mut self,
        name: impl Into<Cow<'static, str>>,
        ty: impl Into<Cow<'static, str>>,
        origin: Origin,
        doc: impl Into<Cow<'static, str>>,
    ) {
        self.vars.push(Var {
            name: name.into(),
            ty: ty.into(),
            origin,
            doc: doc.into(),
        });
    }

    /// Job (or environment-template) parameters; `host` adds the path-mapped
    /// `Param.*` of PATH parameters, which only exist on the worker.
    /// (Names are joined with `concat`: these lists are built for every
    /// site of a large template, and `format!` costs several times more.)
    fn params(&mut self, host: bool) {
        for (i, p) in self.t.parameters.iter().enumerate() {
            let name = &p.name.value;
            let raw_ty = if self.expr() {
                p.kind.expr_type(false)
            } else {
                "string"
            };
            self.add(
                ["RawParam.", name].concat(),
                raw_ty,
                Origin::Parameter(i),
                "The parameter's value exactly as submitted.",
            );
            if host || !p.kind.is_path() {
                let ty = if self.expr() {
                    p.kind.expr_type(true)
                } else {
                    "string"
                };
                let doc = if p.kind.is_path() {
                    "The parameter's value, path-mapped for the worker."
                } else {
                    "The parameter's value."
                };
                self.add(["Param.", name].concat(), ty, Origin::Parameter(i), doc);
            }
        }
    }

    fn session(&mut self) {
        let bool_ty = if self.expr() { "bool" } else { "string" };
        self.add(
            "Session.WorkingDirectory",
            "path",
            Origin::Builtin,
            "The session's temporary working directory on the worker.",
        );
        self.add(
            "Session.HasPathMappingRules",
            bool_ty,
            Origin::Builtin,
            "Whether path-mapping rules apply in this session.",
        );
        self.add(
            "Session.PathMappingRulesFile",
            "path",
            Origin::Builtin,
            "A JSON file holding the session's path-mapping rules.",
        );
    }

    fn job_name(&mut self) {
        if self.expr() {
            self.add(
                "Job.Name",
                "string",
                Origin::Builtin,
                "The job's resolved name.",
            );
        }
    }

    fn lets(&mut self, lets: &[Let], upto: Option<usize>) {
        if !self.expr() {
            return;
        }
        for l in lets.iter().take_while(|l| upto.is_none_or(|k| l.index < k)) {
            let ty: Cow<'static, str> = match self.let_types.get(&l.name_span.start) {
                Some(ty) => ty.clone().into(),
                None => "any".into(),
            };
            self.add(
                l.name.clone(),
                ty,
                Origin::Let {
                    name_span: l.name_span.clone(),
                },
                ["`let ", l.text.value.trim(), "`"].concat(),
            );
        }
    }

    /// `Step.Name` and the step's `let` names.
    fn step(&mut self, s: usize, step_lets_upto: Option<usize>) {
        if !self.expr() {
            return;
        }
        self.add(
            "Step.Name",
            "string",
            Origin::Builtin,
            "The name of the current step.",
        );
        let t = self.t;
        if let Some(step) = t.steps.get(s) {
            self.lets(&step.lets, step_lets_upto);
        }
    }

    fn task(&mut self, s: usize) {
        let t = self.t;
        let Some(step) = t.steps.get(s) else {
            return;
        };
        for (i, p) in step.task_parameters.iter().enumerate() {
            let origin = Origin::TaskParameter { step: s, index: i };
            let (ty, raw) = if self.expr() {
                (p.kind.expr_type(true), p.kind.expr_type(false))
            } else {
                ("string", "string")
            };
            self.add(
                ["Task.Param.", &p.name.value].concat(),
                ty,
                origin.clone(),
                "The current task's value of this task parameter.",
            );
            self.add(
                ["Task.RawParam.", &p.name.value].concat(),
                raw,
                origin,
                "The task parameter's value without path mapping.",
            );
        }
        if let Some(script) = &step.script {
            for f in &script.files {
                self.add(
                    ["Task.File.", &f.name.value].concat(),
                    "path",
                    Origin::EmbeddedFile {
                        span: f.span.clone(),
                    },
                    "Where this embedded file is written on the worker.",
                );
            }
        }
    }

    fn env_files(&mut self, env: EnvLoc) {
        let t = self.t;
        let files = t
            .environment_at(env)
            .and_then(|e| e.script.as_ref())
            .map_or(&[][..], |s| &s.files);
        for f in files {
            self.add(
                ["Env.File.", &f.name.value].concat(),
                "path",
                Origin::EmbeddedFile {
                    span: f.span.clone(),
                },
                "Where this environment's embedded file is written on the worker.",
            );
        }
    }

    fn env_lets(&mut self, env: EnvLoc, upto: Option<usize>) {
        let t = self.t;
        let lets = t
            .environment_at(env)
            .and_then(|e| e.script.as_ref())
            .map_or(&[][..], |s| &s.lets);
        self.lets(lets, upto);
    }

    fn wrapped_action(&mut self, hook: ActionKind) {
        for (name, ty, doc) in WRAPPED_ACTION_VARS {
            self.add(name, ty, Origin::Builtin, doc);
        }
        match hook {
            ActionKind::OnWrapEnvEnter | ActionKind::OnWrapEnvExit => self.add(
                "WrappedEnv.Name",
                "string",
                Origin::Builtin,
                "The name of the environment being entered or exited.",
            ),
            ActionKind::OnWrapTaskRun => self.add(
                "WrappedStep.Name",
                "string",
                Origin::Builtin,
                "The name of the step whose task is being run.",
            ),
            _ => {}
        }
    }
}

/// The `WrappedAction.*` variables with their types, as the hooks see them.
pub(crate) const WRAPPED_ACTION_VARS: [(&str, &str, &str); 6] = [
    (
        "WrappedAction.Command",
        "string",
        "The wrapped action's `command`, already resolved in its own scope.",
    ),
    (
        "WrappedAction.Args",
        "list[string]",
        "The wrapped action's `args`, already resolved (may be empty).",
    ),
    (
        "WrappedAction.Environment",
        "list[string]",
        "Session-defined environment variables so far, as `KEY=value`: `openjd_env` exports and environments' `variables`. Host variables such as PATH are not included.",
    ),
    (
        "WrappedAction.Timeout",
        "int?",
        "The wrapped action's declared `timeout` in seconds, or null when it declares none.",
    ),
    (
        "WrappedAction.Cancelation.Mode",
        "string?",
        "`TERMINATE` or `NOTIFY_THEN_TERMINATE`, or null when the wrapped action has no `cancelation`.",
    ),
    (
        "WrappedAction.Cancelation.NotifyPeriodInSeconds",
        "int?",
        "The wrapped action's grace period (defaults filled in), or null unless its mode is NOTIFY_THEN_TERMINATE.",
    ),
];

/// Every variable visible at `site`.
pub fn variables(t: &Template, site: &Site, exts: ExtSet, let_types: &LetTypes) -> Vec<Var> {
    let mut b = Builder {
        t,
        exts,
        let_types,
        vars: Vec::new(),
    };
    if let Some((block, k)) = site.let_block {
        match block {
            LetBlock::Step(s) => {
                b.params(false);
                b.job_name();
                if b.expr() {
                    b.add(
                        "Step.Name",
                        "string",
                        Origin::Builtin,
                        "The name of the current step.",
                    );
                }
                let lets = t.steps.get(s).map_or(&[][..], |st| &st.lets);
                b.lets(lets, Some(k));
            }
            LetBlock::StepScript(s) | LetBlock::Simple(s) => {
                b.params(true);
                b.session();
                b.task(s);
                b.job_name();
                b.step(s, None);
                let lets = t.steps.get(s).and_then(|st| match block {
                    LetBlock::Simple(_) => st.simple.as_ref().map(|a| &a.lets[..]),
                    _ => st.script.as_ref().map(|a| &a.lets[..]),
                });
                b.lets(lets.unwrap_or_default(), Some(k));
            }
            LetBlock::Env(env) => {
                b.params(true);
                b.session();
                b.job_name();
                if let EnvLoc::Step(s, _) = env {
                    b.step(s, None);
                }
                b.env_files(env);
                b.env_lets(env, Some(k));
            }
        }
        return b.vars;
    }
    match site.class {
        ScopeClass::JobName => b.params(false),
        ScopeClass::Template => {
            b.params(false);
            b.job_name();
            if let Some(s) = site.step {
                b.step(s, None);
            }
        }
        ScopeClass::Timing => {
            b.params(false);
            b.job_name();
            if let Some(s) = site.step {
                b.step(s, None);
            }
            if site.action.is_some_and(ActionKind::is_hook) {
                for (name, ty, doc) in WRAPPED_ACTION_VARS {
                    b.add(name, ty, Origin::Builtin, doc);
                }
            }
        }
        ScopeClass::Host | ScopeClass::EnvVariables => {
            b.params(true);
            b.session();
            b.job_name();
            match site.env {
                Some(env) => {
                    if let EnvLoc::Step(s, _) = env {
                        b.step(s, None);
                    }
                    b.env_files(env);
                    b.env_lets(env, None);
                    if let Some(hook) = site.action.filter(|a| a.is_hook()) {
                        b.wrapped_action(hook);
                    }
                }
                None => {
                    if let Some(s) = site.step.filter(|_| site.task) {
                        b.task(s);
                        b.step(s, None);
                        if let Some(step) = t.steps.get(s) {
                            let lets = if site.simple {
                                step.simple.as_ref().map(|a| &a.lets[..])
                            } else {
                                step.script.as_ref().map(|a| &a.lets[..])
                            };
                            b.lets(lets.unwrap_or_default(), None);
                        }
                    }
                }
            }
        }
    }
    if t.kind == TemplateKind::Environment {
        b.vars.retain(|v| !v.name.starts_with("Step."));
    }
    b.vars
}

/// Why a name that is not in scope here would be wrong, when it is a name
/// that exists elsewhere (or existed in a draft of the specification).
pub(crate) fn out_of_scope_reason(name: &str, t: &Template, site: &Site) -> Option<(Code, String)> {
    let in_hook = site.action.is_some_and(ActionKind::is_hook);
    if name.starts_with("Env.Wrapped.") || name.starts_with("Task.Action.") {
        return Some((
            Code::DraftName,
            format!(
                "`{name}` is a draft name from RFC 0008; use `WrappedAction.*` (with `WrappedEnv.Name` / `WrappedStep.Name`)"
            ),
        ));
    }
    if let Some(rest) = name.strip_prefix("Task.") {
        let replacement = match rest {
            "Command" => Some("WrappedAction.Command"),
            "Environment" => Some("WrappedAction.Environment"),
            "Timeout" => Some("WrappedAction.Timeout"),
            "Args" => Some("WrappedAction.Args"),
            _ => None,
        };
        if let Some(r) = replacement {
            return Some((
                Code::DraftName,
                format!(
                    "`{name}` is a draft name from RFC 0008 that never became part of the specification; inside a wrap hook use `{r}`"
                ),
            ));
        }
    }
    if name.starts_with("WrappedAction.") {
        let msg = if site.class == ScopeClass::Timing && in_hook {
            format!("`{name}` is not a WrappedAction variable")
        } else {
            format!(
                "`{name}` is only available in the command, args, timeout and cancelation of the wrap hooks onWrapEnvEnter, onWrapTaskRun and onWrapEnvExit"
            )
        };
        return Some((Code::WrapVariableOutOfScope, msg));
    }
    if name == "WrappedEnv.Name" {
        return Some((
            Code::WrapVariableOutOfScope,
            "`WrappedEnv.Name` is only available in the command and args of onWrapEnvEnter and onWrapEnvExit".into(),
        ));
    }
    if name == "WrappedStep.Name" {
        return Some((
            Code::WrapVariableOutOfScope,
            "`WrappedStep.Name` is only available in the command and args of onWrapTaskRun".into(),
        ));
    }
    if let Some(p) = name.strip_prefix("Param.")
        && t.parameters
            .iter()
            .any(|x| x.name.value == p && x.kind.is_path())
    {
        return Some((
            Code::VariableNotInScope,
            format!(
                "`{name}` is a PATH parameter, path-mapped only on the worker; here use `RawParam.{p}`"
            ),
        ));
    }
    let namespace = name.split('.').next().unwrap_or("");
    let host = site.class.runs_on_host()
        || matches!(
            site.let_block,
            Some((
                LetBlock::StepScript(_) | LetBlock::Simple(_) | LetBlock::Env(_),
                _
            ))
        );
    let why = match namespace {
        "Task" if !site.task => "task variables are only available in a step's script",
        "Session" if !host => {
            "session variables are only available in actions, embedded files and let bindings that run on the worker"
        }
        "Env" if site.env.is_none() || !host => {
            "`Env.File.*` is only available in the actions and embedded files of the environment that defines the file"
        }
        "Job" if name == "Job.Name" && site.class == ScopeClass::JobName => {
            "the job's name cannot refer to itself"
        }
        "Step" if name == "Step.Name" && site.step.is_none() => {
            "`Step.Name` is only available inside a step"
        }
        _ => return None,
    };
    Some((
        Code::VariableNotInScope,
        format!("`{name}` is not available here: {why}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Options, analyze};

    const JOB: &str = "specificationVersion: jobtemplate-2023-09
extensions: [EXPR, WRAP_ACTIONS]
name: J
parameterDefinitions:
  - {name: Scene, type: PATH}
jobEnvironments:
  - name: Wrap
    script:
      actions:
        onEnter: {command: a}
        onExit: {command: b}
        onWrapEnvEnter: {command: c}
        onWrapEnvExit: {command: d}
        onWrapTaskRun: {command: e}
steps:
  - name: S
    parameterSpace:
      taskParameterDefinitions:
        - {name: F, type: INT, range: \"1-2\"}
    script:
      let: [\"x = 1\"]
      actions:
        onRun: {command: f}
";

    /// The expression pass caches scopes by `scope_key`: it must never
    /// merge two sites whose variables differ.
    #[test]
    fn sites_with_one_scope_key_see_the_same_variables() {
        let a = analyze(JOB, &Options::own());
        let t = a.template.as_deref().expect("a template");
        let names = |site: &Site| -> Vec<String> {
            variables(t, site, a.exts(), &a.let_types)
                .into_iter()
                .map(|v| v.name.into_owned())
                .collect()
        };
        let actions = [
            None,
            Some(ActionKind::OnRun),
            Some(ActionKind::OnEnter),
            Some(ActionKind::OnExit),
            Some(ActionKind::OnWrapEnvEnter),
            Some(ActionKind::OnWrapTaskRun),
            Some(ActionKind::OnWrapEnvExit),
            Some(ActionKind::Simple),
        ];
        let classes = [
            ScopeClass::JobName,
            ScopeClass::Template,
            ScopeClass::Host,
            ScopeClass::EnvVariables,
            ScopeClass::Timing,
        ];
        let places = [(Some(0), None, true), (None, Some(EnvLoc::Job(0)), false)];
        let mut hooks_differ = false;
        for class in classes {
            for (step, env, task) in places {
                for action in actions {
                    let site = Site {
                        class,
                        step,
                        env,
                        task,
                        simple: false,
                        action,
                        let_block: None,
                    };
                    let key = site.scope_key();
                    assert_eq!(names(&site), names(&key), "{site:?}");
                    let plain = Site {
                        action: None,
                        ..site
                    };
                    hooks_differ |= key != plain.scope_key() && names(&site) != names(&plain);
                }
            }
        }
        // The key keeps what matters: a hook sees more than a plain field.
        assert!(hooks_differ);
    }

    /// A path written the way the reference reports it: `steps.3.let.1`.
    fn path(dotted: &str) -> Path {
        let mut path = Path::default();
        for seg in dotted.split('.') {
            match seg.parse() {
                Ok(i) => path.push_index(i),
                Err(_) => path.push_owned_key(seg),
            }
        }
        path
    }

    #[test]
    fn a_packed_site_gives_back_the_site_it_was_made_from() {
        let packs = |site: Site| {
            let packed = PackedSite::new(site);
            assert_eq!(packed.site(), site);
            matches!(packed.0, Packed::Usual(_))
        };
        // Every place `Site::of` tells apart packs into 32-bit indices.
        for (dotted, class) in [
            ("name", ScopeClass::JobName),
            ("steps.3.name", ScopeClass::Template),
            ("steps.3.let.2", ScopeClass::Host),
            ("steps.3.script.let.1", ScopeClass::Host),
            ("steps.3.script.actions.onRun.args.0", ScopeClass::Host),
            ("steps.3.script.actions.onRun.timeout", ScopeClass::Timing),
            ("steps.3.bash.let.0", ScopeClass::Host),
            ("steps.3.bash.script", ScopeClass::Host),
            ("steps.3.stepEnvironments.2.script.let.4", ScopeClass::Host),
            (
                "steps.3.stepEnvironments.2.variables.X",
                ScopeClass::EnvVariables,
            ),
            ("jobEnvironments.5.script.let.0", ScopeClass::Host),
            (
                "jobEnvironments.5.script.actions.onWrapTaskRun.command",
                ScopeClass::Host,
            ),
            ("environment.script.let.7", ScopeClass::Host),
            (
                "environment.script.actions.onEnter.command",
                ScopeClass::Host,
            ),
        ] {
            let site = Site::of(&path(dotted), class);
            assert!(packs(site), "{dotted}: {site:?}");
        }
        // What does not fit is kept whole, and given back the same.
        let huge = Site::of(
            &path(&format!("steps.{}.let.0", usize::MAX)),
            ScopeClass::Host,
        );
        assert!(!packs(huge));
        let far = Site::of(
            &path(&format!("jobEnvironments.{}.script.let.0", u32::MAX)),
            ScopeClass::Host,
        );
        assert!(!packs(far));
        let elsewhere = Site {
            let_block: Some((LetBlock::Step(1), 0)),
            ..Site::of(&path("steps.2.let.0"), ScopeClass::Host)
        };
        assert!(!packs(elsewhere));
    }
}
