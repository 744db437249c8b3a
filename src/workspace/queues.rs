//! Queue configuration: which environment templates a queue applies outside
//! which jobs. Read from `openjd-lsp.yaml` (or `.openjd-lsp.yaml`) at a
//! workspace root, or from the `openjd.queues` setting of the same shape:
//!
//! ```yaml
//! queues:
//!   - name: linux-render
//!     environments: [queue_environments/docker.yaml]   # outermost first
//!     jobs: ["job_bundles/**"]                          # globs of job templates
//! ```
//!
//! An environment may also be `infra/farm.yaml#CondaEnv`, the
//! `AWS::Deadline::QueueEnvironment` resource `CondaEnv` of a CloudFormation
//! template, or `infra/farm.yaml#ProdQueue`, every queue environment whose
//! `QueueId` refers to the queue `ProdQueue`, in Deadline Cloud's order.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::analysis::diagnostic::did_you_mean;
use crate::analysis::{Code, Diagnostic};
use crate::syntax::{self, Node, Span};

use super::files::ReadError;

pub const CONFIG_FILES: [&str; 2] = ["openjd-lsp.yaml", ".openjd-lsp.yaml"];

/// A queue as the `openjd.queues` setting gives it (the shape of one entry
/// of `openjd-lsp.yaml`).
#[derive(Clone, Debug, Deserialize, serde::Serialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QueueConfig {
    pub name: String,
    #[serde(default)]
    pub environments: Vec<String>,
    #[serde(default)]
    pub jobs: Vec<String>,
}

/// Where a queue was configured.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// In a configuration file, with the span of the queue's entry and of
    /// each environment path.
    File {
        path: PathBuf,
        entry: Span,
        environments: Vec<Span>,
    },
    /// The `openjd.queues` setting.
    Settings,
    /// Environment templates given on the command line
    /// (`check --environment`), applied outside every job.
    Arguments,
}

#[derive(Clone, Debug)]
pub struct Queue {
    pub name: String,
    /// Absolute paths of the environment templates, outermost first.
    pub environments: Vec<PathBuf>,
    pub jobs: Vec<String>,
    matcher: GlobSet,
    /// Globs are relative to this directory.
    pub root: PathBuf,
    pub source: Source,
}

impl Queue {
    /// The queue of `check --environment`: these environments, outermost
    /// first, outside every job.
    pub(crate) fn from_arguments(environments: Vec<PathBuf>) -> Queue {
        let jobs = vec!["**".to_string()];
        Queue {
            name: "--environment".into(),
            environments,
            matcher: build_matcher(&jobs).unwrap_or_default(),
            jobs,
            root: PathBuf::from("/"),
            source: Source::Arguments,
        }
    }

    /// The queue as a message names it: "queue `linux`", or "the
    /// `--environment` queue".
    pub(crate) fn describe(&self) -> String {
        match self.source {
            Source::Arguments => "the `--environment` queue".into(),
            _ => format!("queue `{}`", self.name),
        }
    }

    pub(crate) fn applies_to(&self, job: &Path) -> bool {
        let rel = job.strip_prefix(&self.root).unwrap_or(job);
        self.matcher.is_match(rel) || self.matcher.is_match(job)
    }
}

fn build_matcher(globs: &[String]) -> Result<GlobSet, (usize, String)> {
    let mut b = GlobSetBuilder::new();
    for (i, g) in globs.iter().enumerate() {
        let glob = Glob::new(g).map_err(|e| (i, e.to_string()))?;
        b.add(glob);
    }
    b.build().map_err(|e| (0, e.to_string()))
}

/// Queues from the `openjd.queues` setting; paths relative to `root`.
pub(crate) fn from_settings(settings: &[QueueConfig], root: &Path) -> (Vec<Queue>, Vec<String>) {
    let mut queues = Vec::new();
    let mut problems = Vec::new();
    for q in settings {
        match build_matcher(&q.jobs) {
            Ok(matcher) => queues.push(Queue {
                name: q.name.clone(),
                environments: q.environments.iter().map(|e| root.join(e)).collect(),
                jobs: q.jobs.clone(),
                matcher,
                root: root.to_path_buf(),
                source: Source::Settings,
            }),
            Err((i, e)) => problems.push(format!(
                "queue `{}`: bad glob `{}`: {e}",
                q.name,
                q.jobs.get(i).map_or("", String::as_str)
            )),
        }
    }
    (queues, problems)
}

