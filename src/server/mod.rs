//! The language server: LSP over stdio on tower-lsp-server, in the shape of
//! rust-analyzer's and tombi's servers.
//!
//! - [`state`]: the mutable state (open documents, settings, workspace). It
//!   hands out an immutable [`snapshot::Snapshot`] and, per document
//!   version, one shared analysis ([`snapshot::Doc`]).
//! - [`capabilities`]: what the client supports and what we offer.
//! - [`dispatch`]: the one helper every request goes through — snapshot,
//!   handler on a blocking thread with panic isolation, `ContentModified`
//!   when a newer version made the answer stale.
//! - [`handlers`]: one small function per request: snapshot → one `ide`
//!   call → conversion.
//! - [`convert`]: the only place LSP values are built from `ide` results.
//! - [`sync`]: notifications that change the state (documents, files,
//!   folders, settings); [`publish`]: diagnostics going out after them.
//! - [`transport`]: the framing layer between stdin/stdout and the service.
//!
//! The `LanguageServer` impl below is the routing table: a request is one
//! `on_document` call naming its handler, a notification one call into
//! `sync`. To add a request: a handler in `handlers`, its capability in
//! `capabilities`, its route here.

pub mod background;
pub mod capabilities;
pub mod config;
pub mod convert;
pub mod dispatch;
pub mod document;
pub mod handlers;
pub mod memory;
pub(crate) mod pacing;
pub mod publish;
pub mod serve;
pub mod snapshot;
pub mod state;
pub mod sync;
pub mod transport;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tower_lsp_server::jsonrpc::Result as RpcResult;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService};
use tracing_subscriber::{EnvFilter, reload};

use capabilities::{ClientSupport, server_capabilities};
use state::{LogHandle, State, path_of};

