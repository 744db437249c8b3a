//! The language server: LSP over stdio on tower-lsp-server. It owns the open
//! documents and their latest analyses, and hands immutable analyses to the
//! features, which run on blocking threads with panics caught.

pub mod config;
pub mod convert;
pub mod document;
pub mod transport;

use std::panic::AssertUnwindSafe;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use dashmap::DashMap;
use tower_lsp_server::jsonrpc::{Error as RpcError, Result as RpcResult};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};
use tracing_subscriber::{EnvFilter, Registry, reload};

use crate::analysis::{Analysis, Options, analyze};
use crate::text::PositionEncoding;
use crate::workspace::Workspace;

use config::Config;
use document::{ClientPosition, Document};

type LogHandle = reload::Handle<EnvFilter, Registry>;

pub struct State {
    docs: DashMap<Uri, Document>,
    analyses: DashMap<Uri, (i32, Arc<Analysis>)>,
    generations: DashMap<Uri, Arc<AtomicU64>>,
    encoding: RwLock<PositionEncoding>,
    config: RwLock<Config>,
    /// Push diagnostics unless the client pulls them.
    push: AtomicBool,
    shutdown: AtomicBool,
    log: Option<LogHandle>,
    workspace: RwLock<Workspace>,
    roots: RwLock<Vec<std::path::PathBuf>>,
    /// The client can register file watchers and show progress.
    watch_registration: AtomicBool,
    /// The client supports `workspace/diagnostic/refresh`.
    refresh_support: AtomicBool,
    /// The diagnostics each open document was last published with, or
    /// last pulled with.
    reported: DashMap<Uri, Vec<Diagnostic>>,
    /// The client answers `workspace/configuration`.
    configuration_support: AtomicBool,
    progress_support: AtomicBool,
}

#[derive(Clone)]
pub struct Backend {
    client: Client,
    state: Arc<State>,
}

fn read<T: Clone>(lock: &RwLock<T>) -> T {
    match lock.read() {
        Ok(g) => g.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    }
}

fn write<T>(lock: &RwLock<T>, value: T) {
    match lock.write() {
        Ok(mut g) => *g = value,
        Err(poisoned) => *poisoned.into_inner() = value,
    }
}

/// Run a feature on a blocking thread; a panic becomes an `InternalError`.
async fn isolated<T: Send + 'static>(
    name: &'static str,
    f: impl FnOnce() -> T + Send + 'static,
) -> RpcResult<T> {
    let joined =
        tokio::task::spawn_blocking(move || std::panic::catch_unwind(AssertUnwindSafe(f))).await;
    match joined {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(panic)) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            tracing::error!("{name} panicked: {msg}");
            let mut e = RpcError::internal_error();
            e.message = format!("{name} failed: {msg}").into();
            Err(e)
        }
        Err(e) => {
            tracing::error!("{name} task failed: {e}");
            Err(RpcError::internal_error())
        }
    }
}

fn path_of(uri: &Uri) -> Option<std::path::PathBuf> {
    uri.to_file_path().map(|p| p.into_owned())
}

impl State {
    fn encoding(&self) -> PositionEncoding {
        read(&self.encoding)
    }

    fn ws(&self) -> std::sync::RwLockReadGuard<'_, Workspace> {
        self.workspace.read().unwrap_or_else(|p| p.into_inner())
    }

    fn ws_mut(&self) -> std::sync::RwLockWriteGuard<'_, Workspace> {
        self.workspace.write().unwrap_or_else(|p| p.into_inner())
    }

    /// The text of a file as the editor sees it: the open buffer, else disk.
    fn read_file(&self, path: &std::path::Path) -> Option<String> {
        let open = self
            .docs
            .iter()
            .find(|e| path_of(e.key()).as_deref() == Some(path))
            .map(|e| e.value().text());
        open.or_else(|| crate::workspace::files::read_text(path).ok())
    }

    /// Every diagnostic of an open document, as push and pull report
    /// them: `workspace::diagnostics` over the current workspace.
    fn diagnostics_for(&self, uri: &Uri, a: &Analysis) -> Vec<Diagnostic> {
        let enc = self.encoding();
        let Some(path) = path_of(uri) else {
            return convert::diagnostics(a, uri, enc);
        };
        let ws = self.ws();
        crate::workspace::diagnostics::file_diagnostics(&ws, &path, a)
            .iter()
            .map(|d| convert::diagnostic(a, uri, d, enc))
            .collect()
    }

    fn reload_queues(&self) {
        let settings = read(&self.config).queues;
        let mut ws = self.ws_mut();
        ws.load_queues(&settings, &|p| self.read_file(p));
        for p in &ws.settings_problems {
            tracing::warn!("openjd.queues: {p}");
        }
    }

    fn generation(&self, uri: &Uri) -> Arc<AtomicU64> {
        self.generations.entry(uri.clone()).or_default().clone()
    }

    /// The analysis of the document's current text, computing it if needed.
    async fn current(self: &Arc<Self>, uri: &Uri) -> RpcResult<Option<Arc<Analysis>>> {
        let Some((text, version, format)) =
            self.docs.get(uri).map(|d| (d.text(), d.version, d.format))
        else {
            return Ok(None);
        };
        if let Some(entry) = self.analyses.get(uri)
            && entry.0 == version
        {
            return Ok(Some(entry.1.clone()));
        }
        let analysis = isolated("analysis", move || {
            Arc::new(analyze(&text, &Options::default().with_format(format)))
        })
        .await?;
        self.analyses
            .insert(uri.clone(), (version, analysis.clone()));
        Ok(Some(analysis))
    }
}