/// Queues from a configuration file's text, with diagnostics on the file.
/// `readable` tells whether a path names a file that can be read, or why
/// not (so tests need no disk).
pub fn parse_file(
    path: &Path,
    text: &str,
    exists: &dyn Fn(&Path) -> Result<(), ReadError>,
) -> (Vec<Queue>, Vec<Diagnostic>) {
    let root = path.parent().unwrap_or(Path::new("/")).to_path_buf();
    let parsed = syntax::parse(text);
    let mut diags: Vec<Diagnostic> = parsed
        .errors
        .iter()
        .map(|e| Diagnostic::new(Code::Syntax, e.span.clone(), e.message.clone()))
        .collect();
    let mut queues = Vec::new();
    let Some(doc) = parsed.root else {
        return (queues, diags);
    };
    let Some(entries) = doc.entries() else {
        diags.push(Diagnostic::new(
            Code::WrongType,
            doc.span.clone(),
            "Expected a mapping with a `queues` list",
        ));
        return (queues, diags);
    };
    for e in entries {
        if e.key.as_str() != Some("queues") {
            let k = e.key.as_str().unwrap_or("");
            let mut d = Diagnostic::new(
                Code::UnknownKey,
                e.key.span.clone(),
                format!("Unknown key `{k}`; the configuration has one key, `queues`"),
            );
            if did_you_mean(k, ["queues"]).is_some() {
                d = d.with_suggestion("queues");
            }
            diags.push(d);
        }
    }
    let items = match doc.get("queues") {
        None => return (queues, diags),
        Some(q) => match q.items() {
            Some(items) => items,
            None => {
                diags.push(Diagnostic::new(
                    Code::WrongType,
                    q.span.clone(),
                    "`queues` must be a list",
                ));
                return (queues, diags);
            }
        },
    };
    let mut names: Vec<(String, Span)> = Vec::new();
    for item in items {
        if let Some(q) = queue(item, &root, path, exists, &mut diags) {
            if let Some((_, first)) = names.iter().find(|(n, _)| *n == q.name) {
                let name_span = item
                    .get("name")
                    .map_or(item.span.clone(), |n| n.span.clone());
                diags.push(
                    Diagnostic::new(
                        Code::DuplicateName,
                        name_span,
                        format!("Another queue is named `{}`", q.name),
                    )
                    .with_related(first.clone(), "first defined here"),
                );
            } else {
                names.push((
                    q.name.clone(),
                    item.get("name")
                        .map_or(item.span.clone(), |n| n.span.clone()),
                ));
            }
            queues.push(q);
        }
    }
    (queues, diags)
}

fn strings(node: Option<&Node>, key: &str, diags: &mut Vec<Diagnostic>) -> Vec<(String, Span)> {
    match node {
        None => Vec::new(),
        Some(n) => match n.items() {
            None => {
                diags.push(Diagnostic::new(
                    Code::WrongType,
                    n.span.clone(),
                    format!("`{key}` must be a list of strings"),
                ));
                Vec::new()
            }
            Some(items) => items
                .iter()
                .filter_map(|i| match i.as_str() {
                    Some(s) => Some((s.to_string(), i.span.clone())),
                    None => {
                        diags.push(Diagnostic::new(
                            Code::WrongType,
                            i.span.clone(),
                            "Expected a string",
                        ));
                        None
                    }
                })
                .collect(),
        },
    }
}

