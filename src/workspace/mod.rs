//! The workspace: environment and job templates found under the workspace
//! folders (open buffers win over files on disk), and the queue
//! configuration that says which environments run outside which jobs.

pub mod bundle;
pub mod diagnostics;
pub mod files;
pub mod preview;
pub mod queues;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::analysis::embedded::{Hosted, analyze_host};
use crate::analysis::session::External;
use crate::analysis::{Analysis, Code, Diagnostic, DocKind, Options, Severity, analyze};
use crate::model::{Environment, Template};
use crate::syntax::cfn::{Embedded, QueueRef};
use crate::text::LineIndex;

pub use queues::{CONFIG_FILES, Queue, QueueConfig, Source};

/// What the workspace keeps of a template: small enough for thousands.
#[derive(Debug)]
pub struct Indexed {
    /// The file; for a template embedded in CloudFormation,
    /// `<host file>#<logical id>`.
    pub path: PathBuf,
    pub kind: DocKind,
    pub template: Option<std::sync::Arc<Template>>,
    /// Lines of the file (of the host file, for an embedded template).
    pub line_index: Arc<LineIndex>,
    pub errors: usize,
    /// For an embedded template: where it sits in its host file.
    pub embedding: Option<Arc<Embedded>>,
    /// A job template's `parameterDefinitions`, for its bundle's values file.
    pub parameter_definitions: Option<Arc<crate::syntax::Node>>,
}

impl Indexed {
    pub(crate) fn from_analysis(path: &Path, a: &Analysis) -> Indexed {
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
            embedding: None,
            parameter_definitions: (a.kind == DocKind::Job)
                .then(|| {
                    a.root
                        .as_ref()?
                        .get("parameterDefinitions")
                        .cloned()
                        .map(Arc::new)
                })
                .flatten(),
        }
    }

    /// An embedded template of a CloudFormation file (`host_lines` are
    /// the host file's lines).
    pub(crate) fn from_hosted(host: &Path, h: Hosted, host_lines: &Arc<LineIndex>) -> Indexed {
        let errors = h
            .host_diagnostics()
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        Indexed {
            path: embedded_path(host, &h.embedded.logical_id),
            kind: h.analysis.kind,
            template: h.analysis.template.clone(),
            line_index: host_lines.clone(),
            errors,
            embedding: Some(Arc::new(h.embedded)),
            parameter_definitions: None,
        }
    }

    /// The file to open for this template (the host of an embedded one).
    pub fn file(&self) -> &Path {
        match &self.embedding {
            Some(_) => split_fragment(&self.path).0,
            None => &self.path,
        }
    }

    pub fn environment(&self) -> Option<&Environment> {
        self.template.as_ref()?.environment.as_ref()
    }

    /// 1-based line of a byte offset in this template (in its host file,
    /// for an embedded one).
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        let at = self
            .embedding
            .as_ref()
            .map_or(offset, |e| e.to_host(offset));
        self.line_index.line_of(at) + 1
    }
}

/// The workspace name of a template embedded in `host` as resource `id`.
pub(crate) fn embedded_path(host: &Path, id: &str) -> PathBuf {
    let mut s = host.as_os_str().to_os_string();
    s.push("#");
    s.push(id);
    PathBuf::from(s)
}

