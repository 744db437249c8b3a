//! "What actually runs here, and where?": for an action, the environment
//! whose hook runs instead of it (which hook, which file and line, the
//! whole session stack, the effective command line) or why nothing does;
//! for a hook, every action it replaces. All answers come from
//! `analysis::session::resolve`.

use std::path::{Path, PathBuf};

use crate::analysis::Analysis;
use crate::analysis::evaluate::{self, Evaluator, Scope};
use crate::analysis::preview;
use crate::analysis::session::{self, External, Layer, Origin, Reason, Resolution, Target};
use crate::model::{Action, ActionKind, EnvLoc, Template, TemplateKind};
use crate::syntax::Span;
use crate::workspace::{Queue, Workspace};

use super::hover::Hover;

/// The action whose key is at the cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Owner {
    Step(usize),
    Env(EnvLoc),
}

pub(crate) fn action_at(t: &Template, offset: usize) -> Option<(Owner, &Action)> {
    let hit = |a: &Action| a.key_span.start <= offset && offset <= a.key_span.end;
    for s in &t.steps {
        if let Some(a) = s.task_action().filter(|a| hit(a)) {
            return Some((Owner::Step(s.index), a));
        }
    }
    for env in t.environments() {
        if let Some(a) = env
            .script
            .as_ref()
            .and_then(|sc| sc.actions.iter().find(|a| hit(a)))
        {
            return Some((Owner::Env(env.loc), a));
        }
    }
    None
}

/// How a file is named in hover: relative to the workspace folder that
/// holds it, else in full.
fn display_path(path: &Path, ws: &Workspace) -> String {
    ws.roots
        .iter()
        .find_map(|r| path.strip_prefix(r).ok())
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(path)
        .display()
        .to_string()
}

fn file_uri(path: &Path) -> String {
    let mut uri = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri
}

fn file_link(path: &Path, line: usize, ws: &Workspace) -> String {
    // A template embedded in CloudFormation is `host#LogicalId`: named so,
    // linked to its host file.
    let (file, id) = crate::workspace::split_fragment(path);
    let name = match id {
        Some(id) => format!("{}#{id}", display_path(file, ws)),
        None => display_path(file, ws),
    };
    format!("[{name}:{line}]({}#L{line})", file_uri(file))
}

/// Where a layer of a stack is defined, as a link.
fn layer_link(
    layer: &Layer<'_>,
    here: Option<&Path>,
    analysis: &Analysis,
    ws: &Workspace,
) -> String {
    let at = layer.env.name_span().start;
    match &layer.origin {
        Origin::External { file: Some(f), .. } => file_link(f, ws.line(f, at).unwrap_or(1), ws),
        _ => {
            let line = analysis.line_index.line_of(at) + 1;
            match here {
                Some(p) => file_link(p, line, ws),
                None => format!("line {line}"),
            }
        }
    }
}

fn quote(s: &str) -> String {
    format!("`{}`", s.replace('`', "'"))
}

/// Inline code that may itself hold backticks.
fn code(s: &str) -> String {
    if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
}

/// The values of the session known before it starts, as hover sees them:
/// those of the job bundle's parameter values file, else the defaults
/// written in the templates (the session preview's inputs, less `-p`).
struct Scopes<'a> {
    ev: Evaluator,
    job: &'a Template,
    job_scope: Scope,
    ws: &'a Workspace,
    given: Vec<(String, preview::Given)>,
}

