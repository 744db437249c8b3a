//! The registry of diagnostic codes: every code a diagnostic can carry, its
//! stable name, its default severity and a one-line description.
//!
//! This table is the only place a code is named. A diagnostic is built from
//! a [`Code`], never from a string, so a new check adds its line here first.
//! The README's list of codes is held equal to this table by a test
//! (`readme_lists_every_code`; `UPDATE_EXPECT=1` rewrites the README's list),
//! and every code has an annotated fixture under `tests/fixtures/diagnostics/`.

use super::diagnostic::Severity;

macro_rules! codes {
    ($($variant:ident = $name:literal, $severity:ident, $description:literal;)*) => {
        /// A stable diagnostic code. Its name (`Code::as_str`) is what users
        /// see and what editors and the CLI's JSON output report.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(#[doc = $description] $variant,)*
        }

        impl Code {
            /// Every code, in the order of the registry.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as users see it, e.g. `unknown-key`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            /// The severity a diagnostic with this code has.
            pub const fn severity(self) -> Severity {
                match self {
                    $(Code::$variant => Severity::$severity,)*
                }
            }

            /// One line that says what the code means.
            pub const fn description(self) -> &'static str {
                match self {
                    $(Code::$variant => $description,)*
                }
            }
        }
    };
}

codes! {
    // The document as YAML or JSON.
    Syntax = "syntax", Error, "The document is not valid YAML or JSON.";
    DuplicateKey = "duplicate-key", Error, "A mapping has the same key twice.";
    MultipleDocuments = "multiple-documents", Error, "The file holds more than one YAML document; a template is one.";
    AliasExpansion = "alias-expansion", Error, "YAML aliases expand to more than the reader allows (an alias bomb).";
    TooDeep = "too-deep", Error, "The document nests deeper than the reader allows.";
    UnknownVersion = "unknown-version", Error, "`specificationVersion` names no known template version.";
    // The shape of a template (schema).
    UnknownKey = "unknown-key", Error, "A key the schema does not allow here (with a did-you-mean).";
    MissingKey = "missing-key", Error, "A required key is absent.";
    ConflictingKeys = "conflicting-keys", Error, "Keys that exclude each other, or a key its variant does not allow.";
    WrongType = "wrong-type", Error, "A value of the wrong type: a string where a list belongs, and so on.";
    InvalidValue = "invalid-value", Error, "A value that is not one of the allowed values.";
    InvalidString = "invalid-string", Error, "A string that breaks the pattern or character rules of its field.";
    InvalidRange = "invalid-range", Error, "A range expression (a task parameter's range, a RANGE_EXPR parameter's default) that does not parse.";
    OutOfRange = "out-of-range", Error, "A number outside the bounds of its field.";
    StringTooShort = "string-too-short", Error, "A string shorter than its field allows.";
    StringTooLong = "string-too-long", Error, "A string longer than its field allows.";
    ListTooShort = "list-too-short", Error, "A list (or mapping) with fewer items than its field needs.";
    ListTooLong = "list-too-long", Error, "A list (or mapping) with more items than its field allows.";
    DuplicateName = "duplicate-name", Error, "Two steps, parameters, environments or queues with the same name.";
    CheckboxValues = "checkbox-values", Error, "A CHECK_BOX control without exactly two allowed values that form a pair.";
    DropdownValues = "dropdown-values", Error, "A DROPDOWN_LIST control without `allowedValues`.";
    ControlValues = "control-values", Error, "A user-interface control that cannot offer `allowedValues` has them.";
    ValueNotAllowed = "value-not-allowed", Error, "A job parameter's default (or an item of a list default) that is not one of its `allowedValues`.";
    ValueOutOfBounds = "value-out-of-bounds", Error, "A job parameter's default, allowed value or default item outside the parameter's own `minValue`/`maxValue`.";
    ValueLength = "value-length", Error, "A job parameter's default, allowed value or default item shorter than the parameter's own `minLength` or longer than its `maxLength` (characters, or items of a list).";
    MinAboveMax = "min-above-max", Error, "A lower bound above its upper bound: `minValue` > `maxValue`, `minLength` > `maxLength`, or an amount's `min` > `max`.";
    ControlKey = "control-key", Error, "A user-interface key its control does not use: `decimals` or `singleStepDelta` without a SPIN_BOX, `fileFilters` without a file chooser.";
    DraftName = "draft-name", Error, "A name from a draft of RFC 0008 (`onWrapEnter`, `runOnHost`, `Env.Wrapped.*`).";
    // Extensions.
    ExtensionRequired = "extension-required", Error, "A feature used without listing its extension in `extensions`.";
    UnknownExtension = "unknown-extension", Error, "`extensions` lists an extension that does not exist.";
    DuplicateExtension = "duplicate-extension", Error, "`extensions` lists the same extension twice.";
    WrapRequiresExpr = "wrap-requires-expr", Error, "WRAP_ACTIONS is listed without EXPR, which it requires.";
    ExprExtensionRequired = "expr-extension-required", Error, "An expression beyond a plain variable reference without the EXPR extension.";
    // Format strings, expressions and let bindings.
    FormatStringSyntax = "format-string-syntax", Error, "A format string whose `{{ }}` do not parse.";
    ExpressionSyntax = "expression-syntax", Error, "An expression that does not parse.";
    ExpressionError = "expression-error", Error, "An expression the expression library rejects for another reason.";
    ExpressionTooLarge = "expression-too-large", Warning, "An expression too large to check before it runs (past the checker's budget of operations or memory).";
    TypeError = "type-error", Error, "An expression whose types do not fit (e.g. a list where a string is needed).";
    UnknownFunction = "unknown-function", Error, "A call to a function the expression library does not have.";
    UndefinedVariable = "undefined-variable", Error, "A variable that no scope defines.";
    VariableNotInScope = "variable-not-in-scope", Error, "A variable that exists, but not where it is used.";
    WrapVariableOutOfScope = "wrap-variable-out-of-scope", Error, "A `Wrapped*` variable outside the wrap hooks that receive it.";
    LetSyntax = "let-syntax", Error, "A let binding not written `name = expression`.";
    LetName = "let-name", Error, "A let binding whose name is not a valid identifier.";
    LetShadow = "let-shadow", Error, "A let binding that shadows a binding of an enclosing let block.";
    LetSelfReference = "let-self-reference", Error, "A let binding that uses itself or a binding after it.";
    ComprehensionVariable = "comprehension-variable", Error, "A comprehension variable with a bad name or one that shadows a let binding.";
    // Steps.
    ReservedCapability = "reserved-capability", Error, "A capability name in a scope the specification reserves (`amount.worker.*`, `attr.job.*`, …) that is not one of its standard capabilities.";
    InvalidCombination = "invalid-combination", Error, "A task parameter `combination` that does not parse, or does not name each task parameter exactly once.";
    MultipleChunkParameters = "multiple-chunk-parameters", Error, "A step with more than one CHUNK[INT] task parameter.";
    UnknownStep = "unknown-step", Error, "A dependency on a step that does not exist.";
    SelfDependency = "self-dependency", Error, "A step that depends on itself.";
    DuplicateDependency = "duplicate-dependency", Error, "A step that lists the same dependency twice.";
    DependencyCycle = "dependency-cycle", Error, "Steps whose dependencies form a cycle.";
    // Wrap actions (RFC 0008).
    WrapAllOrNothing = "wrap-all-or-nothing", Error, "An environment that defines some of the three wrap hooks but not all.";
    WrapSingleLayer = "wrap-single-layer", Error, "A session would get more than one wrapping environment (across files too).";
    // The reference validator.
    Reference = "reference", Error, "A problem found only by the reference implementation's validator.";
    ReferenceLimit = "reference-limit", Warning, "The document is too large or too deep for the reference implementation's YAML reader.";
    ReferenceDisagreement = "reference-disagreement", Warning, "The Rust and Python reference implementations disagree on this; the message names the one that rejects it and why.";
    ReferenceCrash = "reference-crash", Warning, "The reference implementation crashed on the document; our own checks still ran.";
    // Any file (`workspace::diagnostics`).
    TooManyDiagnostics = "too-many-diagnostics", Warning, "A file with more diagnostics than are shown (1,000): one diagnostic at the first one left out says how many more there are (an error if one of them is).";
    // Queue configuration (`openjd-lsp.yaml`, the `openjd.queues` setting).
    MissingFile = "missing-file", Error, "A queue environment file that does not exist.";
    FileTooLarge = "file-too-large", Warning, "A document open in the editor that is larger than the setting `openjd.files.maxSizeMiB` (16 MiB unless set): it is not analysed.";
    UnreadableFile = "unreadable-file", Error, "A queue environment file that cannot be read: not a regular file (a FIFO, a device), too large, not UTF-8, or not permitted.";
    BadGlob = "bad-glob", Error, "A queue's `jobs` pattern that is not a valid glob.";
    NotAnEnvironment = "not-an-environment", Error, "A queue environment file that is not an environment template.";
    EnvironmentHasErrors = "environment-has-errors", Warning, "A queue environment template that has errors of its own.";
    CfnUnknownResource = "cfn-unknown-resource", Error, "A queue environment `file#Name` whose CloudFormation file has no such queue environment or queue.";
    // Queue environments embedded in CloudFormation.
    CfnNotEnvironment = "cfn-not-environment", Error, "A CloudFormation queue environment whose Template is not an OpenJD environment template.";
    // Job bundle files (`parameter_values`, `asset_references`).
    BundleUnknownParameter = "bundle-unknown-parameter", Error, "A parameter value for a parameter that neither the job template nor its queue's environments define.";
    BundleMaybeQueueParameter = "bundle-maybe-queue-parameter", Warning, "A parameter value the job template does not define, while no queue configuration says which queue environments could.";
    BundleUnknownSetting = "bundle-unknown-setting", Error, "A `deadline:` job setting the Deadline Cloud submitter does not accept.";
    BundleWrongType = "bundle-wrong-type", Error, "A bundle file value of the wrong type (for its parameter, setting or key).";
    BundleOutOfRange = "bundle-out-of-range", Error, "A parameter value or job setting outside its minValue/maxValue or range.";
    BundleNotAllowed = "bundle-not-allowed", Error, "A parameter value or job setting that is not one of its allowed values.";
    BundleLength = "bundle-length", Error, "A parameter value shorter or longer than its minLength/maxLength (characters, or items of a list).";
    BundleDuplicateValue = "bundle-duplicate-value", Error, "A parameter given twice in the values file.";
    BundleMissingValue = "bundle-missing-value", Warning, "A template parameter with no default and no value in the values file.";
    BundleUnknownKey = "bundle-unknown-key", Error, "A key a job bundle file does not have (with a did-you-mean).";
    BundleMissingKey = "bundle-missing-key", Error, "A key a job bundle file needs: a parameter value's `name` or `value`, a hook's `command`.";
    BundleNoTemplate = "bundle-no-template", Warning, "A parameter values file with no template beside it to check against.";
}

impl Code {
    /// The code with this name, if there is one.
    #[cfg(test)]
    pub(crate) fn from_name(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == name)
    }

    /// The README's list of codes, one Markdown table row per code.
    pub fn markdown_table() -> String {
        let mut out = String::from("| code | severity | meaning |\n| --- | --- | --- |\n");
        for code in Code::ALL {
            out.push_str(&format!(
                "| `{}` | {} | {} |\n",
                code.as_str(),
                code.severity().as_str(),
                code.description()
            ));
        }
        out
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let name = code.as_str();
            assert!(seen.insert(name), "`{name}` is registered twice");
            assert!(
                name.split('-')
                    .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase())),
                "`{name}` is not kebab-case"
            );
            assert_eq!(Code::from_name(name), Some(*code));
            assert!(code.description().ends_with('.'), "{name}: one sentence");
        }
    }
}