impl Backend {
    /// Analyse after `delay`, unless a newer edit arrives first; publish the
    /// result tagged with the version it was computed for.
    fn schedule(&self, uri: Uri, delay: Duration) {
        let state = self.state.clone();
        let client = self.client.clone();
        let backend = self.clone();
        let generation = state.generation(&uri);
        let mine = generation.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::spawn(async move {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            if generation.load(Ordering::SeqCst) != mine {
                return;
            }
            let Some((text, version, format)) = state
                .docs
                .get(&uri)
                .map(|d| (d.text(), d.version, d.format))
            else {
                return;
            };
            let analysis = match isolated("analysis", move || {
                Arc::new(analyze(&text, &Options::default().with_format(format)))
            })
            .await
            {
                Ok(a) => a,
                Err(_) => return,
            };
            if generation.load(Ordering::SeqCst) != mine {
                return;
            }
            let previous = state
                .analyses
                .insert(uri.clone(), (version, analysis.clone()));
            if let Some(path) = path_of(&uri) {
                if Workspace::is_config_file(&path) {
                    state.reload_queues();
                } else {
                    state.ws_mut().update_analysis(&path, &analysis);
                }
            }
            if state.push.load(Ordering::SeqCst) {
                let diags = state.diagnostics_for(&uri, &analysis);
                state.reported.insert(uri.clone(), diags.clone());
                client
                    .publish_diagnostics(uri.clone(), diags, Some(version))
                    .await;
            }
            // Freeing a large analysis takes a while: only after publishing.
            drop(previous);
            // Other open documents may depend on this one.
            backend.republish_affected(Some(&uri)).await;
        });
    }

    /// The workspace changed (a buffer edit, a file on disk, the queue
    /// configuration or setting): every open document whose diagnostics
    /// are now different from what the client was last given is published
    /// again, or, when the client pulls, the client is asked to pull again
    /// (`workspace/diagnostic/refresh`). `except` is the document whose
    /// own edit caused the change (it is published, or pulled, anyway).
    async fn republish_affected(&self, except: Option<&Uri>) {
        let push = self.state.push.load(Ordering::SeqCst);
        let open: Vec<(Uri, i32)> = self
            .state
            .docs
            .iter()
            .filter(|e| Some(e.key()) != except)
            .map(|e| (e.key().clone(), e.value().version))
            .collect();
        let mut refresh = false;
        for (uri, version) in open {
            let Ok(Some(a)) = self.state.current(&uri).await else {
                continue;
            };
            let diags = self.state.diagnostics_for(&uri, &a);
            let same = self.state.reported.get(&uri).is_some_and(|r| *r == diags);
            if same {
                continue;
            }
            if !push {
                refresh = true;
                continue;
            }
            // Closed or edited meanwhile: its own publish (or clear) wins.
            let unchanged = self
                .state
                .docs
                .get(&uri)
                .is_some_and(|d| d.version == version);
            if unchanged {
                self.state.reported.insert(uri.clone(), diags.clone());
                self.client
                    .publish_diagnostics(uri, diags, Some(version))
                    .await;
            }
        }
        if refresh
            && self.state.refresh_support.load(Ordering::SeqCst)
            && let Err(e) = self.client.workspace_diagnostic_refresh().await
        {
            tracing::warn!("workspace/diagnostic/refresh failed: {e}");
        }
    }

