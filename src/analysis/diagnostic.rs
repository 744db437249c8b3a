//! Diagnostics as the analysis produces them: byte ranges in the document,
//! a stable code, and a message that says what to do.

use super::codes::Code;
use crate::model::ActionKind;
use crate::schema::Extension;
use crate::syntax::Span;

/// A change that fixes a diagnostic, offered as a code action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fix {
    /// List this extension in `extensions` (and EXPR too for WRAP_ACTIONS).
    AddExtension(Extension),
    /// Add these wrap hooks to the `actions` mapping at this span (its key).
    AddWrapHooks(Vec<ActionKind>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }
}

/// Where a related location lives: this document, or another file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub file: Option<std::path::PathBuf>,
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub span: Span,
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    pub related: Vec<Related>,
    /// A replacement for the diagnostic's range that fixes it (did-you-mean).
    pub suggestion: Option<String>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// A diagnostic with its code's severity from the registry.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            span,
            severity: code.severity(),
            code,
            message: message.into(),
            related: Vec::new(),
            suggestion: None,
            fix: None,
        }
    }

    pub(crate) fn with_related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related {
            file: None,
            span,
            message: message.into(),
        });
        self
    }

    pub(crate) fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    pub(crate) fn with_suggestion(mut self, replacement: impl Into<String>) -> Self {
        self.suggestion = Some(replacement.into());
        self
    }
}

/// The closest of `candidates` to `word`, if it is close enough to be a
/// plausible typo.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            let score = strsim::jaro_winkler(&lower, &c.to_ascii_lowercase());
            (c, score)
        })
        .filter(|(c, score)| *score >= 0.8 || c.eq_ignore_ascii_case(word))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(c, _)| c)
}
