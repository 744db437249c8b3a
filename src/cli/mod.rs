//! `openjd-lsp check`: the same analysis as the editor, for CI.

mod output;

use std::path::{Path, PathBuf};

use crate::analysis::bundle::BundleFile;
use crate::analysis::embedded::analyze_host;
use crate::analysis::session::{self, External};
use crate::analysis::{Analysis, DocKind, Options, Related, Severity, analyze};
use crate::workspace::bundle;

pub use output::Format;

pub struct CheckArgs {
    pub paths: Vec<PathBuf>,
    pub environments: Vec<PathBuf>,
    pub format: Format,
}

/// A checked file and its diagnostics.
pub struct Checked {
    pub path: PathBuf,
    pub analysis: Analysis,
    pub extra: Vec<crate::analysis::Diagnostic>,
}

pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_ERRORS: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

fn is_candidate(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("yaml" | "yml" | "json")
    )
}

/// Template candidates under `dir`, honouring .gitignore and skipping the
/// usual build and tool directories.
pub fn walk_dir(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .git_ignore(true)
        .require_git(false)
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            !(e.file_type().is_some_and(|t| t.is_dir())
                && matches!(name.as_ref(), ".git" | "target" | "node_modules"))
        })
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(|e| e.into_path())
        .filter(|p| is_candidate(p))
        .collect();
    files.sort();
    files
}

enum Read {
    Text(String),
    Problem(String),
}

fn read(path: &Path) -> Read {
    match std::fs::read(path) {
        Err(e) => Read::Problem(format!("{}: cannot read: {e}", path.display())),
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Read::Text(text),
            Err(e) => Read::Problem(format!(
                "{}: not UTF-8 text (invalid byte at offset {}); templates must be UTF-8",
                path.display(),
                e.utf8_error().valid_up_to()
            )),
        },
    }
}

pub fn run(args: CheckArgs, out: &mut dyn std::io::Write) -> i32 {
    let mut problems: Vec<String> = Vec::new();
    let mut checked: Vec<Checked> = Vec::new();
    let mut notes: Vec<String> = Vec::new();

    // External environments first: they are checked too, and form the
    // outer layers of every job's session.
    let mut externals: Vec<Checked> = Vec::new();
    for path in &args.environments {
        match read(path) {
            Read::Problem(p) => problems.push(p),
            Read::Text(text) => {
                let analysis = analyze(&text, &Options::default());
                if analysis.kind != DocKind::Environment {
                    problems.push(format!(
                        "{}: --environment needs an environment template (specificationVersion: environment-2023-09)",
                        path.display()
                    ));
                }
                externals.push(Checked {
                    path: path.clone(),
                    analysis,
                    extra: Vec::new(),
                });
            }
        }
    }

    for path in &args.paths {
        if path.is_dir() {
            let files = walk_dir(path);
            let before = checked.len();
            for file in files {
                if args.environments.contains(&file) {
                    continue;
                }
                match read(&file) {
                    Read::Problem(p) => problems.push(p),
                    Read::Text(text) => checked.extend(check_file(&file, &text)),
                }
            }
            if checked.len() == before && externals.is_empty() {
                problems.push(format!(
                    "{}: no OpenJD templates found in this directory",
                    path.display()
                ));
            }
        } else if path.exists() {
            match read(path) {
                Read::Problem(p) => problems.push(p),
                Read::Text(text) => {
                    if let Some(c) = check_file(path, &text) {
                        checked.push(c);
                    } else {
                        notes.push(format!(
                            "{}: skipped, not an OpenJD template (no specificationVersion)",
                            path.display()
                        ));
                    }
                }
            }
        } else {
            problems.push(format!("{}: no such file or directory", path.display()));
        }
    }

    cross_file_layers(&mut externals, &mut checked);
    let mut configs = queue_configuration(&args.paths, &externals, &mut checked);

    configs.retain(|c| !c.extra.is_empty());
    let all: Vec<&Checked> = externals
        .iter()
        .chain(checked.iter())
        .chain(configs.iter())
        .collect();
    if let Err(e) = output::write(out, args.format, &all, &problems, &notes) {
        eprintln!("error: cannot write output: {e}");
        return EXIT_USAGE;
    }
    let errors = all
        .iter()
        .flat_map(|c| c.analysis.diagnostics.iter().chain(c.extra.iter()))
        .any(|d| d.severity == Severity::Error);
    if !problems.is_empty() {
        EXIT_USAGE
    } else if errors {
        EXIT_ERRORS
    } else {
        EXIT_CLEAN
    }
}

/// A template, a job bundle's values or asset references file, or a
/// CloudFormation template holding queue environments, checked on its own;
/// `None` for any other file.
fn check_file(path: &Path, text: &str) -> Option<Checked> {
    let analysis = analyze(text, &Options::default());
    if analysis.is_template() {
        return Some(Checked {
            path: path.to_path_buf(),
            analysis,
            extra: Vec::new(),
        });
    }
    let extra = if let Some(kind) = BundleFile::of_path(path) {
        let template = bundle::template_beside(path).and_then(|t| match read(&t) {
            Read::Text(tt) => Some(bundle::BundleTemplate::parse(&t, &tt)),
            Read::Problem(_) => None,
        });
        bundle::diagnostics(kind, text, template.as_ref(), None)
    } else {
        let hosted = analyze_host(text, &Options::default());
        if hosted.is_empty() {
            return None;
        }
        hosted.iter().flat_map(|h| h.host_diagnostics()).collect()
    };
    Some(Checked {
        path: path.to_path_buf(),
        analysis,
        extra,
    })
}