    /// Index the workspace folders, reporting progress, then read the
    /// queue configuration.
    async fn index_workspace(&self) {
        let roots = read(&self.state.roots);
        let token = ProgressToken::String("openjd-lsp/indexing".into());
        let progress = if self.state.progress_support.load(Ordering::SeqCst) {
            let created = self
                .client
                .send_request::<request::WorkDoneProgressCreate>(WorkDoneProgressCreateParams {
                    token: token.clone(),
                })
                .await;
            match created {
                Ok(()) => Some(
                    self.client
                        .progress(token, "Indexing OpenJD templates")
                        .with_percentage(0)
                        .begin()
                        .await,
                ),
                Err(_) => None,
            }
        } else {
            None
        };
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, usize)>();
        let job = tokio::task::spawn_blocking(move || {
            Workspace::index(roots, &mut |done, total| {
                let _ = tx.send((done, total));
            })
        });
        while let Some((done, total)) = rx.recv().await {
            if let Some(p) = &progress {
                let pct = (done * 100).checked_div(total).unwrap_or(100) as u32;
                p.report_with_message(format!("{done}/{total} files"), pct)
                    .await;
            }
        }
        match job.await {
            Ok(mut ws) => {
                // Open buffers win over the files on disk.
                for entry in self.state.analyses.iter() {
                    if let Some(path) = path_of(entry.key()) {
                        ws.update_analysis(&path, &entry.value().1);
                    }
                }
                let count = ws.files.len();
                *self.state.ws_mut() = ws;
                self.state.reload_queues();
                tracing::info!("indexed {count} templates");
                if let Some(p) = progress {
                    p.finish_with_message(format!("{count} templates")).await;
                }
            }
            Err(e) => tracing::error!("indexing failed: {e}"),
        }
        self.republish_affected(None).await;
    }

    async fn register_watchers(&self) {
        if !self.state.watch_registration.load(Ordering::SeqCst) {
            return;
        }
        let watchers: Vec<FileSystemWatcher> = ["**/*.yaml", "**/*.yml", "**/*.json"]
            .iter()
            .map(|g| FileSystemWatcher {
                glob_pattern: GlobPattern::String((*g).into()),
                kind: None,
            })
            .collect();
        let registration = Registration {
            id: "openjd-lsp/watch".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                watchers,
            })
            .ok(),
        };
        if let Err(e) = self.client.register_capability(vec![registration]).await {
            tracing::warn!("could not register file watchers: {e}");
        }
    }

    async fn apply_config(&self, value: &serde_json::Value) {
        let unknown = Config::unknown_keys(value);
        if !unknown.is_empty() {
            tracing::warn!("ignoring unknown openjd settings: {}", unknown.join(", "));
        }
        match Config::from_client(value) {
            Ok(Some(config)) => {
                if let Some(handle) = &self.state.log
                    && let Ok(filter) = EnvFilter::try_new(&config.log.level)
                {
                    let _ = handle.reload(filter);
                }
                tracing::info!("settings: {config:?}");
                crate::workspace::files::set_max_file_bytes(
                    config.files.max_size_mib.saturating_mul(1 << 20),
                );
                write(&self.state.config, config);
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!("{e}");
                self.client
                    .show_message(
                        MessageType::WARNING,
                        format!("openjd-lsp: {e}; keeping the previous settings"),
                    )
                    .await;
            }
        }
    }

    /// Ask the client for the `openjd` settings, if it said it answers
    /// such requests; a client that does not answer within a few seconds
    /// keeps the settings it gave at initialization.
    async fn pull_config(&self) {
        if !self.state.configuration_support.load(Ordering::SeqCst) {
            return;
        }
        let items = vec![ConfigurationItem {
            scope_uri: None,
            section: Some("openjd".into()),
        }];
        let answer =
            tokio::time::timeout(Duration::from_secs(5), self.client.configuration(items)).await;
        if let Ok(Ok(values)) = answer
            && let Some(v) = values.into_iter().next()
        {
            self.apply_config(&v).await;
        }
    }
}

fn choose_encoding(params: &InitializeParams) -> PositionEncoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(list) if list.contains(&PositionEncodingKind::UTF8) => PositionEncoding::Utf8,
        _ => PositionEncoding::Utf16,
    }
}

