//! Diagnostics as the analysis produces them: byte ranges in the document,
//! a stable code, and a message that says what to do.

use rustc_hash::FxHashMap;

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

/// How many candidates the did-you-mean suggestions of one pass may weigh
/// in all. Each suggestion weighs every name it could be, so a document of
/// thousands of misspellings among thousands of names took seconds to
/// minutes; past this budget they get no suggestion. A typo among a few
/// thousand names is still answered, and the same typo again is answered
/// from the cache at no cost.
pub(crate) const SUGGESTION_BUDGET: usize = 100_000;

/// The did-you-mean suggestions of one pass: each misspelling is weighed
/// once per set of names, within [`SUGGESTION_BUDGET`].
pub(crate) struct Suggestions {
    left: usize,
    /// Per set of names (a scope, the steps), each word's suggestion.
    known: FxHashMap<usize, FxHashMap<Box<str>, Option<Box<str>>>>,
}

impl Default for Suggestions {
    fn default() -> Self {
        Suggestions::with_budget(SUGGESTION_BUDGET)
    }
}

impl Suggestions {
    pub(crate) fn with_budget(budget: usize) -> Self {
        Suggestions {
            left: budget,
            known: FxHashMap::default(),
        }
    }

    /// The suggestion for `word` among the names of `set`: the earlier
    /// answer for the same word and set, else `find`'s, which weighs
    /// `candidates` names; `None` once the budget cannot pay for them.
    pub(crate) fn suggest(
        &mut self,
        set: usize,
        word: &str,
        candidates: usize,
        find: impl FnOnce() -> Option<String>,
    ) -> Option<String> {
        if let Some(known) = self.known.get(&set).and_then(|words| words.get(word)) {
            return known.as_deref().map(str::to_string);
        }
        self.left = self.left.checked_sub(candidates)?;
        let found = find();
        self.known
            .entry(set)
            .or_default()
            .insert(word.into(), found.as_deref().map(Box::from));
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suggestion_is_weighed_once_and_within_the_budget() {
        let names = ["Frame", "Frames", "Scene"];
        let mut suggestions = Suggestions::with_budget(5);
        let mut weighed = 0;
        let mut suggest = |s: &mut Suggestions, word: &str| {
            s.suggest(0, word, names.len(), || {
                weighed += 1;
                did_you_mean(word, names).map(str::to_string)
            })
        };
        assert_eq!(suggest(&mut suggestions, "Fram").as_deref(), Some("Frame"));
        // The same word again is answered without weighing the names.
        assert_eq!(suggest(&mut suggestions, "Fram").as_deref(), Some("Frame"));
        // Another word would weigh three more names: over the budget of 5.
        assert_eq!(suggest(&mut suggestions, "Scen"), None);
        assert_eq!(weighed, 1);
        // A word for another set of names has its own answer.
        let other = suggestions.suggest(1, "Fram", 0, || Some("Frames".into()));
        assert_eq!(other.as_deref(), Some("Frames"));
    }
}
