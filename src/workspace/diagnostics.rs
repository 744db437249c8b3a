//! Every diagnostic of a file in its workspace, in one place.
//!
//! The language server (push and pull) and `openjd-lsp check` all ask
//! [`file_diagnostics`]; the same workspace state gives the same
//! diagnostics, word for word and range for range, everywhere. A file's
//! diagnostics are its own analysis plus what the workspace adds:
//!
//! | the file is            | what the workspace adds                                   |
//! |------------------------|-----------------------------------------------------------|
//! | a job template         | a second wrapping layer once its queues' environments count (`wrap-single-layer` on the job's environment) |
//! | an environment template| on the command-line queue (`check -e`), being a second wrapping environment of that queue |
//! | a queue configuration  | its parse problems, environments that are missing, not environment templates or broken, queues with two wrappers, jobs that would get two |
//! | a bundle's `parameter_values` | its shape, and its values against the template beside it and the parameters of the job's queue environments |
//! | a bundle's `asset_references` | its shape |
//! | a bundle's submission `hooks` | its shape, when a job template is beside it |
//! | a CloudFormation template | the diagnostics of each embedded queue environment, at their places in the file |
//!
//! To teach the workspace a new kind of file (job bundle parameter values,
//! environments embedded in CloudFormation, ...): add a [`Role`] variant,
//! recognise it in [`role`], add its arm to [`file_diagnostics`], and say in
//! [`depends_on`] which other files its diagnostics read, so editors are
//! told when they change.

use std::path::{Path, PathBuf};

use crate::analysis::bundle::BundleFile;
use crate::analysis::embedded::analyze_host;
use crate::analysis::session::{self, External, Origin};
use crate::analysis::{Analysis, Code, Diagnostic, DocKind, Options, Related};
use crate::model::{Environment, Template, TemplateKind};
use crate::syntax::cfn;

use super::{Source, Workspace, split_fragment};

/// What a file is to the workspace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Job,
    Environment,
    /// `openjd-lsp.yaml` or `.openjd-lsp.yaml`.
    QueueConfig,
    /// A job bundle's `parameter_values` or `asset_references` file.
    Bundle(BundleFile),
    /// A CloudFormation template with queue environments in it.
    CloudFormation,
    /// Anything else: only its own analysis counts.
    Other,
}

pub(crate) fn role(path: &Path, own: &Analysis) -> Role {
    if Workspace::is_config_file(path) {
        return Role::QueueConfig;
    }
    match own.kind {
        DocKind::Job => Role::Job,
        DocKind::Environment => Role::Environment,
        DocKind::NotTemplate => {
            if let Some(kind) = BundleFile::of_path(path) {
                Role::Bundle(kind)
            } else if cfn::might_hold(&own.text)
                && own.root.as_ref().is_some_and(cfn::is_cloudformation)
            {
                Role::CloudFormation
            } else {
                Role::Other
            }
        }
        DocKind::UnknownVersion => Role::Other,
    }
}

/// The most diagnostics a file shows. Past it, one `too-many-diagnostics`
/// says how many more there are: a generated file with 100,000 unknown keys
/// would otherwise send hundreds of megabytes to the editor or to `check`'s
/// output, and nobody reads past the first screens anyway.
pub const MAX_PER_FILE: usize = 1000;

/// A file's diagnostics: its own analysis's, then the workspace's, at most
/// [`MAX_PER_FILE`] of them, then the `too-many-diagnostics` summary of the
/// rest if there is one.
#[derive(Debug)]
pub struct FileDiagnostics<'a> {
    pub own: &'a [Diagnostic],
    pub workspace: Vec<Diagnostic>,
    /// Stands for the diagnostics past [`MAX_PER_FILE`].
    pub more: Option<Diagnostic>,
}