impl<'a> Scopes<'a> {
    fn new(job: &'a Template, here: Option<&Path>, ws: &'a Workspace) -> Scopes<'a> {
        let ev = Evaluator::new();
        let given = here
            .map(crate::workspace::preview::bundle_given)
            .unwrap_or_default();
        let job_scope = evaluate::given_scope(&ev, job, &given);
        Scopes {
            ev,
            job,
            job_scope,
            ws,
            given,
        }
    }

    fn step(&self, step: usize) -> Scope {
        let mut scope = self.job_scope.clone();
        if let Some(s) = self.job.steps.get(step) {
            scope.set(
                "Step.Name",
                openjd_expr::ExprValue::String(s.display_name().to_string()),
            );
            self.ev.lets(&s.lets, &mut scope);
        }
        scope
    }

    /// The scope of an environment's actions (and hooks).
    fn layer(&self, layer: &Layer<'_>) -> Scope {
        let mut scope = match &layer.origin {
            Origin::Step(s, _) => self.step(*s),
            Origin::External { file, .. } => {
                let mut scope = self.job_scope.clone();
                if let Some(t) = file
                    .as_ref()
                    .and_then(|f| self.ws.files.get(f))
                    .and_then(|ix| ix.template.as_ref())
                {
                    scope.merge(&evaluate::given_scope(&self.ev, t, &self.given));
                }
                scope
            }
            Origin::Job(_) => self.job_scope.clone(),
        };
        if let Some(sc) = &layer.env.script {
            self.ev.lets(&sc.lets, &mut scope);
        }
        scope
    }

    /// The scope of a step's task action (task parameters unknown).
    fn task(&self, step: usize) -> Scope {
        let mut scope = self.step(step);
        if let Some(s) = self.job.steps.get(step) {
            let lets = match (&s.script, &s.simple) {
                (Some(sc), _) => &sc.lets[..],
                (None, Some(sa)) => &sa.lets[..],
                _ => &[],
            };
            self.ev.lets(lets, &mut scope);
        }
        scope
    }
}

fn null_or<T: std::fmt::Display>(v: &Result<Option<T>, String>) -> String {
    match v {
        Ok(Some(x)) => format!("`{x}`"),
        Ok(None) => "`null`".into(),
        Err(s) => code(s),
    }
}

fn stack_list(stack: &[Layer<'_>], focus: Option<usize>, wrapper: Option<usize>) -> String {
    let mut lines = Vec::new();
    for (i, l) in stack.iter().enumerate() {
        let mut line = format!(
            "{}. `{}` ({})",
            i + 1,
            l.env.display_name(),
            l.origin.describe()
        );
        if Some(i) == wrapper {
            line.push_str(" — wraps");
        }
        if Some(i) == focus {
            line.push_str(" ← this");
        }
        lines.push(line);
    }
    lines.join("\n")
}

struct Scenario<'a> {
    title: String,
    externals: Vec<External<'a>>,
}

fn scenarios<'a>(path: Option<&Path>, ws: &'a Workspace) -> Vec<Scenario<'a>> {
    let queues: Vec<&Queue> = path.map(|p| ws.queues_for(p)).unwrap_or_default();
    if queues.is_empty() {
        return vec![Scenario {
            title: String::new(),
            externals: Vec::new(),
        }];
    }
    queues
        .into_iter()
        .map(|q| Scenario {
            title: format!("Queue `{}`", q.name),
            externals: ws.externals(q),
        })
        .collect()
}

/// Steps whose sessions contain the action: for a job environment every
/// step; otherwise the step itself.
fn steps_for(t: &Template, owner: Owner) -> Vec<usize> {
    match owner {
        Owner::Step(s) | Owner::Env(EnvLoc::Step(s, _)) => vec![s],
        Owner::Env(EnvLoc::Job(_)) => (0..t.steps.len().max(1)).collect(),
        Owner::Env(EnvLoc::Template) => vec![0],
    }
}

