//! The server's mutable state: open documents (text, version, and the one
//! analysis of that version), the client's capabilities, the settings and
//! the workspace. Requests never read it directly: they get a [`Snapshot`]
//! and a [`Doc`], immutable, and run on those.
//!
//! Each version of an open document has one [`AnalysisCell`], filled at most
//! once by whoever needs it first (the debounced publish or a request); a
//! new version gets a new, empty cell, which is also how stale work is
//! recognised. When a cell is filled the workspace learns the analysis (a
//! job's template, an environment, a configuration file's queues). Each
//! document's [`Pacing`] times its analyses, to decide the wait after its
//! next edit; each analysis is logged (debug level, target
//! `openjd_lsp::analyses`) with its time and whether a newer version
//! stopped it.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use dashmap::DashMap;
use tower_lsp_server::jsonrpc::{Error as RpcError, Result as RpcResult};
use tower_lsp_server::ls_types::{self as lsp, Uri};
use tracing_subscriber::{EnvFilter, Registry, reload};

use crate::analysis::{Analysis, Format, Options, analyze_until};
use crate::workspace::Workspace;

use super::background::Background;
use super::capabilities::ClientSupport;
use super::config::{Config, Debounce};
use super::dispatch::{isolated, isolated_on_own_thread};
use super::document::{ClientPosition, Document};
use super::memory::{LARGE_BYTES, Memory};
use super::pacing::Pacing;
use super::snapshot::{Doc, Snapshot};

pub(crate) type LogHandle = reload::Handle<EnvFilter, Registry>;

/// The analysis of one version of a document, computed at most once.
pub(crate) type AnalysisCell = tokio::sync::OnceCell<Arc<Analysis>>;

struct OpenDoc {
    document: Document,
    analysis: Arc<AnalysisCell>,
    /// Set when this version is no longer current (edited or closed): its
    /// analysis, if under way, stops at its next look.
    stale: Arc<AtomicBool>,
    /// The last filled analysis of an older version: freed only after the
    /// new one is published (freeing a large analysis takes a while).
    previous: Option<Arc<AnalysisCell>>,
    pacing: Arc<Pacing>,
}

/// One version of an open document.
#[derive(Clone)]
pub(crate) struct DocHandle {
    pub uri: Uri,
    pub path: Option<PathBuf>,
    pub version: i32,
    text: Arc<str>,
    format: Option<Format>,
    cell: Arc<AnalysisCell>,
    stale: Arc<AtomicBool>,
    pacing: Arc<Pacing>,
}

impl DocHandle {
    /// Set once this version is no longer current.
    pub(crate) fn stale_flag(&self) -> Arc<AtomicBool> {
        self.stale.clone()
    }

    /// The analysis, if it has been computed already.
    pub fn computed(&self) -> Option<Arc<Analysis>> {
        self.cell.get().cloned()
    }
}

pub(crate) fn path_of(uri: &Uri) -> Option<PathBuf> {
    uri.to_file_path().map(|p| p.into_owned())
}

fn read_lock<T: Clone>(lock: &RwLock<T>) -> T {
    match lock.read() {
        Ok(g) => g.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    }
}

fn write_lock<T>(lock: &RwLock<T>, value: T) {
    match lock.write() {
        Ok(mut g) => *g = value,
        Err(poisoned) => *poisoned.into_inner() = value,
    }
}

pub(crate) struct State {
    docs: DashMap<Uri, OpenDoc>,
    client: RwLock<ClientSupport>,
    config: RwLock<Arc<Config>>,
    workspace: RwLock<Arc<Workspace>>,
    roots: RwLock<Vec<PathBuf>>,
    /// The diagnostics each open document was last published or pulled
    /// with: a change elsewhere re-publishes (or asks for a pull) only
    /// where they differ now.
    reported: DashMap<Uri, Vec<lsp::Diagnostic>>,
    pub shutdown: AtomicBool,
    pub log: Option<LogHandle>,
    pub memory: Memory,
    /// Long work that notifications start, off the request slots.
    pub background: Background,
    /// What the next republish of the open documents must look at.
    pub republish: Mutex<PendingRepublish>,
}