impl<'a> FileDiagnostics<'a> {
    /// `own` then `workspace`, cut at [`MAX_PER_FILE`].
    fn capped(own: &'a [Diagnostic], mut workspace: Vec<Diagnostic>) -> Self {
        let own_kept = own.len().min(MAX_PER_FILE);
        let workspace_kept = (MAX_PER_FILE - own_kept).min(workspace.len());
        let dropped: Vec<&Diagnostic> = own[own_kept..]
            .iter()
            .chain(&workspace[workspace_kept..])
            .collect();
        let more = dropped.first().map(|first| too_many(first, &dropped));
        workspace.truncate(workspace_kept);
        FileDiagnostics {
            own: &own[..own_kept],
            workspace,
            more,
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.own
            .iter()
            .chain(self.workspace.iter())
            .chain(self.more.iter())
    }

    pub fn len(&self) -> usize {
        self.own.len() + self.workspace.len() + usize::from(self.more.is_some())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The summary of the diagnostics not shown, at the first of them. It is as
/// severe as the worst of them, so that an error past the cap still fails
/// `check` and still marks the file in the editor.
fn too_many(first: &Diagnostic, dropped: &[&Diagnostic]) -> Diagnostic {
    let errors = dropped
        .iter()
        .filter(|d| d.severity == crate::analysis::Severity::Error)
        .count();
    let mut d = Diagnostic::new(
        Code::TooManyDiagnostics,
        first.span.clone(),
        format!(
            "{} more diagnostics ({errors} of them errors) are not shown: a file shows at most {MAX_PER_FILE}; this is where the first of them is",
            dropped.len()
        ),
    );
    if let Some(worst) = dropped.iter().map(|d| d.severity).min() {
        d.severity = d.severity.min(worst);
    }
    d
}

/// The diagnostics of a document that is no file (an unsaved buffer): its
/// own, capped like a file's.
pub fn own_only(own: &Analysis) -> FileDiagnostics<'_> {
    FileDiagnostics::capped(&own.diagnostics, Vec::new())
}

/// Every diagnostic of the file at `path`, whose current text `own` is the
/// analysis of (an open buffer's or the file's), in workspace `ws`.
pub fn file_diagnostics<'a>(ws: &Workspace, path: &Path, own: &'a Analysis) -> FileDiagnostics<'a> {
    let role = role(path, own);
    let workspace = match role {
        Role::Job => own
            .template
            .as_ref()
            .map(|t| job_layers(ws, path, t))
            .unwrap_or_default(),
        Role::Environment => argument_queue_layers(ws, path, own),
        Role::QueueConfig => queue_config(ws, path),
        Role::Bundle(kind) => super::bundle::diagnostics(ws, path, kind, &own.text),
        // Only the embedded environment templates are judged.
        Role::CloudFormation => analyze_host(&own.text, &Options::default())
            .iter()
            .flat_map(|h| h.host_diagnostics())
            .collect(),
        Role::Other => Vec::new(),
    };
    let mut workspace = workspace;
    for d in &mut workspace {
        for r in &mut d.related {
            if let Some(f) = &r.file
                && let Some((file, span)) = ws.locate(f, &r.span)
            {
                r.file = Some(file);
                r.span = span;
            }
        }
    }
    // A configuration file is not a template: its own analysis says nothing.
    let own: &[Diagnostic] = if role == Role::QueueConfig {
        &[]
    } else {
        &own.diagnostics
    };
    FileDiagnostics::capped(own, workspace)
}

/// Other files whose contents the workspace part of `path`'s diagnostics
/// reads: a job's queue environments and the configuration files that put
/// it on those queues; for a configuration file, its environments and jobs.
/// (Pull reports name them as related documents.)
pub(crate) fn depends_on(ws: &Workspace, path: &Path, own: &Analysis) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    let mut add = |p: &Path| {
        if p != path && !out.iter().any(|o| o == p) {
            out.push(p.to_path_buf());
        }
    };
    match role(path, own) {
        Role::Job => {
            for q in ws.queues_for(path) {
                q.environments.iter().for_each(|e| add(ws.entry_file(e)));
                if let Source::File { path: config, .. } = &q.source {
                    add(config);
                }
            }
        }
        Role::Environment => {
            for q in ws.queues_applying(Some(path)) {
                if let Source::File { path: config, .. } = &q.source {
                    add(config);
                }
            }
        }
        Role::QueueConfig => {
            for q in ws.queues_defined_in(path) {
                q.environments.iter().for_each(|e| add(ws.entry_file(e)));
                ws.jobs_of(q).iter().for_each(|j| add(&j.path));
            }
        }
        Role::Bundle(BundleFile::ParameterValues) => {
            if let Some(t) = super::bundle::template_of(ws, path) {
                add(&t.path);
                for q in ws.queues_for(&t.path) {
                    q.environments.iter().for_each(|e| add(ws.entry_file(e)));
                    if let Source::File { path: config, .. } = &q.source {
                        add(config);
                    }
                }
            }
        }
        Role::Bundle(BundleFile::Hooks) => {
            if let Some(t) = super::bundle::template_of(ws, path) {
                add(&t.path);
            }
        }
        Role::Bundle(BundleFile::AssetReferences) | Role::CloudFormation | Role::Other => {}
    }
    out
}

