//! The session preview: every action of a session in the order the runtime
//! runs it (as `openjd run` does: the given environments outermost first,
//! the job environments, then each step in dependency order with its step
//! environments entered before its tasks and exited after them, and the
//! exits in reverse), with what runs instead of each (wrap resolution, from
//! `session::resolve`) and its exact argv (from `evaluate`). A session with
//! two wrapping environments is reported as the runtime treats it: refused
//! when it reaches the second, after running what comes before.

use std::collections::HashMap;
use std::path::PathBuf;

use openjd_expr::{ExprType, ExprValue};

use crate::model::{Action, ActionKind, ParamKind, TaskParamKind, Template};

use super::evaluate::{Evaluator, Field, Resolved, ResolvedCancelation, Scope, expand_simple};
use super::session::{self, External, Layer, Origin, Resolution, Target};

/// The default cap on tasks listed per step.
pub const DEFAULT_TASKS: usize = 100;

/// The largest cap on tasks listed per step a caller may ask for: each
/// listed task is an action of the preview, held and printed, so the cap
/// bounds its memory and output (about 1.5 KB per action).
pub const MAX_TASKS: usize = 10_000;

/// Tasks listed in one session, all steps together: past it, later steps
/// list fewer (and say how many they have), so a job of many large steps
/// stays bounded too.
pub const MAX_SESSION_TASKS: usize = 100_000;

/// One task: its parameters' names, kinds and values.
#[derive(Clone, Debug, Default)]
pub struct Task {
    pub params: Vec<(String, TaskParamKind, ExprValue)>,
}

/// The tasks of a step, at most the cap, and how many there are in all.
#[derive(Clone, Debug, Default)]
pub struct Tasks {
    pub listed: Vec<Task>,
    pub total: usize,
}

/// What the preview needs besides the templates: the values known before
/// the session starts.
pub struct Plan<'a> {
    pub externals: &'a [External<'a>],
    pub job: &'a Template,
    /// `Param.*`, `RawParam.*`, `Job.Name`.
    pub job_scope: Scope,
    /// Steps to run, by index into `job.steps`, in run order.
    pub steps: Vec<usize>,
    /// The tasks of each step, by step index; a step missing here runs
    /// one task with its parameters unknown.
    pub tasks: HashMap<usize, Tasks>,
    /// Job parameters that have no value.
    pub missing: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Queue,
    Job,
    Step,
}

impl Source {
    pub fn as_str(&self) -> &'static str {
        match self {
            Source::Queue => "queue",
            Source::Job => "job",
            Source::Step => "step",
        }
    }
}

/// What runs instead of an action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Runs {
    pub environment: String,
    pub hook: ActionKind,
}

/// One action of the session.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The environment or step the action belongs to.
    pub entity: String,
    pub source: Source,
    /// `onEnter`, `onExit` or `onRun`.
    pub action: &'static str,
    /// The step whose part of the session this is (step environments and tasks).
    pub step: Option<String>,
    /// The task's parameter values, as text.
    pub task: Option<Vec<(String, String)>>,
    pub runs: Option<Runs>,
    /// What the runtime executes: the action's argv, or the hook's with the
    /// action put in.
    pub argv: Vec<String>,
    /// For a wrapped action, its own argv (what the hook receives as
    /// `WrappedAction.Command` and `WrappedAction.Args`).
    pub wrapped: Option<Vec<String>>,
    /// The declared timeout of what runs; `Err` when not known statically.
    pub timeout: Result<Option<i64>, String>,
    pub cancelation: Option<ResolvedCancelation>,
    /// The file the action is written in (`None`: the job template).
    pub file: Option<PathBuf>,
    /// Byte offset of the action's key in that file.
    pub offset: usize,
    /// Why the runtime cannot run the command as resolved (a NUL in an
    /// argument or task parameter value: no process can receive one).
    pub error: Option<String>,
}

