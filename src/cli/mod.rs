//! `openjd-lsp check`: the same analysis as the editor, for CI.

mod output;
mod preview;

use std::path::{Path, PathBuf};

use crate::analysis::bundle::BundleFile;
use crate::analysis::{Analysis, DocKind, Options, Severity, analyze};
use crate::syntax::cfn;
use crate::workspace::diagnostics::file_diagnostics;
use crate::workspace::files::{nearest_configs, walk_dir};
use crate::workspace::{Queue, Workspace};

pub use output::Format;
pub use preview::{PreviewArgs, run as run_preview};

pub struct CheckArgs {
    pub paths: Vec<PathBuf>,
    pub environments: Vec<PathBuf>,
    pub format: Format,
}

/// A checked file and all its diagnostics (its own and the workspace's).
pub(crate) struct Checked {
    /// As the user named it (or relative to the current directory).
    pub path: PathBuf,
    pub analysis: Analysis,
    pub diagnostics: Vec<crate::analysis::Diagnostic>,
}

pub(crate) const EXIT_CLEAN: i32 = 0;
pub(crate) const EXIT_ERRORS: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

enum Read {
    Text(String),
    Problem(String),
}

fn read(path: &Path) -> Read {
    match crate::workspace::files::read_text(path) {
        Ok(text) => Read::Text(text),
        Err(e) => Read::Problem(format!("{}: {e}", path.display())),
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
                let analysis = analyze(&text, &Options::default().for_path(path));
                if analysis.kind != DocKind::Environment {
                    problems.push(format!(
                        "{}: --environment needs an environment template (specificationVersion: environment-2023-09)",
                        path.display()
                    ));
                }
                externals.push(Checked {
                    path: path.clone(),
                    analysis,
                    diagnostics: Vec::new(),
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
            if args.environments.contains(path) {
                continue;
            }
            match read(path) {
                Read::Problem(p) => problems.push(p),
                Read::Text(text) => {
                    if let Some(c) = check_file(path, &text) {
                        checked.push(c);
                    } else if !Workspace::is_config_file(path) {
                        // Named explicitly, so meant to be checked: a CI job
                        // with a wrong file name must not pass by checking
                        // nothing. (Directories skip such files silently.)
                        problems.push(format!(
                            "{}: not an OpenJD template: it needs a top-level `specificationVersion: jobtemplate-2023-09` or `environment-2023-09`",
                            path.display()
                        ));
                    }
                }
            }
        } else {
            problems.push(format!("{}: no such file or directory", path.display()));
        }
    }

    let ws = workspace_of(&args.paths, &externals, &checked);
    for config in nearest_configs(&args.paths) {
        let names: Vec<&str> = ws
            .queues_defined_in(&config)
            .map(|q| q.name.as_str())
            .collect();
        notes.push(format!(
            "{}: queue configuration applied to the templates below it (queues: {})",
            pathdiff(&config).display(),
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        ));
    }
    let configs: Vec<Checked> = nearest_configs(&args.paths)
        .into_iter()
        .map(|config| Checked {
            analysis: analyze(
                &crate::workspace::files::read_text(&config).unwrap_or_default(),
                &Options::own().for_path(&config),
            ),
            path: config,
            diagnostics: Vec::new(),
        })
        .collect();
    let mut all: Vec<Checked> = externals.into_iter().chain(checked).collect();
    for c in all.iter_mut() {
        let abs = std::fs::canonicalize(&c.path).unwrap_or_else(|_| c.path.clone());
        c.diagnostics = file_diagnostics(&ws, &abs, &c.analysis)
            .iter()
            .cloned()
            .collect();
    }
    for mut c in configs {
        c.diagnostics = file_diagnostics(&ws, &c.path, &c.analysis)
            .iter()
            .cloned()
            .collect();
        if !c.diagnostics.is_empty() {
            c.path = pathdiff(&c.path);
            all.push(c);
        }
    }
    let all: Vec<&Checked> = all.iter().collect();
    if let Err(e) = output::write(out, args.format, &all, &problems, &notes) {
        eprintln!("error: cannot write output: {e}");
        return EXIT_USAGE;
    }
    let errors = all
        .iter()
        .flat_map(|c| c.diagnostics.iter())
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
/// CloudFormation template holding queue environments; `None` for any
/// other file. Its diagnostics come later, from the workspace.
fn check_file(path: &Path, text: &str) -> Option<Checked> {
    let analysis = analyze(text, &Options::default().for_path(path));
    let keep = analysis.is_template()
        || BundleFile::of_path(path)
            .is_some_and(|k| k != BundleFile::Hooks || beside_template(path))
        || (cfn::might_hold(text) && analysis.root.as_ref().is_some_and(cfn::is_cloudformation));
    keep.then(|| Checked {
        path: path.to_path_buf(),
        analysis,
        diagnostics: Vec::new(),
    })
}

/// Whether a job template sits beside `path` (a `hooks.yaml` is a
/// bundle's only then).
fn beside_template(path: &Path) -> bool {
    crate::workspace::bundle::TEMPLATE_NAMES
        .iter()
        .any(|n| path.with_file_name(n).is_file())
}

/// The workspace the checked files live in, as the editor would see it:
/// every checked template, the queue configuration nearest to each path
/// (with the environment templates it names, read from disk), and the
/// `--environment` templates as a queue outside every job.
fn workspace_of(paths: &[PathBuf], externals: &[Checked], checked: &[Checked]) -> Workspace {
    let mut ws = Workspace {
        roots: nearest_configs(paths)
            .iter()
            .filter_map(|c| c.parent().map(Path::to_path_buf))
            .collect(),
        ..Default::default()
    };
    for c in externals.iter().chain(checked) {
        if let Ok(abs) = std::fs::canonicalize(&c.path) {
            ws.update_analysis(&abs, &c.analysis);
        }
    }
    ws.load_queues_from_disk();
    if !externals.is_empty() {
        let files = externals
            .iter()
            .map(|c| std::fs::canonicalize(&c.path).unwrap_or_else(|_| c.path.clone()))
            .collect();
        ws.queues.push(Queue::from_arguments(files));
    }
    ws
}

/// A path relative to the current directory when it is inside it.
fn pathdiff(p: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| p.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| p.to_path_buf())
}