/// More than one wrapping environment in a session of the job once its
/// queues' environments are counted, reported on the job's environment.
/// (Two wrappers inside the job alone are the template's own error; two
/// among a queue's environments are the queue's.)
fn job_layers(ws: &Workspace, path: &Path, t: &Template) -> Vec<Diagnostic> {
    if t.kind != TemplateKind::Job {
        return Vec::new();
    }
    let mut out: Vec<Diagnostic> = Vec::new();
    for q in ws.queues_for(path) {
        let externals = ws.externals(q);
        if externals.is_empty() {
            continue;
        }
        for (step, first, extra) in session::layer_conflicts(&externals, t) {
            let stack = session::stack(&externals, t, step);
            let (a, b) = (&stack[first], &stack[extra]);
            if !matches!(a.origin, Origin::External { .. })
                || matches!(b.origin, Origin::External { .. })
            {
                continue;
            }
            let queue = q.describe();
            let mut d = Diagnostic::new(
                Code::WrapSingleLayer,
                b.env.name_span(),
                format!(
                    "{} already wraps this job's sessions with `{}`; only one environment per session may define wrap hooks, so {} `{}` cannot",
                    capitalized(&queue),
                    a.env.display_name(),
                    b.origin.describe(),
                    b.env.display_name()
                ),
            );
            if let Origin::External { file: Some(f), .. } = &a.origin {
                d.related.push(Related {
                    file: Some(f.clone()),
                    span: a.env.name_span(),
                    message: format!("`{}` wraps every job of {queue}", a.env.display_name()),
                });
            }
            if let Source::File { path, entry, .. } = &q.source {
                d.related.push(Related {
                    file: Some(path.clone()),
                    span: entry.clone(),
                    message: format!("{queue} applies it to this job"),
                });
            }
            if !out.contains(&d) {
                out.push(d);
            }
        }
    }
    out
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Wrapping environments of `q` after the first: the queue applies more
/// than one wrapper to every session.
fn extra_wrappers<'e, 'w>(externals: &'e [External<'w>]) -> Vec<&'e External<'w>> {
    externals
        .iter()
        .filter(|e| e.env.is_wrapper())
        .skip(1)
        .collect()
}

