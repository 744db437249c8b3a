//! `openjd-lsp check`: the same analysis as the editor, for CI.

mod output;
mod preview;
mod terminal;

use std::path::{Path, PathBuf};

use crate::analysis::bundle::BundleFile;
use crate::analysis::{Analysis, DocKind, Options, analyze};
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

/// Analyses kept from the first reading to the report, at most this many
/// bytes of text and files: a usual run analyses each file once, and a run
/// over a large tree reads the files past it again rather than hold every
/// analysis (memory stays flat in the number of files).
const KEPT_TEXT: usize = 8 << 20;
const KEPT_FILES: usize = 1_000;

/// The files to report on, in order, each with its analysis while within
/// the budget of [`KEPT_TEXT`] and [`KEPT_FILES`].
#[derive(Default)]
struct Found {
    files: Vec<(PathBuf, Option<Analysis>)>,
    kept_text: usize,
    kept_files: usize,
}

impl Found {
    fn push(&mut self, path: PathBuf, analysis: Analysis) {
        let keep =
            self.kept_files < KEPT_FILES && self.kept_text + analysis.text.len() <= KEPT_TEXT;
        if keep {
            self.kept_files += 1;
            self.kept_text += analysis.text.len();
        }
        self.files.push((path, keep.then_some(analysis)));
    }
}

pub fn run(args: CheckArgs, out: &mut dyn std::io::Write) -> i32 {
    let mut out = std::io::BufWriter::new(out);
    let code = check(args, &mut out);
    if let Err(e) = std::io::Write::flush(&mut out) {
        eprintln!("error: cannot write output: {e}");
        return EXIT_USAGE;
    }
    code
}

fn check(args: CheckArgs, out: &mut dyn std::io::Write) -> i32 {
    let mut problems: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut ws = Workspace {
        roots: nearest_configs(&args.paths)
            .iter()
            .filter_map(|c| c.parent().map(Path::to_path_buf))
            .collect(),
        ..Default::default()
    };
    // First every file is read into the workspace, which a file's
    // diagnostics depend on (the queues a job runs on, the template beside
    // a bundle file); then each is reported in turn.
    let mut found = Found::default();

    // External environments first: they are checked too, and form the
    // outer layers of every job's session.
    let mut externals: Vec<PathBuf> = Vec::new();
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
                index(&mut ws, path, &analysis);
                externals.push(path.clone());
                found.push(path.clone(), analysis);
            }
        }
    }

    for path in &args.paths {
        if path.is_dir() {
            let before = found.files.len();
            for file in walk_dir(path) {
                if args.environments.contains(&file) {
                    continue;
                }
                match read(&file) {
                    Read::Problem(p) => problems.push(p),
                    Read::Text(text) => {
                        if let Some(analysis) = check_file(&file, &text) {
                            index(&mut ws, &file, &analysis);
                            found.push(file, analysis);
                        }
                    }
                }
            }
            if found.files.len() == before && externals.is_empty() {
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
                    if let Some(analysis) = check_file(path, &text) {
                        index(&mut ws, path, &analysis);
                        found.push(path.clone(), analysis);
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

    ws.load_queues_from_disk();
    if !externals.is_empty() {
        let files = externals
            .iter()
            .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
            .collect();
        ws.queues.push(Queue::from_arguments(files));
    }
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

    let written = (|| {
        let mut report = output::Report::start(out, args.format)?;
        for (path, kept) in found.files {
            let analysis = match kept {
                Some(a) => a,
                // Read again: it may have changed or gone since.
                None => match read(&path) {
                    Read::Problem(p) => {
                        problems.push(p);
                        continue;
                    }
                    Read::Text(text) => {
                        let is_external = externals.contains(&path);
                        match check_file(&path, &text) {
                            Some(a) => a,
                            None if is_external => {
                                analyze(&text, &Options::default().for_path(&path))
                            }
                            None => continue,
                        }
                    }
                },
            };
            let abs = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            let diagnostics = file_diagnostics(&ws, &abs, &analysis)
                .iter()
                .cloned()
                .collect();
            report.file(&Checked {
                path,
                analysis,
                diagnostics,
            })?;
        }
        for config in nearest_configs(&args.paths) {
            let analysis = analyze(
                &crate::workspace::files::read_text(&config).unwrap_or_default(),
                &Options::own().for_path(&config),
            );
            let diagnostics: Vec<_> = file_diagnostics(&ws, &config, &analysis)
                .iter()
                .cloned()
                .collect();
            if !diagnostics.is_empty() {
                report.file(&Checked {
                    path: pathdiff(&config),
                    analysis,
                    diagnostics,
                })?;
            }
        }
        let errors = report.has_errors();
        report.finish(&problems, &notes)?;
        Ok::<bool, std::io::Error>(errors)
    })();
    match written {
        Err(e) => {
            eprintln!("error: cannot write output: {e}");
            EXIT_USAGE
        }
        Ok(_) if !problems.is_empty() => EXIT_USAGE,
        Ok(true) => EXIT_ERRORS,
        Ok(false) => EXIT_CLEAN,
    }
}

/// Put a checked file's analysis in the workspace, as the editor would.
/// Each file is read once, so there is nothing of it there before.
fn index(ws: &mut Workspace, path: &Path, analysis: &Analysis) {
    if let Ok(abs) = std::fs::canonicalize(path) {
        ws.add_analysis(&abs, analysis);
    }
}

/// The analysis of a template, a job bundle's values or asset references
/// file, or a CloudFormation template holding queue environments; `None`
/// for any other file. Its diagnostics come later, from the workspace.
fn check_file(path: &Path, text: &str) -> Option<Analysis> {
    let analysis = analyze(text, &Options::default().for_path(path));
    let keep = analysis.is_template()
        || BundleFile::of_path(path)
            .is_some_and(|k| k != BundleFile::Hooks || beside_template(path))
        || (cfn::might_hold(text) && analysis.root.as_ref().is_some_and(cfn::is_cloudformation));
    keep.then_some(analysis)
}

/// Whether a job template sits beside `path` (a `hooks.yaml` is a
/// bundle's only then).
fn beside_template(path: &Path) -> bool {
    crate::workspace::bundle::TEMPLATE_NAMES
        .iter()
        .any(|n| path.with_file_name(n).is_file())
}

/// A path relative to the current directory when it is inside it.
fn pathdiff(p: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| p.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| p.to_path_buf())
}
