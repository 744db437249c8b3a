//! The session preview as text (one POSIX-shell line per command) and as
//! JSON: what `openjd-lsp preview` prints and what the editor's "Preview
//! session" opens.

use std::path::Path;

use serde_json::{Value, json};

use crate::analysis::evaluate::{Field, budget_text, quoted_expression};
use crate::analysis::preview::{Entry, mode_text};
use crate::workspace::preview::Session;

/// A word quoted for a POSIX shell: as is when it holds only characters no
/// shell treats specially, else in single quotes (a single quote inside
/// becomes `'\''`). A word holding a control character (a newline, an
/// escape sequence) is written `$'…'` with the character escaped, so
/// every word stays on its line and nothing reaches the terminal raw.
pub(crate) fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@%+,^".contains(&b));
    if plain {
        word.to_string()
    } else if word.chars().any(char::is_control) {
        let mut out = String::from("$'");
        for c in word.chars() {
            match c {
                '\n' => out.push_str(r"\n"),
                '\t' => out.push_str(r"\t"),
                '\r' => out.push_str(r"\r"),
                '\'' => out.push_str(r"\'"),
                '\\' => out.push_str(r"\\"),
                c if c.is_control() && c.is_ascii() => {
                    out.push_str(&format!(r"\x{:02x}", c as u32))
                }
                c if c.is_control() => out.push_str(&format!(r"\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('\'');
        out
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// A name (of an environment, a step, a queue, a file) as the text shows
/// it: as it is, or quoted as a shell word when it holds a control
/// character, so that it cannot start a line of its own.
fn name(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(char::is_control) {
        std::borrow::Cow::Owned(shell_quote(text))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// An argv as one line a POSIX shell turns back into the same argv.
pub fn shell_line(argv: &[String]) -> String {
    argv.iter()
        .map(|w| shell_quote(w))
        .collect::<Vec<_>>()
        .join(" ")
}

fn timeout_json(t: &Result<Option<i64>, String>) -> Value {
    match t {
        Ok(Some(i)) => json!(i),
        Ok(None) => Value::Null,
        Err(s) => json!(s),
    }
}

fn entry_json(e: &Entry) -> Value {
    json!({
        "entity": e.entity,
        "origin": e.source.as_str(),
        "action": e.action,
        "step": e.step,
        "task": e.task.as_ref().map(|t| t.iter().map(|(n, v)| (n.clone(), json!(v))).collect::<serde_json::Map<_, _>>()),
        "runs": e.runs.as_ref().map(|r| json!({"environment": r.environment, "hook": r.hook.key()})),
        "argv": e.argv,
        "wrapped": e.wrapped,
        "timeout": timeout_json(&e.timeout),
        "cancelation": e.cancelation.as_ref().map(|c| json!({
            "mode": match &c.mode { Field::Known(v) => json!(v.to_display_string()), Field::Partial(s) => json!(s) },
            "notifyPeriodInSeconds": timeout_json(&c.notify_period),
        })),
        "file": e.file.as_ref().map(|f| f.display().to_string()),
        "error": e.error,
    })
}

/// The JSON form, documented in the README.
pub fn to_json(job: &Path, sessions: &[Session]) -> Value {
    let sessions: Vec<Value> = sessions
        .iter()
        .map(|s| {
            let mut v = json!({
                "queue": s.queue,
                "environments": s.environments.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            });
            match &s.preview {
                Ok(p) => {
                    v["steps"] = json!(p.steps);
                    v["refused"] = match &p.refused {
                        Some(r) => json!({"environment": r.environment, "after": r.first, "reason": r.reason}),
                        None => Value::Null,
                    };
                    v["actions"] = Value::Array(p.actions.iter().map(entry_json).collect());
                    v["truncated"] = Value::Array(
                        p.truncated
                            .iter()
                            .map(|(s, n, t)| json!({"step": s, "listed": n, "tasks": t}))
                            .collect(),
                    );
                    v["missing"] = json!(p.missing);
                    v["tooLarge"] = json!(p.too_large);
                    v["error"] = Value::Null;
                }
                Err(e) => v["error"] = json!(e),
            }
            v
        })
        .collect();
    json!({"job": job.display().to_string(), "sessions": sessions})
}

fn describe(e: &Entry) -> String {
    let mut head = format!("{} ({}) {}", name(&e.entity), e.source.as_str(), e.action);
    if let Some(task) = &e.task {
        // Quoted as the commands are: a value cannot start a line of its own.
        let values: Vec<String> = task
            .iter()
            .map(|(n, v)| format!("{n}={}", shell_quote(v)))
            .collect();
        head.push_str(&format!(" [{}]", values.join(", ")));
    }
    head
}

/// The human form: one block per action, each command one shell line.
pub fn to_text(job: &Path, sessions: &[Session]) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "Session preview of {}\n",
        name(&job.display().to_string())
    ));
    out.push_str("Values known only at run time are left as {{Name}}.\n");
    for s in sessions {
        out.push('\n');
        match &s.queue {
            Some(q) => out.push_str(&format!("== Queue {}", name(q))),
            None => out.push_str("== Session"),
        }
        if !s.environments.is_empty() {
            let names: Vec<String> = s
                .environments
                .iter()
                .map(|p| name(&p.display().to_string()).into_owned())
                .collect();
            out.push_str(&format!(" (environments: {})", names.join(", ")));
        }
        out.push('\n');
        let p = match &s.preview {
            Ok(p) => p,
            Err(e) => {
                out.push_str(&format!("No preview: {e}\n"));
                continue;
            }
        };
        if !p.steps.is_empty() {
            let steps: Vec<_> = p.steps.iter().map(|s| name(s)).collect();
            out.push_str(&format!("Steps in run order: {}\n", steps.join(", ")));
        }
        if !p.missing.is_empty() {
            out.push_str(&format!(
                "Note: no value for the job parameter(s) {}; the runtime needs one (-p NAME=VALUE or the bundle's parameter_values.yaml). Shown as {{{{Param.NAME}}}}.\n",
                p.missing.join(", ")
            ));
        }
        if let Some(r) = &p.refused {
            out.push_str(&format!(
                "REFUSED: {}\nWhat runs before the refusal, and the exits after it:\n",
                r.reason
            ));
        }
        for (i, e) in p.actions.iter().enumerate() {
            out.push_str(&format!("\n{}. {}\n", i + 1, describe(e)));
            if let Some(r) = &e.runs {
                out.push_str(&format!(
                    "   runs: {}.{} instead\n",
                    name(&r.environment),
                    r.hook.key()
                ));
            }
            out.push_str(&format!("   $ {}\n", shell_line(&e.argv)));
            if let Some(error) = &e.error {
                out.push_str(&format!("   error: {error}\n"));
            }
            if let Some(w) = &e.wrapped {
                out.push_str(&format!("   wrapped action: {}\n", shell_line(w)));
            }
            match &e.timeout {
                Ok(Some(t)) => out.push_str(&format!("   timeout: {t} s\n")),
                Ok(None) => {}
                Err(s) => out.push_str(&format!("   timeout: {s}\n")),
            }
            if let Some(c) = &e.cancelation {
                let period = match &c.notify_period {
                    Ok(Some(p)) => format!(", notify {p} s before terminating"),
                    Ok(None) => String::new(),
                    Err(s) => format!(", notify period {s}"),
                };
                out.push_str(&format!("   cancelation: {}{period}\n", mode_text(c)));
            }
        }
        if p.actions.is_empty() {
            out.push_str("\nNothing runs.\n");
        }
        if !p.too_large.is_empty() {
            let shown: Vec<String> = p
                .too_large
                .iter()
                .map(|e| format!("`{}`", quoted_expression(e)))
                .collect();
            out.push_str(&format!(
                "\nNot evaluated, shown as written: {} (each needs {}).\n",
                shown.join(", "),
                budget_text()
            ));
        }
        for (step, listed, total) in &p.truncated {
            out.push_str(&format!(
                "\n(step {}: {listed} of {total} tasks shown; use --tasks N for more)\n",
                name(step)
            ));
        }
        if p.refused.is_some() {
            out.push_str("\nThe session ends with an error: the runtime refused it.\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_round_trips_through_a_shell() {
        let argv: Vec<String> = ["python", "-c", "print('x')", "a b", "", "$HOME", "it's"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let line = shell_line(&argv);
        assert_eq!(
            line,
            r#"python -c 'print('\''x'\'')' 'a b' '' '$HOME' 'it'\''s'"#
        );
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("printf '%s\\0' {line}"))
            .output()
            .expect("sh");
        let back: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .split_terminator('\0')
            .map(str::to_string)
            .collect();
        assert_eq!(back, argv);
    }
}

/// The server's `workspace/executeCommand` that returns the preview, and
/// the command of every "Preview session" code lens. Arguments: the job
/// document's URI and a step name or null (the whole job). The editor
/// shows the answer ([`Shown`]) as a read-only document.
pub(crate) const EXECUTE_COMMAND: &str = "openjd.previewSession";

/// A preview as the editor shows it: a title for its tab and the text.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Shown {
    pub title: String,
    pub text: String,
}

/// The preview of the job at `job` whose current text is `text` (an open
/// buffer's, saved or not), for the whole job or one step: the same
/// inputs as `openjd-lsp preview JOB [--step STEP]` — the bundle's
/// parameter values file and the queues the workspace's configuration
/// puts the job on. `open` holds the texts of the editor's other open
/// files, which win over the files on disk.
pub fn show(
    ws: &crate::workspace::Workspace,
    job: &Path,
    text: &str,
    step: Option<&str>,
    open: std::collections::HashMap<std::path::PathBuf, String>,
) -> Result<Shown, String> {
    let req = crate::workspace::preview::Request {
        steps: step.map(|s| vec![s.to_string()]).unwrap_or_default(),
        tasks: crate::analysis::preview::DEFAULT_TASKS,
        texts: open,
        ..Default::default()
    };
    let sessions = crate::workspace::preview::sessions(ws, job, text, &req)?;
    let name = job
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| job.display().to_string());
    let title = match step {
        Some(s) => format!("{name} — step {s} — session preview"),
        None => format!("{name} — session preview"),
    };
    Ok(Shown {
        title,
        text: to_text(job, &sessions),
    })
}

/// A "Preview session" code lens: where, its title, and the step it is for
/// (`None`: the whole job).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lens {
    pub span: crate::syntax::Span,
    pub title: String,
    pub step: Option<String>,
}

/// Code lenses of a job template: one on the job (at its `name`, else at
/// `steps`) and one on each named step.
pub fn lenses(analysis: &crate::analysis::Analysis) -> Vec<Lens> {
    let Some(t) = analysis
        .template
        .as_ref()
        .filter(|t| t.kind == crate::model::TemplateKind::Job)
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let job_at = t
        .name
        .as_ref()
        .map(|n| n.span.clone())
        .or_else(|| t.steps.first().map(|s| s.span.clone()));
    if let Some(span) = job_at {
        out.push(Lens {
            span,
            title: "Preview session".into(),
            step: None,
        });
    }
    for s in &t.steps {
        if let Some(n) = &s.name {
            out.push(Lens {
                span: n.span.clone(),
                title: format!("Preview session of step {}", n.value),
                step: Some(n.value.to_string()),
            });
        }
    }
    out
}

#[cfg(test)]
mod lens_tests {
    use super::*;
    use crate::analysis::{Options, analyze};

    #[test]
    fn a_lens_on_the_job_and_on_each_step() {
        let text = "specificationVersion: jobtemplate-2023-09\nname: J\nsteps:\n  - name: A\n    script: {actions: {onRun: {command: a}}}\n  - name: B\n    script: {actions: {onRun: {command: b}}}\n";
        let a = analyze(text, &Options::own());
        let lenses = lenses(&a);
        let got: Vec<(&str, Option<&str>)> = lenses
            .iter()
            .map(|l| (&text[l.span.clone()], l.step.as_deref()))
            .collect();
        assert_eq!(got, [("J", None), ("A", Some("A")), ("B", Some("B"))]);
        let env = analyze(
            "specificationVersion: environment-2023-09\nenvironment: {name: E, variables: {A: b}}\n",
            &Options::own(),
        );
        assert!(super::lenses(&env).is_empty());
    }
}
