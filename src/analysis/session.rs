//! Session stacks and wrap resolution: for a step of a job, the stack of
//! environments its session enters (external ones first, then the job's,
//! then the step's), and for any action in that stack, which environment's
//! hook runs instead of it — or why none does. This is the one place that
//! answers "who wraps this"; hover, hints, diagnostics and the CLI ask it.

use std::path::PathBuf;

use crate::model::{ActionKind, EnvLoc, Environment, Template};

/// Where an environment of a session comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// An environment template applied outside the job (a queue
    /// environment), with its position in the configured order.
    External {
        index: usize,
        file: Option<PathBuf>,
    },
    Job(usize),
    Step(usize, usize),
}

impl Origin {
    pub(crate) fn describe(&self) -> &'static str {
        match self {
            Origin::External { .. } => "queue environment",
            Origin::Job(_) => "job environment",
            Origin::Step(..) => "step environment",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Layer<'a> {
    pub origin: Origin,
    pub env: &'a Environment,
}

/// An environment template supplied from outside the job.
#[derive(Clone, Debug)]
pub struct External<'a> {
    pub file: Option<PathBuf>,
    pub env: &'a Environment,
}

/// Environments supplied from outside the job as the outer layers of a
/// session, in their order.
pub(crate) fn external_layers<'a>(externals: &[External<'a>]) -> Vec<Layer<'a>> {
    externals
        .iter()
        .enumerate()
        .map(|(index, e)| Layer {
            origin: Origin::External {
                index,
                file: e.file.clone(),
            },
            env: e.env,
        })
        .collect()
}

/// The environments of the session that runs step `step`, outermost first.
pub fn stack<'a>(externals: &[External<'a>], job: &'a Template, step: usize) -> Vec<Layer<'a>> {
    let mut layers = external_layers(externals);
    layers.extend(
        job.job_environments
            .iter()
            .enumerate()
            .map(|(i, env)| Layer {
                origin: Origin::Job(i),
                env,
            }),
    );
    if let Some(s) = job.steps.get(step) {
        layers.extend(s.environments.iter().enumerate().map(|(i, env)| Layer {
            origin: Origin::Step(step, i),
            env,
        }));
    }
    layers
}

/// The action being asked about: an environment's enter or exit, or a task's run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// `onEnter`/`onExit` (or a hook) of the layer at this index of the stack.
    Env { layer: usize, action: ActionKind },
    /// The step's task action (`onRun` or a shorthand).
    Task,
}

#[derive(Clone, Debug)]
pub enum Resolution<'a> {
    /// `hook` of the layer `wrapper` runs instead of the action.
    Wrapped {
        wrapper: usize,
        hook: ActionKind,
        layer: &'a Layer<'a>,
    },
    /// Nothing replaces the action, and why.
    NotWrapped(Reason),
    /// The action never runs: the runtime refuses the session before it.
    Refused(Refusal),
}

/// A session with a second wrapping environment: the runtime enters the
/// environments before it as usual (the first wrapper wrapping what comes
/// after it), refuses to enter the second, and exits what it entered in
/// reverse order. Nothing after the refusal runs: no task, no later
/// environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The stack index of the wrapping environment entered first.
    pub first: usize,
    /// The stack index of the wrapping environment the runtime refuses.
    pub second: usize,
}

