//! Cross-references by name: step dependencies and environment names shared
//! between the job and its steps.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::model::Template;

use super::codes::Code;
use super::diagnostic::{Diagnostic, Suggestions, did_you_mean};
use super::stop::Stop;

pub fn check(t: &Template, diags: &mut Vec<Diagnostic>, stop: &Stop) {
    dependencies(t, diags, stop);
    if !stop.now() {
        environment_names(t, diags);
    }
}

/// Each dependency's step, and each cycle once; it ends once `stop` says so.
fn dependencies(t: &Template, diags: &mut Vec<Diagnostic>, stop: &Stop) {
    let names: Vec<&str> = t
        .steps
        .iter()
        .filter_map(|s| s.name.as_ref().map(|n| n.value.as_str()))
        .collect();
    let index: FxHashMap<&str, usize> = t
        .steps
        .iter()
        .filter_map(|s| Some((s.name.as_ref()?.value.as_str(), s.index)))
        .collect();
    let mut edges: Vec<Vec<(usize, usize)>> = vec![Vec::new(); t.steps.len()];
    let mut suggestions = Suggestions::default();
    for step in &t.steps {
        let mut seen: FxHashSet<&str> = FxHashSet::default();
        for (k, dep) in step.dependencies.iter().enumerate() {
            if stop.step() {
                return;
            }
            let target = dep.value.as_str();
            if !seen.insert(target) {
                diags.push(Diagnostic::new(
                    Code::DuplicateDependency,
                    dep.span.clone(),
                    format!(
                        "Step `{}` already depends on `{target}`",
                        step.display_name()
                    ),
                ));
                continue;
            }
            if step.name.as_ref().is_some_and(|n| n.value == target) {
                diags.push(Diagnostic::new(
                    Code::SelfDependency,
                    dep.span.clone(),
                    format!("Step `{target}` cannot depend on itself"),
                ));
                continue;
            }
            match index.get(target) {
                Some(&j) => edges[step.index].push((j, k)),
                None => {
                    let mut d = Diagnostic::new(
                        Code::UnknownStep,
                        dep.span.clone(),
                        format!("No step is named `{target}`"),
                    );
                    let best = suggestions.suggest(0, target, names.len(), || {
                        did_you_mean(target, names.iter().copied()).map(str::to_string)
                    });
                    if let Some(best) = best {
                        d.message.push_str(&format!("; did you mean `{best}`?"));
                        d = d.with_suggestion(best);
                    }
                    diags.push(d);
                }
            }
        }
    }
    // Report each cycle once, on the dependency entry that closes it.
    let mut state = vec![0u8; t.steps.len()];
    for start in 0..t.steps.len() {
        if state[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if stop.step() {
                return;
            }
            if let Some(&(to, k)) = edges[node].get(*next) {
                *next += 1;
                match state[to] {
                    0 => {
                        state[to] = 1;
                        stack.push((to, 0));
                    }
                    1 => {
                        let cycle: Vec<&str> = stack
                            .iter()
                            .skip_while(|(n, _)| *n != to)
                            .map(|(n, _)| t.steps[*n].display_name())
                            .collect();
                        let dep = &t.steps[node].dependencies[k];
                        diags.push(Diagnostic::new(
                            Code::DependencyCycle,
                            dep.span.clone(),
                            format!(
                                "Dependency cycle: {} → {}",
                                cycle.join(" → "),
                                t.steps[to].display_name()
                            ),
                        ));
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                stack.pop();
            }
        }
    }
}

fn environment_names(t: &Template, diags: &mut Vec<Diagnostic>) {
    let mut job_envs: FxHashMap<&str, &crate::model::Environment> = FxHashMap::default();
    for env in &t.job_environments {
        if let Some(name) = &env.name {
            // The first of a name, as a search in order finds it.
            job_envs.entry(name.value.as_str()).or_insert(env);
        }
    }
    for step in &t.steps {
        for env in &step.environments {
            let Some(name) = &env.name else { continue };
            if let Some(job_env) = job_envs.get(name.value.as_str()) {
                let mut d = Diagnostic::new(
                    Code::DuplicateName,
                    name.span.clone(),
                    format!(
                        "A job environment is already named `{}`; step environments need names distinct from job environments",
                        name.value
                    ),
                );
                if let Some(n) = &job_env.name {
                    d = d.with_related(n.span.clone(), "the job environment");
                }
                diags.push(d);
            }
        }
    }
}
