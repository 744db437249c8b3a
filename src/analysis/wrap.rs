//! RFC 0008 inside one template: which environments wrap, the
//! all-or-nothing rule, the actions-presence rule and the single wrap layer
//! per session. Wrap resolution across files builds on `wrappers_in`.

use crate::model::{ActionKind, Environment, Template};
use crate::schema::Extension;
use crate::syntax::Node;

use super::codes::Code;
use super::diagnostic::Diagnostic;
use super::extensions::ExtSet;
use super::path::Path;

pub fn check(t: &Template, root: &Node, exts: ExtSet, diags: &mut Vec<Diagnostic>) {
    for env in t.environments() {
        actions_rules(env, root, exts, diags);
    }
    single_layer(t, diags);
}

fn env_path(env: &Environment) -> Path {
    let mut p = Path::default();
    match env.loc {
        crate::model::EnvLoc::Job(i) => {
            p.push_key("jobEnvironments");
            p.push_index(i);
        }
        crate::model::EnvLoc::Step(s, i) => {
            p.push_key("steps");
            p.push_index(s);
            p.push_key("stepEnvironments");
            p.push_index(i);
        }
        crate::model::EnvLoc::Template => p.push_key("environment"),
    }
    p
}

fn actions_rules(env: &Environment, root: &Node, exts: ExtSet, diags: &mut Vec<Diagnostic>) {
    let Some(script) = &env.script else { return };
    let Some(actions_key) = &script.actions_key else {
        return;
    };
    let mut path = env_path(env);
    path.push_key("script");
    path.push_key("actions");
    let (actions_node, found) = path.resolve(root);
    if found != path.len() || actions_node.entries().is_none() {
        return;
    }
    let has = |key: &str| actions_node.get(key).is_some();
    let (hooks, missing): (Vec<ActionKind>, Vec<ActionKind>) =
        ActionKind::HOOKS.into_iter().partition(|h| has(h.key()));
    let keys = |list: &[ActionKind]| list.iter().map(|h| h.key()).collect::<Vec<_>>().join(", ");
    let wrap_on = exts.has(Extension::WrapActions);
    if wrap_on && !hooks.is_empty() && !missing.is_empty() {
        diags.push(Diagnostic::new(
            Code::WrapAllOrNothing,
            actions_key.clone(),
            format!(
                "Environment `{}` defines {} but not {}; an environment that defines any wrap hook must define all three",
                env.display_name(),
                keys(&hooks),
                keys(&missing)
            ),
        ).with_fix(super::diagnostic::Fix::AddWrapHooks(missing.clone())));
    }
    let enter_or_exit = has("onEnter") || has("onExit");
    let all_or_nothing_reported = wrap_on && !hooks.is_empty() && !missing.is_empty();
    let wrap_only = wrap_on && missing.is_empty();
    if !(enter_or_exit || wrap_only || all_or_nothing_reported) {
        let message = if wrap_on {
            "`actions` needs `onEnter` or `onExit`, or all three wrap hooks"
        } else {
            "`actions` needs `onEnter` or `onExit`"
        };
        diags.push(Diagnostic::new(
            Code::MissingKey,
            actions_key.clone(),
            message,
        ));
    }
}

/// The wrapping environments among `envs`.
pub(crate) fn wrappers_in<'t>(
    envs: impl IntoIterator<Item = &'t Environment>,
) -> Vec<&'t Environment> {
    envs.into_iter().filter(|e| e.is_wrapper()).collect()
}

fn layer_error(extra: &Environment, first: &Environment, context: &str) -> Diagnostic {
    let at = extra.name_span();
    let mut d = Diagnostic::new(
        Code::WrapSingleLayer,
        at,
        format!(
            "`{}` is a second wrapping environment in {context}; only one environment in a session may define wrap hooks (`{}` already does)",
            extra.display_name(),
            first.display_name()
        ),
    );
    if let Some(n) = &first.name {
        d = d.with_related(n.span.clone(), "the first wrapping environment");
    }
    d
}

fn single_layer(t: &Template, diags: &mut Vec<Diagnostic>) {
    let job_wrappers = wrappers_in(&t.job_environments);
    for extra in job_wrappers.iter().skip(1) {
        diags.push(layer_error(extra, job_wrappers[0], "the job environments"));
    }
    for step in &t.steps {
        let step_wrappers = wrappers_in(&step.environments);
        let first = job_wrappers
            .first()
            .copied()
            .or(step_wrappers.first().copied());
        let Some(first) = first else { continue };
        for extra in step_wrappers.iter().filter(|e| !std::ptr::eq(**e, first)) {
            diags.push(layer_error(
                extra,
                first,
                &format!("the session of step `{}`", step.display_name()),
            ));
        }
    }
}