/// An environment template given on the command line that is a second
/// wrapping environment of that queue (a configured queue reports this on
/// its entry in the configuration file instead).
fn argument_queue_layers(ws: &Workspace, path: &Path, own: &Analysis) -> Vec<Diagnostic> {
    let Some(env) = own.template.as_ref().and_then(|t| t.environment.as_ref()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for q in ws.queues.iter().filter(|q| q.source == Source::Arguments) {
        let externals = ws.externals(q);
        let Some(first) = externals.iter().find(|e| e.env.is_wrapper()) else {
            continue;
        };
        let is_extra = extra_wrappers(&externals)
            .iter()
            .any(|e| e.file.as_deref() == Some(path));
        if !is_extra {
            continue;
        }
        let mut d = Diagnostic::new(
            Code::WrapSingleLayer,
            env.name_span(),
            format!(
                "`{}` already wraps every session of {}; only one environment per session may define wrap hooks, so `{}` cannot",
                first.env.display_name(),
                q.describe(),
                env.display_name()
            ),
        );
        d.related.push(Related {
            file: first.file.clone(),
            span: first.env.name_span(),
            message: format!("`{}` also wraps every session", first.env.display_name()),
        });
        out.push(d);
    }
    out
}

/// A queue configuration file: its own problems, the environments it names
/// that are not usable environment templates, and the sessions its queues
/// would give two wrapping environments.
fn queue_config(ws: &Workspace, config: &Path) -> Vec<Diagnostic> {
    let mut out = ws
        .config_diagnostics
        .get(config)
        .cloned()
        .unwrap_or_default();
    for q in ws.queues_defined_in(config) {
        let Source::File {
            entry,
            environments,
            ..
        } = &q.source
        else {
            continue;
        };
        for (env_path, span) in q.environments.iter().zip(environments) {
            let Some(ix) = ws.files.get(env_path) else {
                if ws.entry_files.contains(env_path) {
                    out.push(not_a_template(ws, env_path, &q.root, span));
                } else if let (host, Some(id)) = split_fragment(env_path) {
                    out.push(ws.unknown_resource(host, id, span));
                }
                continue;
            };
            if ix.kind != DocKind::Environment {
                out.push(Diagnostic::new(
                    Code::NotAnEnvironment,
                    span.clone(),
                    format!("`{}` is not an environment template", env_path.display()),
                ));
            } else if ix.errors > 0 {
                let mut d = Diagnostic::new(
                    Code::EnvironmentHasErrors,
                    span.clone(),
                    format!(
                        "This environment template has {} error(s); the queue cannot apply it",
                        ix.errors
                    ),
                );
                // An embedded template is shown in its CloudFormation file.
                let span = ix.embedding.as_ref().map_or(0..0, |e| e.span.clone());
                d.related.push(Related {
                    file: Some(ix.file().to_path_buf()),
                    span,
                    message: "the environment template".into(),
                });
                out.push(d);
            }
        }
        let externals = ws.externals(q);
        if !extra_wrappers(&externals).is_empty() {
            out.push(Diagnostic::new(
                Code::WrapSingleLayer,
                entry.clone(),
                format!(
                    "Queue `{}` applies more than one wrapping environment; only one per session may define wrap hooks",
                    q.name
                ),
            ));
        }
        for job in ws.jobs_of(q) {
            let Some(t) = &job.template else { continue };
            let conflict =
                session::layer_conflicts(&externals, t)
                    .into_iter()
                    .find(|(step, first, extra)| {
                        let stack = session::stack(&externals, t, *step);
                        matches!(stack[*first].origin, Origin::External { .. })
                            && !matches!(stack[*extra].origin, Origin::External { .. })
                    });
            if let Some((step, _, extra)) = conflict {
                let stack = session::stack(&externals, t, step);
                let env: &Environment = stack[extra].env;
                let mut d = Diagnostic::new(
                    Code::WrapSingleLayer,
                    entry.clone(),
                    format!(
                        "Job `{}` defines its own wrapping environment `{}`, and this queue wraps it too",
                        job.path.display(),
                        env.display_name()
                    ),
                );
                d.related.push(Related {
                    file: Some(job.path.clone()),
                    span: env.name_span(),
                    message: "the job's wrapping environment".into(),
                });
                out.push(d);
            }
        }
    }
    out
}

/// A queue environment entry naming a file that exists but holds no
/// template (a missing or unreadable one is reported when the configuration
/// is read).
fn not_a_template(
    ws: &Workspace,
    file: &Path,
    root: &Path,
    span: &crate::syntax::Span,
) -> Diagnostic {
    let name = file.strip_prefix(root).unwrap_or(file).display();
    let message = match ws
        .embedded_in(file)
        .first()
        .and_then(|ix| ix.embedding.as_ref())
    {
        Some(e) => format!(
            "`{name}` is a CloudFormation template; name one of its queue environments (or their queue) after a `#`, e.g. `{name}#{}`",
            e.logical_id
        ),
        None => format!(
            "`{name}` is not an OpenJD template (it has no `specificationVersion: environment-2023-09`); a queue applies environment templates only"
        ),
    };
    Diagnostic::new(Code::NotAnEnvironment, span.clone(), message)
}