/// The nearest queue configuration file at or above each path.
fn find_configs(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = Vec::new();
    for p in paths {
        let Ok(abs) = std::fs::canonicalize(p) else {
            continue;
        };
        let start = if abs.is_dir() {
            Some(abs.as_path())
        } else {
            abs.parent()
        };
        let hit = start.and_then(|dir| {
            dir.ancestors().find_map(|d| {
                crate::workspace::CONFIG_FILES
                    .iter()
                    .map(|n| d.join(n))
                    .find(|c| c.is_file())
            })
        });
        if let Some(c) = hit.filter(|c| !found.contains(c)) {
            found.push(c);
        }
    }
    found
}

/// Apply the queue configuration (`openjd-lsp.yaml`), as the editor does:
/// each job is checked with its queues' environments outside it, and the
/// configuration file itself is checked.
fn queue_configuration(
    paths: &[PathBuf],
    externals: &[Checked],
    jobs: &mut [Checked],
) -> Vec<Checked> {
    let configs = find_configs(paths);
    let mut out = Vec::new();
    for config in configs {
        let Some(root) = config.parent().map(Path::to_path_buf) else {
            continue;
        };
        let mut ws = crate::workspace::Workspace {
            roots: vec![root.clone()],
            ..Default::default()
        };
        for c in externals.iter().chain(jobs.iter()) {
            if let Ok(abs) = std::fs::canonicalize(&c.path) {
                ws.update_analysis(&abs, &c.analysis);
            }
        }
        let read = |p: &Path| std::fs::read_to_string(p).ok();
        ws.load_queues(&[], &read);
        // Environment templates named by the configuration but not checked
        // explicitly are read so the queues can use them; then the queues
        // are checked again against them.
        let missing: Vec<PathBuf> = ws
            .queues
            .iter()
            .flat_map(|q| q.environments.clone())
            .filter(|e| !ws.files.contains_key(e))
            .collect();
        for e in missing {
            // `farm.yaml#Resource` is read from its CloudFormation file.
            let file = crate::workspace::split_fragment(&e).0;
            if let Ok(text) = std::fs::read_to_string(file) {
                ws.update_text(file, &text);
            }
        }
        ws.load_queues(&[], &read);
        for job in jobs.iter_mut() {
            let Ok(abs) = std::fs::canonicalize(&job.path) else {
                continue;
            };
            for d in crate::ide::wrap::workspace_diagnostics(&job.analysis, &abs, &ws) {
                if !job.extra.contains(&d) {
                    job.extra.push(d);
                }
            }
        }
        let text = std::fs::read_to_string(&config).unwrap_or_default();
        let display = pathdiff(&config);
        out.push(Checked {
            extra: crate::ide::wrap::config_conflicts(&ws, &config),
            analysis: analyze(&text, &Options { reference: false }),
            path: display,
        });
    }
    out
}

/// A path relative to the current directory when it is inside it.
fn pathdiff(p: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| p.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| p.to_path_buf())
}

/// The single-wrap-layer rule across the external environments and each job.
fn cross_file_layers(externals: &mut [Checked], jobs: &mut [Checked]) {
    let envs: Vec<External<'_>> = externals
        .iter()
        .filter_map(|c| {
            Some(External {
                file: Some(c.path.clone()),
                env: c.analysis.template.as_ref()?.environment.as_ref()?,
            })
        })
        .collect();
    let mut extra_for_externals: Vec<(usize, crate::analysis::Diagnostic)> = Vec::new();
    for job in jobs.iter_mut() {
        let Some(t) = job.analysis.template.as_ref() else {
            continue;
        };
        if t.kind != crate::model::TemplateKind::Job {
            continue;
        }
        let mut seen = Vec::new();
        for (step, first, extra) in session::layer_conflicts(&envs, t) {
            let stack = session::stack(&envs, t, step);
            let (a, b) = (&stack[first], &stack[extra]);
            if seen.contains(&(first, extra)) {
                continue;
            }
            seen.push((first, extra));
            let related = |layer: &session::Layer<'_>| Related {
                file: match &layer.origin {
                    session::Origin::External { file, .. } => file.clone(),
                    _ => Some(job.path.clone()),
                },
                span: layer
                    .env
                    .name
                    .as_ref()
                    .map_or(layer.env.span.clone(), |n| n.span.clone()),
                message: format!("`{}` also wraps this session", layer.env.display_name()),
            };
            let message = format!(
                "More than one wrapping environment in the session of step `{}`: `{}` ({}) and `{}` ({}); only one environment per session may define wrap hooks",
                t.steps.get(step).map_or("?", |s| s.display_name()),
                a.env.display_name(),
                a.origin.describe(),
                b.env.display_name(),
                b.origin.describe()
            );
            let span = b
                .env
                .name
                .as_ref()
                .map_or(b.env.span.clone(), |n| n.span.clone());
            let mut d = crate::analysis::Diagnostic::error("wrap-single-layer", span, message);
            d.related.push(related(a));
            match &b.origin {
                session::Origin::External { index, .. } => extra_for_externals.push((*index, d)),
                _ => {
                    if !job.extra.contains(&d) {
                        job.extra.push(d);
                    }
                }
            }
        }
    }
    for (index, d) in extra_for_externals {
        if let Some(c) = externals.get_mut(index)
            && !c.extra.contains(&d)
        {
            c.extra.push(d);
        }
    }
}
