//! The language server: LSP over stdio on tower-lsp-server. It owns the open
//! documents and their latest analyses, and hands immutable analyses to the
//! features, which run on blocking threads with panics caught.

pub mod config;
pub mod convert;
pub mod document;

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
}

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

impl State {
    fn encoding(&self) -> PositionEncoding {
        read(&self.encoding)
    }

    fn generation(&self, uri: &Uri) -> Arc<AtomicU64> {
        self.generations.entry(uri.clone()).or_default().clone()
    }

    /// The analysis of the document's current text, computing it if needed.
    async fn current(self: &Arc<Self>, uri: &Uri) -> RpcResult<Option<Arc<Analysis>>> {
        let Some((text, version)) = self.docs.get(uri).map(|d| (d.text(), d.version)) else {
            return Ok(None);
        };
        if let Some(entry) = self.analyses.get(uri)
            && entry.0 == version
        {
            return Ok(Some(entry.1.clone()));
        }
        let analysis = isolated("analysis", move || {
            Arc::new(analyze(&text, &Options::default()))
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
        let generation = state.generation(&uri);
        let mine = generation.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::spawn(async move {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            if generation.load(Ordering::SeqCst) != mine {
                return;
            }
            let Some((text, version)) = state.docs.get(&uri).map(|d| (d.text(), d.version)) else {
                return;
            };
            let analysis = match isolated("analysis", move || {
                Arc::new(analyze(&text, &Options::default()))
            })
            .await
            {
                Ok(a) => a,
                Err(_) => return,
            };
            if generation.load(Ordering::SeqCst) != mine {
                return;
            }
            state
                .analyses
                .insert(uri.clone(), (version, analysis.clone()));
            if state.push.load(Ordering::SeqCst) {
                let diags = convert::diagnostics(&analysis, &uri, state.encoding());
                client.publish_diagnostics(uri, diags, Some(version)).await;
            }
        });
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

    async fn pull_config(&self) {
        let items = vec![ConfigurationItem {
            scope_uri: None,
            section: Some("openjd".into()),
        }];
        if let Ok(values) = self.client.configuration(items).await
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
        self.pull_config().await;
    }

    async fn shutdown(&self) -> RpcResult<()> {
        self.state.shutdown.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        self.state
            .docs
            .insert(doc.uri.clone(), Document::new(&doc.text, doc.version));
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
        if let Some(g) = self.state.generations.get(&uri) {
            g.fetch_add(1, Ordering::SeqCst);
        }
        if self.state.push.load(Ordering::SeqCst) {
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        if params.settings.is_null() || params.settings.as_object().is_some_and(|m| m.is_empty()) {
            self.pull_config().await;
        } else {
            self.apply_config(&params.settings).await;
        }
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
        isolated("hover", move || {
            let offset = convert::offset(&a, at.position, enc);
            crate::ide::hover::hover(&a, offset).map(|h| Hover {
                contents: HoverContents::Markup(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: h.contents,
                }),
                range: Some(convert::range(&a, &h.range, enc)),
            })
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
            Some(a) => convert::diagnostics(&a, &uri, self.state.encoding()),
            None => Vec::new(),
        };
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
    });
    let served = state.clone();
    runtime.block_on(async move {
        let (service, socket) = LspService::new(|client| Backend {
            client,
            state: served,
        });
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
            .serve(service)
            .await;
    });
    // The protocol asks for exit code 1 when `exit` came without `shutdown`.
    if state.shutdown.load(Ordering::SeqCst) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