/// Why the runtime refuses the session.
#[derive(Clone, Debug, PartialEq)]
pub struct Refused {
    /// The second wrapping environment, which the runtime refuses to enter.
    pub environment: String,
    /// The wrapping environment entered before it.
    pub first: String,
    pub reason: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Preview {
    /// Expressions the evaluation budget stopped (shown as written).
    pub too_large: Vec<String>,
    /// Every action that runs, in order (up to and after a refusal: the
    /// exits of what was entered).
    pub actions: Vec<Entry>,
    pub refused: Option<Refused>,
    /// Step names in run order.
    pub steps: Vec<String>,
    /// Steps whose tasks were not all listed: (step, listed, total).
    pub truncated: Vec<(String, usize, usize)>,
    /// Job parameters without a value: the runtime needs one; the preview
    /// shows them as `{{Param.X}}` (task lists computed with a stand-in).
    pub missing: Vec<String>,
}

struct Entered<'a> {
    layer: Layer<'a>,
    scope: Scope,
    step: Option<String>,
}

struct Walk<'a> {
    ev: Evaluator,
    entered: Vec<Entered<'a>>,
    out: Preview,
    job_file: Option<PathBuf>,
}

fn source_of(origin: &Origin) -> Source {
    match origin {
        Origin::External { .. } => Source::Queue,
        Origin::Job(_) => Source::Job,
        Origin::Step(..) => Source::Step,
    }
}

impl<'a> Walk<'a> {
    fn stack(&self) -> Vec<Layer<'a>> {
        self.entered.iter().map(|e| e.layer.clone()).collect()
    }

    fn file_of(&self, origin: &Origin) -> Option<PathBuf> {
        match origin {
            Origin::External { file, .. } => file.clone(),
            _ => self.job_file.clone(),
        }
    }

    /// Run `action` (in `scope`) as the session would, appending its entry.
    #[allow(clippy::too_many_arguments)]
    fn run(
        &mut self,
        entity: &str,
        origin: &Origin,
        step: Option<&str>,
        task: Option<Vec<(String, String)>>,
        action: &Action,
        scope: &Scope,
        target: Target,
    ) {
        let stack = self.stack();
        let default_notify = if target == Target::Task { 120 } else { 30 };
        let own = self.ev.resolve(action, scope, default_notify);
        let kind = match target {
            Target::Task => "onRun",
            Target::Env { action, .. } => action.key(),
        };
        let mut entry = Entry {
            entity: entity.to_string(),
            source: source_of(origin),
            action: kind,
            step: step.map(str::to_string),
            task,
            runs: None,
            argv: own.argv.clone(),
            wrapped: None,
            timeout: own.timeout.clone(),
            cancelation: own.cancelation.clone(),
            file: self.file_of(origin),
            offset: action.key_span.start,
            error: None,
        };
        match session::resolve(&stack, target) {
            Resolution::Wrapped { wrapper, hook, .. } => {
                let Some(w) = self.entered.get(wrapper) else {
                    return;
                };
                let Some(hook_action) = w.layer.env.action(hook) else {
                    return;
                };
                let subject = match target {
                    Target::Task => step.unwrap_or(""),
                    Target::Env { .. } => entity,
                };
                let hook_scope = self.ev.hook_scope(&w.scope, hook, &own, subject);
                let ran: Resolved = self.ev.resolve(hook_action, &hook_scope, default_notify);
                entry.runs = Some(Runs {
                    environment: w.layer.env.display_name().to_string(),
                    hook,
                });
                entry.wrapped = Some(own.argv);
                entry.argv = ran.argv;
                entry.timeout = ran.timeout;
                entry.cancelation = ran.cancelation;
            }
            Resolution::NotWrapped(session::Reason::NoSuchAction) => return,
            Resolution::NotWrapped(_) => {}
            // The walk never holds two wrappers; nothing to run.
            Resolution::Refused(_) => return,
        }
        entry.error = nul_error(&entry);
        self.out.actions.push(entry);
    }

    /// Enter an environment; `false` when the runtime refuses it.
    fn enter(&mut self, layer: Layer<'a>, scope: Scope, step: Option<&str>) -> bool {
        if layer.env.is_wrapper()
            && let Some(first) = self.entered.iter().find(|e| e.layer.env.is_wrapper())
        {
            let mut stack = self.stack();
            let first_index = stack
                .iter()
                .position(|l| std::ptr::eq(l.env, first.layer.env))
                .unwrap_or(0);
            stack.push(layer.clone());
            let r = session::Refusal {
                first: first_index,
                second: stack.len() - 1,
            };
            self.out.refused = Some(Refused {
                environment: layer.env.display_name().to_string(),
                first: first.layer.env.display_name().to_string(),
                reason: r.explain(&stack),
            });
            return false;
        }
        let mut scope = scope;
        if let Some(sc) = &layer.env.script {
            self.ev.lets(&sc.lets, &mut scope);
        }
        self.entered.push(Entered {
            layer: layer.clone(),
            scope: scope.clone(),
            step: step.map(str::to_string),
        });
        if let Some(a) = layer.env.action(ActionKind::OnEnter) {
            let index = self.entered.len() - 1;
            self.run(
                layer.env.display_name(),
                &layer.origin,
                step,
                None,
                a,
                &scope,
                Target::Env {
                    layer: index,
                    action: ActionKind::OnEnter,
                },
            );
        }
        true
    }

    /// Exit the innermost environments down to `keep` entered ones.
    fn exit_to(&mut self, keep: usize) {
        while self.entered.len() > keep {
            let index = self.entered.len() - 1;
            let (layer, scope, step) = {
                let e = &self.entered[index];
                (e.layer.clone(), e.scope.clone(), e.step.clone())
            };
            if let Some(a) = layer.env.action(ActionKind::OnExit) {
                self.run(
                    layer.env.display_name(),
                    &layer.origin,
                    step.as_deref(),
                    None,
                    a,
                    &scope,
                    Target::Env {
                        layer: index,
                        action: ActionKind::OnExit,
                    },
                );
            }
            self.entered.pop();
        }
    }
}