/// Exit when the editor process that started us is gone.
fn watch_parent(pid: u32) {
    let proc_dir = std::path::PathBuf::from(format!("/proc/{pid}"));
    if !std::path::Path::new("/proc/self").exists() {
        return;
    }
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(3)).await;
            if !proc_dir.exists() {
                tracing::info!("client process {pid} is gone; exiting");
                std::process::exit(1);
            }
        }
    });
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> RpcResult<InitializeResult> {
        let encoding = choose_encoding(&params);
        write(&self.state.encoding, encoding);
        if let Some(opts) = &params.initialization_options {
            self.apply_config(opts).await;
        }
        let pulls = params
            .capabilities
            .text_document
            .as_ref()
            .and_then(|t| t.diagnostic.as_ref())
            .is_some();
        self.state.push.store(!pulls, Ordering::SeqCst);
        if let Some(pid) = params.process_id {
            watch_parent(pid);
        }
        #[allow(deprecated)]
        let mut roots: Vec<std::path::PathBuf> = params
            .workspace_folders
            .as_ref()
            .map(|fs| fs.iter().filter_map(|f| path_of(&f.uri)).collect())
            .unwrap_or_default();
        #[allow(deprecated)]
        let root_uri = params.root_uri.as_ref().and_then(path_of);
        if roots.is_empty()
            && let Some(root) = root_uri
        {
            roots.push(root);
        }
        write(&self.state.roots, roots);
        let caps = &params.capabilities;
        let watch = caps
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        self.state.watch_registration.store(watch, Ordering::SeqCst);
        let refresh = caps
            .workspace
            .as_ref()
            .and_then(|w| w.diagnostics.as_ref())
            .and_then(|d| d.refresh_support)
            .unwrap_or(false);
        self.state.refresh_support.store(refresh, Ordering::SeqCst);
        let progress = caps
            .window
            .as_ref()
            .and_then(|w| w.work_done_progress)
            .unwrap_or(false);
        self.state
            .progress_support
            .store(progress, Ordering::SeqCst);
        let configuration = caps
            .workspace
            .as_ref()
            .and_then(|w| w.configuration)
            .unwrap_or(false);
        self.state
            .configuration_support
            .store(configuration, Ordering::SeqCst);
        tracing::info!("initialize: encoding {encoding:?}, pull diagnostics: {pulls}");
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(match encoding {
                    PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
                    PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
                }),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        ..Default::default()
                    },
                )),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec![
                        "{".into(),
                        ".".into(),
                        " ".into(),
                        ":".into(),
                        "-".into(),
                    ]),
                    ..Default::default()
                }),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                        ..Default::default()
                    },
                )),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: Default::default(),
                })),
                document_symbol_provider: Some(OneOf::Left(true)),
                folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
                selection_range_provider: Some(SelectionRangeProviderCapability::Simple(true)),
                document_highlight_provider: Some(OneOf::Left(true)),
                semantic_tokens_provider: Some(
                    SemanticTokensServerCapabilities::SemanticTokensOptions(
                        SemanticTokensOptions {
                            legend: SemanticTokensLegend {
                                token_types: crate::ide::semantic_tokens::TOKEN_TYPES
                                    .iter()
                                    .map(|t| SemanticTokenType::new(t))
                                    .collect(),
                                token_modifiers: crate::ide::semantic_tokens::TOKEN_MODIFIERS
                                    .iter()
                                    .map(|m| SemanticTokenModifier::new(m))
                                    .collect(),
                            },
                            range: Some(true),
                            full: Some(SemanticTokensFullOptions::Bool(true)),
                            work_done_progress_options: Default::default(),
                        },
                    ),
                ),
                inlay_hint_provider: Some(OneOf::Left(true)),
                workspace: Some(WorkspaceServerCapabilities {
                    workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(OneOf::Left(true)),
                    }),
                    file_operations: None,
                }),
                signature_help_provider: Some(SignatureHelpOptions {
                    trigger_characters: Some(vec!["(".into(), ",".into()]),
                    retrigger_characters: None,
                    work_done_progress_options: Default::default(),
                }),
                diagnostic_provider: pulls.then(|| {
                    DiagnosticServerCapabilities::Options(DiagnosticOptions {
                        identifier: Some("openjd".into()),
                        inter_file_dependencies: true,
                        workspace_diagnostics: false,
                        ..Default::default()
                    })
                }),
                ..Default::default()
            },
            server_info: Some(ServerInfo {
                name: "openjd-lsp".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        // These wait on the client's answers; run them on their own so that
        // an `exit` arriving first is not held up by a request in flight.
        let backend = self.clone();
        // Indexing waits for no answer: a client that never answers must
        // not leave the workspace unindexed. Settings that arrive later
        // reload the queues.
        tokio::spawn(async move {
            let settings = async {
                backend.pull_config().await;
                backend.state.reload_queues();
                backend.republish_affected(None).await;
            };
            tokio::join!(
                settings,
                backend.index_workspace(),
                backend.register_watchers()
            );
        });
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        for change in params.changes {
            let Some(path) = path_of(&change.uri) else {
                continue;
            };
            // A configuration file is read again below; an open buffer wins
            // over the file on disk.
            if Workspace::is_config_file(&path) || self.state.docs.contains_key(&change.uri) {
                continue;
            }
            if change.typ == FileChangeType::DELETED {
                self.state.ws_mut().remove(&path);
            } else {
                // Read and analyse off the request path and outside the
                // workspace lock: hovers on other files go on meanwhile.
                let state = self.state.clone();
                let _ =
                    tokio::task::spawn_blocking(move || {
                        match crate::workspace::files::read_text(&path) {
                            Ok(text) => {
                                let indexed = Workspace::index_text(&path, &text);
                                state.ws_mut().set_indexed(&path, indexed);
                            }
                            Err(e) => {
                                tracing::warn!("not indexed: {}: {e}", path.display());
                                state.ws_mut().remove(&path);
                            }
                        }
                    })
                    .await;
            }
        }
        // Reload even when only templates changed: the configuration's checks
        // read the environment templates it names.
        self.state.reload_queues();
        self.republish_affected(None).await;
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let mut roots = read(&self.state.roots);
        roots.retain(|r| {
            !params
                .event
                .removed
                .iter()
                .any(|f| path_of(&f.uri).as_ref() == Some(r))
        });
        roots.extend(params.event.added.iter().filter_map(|f| path_of(&f.uri)));
        write(&self.state.roots, roots);
        self.index_workspace().await;
    }

    async fn shutdown(&self) -> RpcResult<()> {
        self.state.shutdown.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        self.state.docs.insert(
            doc.uri.clone(),
            Document::new(&doc.text, doc.version)
                .with_format(path_of(&doc.uri).as_deref(), &doc.language_id),
        );
        self.schedule(doc.uri, Duration::ZERO);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let encoding = self.state.encoding();
        {
            let Some(mut doc) = self.state.docs.get_mut(&uri) else {
                tracing::warn!(
                    "didChange for a document that is not open: {}",
                    uri.as_str()
                );
                return;
            };
            for change in &params.content_changes {
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
                if doc.apply(range, &change.text, encoding) {
                    tracing::warn!(
                        "edit range {:?} lies outside {}; clamped",
                        change.range,
                        uri.as_str()
                    );
                }
            }
            doc.version = params.text_document.version;
        }
        let delay = Duration::from_millis(read(&self.state.config).diagnostics.debounce_ms);
        self.schedule(uri, delay);
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.state.docs.remove(&uri);
        self.state.analyses.remove(&uri);
        self.state.reported.remove(&uri);
        if let Some(path) = path_of(&uri) {
            match crate::workspace::files::read_text(&path) {
                Ok(text) if !Workspace::is_config_file(&path) => {
                    let indexed = Workspace::index_text(&path, &text);
                    self.state.ws_mut().set_indexed(&path, indexed)
                }
                Ok(_) => self.state.reload_queues(),
                Err(_) => self.state.ws_mut().remove(&path),
            }
        }
        if let Some(g) = self.state.generations.get(&uri) {
            g.fetch_add(1, Ordering::SeqCst);
        }
        if self.state.push.load(Ordering::SeqCst) {
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
        // The file on disk now stands for it: others may depend on that.
        self.republish_affected(None).await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        if params.settings.is_null() || params.settings.as_object().is_some_and(|m| m.is_empty()) {
            self.pull_config().await;
        } else {
            self.apply_config(&params.settings).await;
        }
        self.state.reload_queues();
        self.republish_affected(None).await;
    }

    async fn completion(&self, params: CompletionParams) -> RpcResult<Option<CompletionResponse>> {
        let at = params.text_document_position;
        let Some(a) = self.state.current(&at.text_document.uri).await? else {
            return Ok(None);
        };
        let enc = self.state.encoding();
        isolated("completion", move || {
            let offset = convert::offset(&a, at.position, enc);
            let items: Vec<CompletionItem> = crate::ide::completion::complete(&a, offset)
                .iter()
                .map(|i| convert::completion_item(&a, i, enc))
                .collect();
            Some(CompletionResponse::List(CompletionList {
                is_incomplete: false,
                items,
            }))
        })
        .await
    }

    async fn hover(&self, params: HoverParams) -> RpcResult<Option<Hover>> {
        let at = params.text_document_position_params;
        let Some(a) = self.state.current(&at.text_document.uri).await? else {
            return Ok(None);
        };
        let enc = self.state.encoding();
        let state = self.state.clone();
        let path = path_of(&at.text_document.uri);
        isolated("hover", move || {
            let offset = convert::offset(&a, at.position, enc);
            let ws = state.ws();
            let wrap = crate::ide::wrap::hover(&a, path.as_deref(), &ws, offset);
            let key = crate::ide::hover::hover(&a, offset);
            let combined = match (wrap, key) {
                (Some(w), Some(k)) => Some(crate::ide::hover::Hover {
                    contents: format!("{}\n\n---\n\n{}", w.contents, k.contents),
                    range: w.range,
                }),
                (w, k) => w.or(k),
            };
            combined.map(|h| Hover {
                contents: HoverContents::Markup(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: h.contents,
                }),
                range: Some(convert::range(&a, &h.range, enc)),
            })
        })
        .await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> RpcResult<Option<GotoDefinitionResponse>> {
        let at = params.text_document_position_params;
        let uri = at.text_document.uri.clone();
        let Some(a) = self.state.current(&uri).await? else {
            return Ok(None);
        };
        let enc = self.state.encoding();
        let state = self.state.clone();
        isolated("definition", move || {
            let offset = convert::offset(&a, at.position, enc);
            if let Some(span) = crate::ide::symbols::definition(&a, offset) {
                return Some(GotoDefinitionResponse::Scalar(Location {
                    uri,
                    range: convert::range(&a, &span, enc),
                }));
            }
            let ws = state.ws();
            let path = path_of(&uri);
            let (file, span) = crate::ide::wrap::hook_definition(&a, path.as_deref(), &ws, offset)?;
            let location = match file {
                None => Location {
                    uri,
                    range: convert::range(&a, &span, enc),
                },
                Some(f) => Location {
                    uri: Uri::from_file_path(&f)?,
                    range: convert::range_in_file(&f, &span, enc)?,
                },
            };
            Some(GotoDefinitionResponse::Scalar(location))
        })
        .await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> RpcResult<Option<Vec<InlayHint>>> {
        if !read(&self.state.config).hints.wrapped_actions {
            return Ok(Some(Vec::new()));
        }
        let uri = params.text_document.uri;
        let Some(a) = self.state.current(&uri).await? else {
            return Ok(None);
        };
        let enc = self.state.encoding();
        let state = self.state.clone();
        isolated("inlay hints", move || {
            let ws = state.ws();
            let path = path_of(&uri);
            let hints = crate::ide::wrap::inlay_hints(&a, path.as_deref(), &ws)
                .into_iter()
                .map(|(offset, label)| InlayHint {
                    position: convert::position(&a, offset, enc),
                    label: InlayHintLabel::String(label),
                    kind: None,
                    text_edits: None,
                    tooltip: None,
                    padding_left: Some(true),
                    padding_right: None,
                    data: None,
                })
                .collect();
            Some(hints)
        })
        .await
    }

    async fn references(&self, params: ReferenceParams) -> RpcResult<Option<Vec<Location>>> {
        let at = params.text_document_position;
        let uri = at.text_document.uri.clone();
        let Some(a) = self.state.current(&uri).await? else {
            return Ok(None);
        };
        let enc = self.state.encoding();
        let include = params.context.include_declaration;
        isolated("references", move || {
            let offset = convert::offset(&a, at.position, enc);
            let spans = crate::ide::symbols::references(&a, offset, include);
            Some(
                spans
                    .iter()
                    .map(|s| Location {
                        uri: uri.clone(),
                        range: convert::range(&a, s, enc),
                    })
                    .collect(),
            )
        })
        .await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> RpcResult<Option<PrepareRenameResponse>> {
        let Some(a) = self.state.current(&params.text_document.uri).await? else {
            return Ok(None);
        };
        let enc = self.state.encoding();
        isolated("prepare rename", move || {
            let offset = convert::offset(&a, params.position, enc);
            crate::ide::symbols::prepare_rename(&a, offset)
                .map(|s| PrepareRenameResponse::Range(convert::range(&a, &s, enc)))
        })
        .await
    }

    async fn rename(&self, params: RenameParams) -> RpcResult<Option<WorkspaceEdit>> {
        let at = params.text_document_position;
        let uri = at.text_document.uri.clone();
        let Some(a) = self.state.current(&uri).await? else {
            return Ok(None);
        };
        let enc = self.state.encoding();
        let new_name = params.new_name;
        let result = isolated("rename", move || {
            let offset = convert::offset(&a, at.position, enc);
            crate::ide::symbols::rename(&a, offset, &new_name).map(|edits| {
                let edits: Vec<TextEdit> = edits
                    .iter()
                    .map(|(s, t)| TextEdit {
                        range: convert::range(&a, s, enc),
                        new_text: t.clone(),
                    })
                    .collect();
                WorkspaceEdit {
                    changes: Some([(uri, edits)].into_iter().collect()),
                    ..Default::default()
                }
            })
        })
        .await?;
        match result {
            Ok(edit) => Ok(Some(edit)),
            Err(message) => Err(RpcError::invalid_params(message)),
        }
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> RpcResult<Option<DocumentSymbolResponse>> {
        let Some(a) = self.state.current(&params.text_document.uri).await? else {
            return Ok(None);
        };
        let enc = self.state.encoding();
        isolated("document symbols", move || {
            let symbols = crate::ide::outline::document_symbols(&a);
            Some(DocumentSymbolResponse::Nested(
                symbols
                    .iter()
                    .map(|s| convert::document_symbol(&a, s, enc))
                    .collect(),
            ))
        })
        .await
    }

    async fn folding_range(
        &self,
        params: FoldingRangeParams,
    ) -> RpcResult<Option<Vec<FoldingRange>>> {
        let Some(a) = self.state.current(&params.text_document.uri).await? else {
            return Ok(None);
        };
        isolated("folding ranges", move || {
            Some(
                crate::ide::outline::folding_ranges(&a)
                    .into_iter()
                    .map(|(start, end)| FoldingRange {
                        start_line: start as u32,
                        end_line: end as u32,
                        ..Default::default()
                    })
                    .collect(),
            )
        })
        .await
    }

    async fn selection_range(
        &self,
        params: SelectionRangeParams,
    ) -> RpcResult<Option<Vec<SelectionRange>>> {
        let Some(a) = self.state.current(&params.text_document.uri).await? else {
            return Ok(None);
        };
        let enc = self.state.encoding();
        isolated("selection ranges", move || {
            Some(
                params
                    .positions
                    .iter()
                    .map(|p| {
                        let offset = convert::offset(&a, *p, enc);
                        let spans = crate::ide::outline::selection_ranges(&a, offset);
                        let mut range: Option<SelectionRange> = None;
                        for s in spans.iter().rev() {
                            range = Some(SelectionRange {
                                range: convert::range(&a, s, enc),
                                parent: range.map(Box::new),
                            });
                        }
                        range.unwrap_or(SelectionRange {
                            range: Range::new(*p, *p),
                            parent: None,
                        })
                    })
                    .collect(),
            )
        })
        .await
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> RpcResult<Option<Vec<DocumentHighlight>>> {
        let at = params.text_document_position_params;
        let Some(a) = self.state.current(&at.text_document.uri).await? else {
            return Ok(None);
        };
        let enc = self.state.encoding();
        isolated("document highlight", move || {
            let offset = convert::offset(&a, at.position, enc);
            Some(
                crate::ide::symbols::document_highlight(&a, offset)
                    .iter()
                    .map(|(s, write)| DocumentHighlight {
                        range: convert::range(&a, s, enc),
                        kind: Some(if *write {
                            DocumentHighlightKind::WRITE
                        } else {
                            DocumentHighlightKind::READ
                        }),
                    })
                    .collect(),
            )
        })
        .await
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> RpcResult<Option<SemanticTokensResult>> {
        let Some(a) = self.state.current(&params.text_document.uri).await? else {
            return Ok(None);
        };
        let enc = self.state.encoding();
        isolated("semantic tokens", move || {
            let tokens = crate::ide::semantic_tokens::semantic_tokens(&a);
            Some(SemanticTokensResult::Tokens(convert::semantic_tokens(
                &a, &tokens, enc,
            )))
        })
        .await
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> RpcResult<Option<SemanticTokensRangeResult>> {
        let Some(a) = self.state.current(&params.text_document.uri).await? else {
            return Ok(None);
        };
        let enc = self.state.encoding();
        isolated("semantic tokens", move || {
            let span = convert::offset(&a, params.range.start, enc)
                ..convert::offset(&a, params.range.end, enc);
            let tokens = crate::ide::semantic_tokens::semantic_tokens_in(&a, span);
            Some(SemanticTokensRangeResult::Tokens(convert::semantic_tokens(
                &a, &tokens, enc,
            )))
        })
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> RpcResult<Option<CodeActionResponse>> {
        let uri = params.text_document.uri.clone();
        let Some(a) = self.state.current(&uri).await? else {
            return Ok(None);
        };
        let enc = self.state.encoding();
        isolated("code actions", move || {
            let span = convert::offset(&a, params.range.start, enc)
                ..convert::offset(&a, params.range.end, enc);
            let actions = crate::ide::code_actions::code_actions(&a, span);
            Some(
                actions
                    .iter()
                    .map(|c| {
                        let edits: Vec<TextEdit> = c
                            .edits
                            .iter()
                            .map(|(s, t)| TextEdit {
                                range: convert::range(&a, s, enc),
                                new_text: t.clone(),
                            })
                            .collect();
                        CodeActionOrCommand::CodeAction(CodeAction {
                            title: c.title.clone(),
                            kind: Some(CodeActionKind::QUICKFIX),
                            diagnostics: a
                                .diagnostics
                                .get(c.diagnostic)
                                .map(|d| vec![convert::diagnostic(&a, &uri, d, enc)]),
                            edit: Some(WorkspaceEdit {
                                changes: Some([(uri.clone(), edits)].into_iter().collect()),
                                ..Default::default()
                            }),
                            is_preferred: Some(c.preferred),
                            ..Default::default()
                        })
                    })
                    .collect(),
            )
        })
        .await
    }

    async fn signature_help(
        &self,
        params: SignatureHelpParams,
    ) -> RpcResult<Option<SignatureHelp>> {
        let at = params.text_document_position_params;
        let Some(a) = self.state.current(&at.text_document.uri).await? else {
            return Ok(None);
        };
        let enc = self.state.encoding();
        isolated("signature help", move || {
            let offset = convert::offset(&a, at.position, enc);
            crate::ide::signature::signature_help(&a, offset).map(|s| SignatureHelp {
                signatures: s
                    .signatures
                    .iter()
                    .map(|label| SignatureInformation {
                        label: label.clone(),
                        documentation: None,
                        parameters: None,
                        active_parameter: None,
                    })
                    .collect(),
                active_signature: Some(0),
                active_parameter: Some(s.active_parameter as u32),
            })
        })
        .await
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> RpcResult<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        let items = match self.state.current(&uri).await? {
            Some(a) => self.state.diagnostics_for(&uri, &a),
            None => Vec::new(),
        };
        if self.state.docs.contains_key(&uri) {
            self.state.reported.insert(uri.clone(), items.clone());
        }
        Ok(DocumentDiagnosticReportResult::Report(
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                },
            }),
        ))
    }
}

fn init_logging() -> Option<LogHandle> {
    use tracing_subscriber::prelude::*;
    let level = std::env::var("OPENJD_LSP_LOG").unwrap_or_else(|_| "info".into());
    let filter = EnvFilter::try_new(&level).unwrap_or_else(|_| EnvFilter::new("info"));
    let (layer, handle) = reload::Layer::new(filter);
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false);
    tracing_subscriber::registry()
        .with(layer)
        .with(fmt)
        .try_init()
        .ok()?;
    Some(handle)
}

pub fn run() -> ExitCode {
    let log = init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("openjd-lsp: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let state = Arc::new(State {
        docs: DashMap::new(),
        analyses: DashMap::new(),
        generations: DashMap::new(),
        encoding: RwLock::new(PositionEncoding::Utf16),
        config: RwLock::new(Config::default()),
        push: AtomicBool::new(true),
        shutdown: AtomicBool::new(false),
        log,
        workspace: RwLock::new(Workspace::default()),
        roots: RwLock::new(Vec::new()),
        watch_registration: AtomicBool::new(false),
        refresh_support: AtomicBool::new(false),
        reported: DashMap::new(),
        progress_support: AtomicBool::new(false),
        configuration_support: AtomicBool::new(false),
    });
    let served = state.clone();
    runtime.block_on(async move {
        let (service, socket) = LspService::new(|client| Backend {
            client,
            state: served,
        });
        // The client's bytes go through our framing layer first
        // (`transport`), which answers what the service could not decode.
        let (to_service, service_in) = tokio::io::duplex(1 << 16);
        let (service_out, from_service) = tokio::io::duplex(1 << 16);
        let (replies, replies_rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(transport::read_client(
            tokio::io::stdin(),
            to_service,
            replies,
        ));
        let writer = tokio::spawn(transport::write_client(
            from_service,
            replies_rx,
            tokio::io::stdout(),
        ));
        Server::new(service_in, service_out, socket)
            .serve(service)
            .await;
        // The service's output is closed: let the last frames out.
        let _ = writer.await;
    });
    // Background work (indexing, requests the client will never answer now)
    // must not keep the process alive after `exit`.
    runtime.shutdown_background();
    // The protocol asks for exit code 1 when `exit` came without `shutdown`.
    if state.shutdown.load(Ordering::SeqCst) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_feature_becomes_an_internal_error() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let failed: RpcResult<()> = isolated("boom", || panic!("feature exploded")).await;
            let err = failed.expect_err("a panic is an error");
            assert_eq!(
                err.code,
                tower_lsp_server::jsonrpc::ErrorCode::InternalError
            );
            assert!(err.message.contains("feature exploded"), "{}", err.message);
            // The runtime keeps serving afterwards.
            assert_eq!(isolated("ok", || 7).await.ok(), Some(7));
        });
    }
}
