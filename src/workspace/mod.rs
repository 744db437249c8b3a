//! The workspace: environment and job templates found under the workspace
//! folders (open buffers win over files on disk), and the queue
//! configuration that says which environments run outside which jobs.

pub mod diagnostics;
pub mod files;
pub mod preview;
pub mod queues;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::analysis::session::External;
use crate::analysis::{Analysis, Diagnostic, DocKind, Options, Severity, analyze};
use crate::model::{Environment, Template};
use crate::text::LineIndex;

pub use queues::{CONFIG_FILES, Queue, QueueConfig, Source};

/// What the workspace keeps of a template: small enough for thousands.
#[derive(Debug)]
pub struct Indexed {
    pub path: PathBuf,
    pub kind: DocKind,
    pub template: Option<std::sync::Arc<Template>>,
    pub line_index: LineIndex,
    pub errors: usize,
}

impl Indexed {
    pub fn from_analysis(path: &Path, a: &Analysis) -> Indexed {
        Indexed {
            path: path.to_path_buf(),
            kind: a.kind,
            template: a.template.clone(),
            line_index: a.line_index.clone(),
            errors: a
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count(),
        }
    }

    pub fn environment(&self) -> Option<&Environment> {
        self.template.as_ref()?.environment.as_ref()
    }

    /// 1-based line of a byte offset in this file.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_index.line_of(offset) + 1
    }
}

#[derive(Debug, Default)]
pub struct Workspace {
    pub roots: Vec<PathBuf>,
    pub files: HashMap<PathBuf, Arc<Indexed>>,
    pub queues: Vec<Queue>,
    /// Diagnostics of each configuration file.
    pub config_diagnostics: HashMap<PathBuf, Vec<Diagnostic>>,
    /// Problems with the `openjd.queues` setting.
    pub settings_problems: Vec<String>,
}

fn might_be_template(text: &str) -> bool {
    text.contains("specificationVersion")
}

impl Workspace {
    /// Index every template under `roots`; `progress(done, total)` is
    /// called as files are read.
    pub fn index(roots: Vec<PathBuf>, progress: &mut dyn FnMut(usize, usize)) -> Workspace {
        let mut ws = Workspace {
            roots,
            ..Workspace::default()
        };
        let files: Vec<PathBuf> = ws.roots.iter().flat_map(|r| files::walk_dir(r)).collect();
        let total = files.len();
        for (i, f) in files.iter().enumerate() {
            match files::read_text(f) {
                Ok(text) => ws.update_text(f, &text),
                Err(files::ReadError::NotFound) => {}
                Err(e) => tracing::warn!("not indexed: {}: {e}", f.display()),
            }
            if i % 50 == 0 || i + 1 == total {
                progress(i + 1, total);
            }
        }
        ws
    }

    /// Record a file's current text (from disk or an open buffer).
    pub fn update_text(&mut self, path: &Path, text: &str) {
        let indexed = Workspace::index_text(path, text);
        self.set_indexed(path, indexed);
    }

    /// What the index keeps of a file's text; `None` when it is not a
    /// template. Needs no workspace, so it can run outside its lock.
    pub fn index_text(path: &Path, text: &str) -> Option<Arc<Indexed>> {
        if !might_be_template(text) {
            return None;
        }
        let a = analyze(text, &Options::own().for_path(path));
        a.is_template()
            .then(|| Arc::new(Indexed::from_analysis(path, &a)))
    }

    /// Store (or, with `None`, drop) what [`Workspace::index_text`] gave.
    pub fn set_indexed(&mut self, path: &Path, indexed: Option<Arc<Indexed>>) {
        match indexed {
            Some(ix) => {
                self.files.insert(path.to_path_buf(), ix);
            }
            None => {
                self.files.remove(path);
            }
        }
    }

    pub fn update_analysis(&mut self, path: &Path, a: &Analysis) {
        if a.is_template() {
            self.files.insert(
                path.to_path_buf(),
                Arc::new(Indexed::from_analysis(path, a)),
            );
        } else {
            self.files.remove(path);
        }
    }

    pub fn remove(&mut self, path: &Path) {
        self.files.remove(path);
    }

    pub fn is_config_file(path: &Path) -> bool {
        path.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| CONFIG_FILES.contains(&n))
    }

    /// Re-read the queue configuration: files at the roots (`read` gives
    /// an open buffer's text or the file's) and the `openjd.queues` setting.
    pub fn load_queues(
        &mut self,
        settings: &[QueueConfig],
        read: &dyn Fn(&Path) -> Option<String>,
    ) {
        self.queues.clear();
        self.config_diagnostics.clear();
        for root in &self.roots {
            for name in CONFIG_FILES {
                let path = root.join(name);
                let Some(text) = read(&path) else { continue };
                let (queues, diags) = queues::parse_file(&path, &text, &|p: &Path| {
                    // An open buffer of a file not saved yet counts.
                    files::probe(p).or_else(|e| read(p).map(|_| ()).ok_or(e))
                });
                self.queues.extend(queues);
                self.config_diagnostics.insert(path, diags);
            }
        }
        let root = self.roots.first().cloned().unwrap_or_default();
        let (queues, problems) = queues::from_settings(settings, &root);
        self.queues.extend(queues);
        self.settings_problems = problems;
    }

    /// The queues whose job globs match `job`.
    pub fn queues_for(&self, job: &Path) -> Vec<&Queue> {
        self.queues.iter().filter(|q| q.applies_to(job)).collect()
    }

    /// A queue's environments as the outer layers of a session; templates
    /// that are missing or not environment templates are left out.
    pub fn externals(&self, queue: &Queue) -> Vec<External<'_>> {
        queue
            .environments
            .iter()
            .filter_map(|p| {
                let env = self.files.get(p)?.environment()?;
                Some(External {
                    file: Some(p.clone()),
                    env,
                })
            })
            .collect()
    }

    /// Environment templates of the workspace that define wrap hooks.
    pub fn wrapping_templates(&self) -> Vec<(&Path, &Environment)> {
        let mut out: Vec<(&Path, &Environment)> = self
            .files
            .values()
            .filter_map(|ix| {
                let env = ix.environment()?;
                env.is_wrapper().then_some((ix.path.as_path(), env))
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(b.0));
        out
    }

    /// 1-based line of `offset` in an indexed file.
    pub fn line(&self, path: &Path, offset: usize) -> Option<usize> {
        self.files.get(path).map(|ix| ix.line_of(offset))
    }

    /// Job templates that `queue` applies to.
    pub fn jobs_of(&self, queue: &Queue) -> Vec<&Indexed> {
        let mut jobs: Vec<&Indexed> = self
            .files
            .values()
            .filter(|ix| ix.kind == DocKind::Job && queue.applies_to(&ix.path))
            .map(|ix| ix.as_ref())
            .collect();
        jobs.sort_by(|a, b| a.path.cmp(&b.path));
        jobs
    }
}