/// Where an action holds a NUL, which the runtime cannot pass to a
/// process (arguments and environment values are C strings).
fn nul_error(entry: &Entry) -> Option<String> {
    let task_value = entry
        .task
        .iter()
        .flatten()
        .find(|(_, v)| v.contains('\0'))
        .map(|(name, _)| format!("the value of task parameter `{name}` holds a NUL character"));
    let argument = entry.argv.iter().position(|w| w.contains('\0')).map(|i| {
        if i == 0 {
            "the command holds a NUL character".to_string()
        } else {
            format!("argument {i} holds a NUL character")
        }
    });
    let what = task_value.or(argument)?;
    Some(format!(
        "{what}; a process cannot receive one, so the runtime cannot run this action"
    ))
}

/// The scope of a step: the job's values, `Step.Name` and the step's `let`s.
fn step_scope(ev: &Evaluator, job_scope: &Scope, t: &Template, step: usize) -> Scope {
    let mut scope = job_scope.clone();
    if let Some(s) = t.steps.get(step) {
        scope.set("Step.Name", ExprValue::String(s.display_name().to_string()));
        ev.lets(&s.lets, &mut scope);
    }
    scope
}

fn task_scope(step_scope: &Scope, task: &Task) -> Scope {
    let mut scope = step_scope.clone();
    for (name, kind, value) in &task.params {
        let raw = match value {
            ExprValue::Path { value, .. } => ExprValue::String(value.clone()),
            v => v.clone(),
        };
        let mapped = match (kind, value) {
            (TaskParamKind::Path, ExprValue::String(s)) => {
                ExprValue::new_path(s.clone(), openjd_expr::path_mapping::PathFormat::Posix)
            }
            (_, v) => v.clone(),
        };
        scope.set(&format!("Task.Param.{name}"), mapped);
        scope.set(&format!("Task.RawParam.{name}"), raw);
    }
    scope
}

