//! What the client can do (read once from `initialize`) and what this
//! server offers in return. A new request handler announces itself here.

use tower_lsp_server::ls_types::*;

use crate::text::PositionEncoding;

/// The client's capabilities this server acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ClientSupport {
    pub encoding: PositionEncoding,
    /// The client pulls diagnostics (`textDocument/diagnostic`); otherwise
    /// they are pushed.
    pub pull_diagnostics: bool,
    /// A pull report may carry the diagnostics of the other documents its
    /// document's diagnostics depend on (`relatedDocuments`).
    pub related_documents: bool,
    /// The client accepts `workspace/diagnostic/refresh`.
    pub diagnostic_refresh: bool,
    /// The client lets file watchers be registered dynamically.
    pub watch_registration: bool,
    /// The client shows `$/progress`.
    pub progress: bool,
    /// The client answers `workspace/configuration`.
    pub configuration: bool,
}

impl Default for ClientSupport {
    fn default() -> Self {
        ClientSupport {
            encoding: PositionEncoding::Utf16,
            pull_diagnostics: false,
            related_documents: false,
            diagnostic_refresh: false,
            watch_registration: false,
            progress: false,
            configuration: false,
        }
    }
}

impl ClientSupport {
    pub(crate) fn from_params(params: &InitializeParams) -> ClientSupport {
        let caps = &params.capabilities;
        let offered = caps
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref());
        let encoding = match offered {
            Some(list) if list.contains(&PositionEncodingKind::UTF8) => PositionEncoding::Utf8,
            _ => PositionEncoding::Utf16,
        };
        let workspace = caps.workspace.as_ref();
        let pull = caps
            .text_document
            .as_ref()
            .and_then(|t| t.diagnostic.as_ref());
        ClientSupport {
            encoding,
            pull_diagnostics: pull.is_some(),
            related_documents: pull
                .and_then(|d| d.related_document_support)
                .unwrap_or(false),
            diagnostic_refresh: workspace
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            watch_registration: workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            progress: caps
                .window
                .as_ref()
                .and_then(|w| w.work_done_progress)
                .unwrap_or(false),
            configuration: workspace.and_then(|w| w.configuration).unwrap_or(false),
        }
    }
}

/// Everything this server offers, given what the client supports.
pub(crate) fn server_capabilities(client: &ClientSupport) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(match client.encoding {
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
                "\"".into(),
            ]),
            ..Default::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..Default::default()
        })),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        selection_range_provider: Some(SelectionRangeProviderCapability::Simple(true)),
        document_highlight_provider: Some(OneOf::Left(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
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
        )),
        inlay_hint_provider: Some(OneOf::Left(true)),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![crate::ide::preview::EXECUTE_COMMAND.into()],
            work_done_progress_options: Default::default(),
        }),
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
        // A document's diagnostics depend on other files (queue
        // environments, the queue configuration). Workspace diagnostics
        // (every file, open or not) are not offered: they would mean a full
        // analysis of every template of the workspace.
        diagnostic_provider: client.pull_diagnostics.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("openjd".into()),
                inter_file_dependencies: true,
                workspace_diagnostics: false,
                ..Default::default()
            })
        }),
        ..Default::default()
    }
}