#[derive(Clone)]
pub(crate) struct Backend {
    client: Client,
    state: Arc<State>,
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
        let client = ClientSupport::from_params(&params);
        self.state.set_client(client);
        if let Some(opts) = &params.initialization_options {
            self.apply_config(opts).await;
        }
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
        self.state.set_roots(roots);
        tracing::info!("initialize: {client:?}");
        Ok(InitializeResult {
            capabilities: server_capabilities(&client),
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
                backend.republish_soon(None);
            };
            tokio::join!(
                settings,
                backend.index_workspace(),
                backend.register_watchers()
            );
        });
    }

    async fn shutdown(&self) -> RpcResult<()> {
        self.state.shutdown.store(true, Ordering::SeqCst);
        Ok(())
    }

    // --- Notifications (see `sync`) ---------------------------------------

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        self.did_open_document(params).await
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        self.did_change_document(params).await
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.did_close_document(params).await
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        self.watched_files_changed(params).await
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        self.workspace_folders_changed(params).await
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        self.configuration_changed(params).await
    }

    // --- Requests (see `handlers`) ----------------------------------------

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> RpcResult<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri.clone();
        self.until_analysis_due(&uri).await;
        let items = self
            .on_document("diagnostic", &uri, params, handlers::diagnostic)
            .await?
            .unwrap_or_default();
        self.state.report(&uri, &items);
        let related_documents = if self.state.client().related_documents {
            self.related_reports(&uri).await
        } else {
            None
        };
        Ok(DocumentDiagnosticReportResult::Report(
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                },
            }),
        ))
    }

    async fn completion(&self, p: CompletionParams) -> RpcResult<Option<CompletionResponse>> {
        let uri = p.text_document_position.text_document.uri.clone();
        self.on_document("completion", &uri, p, handlers::completion)
            .await
    }

    async fn hover(&self, p: HoverParams) -> RpcResult<Option<Hover>> {
        let uri = p.text_document_position_params.text_document.uri.clone();
        self.on_document("hover", &uri, p, handlers::hover).await
    }

    async fn goto_definition(
        &self,
        p: GotoDefinitionParams,
    ) -> RpcResult<Option<GotoDefinitionResponse>> {
        let uri = p.text_document_position_params.text_document.uri.clone();
        self.on_document("definition", &uri, p, handlers::definition)
            .await
    }

    async fn inlay_hint(&self, p: InlayHintParams) -> RpcResult<Option<Vec<InlayHint>>> {
        let uri = p.text_document.uri.clone();
        self.on_document("inlay hints", &uri, p, handlers::inlay_hint)
            .await
    }

    async fn references(&self, p: ReferenceParams) -> RpcResult<Option<Vec<Location>>> {
        let uri = p.text_document_position.text_document.uri.clone();
        self.on_document("references", &uri, p, handlers::references)
            .await
    }

    async fn prepare_rename(
        &self,
        p: TextDocumentPositionParams,
    ) -> RpcResult<Option<PrepareRenameResponse>> {
        let uri = p.text_document.uri.clone();
        self.on_document("prepare rename", &uri, p, handlers::prepare_rename)
            .await
    }

    async fn rename(&self, p: RenameParams) -> RpcResult<Option<WorkspaceEdit>> {
        let uri = p.text_document_position.text_document.uri.clone();
        self.on_document("rename", &uri, p, handlers::rename).await
    }

    async fn document_symbol(
        &self,
        p: DocumentSymbolParams,
    ) -> RpcResult<Option<DocumentSymbolResponse>> {
        let uri = p.text_document.uri.clone();
        self.on_document("document symbols", &uri, p, handlers::document_symbol)
            .await
    }

    async fn folding_range(&self, p: FoldingRangeParams) -> RpcResult<Option<Vec<FoldingRange>>> {
        let uri = p.text_document.uri.clone();
        self.on_document("folding ranges", &uri, p, handlers::folding_range)
            .await
    }

    async fn selection_range(
        &self,
        p: SelectionRangeParams,
    ) -> RpcResult<Option<Vec<SelectionRange>>> {
        let uri = p.text_document.uri.clone();
        self.on_document("selection ranges", &uri, p, handlers::selection_range)
            .await
    }

    async fn document_highlight(
        &self,
        p: DocumentHighlightParams,
    ) -> RpcResult<Option<Vec<DocumentHighlight>>> {
        let uri = p.text_document_position_params.text_document.uri.clone();
        self.on_document("document highlight", &uri, p, handlers::document_highlight)
            .await
    }

    async fn semantic_tokens_full(
        &self,
        p: SemanticTokensParams,
    ) -> RpcResult<Option<SemanticTokensResult>> {
        let uri = p.text_document.uri.clone();
        self.on_document("semantic tokens", &uri, p, handlers::semantic_tokens_full)
            .await
    }

    async fn semantic_tokens_range(
        &self,
        p: SemanticTokensRangeParams,
    ) -> RpcResult<Option<SemanticTokensRangeResult>> {
        let uri = p.text_document.uri.clone();
        self.on_document("semantic tokens", &uri, p, handlers::semantic_tokens_range)
            .await
    }

    async fn code_action(&self, p: CodeActionParams) -> RpcResult<Option<CodeActionResponse>> {
        let uri = p.text_document.uri.clone();
        self.on_document("code actions", &uri, p, handlers::code_action)
            .await
    }

    async fn signature_help(&self, p: SignatureHelpParams) -> RpcResult<Option<SignatureHelp>> {
        let uri = p.text_document_position_params.text_document.uri.clone();
        self.on_document("signature help", &uri, p, handlers::signature_help)
            .await
    }

    async fn code_lens(&self, p: CodeLensParams) -> RpcResult<Option<Vec<CodeLens>>> {
        let uri = p.text_document.uri.clone();
        self.on_document("code lens", &uri, p, handlers::code_lens)
            .await
    }

    async fn execute_command(&self, p: ExecuteCommandParams) -> RpcResult<Option<LSPAny>> {
        let (uri, step) = handlers::preview_arguments(&p)?;
        if self.state.doc(&uri).is_none() {
            return Err(tower_lsp_server::jsonrpc::Error::invalid_params(format!(
                "{} is not open",
                uri.as_str()
            )));
        }
        let open = self.state.open_texts();
        self.on_document(
            "session preview",
            &uri,
            (step, open),
            handlers::preview_session,
        )
        .await
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

/// Serve the protocol on stdin/stdout. `release_memory` gives freed memory
/// back to the system (see [`memory`]); the binary passes its allocator's.
pub fn run(release_memory: Option<memory::ReleaseMemory>) -> ExitCode {
    let log = init_logging();
    let memory = memory::Memory::new(release_memory);
    let on_idle = memory.clone();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Analyses run on these threads; every parser that recurses is
        // bounded well below this, with room to spare.
        .thread_stack_size(8 << 20)
        .on_thread_park(move || on_idle.on_idle())
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("openjd-lsp: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let state = Arc::new(State::new(log, memory));
    let served = state.clone();
    runtime.block_on(async move {
        let (service, socket) = LspService::new(|client| Backend {
            client,
            state: served,
        });
        // The client's bytes go through our framing layer first
        // (`transport`), which answers what the service could not decode.
        let (to_service, service_in) = tokio::sync::mpsc::channel(1);
        let (service_out, from_service) = tokio::sync::mpsc::unbounded_channel();
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
        serve::serve(service, socket, service_in, service_out).await;
        // The service's output is closed: let the last frames out.
        let _ = writer.await;
    });
    // Background work (indexing, requests the client will never answer now)
    // must not keep the process alive after `exit`.
    runtime.shutdown_background();
    // The protocol asks for exit code 1 when `exit` came without `shutdown`.
    if state.shutting_down() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