/// Preview the session that runs `plan.steps` of the job.
pub fn preview(plan: &Plan<'_>, job_file: Option<PathBuf>) -> Preview {
    let t = plan.job;
    let mut walk = Walk {
        ev: Evaluator::new(),
        entered: Vec::new(),
        out: Preview::default(),
        job_file,
    };
    walk.out.missing = plan.missing.clone();
    walk.out.steps = plan
        .steps
        .iter()
        .filter_map(|s| t.steps.get(*s))
        .map(|s| s.display_name().to_string())
        .collect();
    let mut go = true;
    for (index, e) in plan.externals.iter().enumerate() {
        let layer = Layer {
            origin: Origin::External {
                index,
                file: e.file.clone(),
            },
            env: e.env,
        };
        if !walk.enter(layer, plan.job_scope.clone(), None) {
            go = false;
            break;
        }
    }
    if go {
        for (i, env) in t.job_environments.iter().enumerate() {
            let layer = Layer {
                origin: Origin::Job(i),
                env,
            };
            if !walk.enter(layer, plan.job_scope.clone(), None) {
                go = false;
                break;
            }
        }
    }
    if go {
        for &s in &plan.steps {
            let Some(step) = t.steps.get(s) else { continue };
            let name = step.display_name();
            let scope = step_scope(&walk.ev, &plan.job_scope, t, s);
            let keep = walk.entered.len();
            for (i, env) in step.environments.iter().enumerate() {
                let layer = Layer {
                    origin: Origin::Step(s, i),
                    env,
                };
                if !walk.enter(layer, scope.clone(), Some(name)) {
                    go = false;
                    break;
                }
            }
            if go {
                let one = Tasks {
                    listed: vec![Task::default()],
                    total: 1,
                };
                let tasks = plan.tasks.get(&s).unwrap_or(&one);
                if tasks.listed.len() < tasks.total {
                    walk.out
                        .truncated
                        .push((name.to_string(), tasks.listed.len(), tasks.total));
                }
                let simple = step.simple.as_ref().map(|sa| expand_simple(step, sa));
                let lets = match (&step.script, &step.simple) {
                    (Some(sc), _) => &sc.lets[..],
                    (None, Some(sa)) => &sa.lets[..],
                    _ => &[],
                };
                let action = step
                    .script
                    .as_ref()
                    .and_then(|sc| sc.action(ActionKind::OnRun))
                    .or(simple.as_ref());
                if let Some(action) = action {
                    for task in &tasks.listed {
                        let mut ts = task_scope(&scope, task);
                        walk.ev.lets(lets, &mut ts);
                        let values = (!task.params.is_empty()).then(|| {
                            task.params
                                .iter()
                                .map(|(n, _, v)| (n.clone(), v.to_display_string()))
                                .collect()
                        });
                        walk.run(
                            name,
                            &Origin::Step(s, usize::MAX),
                            Some(name),
                            values,
                            action,
                            &ts,
                            Target::Task,
                        );
                    }
                }
            }
            walk.exit_to(keep);
            if !go {
                break;
            }
        }
    }
    walk.exit_to(0);
    walk.out.too_large = walk.ev.too_large();
    walk.out
}