/// Where a folder is on disk, for comparing folders named differently.
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Each workspace folder once (the first of the names that are the same
/// folder on disk), in the order given.
fn distinct_roots(roots: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut seen: HashSet<PathBuf> = HashSet::new();
    roots
        .into_iter()
        .filter(|r| seen.insert(canonical(r)))
        .collect()
}

/// The folders to walk: those not inside another (whose walk finds their
/// files already). Nested folders still count for their queue configuration.
fn outermost_roots(roots: &[PathBuf]) -> Vec<&PathBuf> {
    let on_disk: Vec<PathBuf> = roots.iter().map(|r| canonical(r)).collect();
    roots
        .iter()
        .zip(&on_disk)
        .filter(|(_, c)| !on_disk.iter().any(|o| o != *c && c.starts_with(o)))
        .map(|(r, _)| r)
        .collect()
}

/// `farm.yaml#Env` → (`farm.yaml`, Some(`Env`)).
pub(crate) fn split_fragment(path: &Path) -> (&Path, Option<&str>) {
    match path.to_str().and_then(|s| s.rsplit_once('#')) {
        Some((host, id)) if !id.contains('/') => (Path::new(host), Some(id)),
        _ => (path, None),
    }
}

#[derive(Clone, Debug, Default)]
pub struct Workspace {
    pub roots: Vec<PathBuf>,
    pub files: HashMap<PathBuf, Arc<Indexed>>,
    pub queues: Vec<Queue>,
    /// Diagnostics of each configuration file.
    pub config_diagnostics: HashMap<PathBuf, Vec<Diagnostic>>,
    /// Problems with the `openjd.queues` setting.
    pub settings_problems: Vec<String>,
    /// Queue environment entries that are files of their own, as found when
    /// the queue configuration was last read: `envs/a#b.yaml` that exists is
    /// that file, not the resource `b.yaml` of a CloudFormation file `envs/a`.
    pub entry_files: HashSet<PathBuf>,
    /// What the user should know about the last indexing: folders not
    /// walked, or walked only up to the cap.
    pub notices: Vec<String>,
}

fn might_be_template(text: &str) -> bool {
    text.contains("specificationVersion")
}

/// A CloudFormation file's queue environments, as the workspace keeps them.
pub(crate) fn index_host(path: &Path, text: &str, options: &Options) -> Vec<Indexed> {
    let hosted = analyze_host(text, options);
    if hosted.is_empty() {
        return Vec::new();
    }
    let lines = Arc::new(LineIndex::new(text));
    hosted
        .into_iter()
        .map(|h| Indexed::from_hosted(path, h, &lines))
        .collect()
}

impl Workspace {
    /// Index every template under `roots`, each folder up to `limits`
    /// (once, also when it is given twice or lies in another);
    /// `progress(done, total)` is called as files are read.
    pub fn index(
        roots: Vec<PathBuf>,
        limits: &files::IndexLimits,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Workspace {
        let mut ws = Workspace {
            roots: distinct_roots(roots),
            ..Workspace::default()
        };
        let mut files: Vec<PathBuf> = Vec::new();
        for root in outermost_roots(&ws.roots) {
            let walked = files::walk(root, limits);
            if walked.pseudo {
                ws.notices.push(format!(
                    "{} is not indexed: it is a pseudo file system (like /proc, /sys or /dev), whose files are the kernel's, not templates",
                    root.display()
                ));
            } else if walked.capped {
                ws.notices.push(format!(
                    "Only the first {} YAML and JSON files ({:.1} MiB) of {} are indexed, the most the settings `openjd.files.maxIndexedFiles` ({}) and `openjd.files.maxIndexedMiB` ({}) allow a workspace folder; templates past them are not known to other files until opened",
                    walked.files.len(),
                    walked.bytes as f64 / (1u64 << 20) as f64,
                    root.display(),
                    limits.files,
                    limits.bytes >> 20,
                ));
            }
            files.extend(walked.files);
        }
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

    /// What the index keeps of a file's text: the template, or each
    /// environment template embedded in a CloudFormation file; empty when
    /// there is none. Needs no workspace, so it can run outside its lock.
    pub(crate) fn index_text(path: &Path, text: &str) -> Vec<Arc<Indexed>> {
        // A file of the workspace that nobody opened must never take the
        // server down: a failure in its analysis leaves it out of the index,
        // said once in the log, until its text changes.
        let indexed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Self::analyse_for_index(path, text)
        }));
        indexed.unwrap_or_else(|panic| {
            let reason = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no reason given".into());
            tracing::error!(
                "not indexed: {}: its analysis failed ({reason}); it is skipped until it changes",
                path.display()
            );
            Vec::new()
        })
    }

    fn analyse_for_index(path: &Path, text: &str) -> Vec<Arc<Indexed>> {
        if !might_be_template(text) {
            return Vec::new();
        }
        let options = Options::own();
        let embedded = index_host(path, text, &options);
        if !embedded.is_empty() {
            return embedded.into_iter().map(Arc::new).collect();
        }
        let a = analyze(text, &options.for_path(path));
        if a.is_template() {
            vec![Arc::new(Indexed::from_analysis(path, &a))]
        } else {
            Vec::new()
        }
    }

    /// Store what [`Workspace::index_text`] gave for `path` (dropping what
    /// the file held before).
    pub(crate) fn set_indexed(&mut self, path: &Path, indexed: Vec<Arc<Indexed>>) {
        self.remove_embedded(path);
        self.files.remove(path);
        for ix in indexed {
            self.files.insert(ix.path.clone(), ix);
        }
    }

    /// Forget the templates embedded in `host`.
    fn remove_embedded(&mut self, host: &Path) {
        self.files
            .retain(|k, ix| ix.embedding.is_none() || ix.file() != host || k == host);
    }

    /// The templates embedded in `host`, in document order.
    pub(crate) fn embedded_in(&self, host: &Path) -> Vec<&Indexed> {
        let mut out: Vec<&Indexed> = self
            .files
            .values()
            .filter(|ix| ix.embedding.is_some() && ix.file() == host)
            .map(|ix| ix.as_ref())
            .collect();
        out.sort_by_key(|ix| ix.embedding.as_ref().map_or(0, |e| e.span.start));
        out
    }

    pub(crate) fn update_analysis(&mut self, path: &Path, a: &Analysis) {
        self.remove_embedded(path);
        self.add_analysis(path, a);
    }

    /// Index the analysis of a file the workspace holds nothing embedded
    /// in yet (a fresh index, as `check` builds): unlike
    /// [`Workspace::update_analysis`], no pass over every file to forget
    /// what it held, which made indexing N files take N² steps.
    pub(crate) fn add_analysis(&mut self, path: &Path, a: &Analysis) {
        if a.kind == DocKind::NotTemplate {
            let embedded = index_host(path, &a.text, &Options::own());
            if !embedded.is_empty() {
                self.files.remove(path);
                for ix in embedded {
                    self.files.insert(ix.path.clone(), Arc::new(ix));
                }
                return;
            }
        }
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
        self.remove_embedded(path);
    }

    pub(crate) fn is_config_file(path: &Path) -> bool {
        path.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| CONFIG_FILES.contains(&n))
    }

    /// The queues a configuration file defines.
    pub(crate) fn queues_defined_in<'w>(
        &'w self,
        config: &'w Path,
    ) -> impl Iterator<Item = &'w Queue> {
        self.queues
            .iter()
            .filter(move |q| matches!(&q.source, Source::File { path, .. } if path == config))
    }

    /// Read the queue configuration files at the roots from disk, and the
    /// environment templates they name that the workspace does not hold
    /// yet — as `check` and `preview` see a queue.
    pub(crate) fn load_queues_from_disk(&mut self) {
        self.load_queues(&[], &|p: &Path| files::read_text(p).ok());
    }

    /// Re-read the queue configuration: files at the roots (`read` gives
    /// an open buffer's text or the file's) and the `openjd.queues` setting,
    /// and the environment files they name that the workspace does not hold.
    pub fn load_queues(
        &mut self,
        settings: &[QueueConfig],
        read: &dyn Fn(&Path) -> Option<String>,
    ) {
        self.queues.clear();
        self.config_diagnostics.clear();
        self.entry_files.clear();
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
        self.read_entries(read);
        self.expand_queue_references();
    }

    /// Index the files the queues' environment entries name that the
    /// workspace does not hold (outside the workspace folders, or not
    /// templates at all), and note which entries are files of their own.
    fn read_entries(&mut self, read: &dyn Fn(&Path) -> Option<String>) {
        let entries: Vec<PathBuf> = self
            .queues
            .iter()
            .flat_map(|q| q.environments.iter().cloned())
            .collect();
        for entry in entries {
            if self.entry_files.contains(&entry) {
                continue;
            }
            if let Some(ix) = self.files.get(&entry) {
                if ix.embedding.is_none() {
                    self.entry_files.insert(entry);
                }
                continue;
            }
            if let Some(text) = read(&entry) {
                self.update_text(&entry, &text);
                self.entry_files.insert(entry);
                continue;
            }
            // `farm.yaml#Resource` is read from its CloudFormation file.
            if let (host, Some(_)) = split_fragment(&entry)
                && self.embedded_in(host).is_empty()
                && let Some(text) = read(host)
            {
                self.update_text(host, &text);
            }
        }
    }

    /// The file a queue environment entry is read from: the entry itself,
    /// or the CloudFormation file of `farm.yaml#Resource`.
    pub(crate) fn entry_file<'p>(&self, entry: &'p Path) -> &'p Path {
        if self.entry_files.contains(entry) {
            entry
        } else {
            split_fragment(entry).0
        }
    }

    /// An environment entry `farm.yaml#Queue` that names a queue of a
    /// CloudFormation file stands for every queue environment of that
    /// file whose `QueueId` refers to it, in the order Deadline Cloud
    /// enters them: ascending `Priority` (0 is entered first and left
    /// last); for equal priorities Deadline Cloud enters the one created
    /// first, which a template does not say, so document order is used.
    fn expand_queue_references(&mut self) {
        let mut queues = std::mem::take(&mut self.queues);
        for q in &mut queues {
            let mut expanded = Vec::new();
            let mut spans = Vec::new();
            let file_spans = match &q.source {
                Source::File { environments, .. } => Some(environments.clone()),
                _ => None,
            };
            for (i, env) in q.environments.iter().enumerate() {
                let span = file_spans.as_ref().and_then(|s| s.get(i).cloned());
                let members = self.queue_members(env);
                if members.is_empty() {
                    expanded.push(env.clone());
                    spans.extend(span);
                } else {
                    for m in members {
                        expanded.push(m);
                        spans.extend(span.clone());
                    }
                }
            }
            q.environments = expanded;
            if let Source::File { environments, .. } = &mut q.source {
                *environments = spans;
            }
        }
        self.queues = queues;
    }

    /// The queue environments that `host#Queue` stands for (empty when it
    /// names no queue, for example when it names an environment itself).
    pub(crate) fn queue_members(&self, entry: &Path) -> Vec<PathBuf> {
        if self.files.contains_key(entry) {
            return Vec::new();
        }
        let (host, Some(queue)) = split_fragment(entry) else {
            return Vec::new();
        };
        let mut members: Vec<(i64, usize, PathBuf)> = self
            .embedded_in(host)
            .into_iter()
            .filter_map(|ix| {
                let e = ix.embedding.as_ref()?;
                (e.queue == QueueRef::Resource(queue.to_string())).then(|| {
                    (
                        e.priority.unwrap_or(i64::MAX),
                        e.span.start,
                        ix.path.clone(),
                    )
                })
            })
            .collect();
        members.sort();
        members.into_iter().map(|(_, _, p)| p).collect()
    }

    /// Where a range of an embedded template (`host#id`) is in its host
    /// file; `None` for any other file.
    pub fn locate(
        &self,
        path: &Path,
        span: &crate::syntax::Span,
    ) -> Option<(PathBuf, crate::syntax::Span)> {
        let ix = self.files.get(path)?;
        let e = ix.embedding.as_ref()?;
        Some((ix.file().to_path_buf(), e.range_to_host(span.clone())))
    }

    /// `host#id` names neither a queue environment of `host` nor a queue
    /// that one refers to.
    pub(crate) fn unknown_resource(
        &self,
        host: &Path,
        id: &str,
        span: &crate::syntax::Span,
    ) -> Diagnostic {
        let embedded = self.embedded_in(host);
        let mut names: Vec<&str> = Vec::new();
        for ix in &embedded {
            let Some(e) = ix.embedding.as_ref() else {
                continue;
            };
            names.push(&e.logical_id);
            if let QueueRef::Resource(q) = &e.queue
                && !names.contains(&q.as_str())
            {
                names.push(q);
            }
        }
        let file = host.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let mut d = Diagnostic::new(
            Code::CfnUnknownResource,
            span.clone(),
            format!(
                "`{file}` has no AWS::Deadline::QueueEnvironment `{id}`, nor a queue that one refers to"
            ),
        );
        if names.is_empty() {
            d.message.push_str("; it holds no queue environments");
        } else if let Some(best) =
            crate::analysis::diagnostic::did_you_mean(id, names.iter().copied())
        {
            d.message.push_str(&format!("; did you mean `{best}`?"));
        } else {
            d.message
                .push_str(&format!("; it has {}", names.join(", ")));
        }
        d
    }

    /// The queues whose job globs match `job`.
    pub(crate) fn queues_for(&self, job: &Path) -> Vec<&Queue> {
        self.queues.iter().filter(|q| q.applies_to(job)).collect()
    }

    /// The queues that apply the environment template at `env` (none when
    /// there is no path: an unsaved buffer).
    pub(crate) fn queues_applying(&self, env: Option<&Path>) -> Vec<&Queue> {
        let Some(env) = env else {
            return Vec::new();
        };
        self.queues
            .iter()
            .filter(|q| q.environments.iter().any(|e| e == env))
            .collect()
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
    pub(crate) fn wrapping_templates(&self) -> Vec<(&Path, &Environment)> {
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
    pub(crate) fn jobs_of(&self, queue: &Queue) -> Vec<&Indexed> {
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