fn queue(
    item: &Node,
    root: &Path,
    file: &Path,
    exists: &dyn Fn(&Path) -> Result<(), ReadError>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Queue> {
    let Some(entries) = item.entries() else {
        diags.push(Diagnostic::new(
            Code::WrongType,
            item.span.clone(),
            "A queue is a mapping with `name`, `environments` and `jobs`",
        ));
        return None;
    };
    for e in entries {
        let k = e.key.as_str().unwrap_or("");
        if !["name", "environments", "jobs"].contains(&k) {
            let mut d = Diagnostic::new(
                Code::UnknownKey,
                e.key.span.clone(),
                format!("Unknown key `{k}` in a queue; expected `name`, `environments` or `jobs`"),
            );
            if let Some(best) = did_you_mean(k, ["name", "environments", "jobs"]) {
                d.message.push_str(&format!("; did you mean `{best}`?"));
                d = d.with_suggestion(best);
            }
            diags.push(d);
        }
    }
    let name = match item.get("name").and_then(Node::as_str) {
        Some(n) => n.to_string(),
        None => {
            diags.push(Diagnostic::new(
                Code::MissingKey,
                item.span.start..item.span.start,
                "A queue needs a `name`",
            ));
            return None;
        }
    };
    let envs = strings(item.get("environments"), "environments", diags);
    let jobs = strings(item.get("jobs"), "jobs", diags);
    for (p, span) in &envs {
        // `infra/farm.yaml#Resource` names a resource of a CloudFormation
        // file, unless a file has that very name.
        let full = root.join(p);
        let file = match super::split_fragment(&full) {
            (host, Some(_)) if exists(&full).is_err() => host,
            _ => full.as_path(),
        };
        match exists(file) {
            Ok(()) => {}
            Err(ReadError::NotFound) => diags.push(Diagnostic::new(
                Code::MissingFile,
                span.clone(),
                format!("No file `{p}` (paths are relative to {})", root.display()),
            )),
            Err(e) => diags.push(Diagnostic::new(
                Code::UnreadableFile,
                span.clone(),
                format!("`{p}` cannot be read: {e}"),
            )),
        }
    }
    let mut globs = Vec::new();
    for (g, span) in &jobs {
        match Glob::new(g) {
            Ok(_) => globs.push(g.clone()),
            Err(e) => diags.push(Diagnostic::new(
                Code::BadGlob,
                span.clone(),
                format!("Invalid glob `{g}`: {e}"),
            )),
        }
    }
    let matcher = build_matcher(&globs).ok()?;
    Some(Queue {
        name,
        environments: envs.iter().map(|(p, _)| root.join(p)).collect(),
        jobs: globs,
        matcher,
        root: root.to_path_buf(),
        source: Source::File {
            path: file.to_path_buf(),
            entry: item.span.clone(),
            environments: envs.into_iter().map(|(_, s)| s).collect(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_queues_and_reports_problems() {
        let text = "queues:\n  - name: linux\n    environments: [envs/docker.yaml, envs/missing.yaml, envs/pipe.yaml]\n    jobs: [\"jobs/**\", \"[\"]\n    colour: red\n  - name: linux\n    jobs: []\nextra: 1\n";
        let exists = |p: &Path| {
            if p.ends_with("envs/docker.yaml") {
                Ok(())
            } else if p.ends_with("envs/pipe.yaml") {
                Err(ReadError::NotRegular("a named pipe (FIFO)"))
            } else {
                Err(ReadError::NotFound)
            }
        };
        let (queues, diags) = parse_file(Path::new("/ws/openjd-lsp.yaml"), text, &exists);
        assert_eq!(queues.len(), 2);
        assert_eq!(
            queues[0].environments,
            vec![
                PathBuf::from("/ws/envs/docker.yaml"),
                PathBuf::from("/ws/envs/missing.yaml"),
                PathBuf::from("/ws/envs/pipe.yaml")
            ]
        );
        let codes: Vec<Code> = diags.iter().map(|d| d.code).collect();
        for want in [
            Code::MissingFile,
            Code::UnreadableFile,
            Code::BadGlob,
            Code::UnknownKey,
            Code::DuplicateName,
        ] {
            assert!(codes.contains(&want), "{want} in {codes:?}");
        }
        assert!(queues[0].applies_to(Path::new("/ws/jobs/a/template.yaml")));
        assert!(!queues[0].applies_to(Path::new("/ws/other/template.yaml")));
    }
}