/// The first expression of the job (or of the environment templates
/// `envs`) that needs more than the preview's evaluation budget with the
/// values given. The reference model evaluates a template's expressions
/// when it reads the template and creates the job, with the runtime's own
/// limits (10,000,000 operations and 100 MB per expression: seconds and
/// gigabytes for a few such expressions), so a job holding one is not
/// instantiated: every format string is tried here first, each in the
/// scope of its step.
pub fn too_large_to_instantiate(
    job: &Template,
    job_tree: Option<&crate::syntax::Node>,
    envs: &[&crate::syntax::Node],
    given: &[(String, Given)],
) -> Option<String> {
    let ev = Evaluator::new();
    let job_scope = super::evaluate::given_scope(&ev, job, given);
    let env_lets = |envs: &[crate::model::Environment], scope: &Scope| {
        for env in envs {
            if let Some(sc) = &env.script {
                ev.lets(&sc.lets, &mut scope.clone());
            }
        }
    };
    env_lets(&job.job_environments, &job_scope);
    let mut step_scopes = Vec::new();
    for (i, step) in job.steps.iter().enumerate() {
        let scope = step_scope(&ev, &job_scope, job, i);
        env_lets(&step.environments, &scope);
        for lets in [
            step.script.as_ref().map(|sc| &sc.lets),
            step.simple.as_ref().map(|sa| &sa.lets),
        ]
        .into_iter()
        .flatten()
        {
            ev.lets(lets, &mut scope.clone());
        }
        step_scopes.push((step.span.clone(), scope));
        if let Some(e) = ev.too_large().into_iter().next() {
            return Some(e);
        }
    }
    let trees = job_tree.into_iter().chain(envs.iter().copied());
    let mut pending: Vec<&crate::syntax::Node> = trees.collect();
    while let Some(node) = pending.pop() {
        match &node.kind {
            crate::syntax::NodeKind::Scalar(s) if s.value.contains("{{") => {
                let scope = step_scopes
                    .iter()
                    .find(|(span, _)| span.contains(&node.span.start))
                    .map_or(&job_scope, |(_, scope)| scope);
                ev.field(&s.value, scope);
                if let Some(e) = ev.too_large().into_iter().next() {
                    return Some(e);
                }
            }
            crate::syntax::NodeKind::Scalar(_) => {}
            crate::syntax::NodeKind::Mapping(entries) => {
                pending.extend(entries.iter().map(|e| &e.value))
            }
            crate::syntax::NodeKind::Sequence(items) => pending.extend(items),
        }
    }
    None
}

/// The values and task lists the runtime would compute before the session
/// starts, from the reference model (`openjd-model`, the engine behind the
/// runtime's own job creation): parameter values checked and typed with
/// defaults filled in, `Job.Name`, the steps in dependency order and each
/// step's tasks in parameter-space order.
pub struct Instance {
    pub job_scope: Scope,
    /// Step names in run order.
    pub order: Vec<String>,
    /// Tasks by step name.
    pub tasks: HashMap<String, Tasks>,
    /// Parameters without a value, shown as `{{Param.X}}`.
    pub missing: Vec<String>,
}

/// A parameter value as given (`-p NAME=VALUE`, a values file).
#[derive(Clone, Debug, PartialEq)]
pub enum Given {
    Text(String),
    /// A list or other structured value, as JSON.
    Json(serde_json::Value),
}

impl Given {
    /// As text, the way `-p NAME=VALUE` gives it: a string as it is,
    /// anything else (a number, a list) as JSON.
    pub(crate) fn as_text(&self) -> String {
        match self {
            Given::Text(s) | Given::Json(serde_json::Value::String(s)) => s.clone(),
            Given::Json(v) => v.to_string(),
        }
    }
}

fn json_to_expr(v: &serde_json::Value) -> ExprValue {
    match v {
        serde_json::Value::String(s) => ExprValue::String(s.clone()),
        serde_json::Value::Bool(b) => ExprValue::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => ExprValue::Int(i),
            None => ExprValue::String(n.to_string()),
        },
        serde_json::Value::Array(items) => {
            let values: Vec<ExprValue> = items.iter().map(json_to_expr).collect();
            let ty = match values.first() {
                Some(ExprValue::Int(_)) => ExprType::INT,
                Some(ExprValue::Bool(_)) => ExprType::BOOL,
                _ => ExprType::STRING,
            };
            ExprValue::make_list(values, ty).unwrap_or(ExprValue::String(v.to_string()))
        }
        _ => ExprValue::String(v.to_string()),
    }
}

