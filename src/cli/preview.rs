//! `openjd-lsp preview`: the session a job runs, action by action, with the
//! exact command of each — the same answer as the editor's "Preview
//! session".

use std::path::{Path, PathBuf};

use crate::analysis::expressions::group;
use crate::analysis::preview::{MAX_SESSION_TASKS, MAX_TASKS};
use crate::workspace::Workspace;
use crate::workspace::files::nearest_configs;
use crate::workspace::preview::{self, Request};

use super::{EXIT_CLEAN, EXIT_ERRORS, EXIT_USAGE, Format};

pub struct PreviewArgs {
    pub job: PathBuf,
    pub environments: Vec<PathBuf>,
    /// `NAME=VALUE` as given.
    pub params: Vec<String>,
    pub params_file: Option<PathBuf>,
    pub steps: Vec<String>,
    pub tasks: usize,
    pub format: Format,
}

/// A workspace holding the queue configuration nearest to `job`, with the
/// environment templates it names, as `check` reads it.
fn queue_workspace(job: &Path) -> Workspace {
    let Some(config) = nearest_configs(&[job.to_path_buf()]).into_iter().next() else {
        return Workspace::default();
    };
    let Some(root) = config.parent().map(Path::to_path_buf) else {
        return Workspace::default();
    };
    let mut ws = Workspace {
        roots: vec![root],
        ..Default::default()
    };
    ws.load_queues_from_disk();
    ws
}

pub fn run(args: PreviewArgs, out: &mut dyn std::io::Write) -> i32 {
    if args.tasks > MAX_TASKS {
        eprintln!(
            "error: --tasks {} is more than the preview lists: at most {} tasks per step (and {} in a session)",
            args.tasks,
            group(MAX_TASKS),
            group(MAX_SESSION_TASKS)
        );
        return EXIT_USAGE;
    }
    let mut params = Vec::new();
    for p in &args.params {
        match p.split_once('=') {
            Some((n, v)) if !n.is_empty() => params.push((n.to_string(), v.to_string())),
            _ => {
                eprintln!("error: -p needs NAME=VALUE, got `{p}`");
                return EXIT_USAGE;
            }
        }
    }
    let job = std::fs::canonicalize(&args.job).unwrap_or_else(|_| args.job.clone());
    let text = match crate::workspace::files::read_text(&job) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {}: {e}", args.job.display());
            return EXIT_USAGE;
        }
    };
    let ws = queue_workspace(&job);
    let req = Request {
        environments: args
            .environments
            .iter()
            .map(|e| std::fs::canonicalize(e).unwrap_or_else(|_| e.clone()))
            .collect(),
        params,
        params_file: args.params_file.clone(),
        steps: args.steps.clone(),
        tasks: args.tasks,
        // The command line reads every file from disk.
        texts: Default::default(),
    };
    let sessions = match preview::sessions(&ws, &job, &text, &req) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let written = match args.format {
        Format::Human => write!(
            out,
            "{}",
            crate::ide::preview::to_text(&args.job, &sessions)
        ),
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&crate::ide::preview::to_json(&args.job, &sessions))
                .unwrap_or_default()
        ),
    };
    if let Err(e) = written {
        eprintln!("error: cannot write output: {e}");
        return EXIT_USAGE;
    }
    let failed = sessions.iter().any(|s| {
        s.preview.as_ref().map_or(true, |p| {
            p.refused.is_some()
                || !p.missing.is_empty()
                || p.actions.iter().any(|a| a.error.is_some())
        })
    });
    if failed { EXIT_ERRORS } else { EXIT_CLEAN }
}