/// A republish queued and not started yet, with what changed since the
/// last one began.
#[derive(Default)]
pub(crate) struct PendingRepublish {
    pub queued: bool,
    pub everything: bool,
    pub changed: HashSet<PathBuf>,
}

/// The guarded value, also after a panic elsewhere held the lock: it holds
/// plain data that stays consistent.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl State {
    pub fn new(log: Option<LogHandle>, memory: Memory) -> State {
        State {
            docs: DashMap::new(),
            client: RwLock::new(ClientSupport::default()),
            config: RwLock::new(Arc::new(Config::default())),
            workspace: RwLock::new(Arc::new(Workspace::default())),
            roots: RwLock::new(Vec::new()),
            reported: DashMap::new(),
            shutdown: AtomicBool::new(false),
            log,
            memory,
            background: Background::default(),
            republish: Mutex::default(),
        }
    }

    pub fn client(&self) -> ClientSupport {
        read_lock(&self.client)
    }

    pub(crate) fn set_client(&self, client: ClientSupport) {
        write_lock(&self.client, client);
    }

    pub fn config(&self) -> Arc<Config> {
        read_lock(&self.config)
    }

    pub(crate) fn set_config(&self, config: Config) {
        write_lock(&self.config, Arc::new(config));
    }

    pub fn roots(&self) -> Vec<PathBuf> {
        read_lock(&self.roots)
    }

    pub(crate) fn set_roots(&self, roots: Vec<PathBuf>) {
        write_lock(&self.roots, roots);
    }

    pub(crate) fn shutting_down(&self) -> bool {
        self.shutdown.load(Ordering::SeqCst)
    }

    /// An immutable view for features: settings, encoding, workspace.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            encoding: self.client().encoding,
            config: self.config(),
            workspace: read_lock(&self.workspace),
            unwanted: Default::default(),
        }
    }

    // --- Open documents -------------------------------------------------

    pub fn doc(&self, uri: &Uri) -> Option<DocHandle> {
        let d = self.docs.get(uri)?;
        Some(DocHandle {
            uri: uri.clone(),
            path: path_of(uri),
            version: d.document.version,
            text: d.document.text.clone(),
            format: d.document.format,
            cell: d.analysis.clone(),
            stale: d.stale.clone(),
            pacing: d.pacing.clone(),
        })
    }

    pub(crate) fn open_docs(&self) -> Vec<DocHandle> {
        let uris: Vec<Uri> = self.docs.iter().map(|e| e.key().clone()).collect();
        uris.iter().filter_map(|u| self.doc(u)).collect()
    }

    /// Still the document's current version (not edited nor closed since).
    pub(crate) fn is_current(&self, h: &DocHandle) -> bool {
        self.docs
            .get(&h.uri)
            .is_some_and(|d| Arc::ptr_eq(&d.analysis, &h.cell))
    }

    /// A document opened with this text; `language_id` decides YAML or
    /// JSON when the path does not.
    pub fn open(&self, uri: Uri, text: &str, version: i32, language_id: &str) {
        let document =
            Document::new(text, version).with_format(path_of(&uri).as_deref(), language_id);
        self.docs.insert(
            uri,
            OpenDoc {
                document,
                analysis: Arc::default(),
                stale: Arc::default(),
                previous: None,
                pacing: Arc::default(),
            },
        );
    }

    /// Apply content changes; `false` when the document is not open. Edit
    /// ranges outside the document are clamped and logged.
    pub fn change(
        &self,
        uri: &Uri,
        changes: &[lsp::TextDocumentContentChangeEvent],
        version: i32,
    ) -> bool {
        let encoding = self.client().encoding;
        let Some(mut doc) = self.docs.get_mut(uri) else {
            return false;
        };
        let edits: Vec<_> = changes
            .iter()
            .map(|change| {
                let range = change.range.map(|r| {
                    (
                        ClientPosition {
                            line: r.start.line,
                            character: r.start.character,
                        },
                        ClientPosition {
                            line: r.end.line,
                            character: r.end.character,
                        },
                    )
                });
                (range, change.text.as_str())
            })
            .collect();
        if doc.document.apply_all(&edits, encoding) {
            tracing::warn!(
                "an edit range of version {version} lies outside {}; clamped",
                uri.as_str()
            );
        }
        doc.document.version = version;
        doc.stale.store(true, Ordering::Release);
        doc.stale = Arc::default();
        let old = std::mem::take(&mut doc.analysis);
        if old.initialized() {
            doc.previous = Some(old);
        }
        true
    }

    /// The wait before analysing the version an edit just made (see
    /// `pacing`); zero for a document that is not open.
    pub(crate) fn wait_after_edit(&self, uri: &Uri, debounce: Debounce) -> std::time::Duration {
        self.docs
            .get(uri)
            .map_or(std::time::Duration::ZERO, |d| d.pacing.after_edit(debounce))
    }

    /// When the current version of `uri` is to be analysed, if it is not
    /// yet time.
    pub(crate) fn analysis_due(&self, uri: &Uri) -> Option<std::time::Instant> {
        self.docs.get(uri).and_then(|d| d.pacing.due())
    }

    /// Forget a closed document.
    pub fn close(&self, uri: &Uri) -> bool {
        self.reported.remove(uri);
        let closed = self.docs.remove(uri);
        if let Some((_, doc)) = &closed {
            doc.stale.store(true, Ordering::Release);
            self.memory.release_soon_after(doc.document.text.len());
        }
        closed.is_some()
    }

    /// The file on disk stands for a closed document again (blocking: it
    /// reads and indexes the file).
    pub(crate) fn restore_from_disk(&self, path: &Path) {
        if Workspace::is_config_file(path) {
            self.reload_queues();
        } else {
            self.index_from_disk(path);
        }
    }

    /// Read and index the file at `path` again (blocking), outside the
    /// workspace lock; after a large file, give back what that freed.
    pub(crate) fn index_from_disk(&self, path: &Path) {
        let (indexed, size) = match crate::workspace::files::read_text(path) {
            Ok(text) => (Workspace::index_text(path, &text), text.len()),
            Err(e) => {
                tracing::warn!("not indexed: {}: {e}", path.display());
                (Vec::new(), 0)
            }
        };
        self.update_workspace(|ws| ws.set_indexed(path, indexed));
        if size >= LARGE_BYTES {
            self.memory.release_here();
            self.memory.release_soon();
        }
    }

    /// The older analysis kept until the new one was published.
    pub(crate) fn take_previous(&self, uri: &Uri) -> Option<Arc<AnalysisCell>> {
        self.docs.get_mut(uri).and_then(|mut d| d.previous.take())
    }

    /// Free the older analysis kept until the new one was published.
    pub(crate) fn free_previous(&self, uri: &Uri) {
        let Some(previous) = self.take_previous(uri) else {
            return;
        };
        let size = previous.get().map_or(0, |a| a.text.len());
        drop(previous);
        self.memory.release_soon_after(size);
    }

    /// The analysis of this version as a request's document: computed
    /// once, on a blocking thread, by the first who asks (a panic becomes
    /// an error); when it is computed the workspace learns it, if the
    /// version is still current.
    pub async fn resolve(&self, h: &DocHandle) -> RpcResult<Doc> {
        let analysis = h
            .cell
            .get_or_try_init(|| async {
                // A version edited or closed since is not analysed, and its
                // analysis under way stops: a newer one is wanted instead.
                if h.stale.load(Ordering::Acquire) {
                    return Err(RpcError::content_modified());
                }
                let stale = h.stale.clone();
                let (text, format) = (h.text.clone(), h.format);
                let started = h.pacing.started();
                let size = text.len();
                let large = size >= LARGE_BYTES;
                let work = move || {
                    let options = Options::default().with_format(format);
                    // Over the size cap: not analysed, and the editor is
                    // told why.
                    if size > crate::workspace::files::max_file_bytes() {
                        return Arc::new(crate::workspace::files::too_large_document(
                            size, &options,
                        ));
                    }
                    let stop = || stale.load(Ordering::Acquire);
                    Arc::new(analyze_until(text, &options, &stop))
                };
                // A large document's analysis runs on a thread of its own,
                // so that its memory is no pooled thread's and goes back to
                // the system once the analysis is replaced or closed.
                let analysis = if large {
                    isolated_on_own_thread("analysis", work).await
                } else {
                    isolated("analysis", work).await
                };
                let finished = analysis.as_ref().is_ok_and(|a| !a.stopped);
                let took = h.pacing.ended(started, finished);
                tracing::debug!(
                    target: "openjd_lsp::analyses",
                    "analysis of {} version {}: {:.2} ms, {}",
                    h.uri.as_str(),
                    h.version,
                    took.as_secs_f64() * 1000.0,
                    if finished { "finished" } else { "stopped" }
                );
                let analysis = analysis?;
                if large {
                    self.memory.release_soon();
                }
                if analysis.stopped {
                    return Err(RpcError::content_modified());
                }
                if self.is_current(h) {
                    self.learn(h, &analysis);
                }
                RpcResult::Ok(analysis)
            })
            .await?
            .clone();
        Ok(Doc {
            uri: h.uri.clone(),
            path: h.path.clone(),
            version: h.version,
            analysis,
        })
    }

    /// Tell the workspace about an open document's new analysis.
    fn learn(&self, h: &DocHandle, analysis: &Analysis) {
        let Some(path) = &h.path else { return };
        if Workspace::is_config_file(path) {
            self.reload_queues();
        } else {
            self.update_workspace(|ws| ws.update_analysis(path, analysis));
        }
    }

    // --- Diagnostics bookkeeping ------------------------------------------

    /// Record what the client was given; `true` when it differs from what
    /// it had.
    pub fn report(&self, uri: &Uri, diagnostics: &[lsp::Diagnostic]) -> bool {
        if self.reported.get(uri).is_some_and(|r| *r == diagnostics) {
            return false;
        }
        if self.docs.contains_key(uri) {
            self.reported.insert(uri.clone(), diagnostics.to_vec());
        }
        true
    }

    pub(crate) fn differs_from_reported(&self, uri: &Uri, diagnostics: &[lsp::Diagnostic]) -> bool {
        !self.reported.get(uri).is_some_and(|r| *r == diagnostics)
    }

    // --- The workspace ----------------------------------------------------

    /// Change the workspace; snapshots taken before keep the old one.
    pub(crate) fn update_workspace<T>(&self, f: impl FnOnce(&mut Workspace) -> T) -> T {
        let mut guard = self.workspace.write().unwrap_or_else(|p| p.into_inner());
        f(Arc::make_mut(&mut guard))
    }

    pub(crate) fn set_workspace(&self, ws: Workspace) {
        write_lock(&self.workspace, Arc::new(ws));
    }

    /// The text of a file as the editor sees it: the open buffer, else disk.
    pub(crate) fn read_file(&self, path: &Path) -> Option<String> {
        let open = self
            .docs
            .iter()
            .find(|e| path_of(e.key()).as_deref() == Some(path))
            .map(|e| e.value().document.text());
        open.or_else(|| crate::workspace::files::read_text(path).ok())
    }

    /// The texts of the open documents that are files, by path.
    pub(crate) fn open_texts(&self) -> std::collections::HashMap<PathBuf, String> {
        self.docs
            .iter()
            .filter_map(|e| Some((path_of(e.key())?, e.value().document.text())))
            .collect()
    }

    /// Read the queue configuration again: files at the roots (open
    /// buffers first) and the `openjd.queues` setting.
    pub(crate) fn reload_queues(&self) {
        let settings = self.config().queues.clone();
        let problems = self.update_workspace(|ws| {
            ws.load_queues(&settings, &|p| self.read_file(p));
            ws.settings_problems.clone()
        });
        for p in problems {
            tracing::warn!("openjd.queues: {p}");
        }
    }

    /// Open documents whose analysis the workspace should hold instead of
    /// the files on disk (after indexing from disk).
    pub(crate) fn computed_analyses(&self) -> Vec<(PathBuf, Arc<Analysis>)> {
        self.open_docs()
            .into_iter()
            .filter_map(|h| Some((h.path.clone()?, h.computed()?)))
            .collect()
    }
}