/// Instantiate the job as the runtime would. `job` and `envs` are the
/// documents' texts (and whether each is JSON), `job_tree` our tree of the
/// job when its analysis is at hand; `template_dir` is the job template's
/// folder (relative PATH defaults are joined to it).
pub fn instantiate(
    job: (&str, bool),
    job_tree: Option<&crate::syntax::Node>,
    envs: &[(&str, bool)],
    given: &[(String, Given)],
    template_dir: &str,
    cwd: &str,
    max_tasks: usize,
) -> Result<Instance, String> {
    use openjd_model::{
        CallerLimits, DocumentType, ModelExtension, PathParameterOptions, SpecificationRevision,
        StepDependencyGraph, StepParameterSpaceIterator, ValidationContext,
    };
    // The runtime's parsers of expressions and combinations descend once
    // per level; nesting they would run out of stack on is refused first.
    for (text, what) in std::iter::once((job.0, "the job template"))
        .chain(envs.iter().map(|(t, _)| (*t, "an environment template")))
    {
        let levels = crate::syntax::nesting::document_nesting(text);
        if levels > crate::syntax::nesting::MAX_NESTING {
            return Err(format!(
                "{what} nests an expression or combination {levels} levels deep; past {} it is not previewed",
                crate::syntax::nesting::MAX_NESTING
            ));
        }
    }
    let limits = CallerLimits::default();
    let all: Vec<&str> = ModelExtension::ALL.iter().map(|e| e.as_str()).collect();
    let doc = |(text, json): (&str, bool)| {
        let ty = if json {
            DocumentType::Json
        } else {
            DocumentType::Yaml
        };
        openjd_model::template::parse::document_string_to_object(text, ty, &limits)
            .map_err(|e| e.to_string())
    };
    // Our tree stands in for the reference's own parse where it transcribes
    // the text plainly (as for the reference validator).
    let job_doc = match job_tree
        .filter(|_| !job.1)
        .and_then(super::tree_value::convert)
    {
        Some(v) => v,
        None => doc(job)?,
    };
    let template = openjd_model::decode_job_template(job_doc, Some(&all), &limits)
        .map_err(|e| format!("the job template is not valid: {e}"))?;
    let mut env_templates = Vec::new();
    for e in envs {
        env_templates.push(
            openjd_model::decode_environment_template(doc(*e)?, Some(&all))
                .map_err(|e| format!("an environment template is not valid: {e}"))?,
        );
    }
    let inputs: openjd_model::JobParameterInputValues = given
        .iter()
        .map(|(n, v)| {
            let value = match v {
                Given::Text(s) => ExprValue::String(s.clone()),
                Given::Json(j) => json_to_expr(j),
            };
            (n.clone(), value)
        })
        .collect();
    let mut options = PathParameterOptions::new(template_dir, cwd);
    options.path_format = openjd_expr::path_mapping::PathFormat::Posix;
    // A parameter with neither a default nor a value: the runtime refuses
    // the job, but the preview is still worth having, so such a parameter
    // gets a stand-in of its type here and stays `{{Param.X}}` below.
    let mut inputs = inputs;
    let mut missing = Vec::new();
    for p in openjd_model::merge_job_parameter_definitions(&template, &env_templates)
        .map_err(|e| format!("parameter definitions: {e}"))?
    {
        if p.default.is_some() || inputs.contains_key(&p.name) {
            continue;
        }
        let stand_in = match p.param_type.to_string().to_ascii_uppercase().as_str() {
            "INT" | "FLOAT" => "1",
            "BOOL" => "false",
            "PATH" => "/stand-in",
            t if t.starts_with("LIST") => "[]",
            _ => "stand-in",
        };
        inputs.insert(p.name.clone(), ExprValue::String(stand_in.to_string()));
        missing.push(p.name);
    }
    let values =
        openjd_model::preprocess_job_parameters(&template, &inputs, &env_templates, &options)
            .map_err(|e| format!("parameter values: {e}"))?;
    let mut extensions = openjd_model::Extensions::new();
    let declared = template
        .extensions
        .iter()
        .flatten()
        .map(|e| e.as_str().to_string())
        .chain(env_templates.iter().flat_map(|t| {
            t.extensions
                .iter()
                .flatten()
                .map(|e| e.as_str().to_string())
        }));
    for name in declared {
        if let Ok(e) = name.parse::<ModelExtension>() {
            extensions.insert(e);
        }
    }
    let ctx = ValidationContext::with_extensions(SpecificationRevision::V2023_09, extensions);
    let created = openjd_model::create_job(&template, &values, &ctx)
        .map_err(|e| format!("the job cannot be created: {e}"))?;
    let mut job_scope = Scope::new();
    let mut names: Vec<&String> = values.keys().collect();
    names.sort();
    let typed: Vec<(&str, ParamKind, &ExprValue)> = names
        .iter()
        .filter_map(|n| {
            let pv = values.get(*n)?;
            Some((
                n.as_str(),
                ParamKind::from_type_name(&pv.param_type.to_string()),
                &pv.value,
            ))
        })
        .collect();
    job_scope.with_parameters(typed);
    for name in &missing {
        for ns in ["Param", "RawParam"] {
            job_scope.set(
                &format!("{ns}.{name}"),
                ExprValue::unresolved(ExprType::ANY),
            );
        }
    }
    if missing.is_empty() {
        job_scope.set("Job.Name", ExprValue::String(created.name.clone()));
    }
    let order: Vec<String> = StepDependencyGraph::new(&created)
        .and_then(|g| g.topo_sorted())
        .map_err(|e| format!("step dependencies: {e}"))?
        .into_iter()
        .filter_map(|i| created.steps.get(i).map(|s| s.name.clone()))
        .collect();
    let mut tasks = HashMap::new();
    let mut session_left = MAX_SESSION_TASKS;
    let in_run_order = order
        .iter()
        .filter_map(|name| created.steps.iter().find(|s| s.name == *name));
    for s in in_run_order {
        let Some(space) = &s.parameter_space else {
            continue;
        };
        let it = StepParameterSpaceIterator::new(space)
            .map_err(|e| format!("step `{}`: {e}", s.name))?;
        let total = it.len();
        let cap = max_tasks.min(MAX_TASKS).min(session_left);
        session_left -= cap.min(total);
        // What is reserved follows the cap, never the parameter space's
        // own length (which can be near `u64::MAX`).
        let listed: Vec<Task> = it
            .take(cap)
            .map(|set| Task {
                params: set
                    .into_iter()
                    .map(|(n, v)| {
                        let kind = match v.param_type.to_string().to_ascii_uppercase().as_str() {
                            "INT" => TaskParamKind::Int,
                            "FLOAT" => TaskParamKind::Float,
                            "STRING" => TaskParamKind::String,
                            "PATH" => TaskParamKind::Path,
                            "CHUNK[INT]" => TaskParamKind::ChunkInt,
                            _ => TaskParamKind::Unknown,
                        };
                        (n, kind, v.value)
                    })
                    .collect(),
            })
            .collect();
        tasks.insert(s.name.clone(), Tasks { listed, total });
    }
    Ok(Instance {
        job_scope,
        order,
        tasks,
        missing,
    })
}