fn target_in(stack: &[Layer<'_>], owner: Owner, kind: ActionKind) -> Option<Target> {
    match owner {
        Owner::Step(_) => Some(Target::Task),
        Owner::Env(loc) => Some(Target::Env {
            layer: session::layer_of(stack, loc)?,
            action: kind,
        }),
    }
}

/// What runs before the runtime refuses a session: the environments before
/// the second wrapper enter (as wrapped in that shortened session), then
/// exit in reverse.
fn before_refusal(stack: &[Layer<'_>], r: session::Refusal) -> String {
    let prefix = &stack[..r.second.min(stack.len())];
    let mut lines = Vec::new();
    let mut say = |i: usize, action: ActionKind| {
        let l = &prefix[i];
        if l.env.action(action).is_none() {
            return;
        }
        let how = match session::resolve(prefix, Target::Env { layer: i, action }) {
            Resolution::Wrapped { hook, layer, .. } => {
                format!(" (via `{}`'s `{}`)", layer.env.display_name(), hook.key())
            }
            _ => String::new(),
        };
        lines.push(format!(
            "- `{}` `{}`{how}",
            l.env.display_name(),
            action.key()
        ));
    };
    for i in 0..prefix.len() {
        say(i, ActionKind::OnEnter);
    }
    for i in (0..prefix.len()).rev() {
        say(i, ActionKind::OnExit);
    }
    if lines.is_empty() {
        "Nothing runs before the refusal.".into()
    } else {
        format!("What still runs before the refusal:\n{}", lines.join("\n"))
    }
}

#[allow(clippy::too_many_arguments)]
fn describe_resolution(
    analysis: &Analysis,
    here: Option<&Path>,
    ws: &Workspace,
    scopes: &Scopes<'_>,
    stack: &[Layer<'_>],
    owner: Owner,
    action: &Action,
    step: usize,
) -> String {
    let Some(target) = target_in(stack, owner, action.kind) else {
        return "Not part of this session.".into();
    };
    let step_name = scopes.job.steps.get(step).map_or("", |s| s.display_name());
    // A job environment's action is shown against the part of the stack
    // every step shares, so that all steps give the same answer.
    let shown: &[Layer<'_>] = match owner {
        Owner::Env(EnvLoc::Job(_)) => {
            let end = stack
                .iter()
                .position(|l| matches!(l.origin, Origin::Step(..)))
                .unwrap_or(stack.len());
            &stack[..end]
        }
        _ => stack,
    };
    let focus = match target {
        Target::Env { layer, .. } => Some(layer),
        Target::Task => None,
    };
    let refusal = session::refusal(stack);
    let mut s = match session::resolve(stack, target) {
        Resolution::Wrapped {
            wrapper,
            hook,
            layer,
        } => {
            let ev = &scopes.ev;
            let (own_scope, default_notify) = match (owner, focus) {
                (Owner::Step(st), _) => (scopes.task(st), 120),
                (_, Some(f)) => (
                    stack.get(f).map_or_else(Scope::new, |l| scopes.layer(l)),
                    30,
                ),
                _ => (Scope::new(), 30),
            };
            let task_action;
            let action = match owner {
                Owner::Step(st) => match scopes.job.steps.get(st) {
                    Some(stp) if action.kind == ActionKind::Simple => match &stp.simple {
                        Some(sa) => {
                            task_action = evaluate::expand_simple(stp, sa);
                            &task_action
                        }
                        None => action,
                    },
                    _ => action,
                },
                _ => action,
            };
            let own = ev.resolve(action, &own_scope, default_notify);
            let subject = match hook {
                ActionKind::OnWrapTaskRun => step_name,
                _ => focus
                    .and_then(|f| stack.get(f))
                    .map_or("", |l| l.env.display_name()),
            };
            let mut s = format!(
                "**Wrapped** by `{}` ({}, {}): its **`{}`** runs instead of this `{}`.\n\n",
                layer.env.display_name(),
                layer.origin.describe(),
                layer_link(layer, here, analysis, ws),
                hook.key(),
                action.kind.key()
            );
            s.push_str("The hook receives:\n");
            let (cmd, args) = match own.argv.split_first() {
                Some((c, a)) => (c.as_str(), a),
                None => ("", &[][..]),
            };
            s.push_str(&format!("- `WrappedAction.Command` = {}\n", quote(cmd)));
            let args: Vec<String> = args.iter().map(|a| format!("{a:?}")).collect();
            s.push_str(&format!(
                "- `WrappedAction.Args` = {}\n",
                code(&format!("[{}]", args.join(", ")))
            ));
            s.push_str(&format!(
                "- `WrappedAction.Timeout` = {}\n",
                null_or(&own.timeout)
            ));
            match &own.cancelation {
                None => s.push_str(
                    "- `WrappedAction.Cancelation.Mode` = `null`\n- `WrappedAction.Cancelation.NotifyPeriodInSeconds` = `null`\n",
                ),
                Some(c) => {
                    s.push_str(&format!(
                        "- `WrappedAction.Cancelation.Mode` = {}\n",
                        code(&preview::mode_text(c))
                    ));
                    s.push_str(&format!(
                        "- `WrappedAction.Cancelation.NotifyPeriodInSeconds` = {}\n",
                        null_or(&c.notify_period)
                    ));
                }
            }
            match hook {
                ActionKind::OnWrapTaskRun => {
                    s.push_str(&format!("- `WrappedStep.Name` = {}\n", quote(step_name)))
                }
                _ => s.push_str(&format!("- `WrappedEnv.Name` = {}\n", quote(subject))),
            }
            if let (Some(h), Some(w)) = (layer.env.action(hook), stack.get(wrapper)) {
                let hook_scope = ev.hook_scope(&scopes.layer(w), hook, &own, subject);
                let ran = ev.resolve(h, &hook_scope, default_notify);
                s.push_str(&format!(
                    "\nEffective command: {}\n",
                    code(&super::preview::shell_line(&ran.argv))
                ));
            }
            s.push_str(&format!(
                "\nSession stack (outermost first):\n{}\n",
                stack_list(shown, focus, Some(wrapper))
            ));
            s
        }
        Resolution::NotWrapped(reason) => {
            let mut s = format!("**Not wrapped.** {}\n", reason.explain(stack));
            if !stack.is_empty() && reason != Reason::IsHook {
                let wrapper = session::wrappers(shown).first().copied();
                s.push_str(&format!(
                    "\nSession stack (outermost first):\n{}\n",
                    stack_list(shown, focus, wrapper)
                ));
            }
            s
        }
        Resolution::Refused(r) => {
            return format!(
                "**Never runs: the session is refused.** {}\n\n{}\n\nSession stack (outermost first):\n{}\n",
                r.explain(stack),
                before_refusal(stack, r),
                stack_list(stack, focus, Some(r.second))
            );
        }
    };
    if let Some(r) = refusal {
        s.push_str(&format!(
            "\n**The session is then refused.** {}\n",
            r.explain(stack)
        ));
    }
    s
}

/// Hover on an action key (`onRun`, `onEnter`, `onExit`, a step shorthand)
/// or on a wrap hook.
pub fn hover(
    analysis: &Analysis,
    here: Option<&Path>,
    ws: &Workspace,
    offset: usize,
) -> Option<Hover> {
    let t = analysis.template.as_ref()?;
    let (owner, action) = action_at(t, offset)?;
    if action.kind.is_hook() {
        return Some(Hover {
            contents: hook_hover(analysis, t, here, ws, owner, action.kind),
            range: action.key_span.clone(),
        });
    }
    let mut sections = Vec::new();
    if t.kind == TemplateKind::Environment {
        sections.push(own_environment_action(here, ws, t, action));
    } else {
        let scopes = Scopes::new(t, here, ws);
        for sc in scenarios(here, ws) {
            let mut answers: Vec<(String, Vec<String>)> = Vec::new();
            for s in steps_for(t, owner) {
                let stack = session::stack(&sc.externals, t, s);
                let step_name = t.steps.get(s).map_or("", |st| st.display_name());
                let text =
                    describe_resolution(analysis, here, ws, &scopes, &stack, owner, action, s);
                match answers.iter_mut().find(|(a, _)| *a == text) {
                    Some((_, steps)) => steps.push(step_name.to_string()),
                    None => answers.push((text, vec![step_name.to_string()])),
                }
            }
            let mut body = String::new();
            if !sc.title.is_empty() {
                body.push_str(&format!("#### {}\n\n", sc.title));
            }
            let several = answers.len() > 1;
            for (text, steps) in answers {
                if several {
                    body.push_str(&format!(
                        "In the session of step {}:\n\n",
                        steps
                            .iter()
                            .map(|s| quote(s))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                body.push_str(&text);
                body.push('\n');
            }
            sections.push(body);
        }
        if here.is_none_or(|p| ws.queues_for(p).is_empty()) {
            let candidates = ws.wrapping_templates();
            if !candidates.is_empty() {
                let list: Vec<String> = candidates
                    .iter()
                    .map(|(p, env)| {
                        let line = ws.line(p, env.name_span().start).unwrap_or(1);
                        format!("- `{}` ({})", env.display_name(), file_link(p, line, ws))
                    })
                    .collect();
                sections.push(format!(
                    "No queue configuration names this job (see `openjd-lsp.yaml`). These workspace environment templates would wrap it if applied to its queue:\n{}",
                    list.join("\n")
                ));
            }
        }
    }
    Some(Hover {
        contents: sections.join("\n---\n"),
        range: action.key_span.clone(),
    })
}

/// An action of an environment template: wrapped only by a wrapper that
/// comes before it in a queue's order.
fn own_environment_action(
    here: Option<&Path>,
    ws: &Workspace,
    t: &Template,
    action: &Action,
) -> String {
    let Some(env) = t.environment.as_ref() else {
        return String::new();
    };
    let queues = ws.queues_applying(here);
    if queues.is_empty() {
        if env.is_wrapper() {
            return "**Not wrapped.** A wrapping environment's own onEnter/onExit are never wrapped.".into();
        }
        return "**Not wrapped** by anything in this file. No queue configuration applies this environment; an environment before it in a queue could wrap it.".into();
    }
    let mut out = Vec::new();
    for q in queues {
        let externals = ws.externals(q);
        let stack = session::external_layers(&externals);
        let Some(layer) =
            here.and_then(|p| externals.iter().position(|e| e.file.as_deref() == Some(p)))
        else {
            continue;
        };
        let text = match session::resolve(
            &stack,
            Target::Env {
                layer,
                action: action.kind,
            },
        ) {
            Resolution::Wrapped { hook, layer: w, .. } => format!(
                "**Wrapped** by `{}`'s `{}` (queue environment before this one).",
                w.env.display_name(),
                hook.key()
            ),
            Resolution::NotWrapped(reason) => {
                format!("**Not wrapped.** {}", reason.explain(&stack))
            }
            Resolution::Refused(r) => format!(
                "**Never runs: the session is refused.** {}\n\n{}",
                r.explain(&stack),
                before_refusal(&stack, r)
            ),
        };
        out.push(format!(
            "#### Queue `{}`\n\n{text}\n\nQueue environments (outermost first):\n{}",
            q.name,
            stack_list(
                &stack,
                Some(layer),
                session::wrappers(&stack).last().copied()
            )
        ));
    }
    out.join("\n---\n")
}

/// Every action a hook replaces: in this job, or across the jobs of the
/// queues that apply this environment template, each with a link to where
/// it is written; and the sessions the runtime refuses.
fn hook_hover(
    analysis: &Analysis,
    t: &Template,
    here: Option<&Path>,
    ws: &Workspace,
    owner: Owner,
    hook: ActionKind,
) -> String {
    let replaced = match hook {
        ActionKind::OnWrapTaskRun => "every task's `onRun`",
        ActionKind::OnWrapEnvEnter => "the `onEnter` of every environment entered after this one",
        _ => "the `onExit` of every environment entered after this one",
    };
    let mut s = format!("**`{}`** runs instead of {replaced}.\n\n", hook.key());
    // Lines of one job: the replaced actions and the refused sessions.
    let collect = |lines: &mut Vec<String>,
                   job: &Template,
                   link: &dyn Fn(usize) -> String,
                   externals: &[External<'_>],
                   wrapper: &dyn Fn(&Layer<'_>) -> bool| {
        for st in 0..job.steps.len() {
            let stack = session::stack(externals, job, st);
            let Some(w) = stack.iter().position(wrapper) else {
                continue;
            };
            let step = &job.steps[st];
            if let Some(r) = session::refusal(&stack) {
                let line = format!(
                    "- {}: the session of step `{}` is refused — `{}` and `{}` both wrap it",
                    link(step.name_span().start),
                    step.display_name(),
                    stack[r.first].env.display_name(),
                    stack[r.second].env.display_name()
                );
                if !lines.contains(&line) {
                    lines.push(line);
                }
            }
            match hook {
                ActionKind::OnWrapTaskRun => {
                    if let Some(a) = step.task_action()
                        && matches!(session::resolve(&stack, Target::Task), Resolution::Wrapped { wrapper, .. } if wrapper == w)
                    {
                        lines.push(format!(
                            "- {}: step `{}` `onRun`",
                            link(a.key_span.start),
                            step.display_name()
                        ));
                    }
                }
                _ => {
                    let action = if hook == ActionKind::OnWrapEnvEnter {
                        ActionKind::OnEnter
                    } else {
                        ActionKind::OnExit
                    };
                    for (i, l) in stack.iter().enumerate() {
                        if matches!(session::resolve(&stack, Target::Env { layer: i, action }), Resolution::Wrapped { wrapper, .. } if wrapper == w)
                        {
                            let at = l
                                .env
                                .action(action)
                                .map_or(l.env.span.start, |a| a.key_span.start);
                            let where_ = match &l.origin {
                                Origin::External { file: Some(f), .. } => {
                                    file_link(f, ws.line(f, at).unwrap_or(1), ws)
                                }
                                _ => link(at),
                            };
                            let line = format!(
                                "- {where_}: environment `{}` `{}` ({})",
                                l.env.display_name(),
                                action.key(),
                                l.origin.describe()
                            );
                            if !lines.contains(&line) {
                                lines.push(line);
                            }
                        }
                    }
                }
            }
        }
    };
    let mut groups: Vec<(Option<String>, Vec<String>)> = Vec::new();
    match (t.kind, owner) {
        (TemplateKind::Job, Owner::Env(loc)) => {
            let env = t.environment_at(loc);
            let link = |offset: usize| {
                let line = analysis.line_index.line_of(offset) + 1;
                match here {
                    Some(p) => file_link(p, line, ws),
                    None => format!("line {line}"),
                }
            };
            let mut lines = Vec::new();
            let scenarios = scenarios(here, ws);
            for sc in &scenarios {
                let mut these = Vec::new();
                collect(&mut these, t, &link, &sc.externals, &|l: &Layer<'_>| {
                    env.is_some_and(|e| std::ptr::eq(l.env, e))
                });
                if scenarios.len() > 1 {
                    groups.push((Some(sc.title.clone()), these));
                } else {
                    lines.append(&mut these);
                }
            }
            if scenarios.len() <= 1 {
                groups.push((None, lines));
            }
        }
        (TemplateKind::Environment, _) => {
            let queues = ws.queues_applying(here);
            if queues.is_empty() {
                s.push_str("No queue configuration applies this environment template, so no job is known to run under it.");
                return s;
            }
            for q in queues {
                let externals = ws.externals(q);
                let mut lines = Vec::new();
                for job in ws.jobs_of(q) {
                    if let Some(jt) = &job.template {
                        let link = |offset: usize| file_link(&job.path, job.line_of(offset), ws);
                        collect(
                            &mut lines,
                            jt,
                            &link,
                            &externals,
                            &|l: &Layer<'_>| matches!(&l.origin, Origin::External { file: Some(f), .. } if Some(f.as_path()) == here),
                        );
                    }
                }
                groups.push((Some(format!("Queue `{}`", q.name)), lines));
            }
        }
        _ => {}
    }
    let mut parts = Vec::new();
    for (title, lines) in groups {
        let body = if lines.is_empty() {
            "It replaces nothing: no action of these sessions is of the kind it replaces."
                .to_string()
        } else {
            format!("It replaces:\n{}", lines.join("\n"))
        };
        parts.push(match title {
            Some(t) => format!("**{t}** — {body}"),
            None => body,
        });
    }
    if parts.is_empty() {
        s.push_str("Nothing is known to run under it yet.");
    } else {
        s.push_str(&parts.join("\n\n"));
    }
    s
}

/// A short label per wrapped action: where it goes and by what.
pub fn inlay_hints(
    analysis: &Analysis,
    here: Option<&Path>,
    ws: &Workspace,
) -> Vec<(usize, String)> {
    let Some(t) = analysis.template.as_ref() else {
        return Vec::new();
    };
    if t.kind != TemplateKind::Job {
        return Vec::new();
    }
    let sc = scenarios(here, ws);
    let externals = sc.first().map(|s| &s.externals[..]).unwrap_or(&[]);
    let mut hints = Vec::new();
    let mut add = |owner: Owner, action: &Action| {
        let step = steps_for(t, owner)[0];
        let stack = session::stack(externals, t, step);
        let refused = |r: session::Refusal| {
            format!(
                "never runs · session refused: {} and {} both wrap",
                stack[r.first].env.display_name(),
                stack[r.second].env.display_name()
            )
        };
        if action.kind.is_hook() {
            // The hooks of a wrapper the runtime refuses to enter.
            if let (Some(r), Owner::Env(loc)) = (session::refusal(&stack), owner)
                && session::layer_of(&stack, loc) == Some(r.second)
            {
                hints.push((action.key_span.end + 1, refused(r)));
            }
            return;
        }
        let Some(target) = target_in(&stack, owner, action.kind) else {
            return;
        };
        match session::resolve(&stack, target) {
            Resolution::Wrapped { hook, layer, .. } => hints.push((
                action.key_span.end + 1,
                format!("wrapped by {} · {}", layer.env.display_name(), hook.key()),
            )),
            Resolution::Refused(r) => hints.push((action.key_span.end + 1, refused(r))),
            Resolution::NotWrapped(_) => {}
        }
    };
    for s in &t.steps {
        if let Some(a) = s.task_action() {
            add(Owner::Step(s.index), a);
        }
    }
    for env in t.environments() {
        for a in env.script.iter().flat_map(|sc| sc.actions.iter()) {
            add(Owner::Env(env.loc), a);
        }
    }
    hints
}

/// From an action to the hook that runs instead of it.
pub fn hook_definition(
    analysis: &Analysis,
    here: Option<&Path>,
    ws: &Workspace,
    offset: usize,
) -> Option<(Option<PathBuf>, Span)> {
    let t = analysis.template.as_ref()?;
    let (owner, action) = action_at(t, offset)?;
    let sc = scenarios(here, ws);
    let externals = sc.first().map(|s| &s.externals[..]).unwrap_or(&[]);
    let stack = session::stack(externals, t, steps_for(t, owner)[0]);
    let target = target_in(&stack, owner, action.kind)?;
    let Resolution::Wrapped { hook, layer, .. } = session::resolve(&stack, target) else {
        return None;
    };
    let h = layer.env.action(hook)?;
    let file = match &layer.origin {
        Origin::External { file, .. } => file.clone(),
        _ => None,
    };
    Some((file, h.key_span.clone()))
}
