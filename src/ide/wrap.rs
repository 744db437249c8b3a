//! "What actually runs here, and where?": for an action, the environment
//! whose hook runs instead of it (which hook, which file and line, the
//! whole session stack, the effective command line) or why nothing does;
//! for a hook, every action it replaces. All answers come from
//! `analysis::session::resolve`.

use std::path::{Path, PathBuf};

use crate::analysis::Analysis;
use crate::analysis::session::{self, External, Layer, Origin, Reason, Resolution, Target};
use crate::model::{Action, ActionKind, EnvLoc, Template, TemplateKind};
use crate::syntax::Span;
use crate::workspace::{Queue, Workspace};

use super::hover::Hover;

/// The action whose key is at the cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    Step(usize),
    Env(EnvLoc),
}

pub fn action_at(t: &Template, offset: usize) -> Option<(Owner, &Action)> {
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

fn file_link(path: &Path, line: usize) -> String {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?");
    let uri = format!("file://{}", path.display()).replace(' ', "%20");
    format!("[{name}:{line}]({uri}#L{line})")
}

/// Where a layer of a stack is defined, as a link.
fn layer_link(
    layer: &Layer<'_>,
    here: Option<&Path>,
    analysis: &Analysis,
    ws: &Workspace,
) -> String {
    let at = layer
        .env
        .name
        .as_ref()
        .map_or(layer.env.span.start, |n| n.span.start);
    match &layer.origin {
        Origin::External { file: Some(f), .. } => file_link(f, ws.line(f, at).unwrap_or(1)),
        _ => {
            let line = analysis.line_index.line_of(at) + 1;
            match here {
                Some(p) => file_link(p, line),
                None => format!("line {line}"),
            }
        }
    }
}

fn quote(s: &str) -> String {
    format!("`{}`", s.replace('`', "'"))
}

/// The hook's command line with the wrapped action put in, where it is
/// known statically; other expressions are left as written.
fn effective_command(hook: &Action, wrapped: &Action, wrapped_name: (&str, &str)) -> String {
    let cmd = wrapped.command.as_ref().map_or("", |c| c.value.as_str());
    let args: Vec<&str> = wrapped.args.iter().map(|a| a.value.as_str()).collect();
    let substitute = |s: &str| -> Vec<String> {
        let t = s.trim();
        let whole = |name: &str| t == format!("{{{{{name}}}}}") || t == format!("{{{{ {name} }}}}");
        if whole("WrappedAction.Args") {
            return args.iter().map(|a| a.to_string()).collect();
        }
        let mut out = s.to_string();
        for (name, value) in [
            ("WrappedAction.Command", cmd.to_string()),
            ("WrappedEnv.Name", wrapped_name.0.to_string()),
            ("WrappedStep.Name", wrapped_name.1.to_string()),
            ("WrappedAction.Args", args.join(" ")),
        ] {
            for form in [format!("{{{{{name}}}}}"), format!("{{{{ {name} }}}}")] {
                out = out.replace(&form, &value);
            }
        }
        vec![out]
    };
    let mut parts: Vec<String> = hook
        .command
        .as_ref()
        .map(|c| substitute(&c.value))
        .unwrap_or_default();
    for a in &hook.args {
        parts.extend(substitute(&a.value));
    }
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .map(|p| if p.contains(' ') { format!("'{p}'") } else { p })
        .collect::<Vec<_>>()
        .join(" ")
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

fn describe_resolution(
    analysis: &Analysis,
    here: Option<&Path>,
    ws: &Workspace,
    stack: &[Layer<'_>],
    owner: Owner,
    action: &Action,
    step_name: &str,
) -> String {
    let Some(target) = target_in(stack, owner, action.kind) else {
        return "Not part of this session.".into();
    };
    let focus = match target {
        Target::Env { layer, .. } => Some(layer),
        Target::Task => None,
    };
    match session::resolve(stack, target) {
        Resolution::Wrapped {
            wrapper,
            hook,
            layer,
        } => {
            let hook_action = layer.env.action(hook);
            let env_name = match owner {
                Owner::Env(loc) => stack
                    .iter()
                    .find(|l| session::layer_of(std::slice::from_ref(*l), loc).is_some())
                    .map_or("", |l| l.env.display_name()),
                Owner::Step(_) => "",
            };
            let env_name = if env_name.is_empty() {
                focus
                    .and_then(|f| stack.get(f))
                    .map_or("", |l| l.env.display_name())
            } else {
                env_name
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
            if let Some(c) = &action.command {
                s.push_str(&format!(
                    "- `WrappedAction.Command` = {}\n",
                    quote(&c.value)
                ));
            }
            let args: Vec<String> = action
                .args
                .iter()
                .map(|a| format!("{:?}", a.value))
                .collect();
            s.push_str(&format!(
                "- `WrappedAction.Args` = `[{}]`\n",
                args.join(", ")
            ));
            match hook {
                ActionKind::OnWrapTaskRun => {
                    s.push_str(&format!("- `WrappedStep.Name` = {}\n", quote(step_name)))
                }
                _ => s.push_str(&format!("- `WrappedEnv.Name` = {}\n", quote(env_name))),
            }
            if let Some(t) = &action.timeout {
                s.push_str(&format!(
                    "- `WrappedAction.Timeout` = {}\n",
                    quote(&t.value)
                ));
            }
            if let Some(h) = hook_action {
                let name = (env_name, step_name);
                s.push_str(&format!(
                    "\nEffective command: `{}`\n",
                    effective_command(h, action, name).replace('`', "'")
                ));
            }
            s.push_str(&format!(
                "\nSession stack (outermost first):\n{}\n",
                stack_list(stack, focus, Some(wrapper))
            ));
            s
        }
        Resolution::NotWrapped(reason) => {
            let mut s = format!("**Not wrapped.** {}\n", reason.explain(stack));
            if !stack.is_empty() && reason != Reason::IsHook {
                let wrapper = session::wrappers(stack).last().copied();
                s.push_str(&format!(
                    "\nSession stack (outermost first):\n{}\n",
                    stack_list(stack, focus, wrapper)
                ));
            }
            s
        }
    }
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
        for sc in scenarios(here, ws) {
            let mut answers: Vec<(String, Vec<String>)> = Vec::new();
            for s in steps_for(t, owner) {
                let stack = session::stack(&sc.externals, t, s);
                let step_name = t.steps.get(s).map_or("", |st| st.display_name());
                let text =
                    describe_resolution(analysis, here, ws, &stack, owner, action, step_name);
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
                        let line = ws
                            .line(
                                p,
                                env.name.as_ref().map_or(env.span.start, |n| n.span.start),
                            )
                            .unwrap_or(1);
                        format!("- `{}` ({})", env.display_name(), file_link(p, line))
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
    let queues: Vec<&Queue> = here
        .map(|p| {
            ws.queues
                .iter()
                .filter(|q| q.environments.iter().any(|e| e == p))
                .collect()
        })
        .unwrap_or_default();
    if queues.is_empty() {
        if env.is_wrapper() {
            return "**Not wrapped.** A wrapping environment's own onEnter/onExit are never wrapped.".into();
        }
        return "**Not wrapped** by anything in this file. No queue configuration applies this environment; an environment before it in a queue could wrap it.".into();
    }
    let mut out = Vec::new();
    for q in queues {
        let externals = ws.externals(q);
        let stack: Vec<Layer<'_>> = externals
            .iter()
            .enumerate()
            .map(|(index, e)| Layer {
                origin: Origin::External {
                    index,
                    file: e.file.clone(),
                },
                env: e.env,
            })
            .collect();
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
/// queues that apply this environment template.
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
    let mut lines: Vec<String> = Vec::new();
    let collect = |lines: &mut Vec<String>,
                   job: &Template,
                   file: Option<&Path>,
                   externals: &[External<'_>],
                   wrapper: &dyn Fn(&Layer<'_>) -> bool| {
        for st in 0..job.steps.len() {
            let stack = session::stack(externals, job, st);
            let Some(w) = stack.iter().position(wrapper) else {
                continue;
            };
            let step = &job.steps[st];
            let loc = file
                .and_then(|f| f.file_name())
                .and_then(|n| n.to_str())
                .unwrap_or("this file");
            match hook {
                ActionKind::OnWrapTaskRun => {
                    if matches!(session::resolve(&stack, Target::Task), Resolution::Wrapped { wrapper, .. } if wrapper == w)
                    {
                        lines.push(format!("- {loc}: step `{}` `onRun`", step.display_name()));
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
                            let line = format!(
                                "- {loc}: environment `{}` `{}` ({})",
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
    match (t.kind, owner) {
        (TemplateKind::Job, Owner::Env(loc)) => {
            let env = t.environment_at(loc);
            collect(&mut lines, t, here, &[], &|l: &Layer<'_>| {
                env.is_some_and(|e| std::ptr::eq(l.env, e))
            });
        }
        (TemplateKind::Environment, _) => {
            let queues: Vec<&Queue> = here
                .map(|p| {
                    ws.queues
                        .iter()
                        .filter(|q| q.environments.iter().any(|e| e == p))
                        .collect()
                })
                .unwrap_or_default();
            if queues.is_empty() {
                s.push_str("No queue configuration applies this environment template, so no job is known to run under it.");
                return s;
            }
            for q in queues {
                let externals = ws.externals(q);
                lines.push(format!("**Queue `{}`**", q.name));
                for job in ws.jobs_of(q) {
                    if let Some(jt) = &job.template {
                        collect(
                            &mut lines,
                            jt,
                            Some(&job.path),
                            &externals,
                            &|l: &Layer<'_>| matches!(&l.origin, Origin::External { file: Some(f), .. } if Some(f.as_path()) == here),
                        );
                    }
                }
            }
        }
        _ => {}
    }
    let _ = analysis;
    if lines.is_empty() {
        s.push_str("Nothing is known to run under it yet.");
    } else {
        s.push_str("It replaces:\n");
        s.push_str(&lines.join("\n"));
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
        if action.kind.is_hook() {
            return;
        }
        let step = steps_for(t, owner)[0];
        let stack = session::stack(externals, t, step);
        let Some(target) = target_in(&stack, owner, action.kind) else {
            return;
        };
        if let Resolution::Wrapped { hook, layer, .. } = session::resolve(&stack, target) {
            hints.push((
                action.key_span.end + 1,
                format!("wrapped by {} · {}", layer.env.display_name(), hook.key()),
            ));
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