/// A plan from an instance: the steps named in `only` (all when empty), in
/// run order.
pub fn plan<'a>(
    externals: &'a [External<'a>],
    job: &'a Template,
    instance: &Instance,
    only: &[String],
) -> Plan<'a> {
    let index = |name: &str| job.steps.iter().position(|s| s.display_name() == name);
    let steps: Vec<usize> = instance
        .order
        .iter()
        .filter(|n| only.is_empty() || only.contains(n))
        .filter_map(|n| index(n))
        .collect();
    // Each task's values in the order the step defines its parameters.
    let tasks = instance
        .tasks
        .iter()
        .filter_map(|(n, t)| {
            let i = index(n)?;
            let defined = &job.steps[i].task_parameters;
            let rank = |name: &str| defined.iter().position(|p| p.name.value == name);
            let mut t = t.clone();
            for task in &mut t.listed {
                task.params.sort_by_key(|(name, _, _)| rank(name));
            }
            Some((i, t))
        })
        .collect();
    Plan {
        externals,
        job,
        job_scope: instance.job_scope.clone(),
        steps,
        tasks,
        missing: instance.missing.clone(),
    }
}

/// Mode text of a resolved cancelation.
pub(crate) fn mode_text(c: &ResolvedCancelation) -> String {
    match &c.mode {
        Field::Known(v) => v.to_display_string(),
        Field::Partial(s) => s.clone(),
    }
}