impl Refusal {
    pub(crate) fn explain(&self, stack: &[Layer<'_>]) -> String {
        let name = |i: usize| stack.get(i).map_or("?", |l| l.env.display_name());
        let origin = |i: usize| stack.get(i).map_or("?", |l| l.origin.describe());
        format!(
            "The runtime refuses this session: `{}` ({}) is a second wrapping environment after `{}` ({}), and a session may have only one. It enters the environments before `{}`, refuses at `{}`, and exits what it entered; no task runs.",
            name(self.second),
            origin(self.second),
            name(self.first),
            origin(self.first),
            name(self.second),
            name(self.second),
        )
    }
}

/// Where the runtime refuses this stack, if it does.
pub fn refusal(stack: &[Layer<'_>]) -> Option<Refusal> {
    let w = wrappers(stack);
    match w.as_slice() {
        [first, second, ..] => Some(Refusal {
            first: *first,
            second: *second,
        }),
        _ => None,
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// No environment of this session defines wrap hooks.
    NoWrapper,
    /// The wrapping environment comes after this one in the stack (it is
    /// entered later and exited earlier), so it cannot wrap it.
    WrapperIsInner { wrapper: usize },
    /// The wrapping environment's own actions are never wrapped.
    OwnAction,
    /// The action is itself a wrap hook.
    IsHook,
    /// The environment does not define this action, so nothing runs.
    NoSuchAction,
}

impl Reason {
    pub(crate) fn explain(&self, stack: &[Layer<'_>]) -> String {
        match self {
            Reason::NoWrapper => {
                "No environment in this session defines wrap hooks, so it runs as written.".into()
            }
            Reason::WrapperIsInner { wrapper } => format!(
                "Runs as written: the wrapping environment `{}` comes later in the session, and a wrapper only wraps what is entered after it.",
                stack.get(*wrapper).map_or("?", |l| l.env.display_name())
            ),
            Reason::OwnAction => {
                "Runs as written: a wrapping environment's own onEnter/onExit are never wrapped."
                    .into()
            }
            Reason::IsHook => "This is a wrap hook; it runs in place of other actions.".into(),
            Reason::NoSuchAction => {
                "The environment does not define this action, so no hook runs for it.".into()
            }
        }
    }
}

/// The layers that define wrap hooks.
pub fn wrappers(stack: &[Layer<'_>]) -> Vec<usize> {
    stack
        .iter()
        .enumerate()
        .filter(|(_, l)| l.env.is_wrapper())
        .map(|(i, _)| i)
        .collect()
}

/// Who runs instead of `target` in this session (RFC 0008 §3.2). In a
/// session the runtime refuses, what comes before the refusal is answered
/// as the runtime runs it, and the rest is `Refused`.
pub fn resolve<'a>(stack: &'a [Layer<'a>], target: Target) -> Resolution<'a> {
    if let Some(r) = refusal(stack) {
        return match target {
            Target::Env { layer, action } if layer < r.second => {
                resolve(&stack[..r.second], Target::Env { layer, action })
            }
            Target::Env { layer, action }
                if stack
                    .get(layer)
                    .and_then(|l| l.env.action(action))
                    .is_none() =>
            {
                Resolution::NotWrapped(Reason::NoSuchAction)
            }
            _ => Resolution::Refused(r),
        };
    }
    let Some(&wrapper) = wrappers(stack).last() else {
        return Resolution::NotWrapped(Reason::NoWrapper);
    };
    match target {
        Target::Task => Resolution::Wrapped {
            wrapper,
            hook: ActionKind::OnWrapTaskRun,
            layer: &stack[wrapper],
        },
        Target::Env { layer, action } => {
            if action.is_hook() {
                return Resolution::NotWrapped(Reason::IsHook);
            }
            let hook = match action {
                ActionKind::OnEnter => ActionKind::OnWrapEnvEnter,
                ActionKind::OnExit => ActionKind::OnWrapEnvExit,
                _ => return Resolution::NotWrapped(Reason::NoSuchAction),
            };
            if stack
                .get(layer)
                .and_then(|l| l.env.action(action))
                .is_none()
            {
                return Resolution::NotWrapped(Reason::NoSuchAction);
            }
            if layer == wrapper {
                Resolution::NotWrapped(Reason::OwnAction)
            } else if layer < wrapper {
                Resolution::NotWrapped(Reason::WrapperIsInner { wrapper })
            } else {
                Resolution::Wrapped {
                    wrapper,
                    hook,
                    layer: &stack[wrapper],
                }
            }
        }
    }
}

/// The stack index of the environment at `loc` of the job.
pub(crate) fn layer_of(stack: &[Layer<'_>], loc: EnvLoc) -> Option<usize> {
    stack.iter().position(|l| match (loc, &l.origin) {
        (EnvLoc::Job(i), Origin::Job(j)) => i == *j,
        (EnvLoc::Step(s, i), Origin::Step(t, j)) => s == *t && i == *j,
        _ => false,
    })
}

/// A session with more than one wrapping environment: the extra wrapper and
/// the one before it, by stack index, for each step whose session has them.
pub fn layer_conflicts(externals: &[External<'_>], job: &Template) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let steps = job.steps.len().max(1);
    for step in 0..steps {
        let s = stack(externals, job, step);
        let w = wrappers(&s);
        for pair in w.windows(2) {
            let conflict = (step, pair[0], pair[1]);
            out.push(conflict);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Options, analyze};

    fn template(text: &str) -> Template {
        let template = analyze(text, &Options::own()).template.expect("a template");
        std::sync::Arc::unwrap_or_clone(template)
    }

    const WRAPPER_ENV: &str = "specificationVersion: environment-2023-09
extensions: [WRAP_ACTIONS, EXPR]
environment:
  name: Docker
  script:
    actions:
      onEnter: {command: start}
      onWrapEnvEnter: {command: x}
      onWrapTaskRun: {command: x}
      onWrapEnvExit: {command: x}
      onExit: {command: stop}
";

    const JOB: &str = "specificationVersion: jobtemplate-2023-09
extensions: [WRAP_ACTIONS, EXPR]
name: J
jobEnvironments:
  - name: Outer
    script:
      actions:
        onEnter: {command: a}
        onExit: {command: b}
  - name: Mid
    script:
      actions:
        onEnter: {command: a}
        onWrapEnvEnter: {command: x}
        onWrapTaskRun: {command: x}
        onWrapEnvExit: {command: x}
        onExit: {command: b}
  - name: Vars
    variables: {A: b}
steps:
  - name: S
    stepEnvironments:
      - name: Inner
        script:
          actions:
            onEnter: {command: c}
    script:
      actions:
        onRun: {command: run}
";

    #[test]
    fn every_row_of_the_resolution_table() {
        let job = template(JOB);
        let s = stack(&[], &job, 0);
        assert_eq!(s.len(), 4);
        let at = |layer, action| resolve(&s, Target::Env { layer, action });
        // Outer (before the wrapper): not wrapped.
        assert!(matches!(
            at(0, ActionKind::OnEnter),
            Resolution::NotWrapped(Reason::WrapperIsInner { wrapper: 1 })
        ));
        // The wrapper's own actions: not wrapped.
        assert!(matches!(
            at(1, ActionKind::OnEnter),
            Resolution::NotWrapped(Reason::OwnAction)
        ));
        assert!(matches!(
            at(1, ActionKind::OnExit),
            Resolution::NotWrapped(Reason::OwnAction)
        ));
        // Variables-only environment: nothing to wrap.
        assert!(matches!(
            at(2, ActionKind::OnEnter),
            Resolution::NotWrapped(Reason::NoSuchAction)
        ));
        // Inner step environment in a later tier: wrapped.
        assert!(matches!(
            at(3, ActionKind::OnEnter),
            Resolution::Wrapped {
                wrapper: 1,
                hook: ActionKind::OnWrapEnvEnter,
                ..
            }
        ));
        // No onExit: no onWrapEnvExit runs for it.
        assert!(matches!(
            at(3, ActionKind::OnExit),
            Resolution::NotWrapped(Reason::NoSuchAction)
        ));
        // Tasks: wrapped by onWrapTaskRun.
        assert!(matches!(
            resolve(&s, Target::Task),
            Resolution::Wrapped {
                wrapper: 1,
                hook: ActionKind::OnWrapTaskRun,
                ..
            }
        ));
    }

    #[test]
    fn external_wrapper_wraps_job_environments_and_conflicts_with_a_second() {
        let env = template(WRAPPER_ENV);
        let job = template(JOB);
        let externals = [External {
            file: None,
            env: env.environment.as_ref().expect("environment"),
        }];
        let s = stack(&externals, &job, 0);
        assert_eq!(s[0].origin.describe(), "queue environment");
        let conflicts = layer_conflicts(&externals, &job);
        assert_eq!(conflicts, vec![(0, 0, 2)]);
        let plain = template(
            &JOB.replace("onWrapEnvEnter: {command: x}", "")
                .replace("onWrapTaskRun: {command: x}", "")
                .replace("onWrapEnvExit: {command: x}", ""),
        );
        let s = stack(&externals, &plain, 0);
        assert!(matches!(
            resolve(
                &s,
                Target::Env {
                    layer: 1,
                    action: ActionKind::OnEnter
                }
            ),
            Resolution::Wrapped {
                wrapper: 0,
                hook: ActionKind::OnWrapEnvEnter,
                ..
            }
        ));
        assert!(layer_conflicts(&externals, &plain).is_empty());
    }
}
