//! The vocabulary of the schema table. Structural validation, key and value
//! completion, and key hover all read the table built from these types.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Extension {
    TaskChunking,
    RedactedEnvVars,
    FeatureBundle1,
    Expr,
    WrapActions,
}

impl Extension {
    pub const ALL: [Extension; 5] = [
        Extension::TaskChunking,
        Extension::RedactedEnvVars,
        Extension::FeatureBundle1,
        Extension::Expr,
        Extension::WrapActions,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Extension::TaskChunking => "TASK_CHUNKING",
            Extension::RedactedEnvVars => "REDACTED_ENV_VARS",
            Extension::FeatureBundle1 => "FEATURE_BUNDLE_1",
            Extension::Expr => "EXPR",
            Extension::WrapActions => "WRAP_ACTIONS",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Extension> {
        Extension::ALL.into_iter().find(|e| e.name() == name)
    }

    /// The extensions a template listing this one must list too
    /// (WRAP_ACTIONS requires EXPR, RFC 0008).
    pub fn requires(self) -> &'static [Extension] {
        match self {
            Extension::WrapActions => &[Extension::Expr],
            _ => &[],
        }
    }

    pub fn doc(self) -> &'static str {
        match self {
            Extension::TaskChunking => {
                "Task chunking (RFC 0001): the `CHUNK[INT]` task parameter type, which groups many integer values into one task; `Task.Param.X` is then a range expression."
            }
            Extension::RedactedEnvVars => {
                "Redacted environment variables (RFC 0003): environment actions may print `openjd_redacted_env: NAME=value` to set a variable whose value is hidden in logs. Adds no template keys."
            }
            Extension::FeatureBundle1 => {
                "Feature bundle 1 (RFC 0004): larger limits (names up to 512 characters, 200 job parameters), format strings in `timeout`, `notifyPeriodInSeconds`, cancelation `mode` and amount `min`/`max`, `endOfLine` on embedded files, and the step shorthands `bash`, `python`, `cmd`, `powershell`, `node`."
            }
            Extension::Expr => {
                "Expression language (RFC 0005–0007): full expressions and functions inside `{{ }}`, `let` bindings, `Job.Name` and `Step.Name`, and the parameter types BOOL, RANGE_EXPR and LIST[…] (type names become case-insensitive)."
            }
            Extension::WrapActions => {
                "Environment wrap actions (RFC 0008): an environment may define `onWrapEnvEnter`, `onWrapTaskRun` and `onWrapEnvExit`, which run instead of the inner environments' enter/exit actions and every task's `onRun`, receiving the replaced action as `WrappedAction.*`. Requires EXPR."
            }
        }
    }
}

impl fmt::Display for Extension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A size limit that grows when FEATURE_BUNDLE_1 is listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub base: usize,
    pub fb1: usize,
}

impl Limit {
    pub const fn fixed(n: usize) -> Limit {
        Limit { base: n, fb1: n }
    }
    pub const fn grows(base: usize, fb1: usize) -> Limit {
        Limit { base, fb1 }
    }
    pub fn get(self, fb1: bool) -> usize {
        if fb1 { self.fb1 } else { self.base }
    }
}

/// Character-level rules a string must follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pattern {
    Any,
    /// No control characters at all.
    NoControl,
    /// No control characters except tab, line feed and carriage return.
    NoControlButWhitespace,
    /// `[A-Za-z_][A-Za-z0-9_]*`
    Identifier,
    /// `[A-Z_0-9]{3,128}`
    ExtensionName,
    /// `[A-Za-z_][A-Za-z0-9_]*` for environment variable names.
    EnvVarName,
    /// `[ns:]amount.a.b…`
    AmountName,
    /// `[ns:]attr.a.b…`
    AttributeName,
    /// A file name without directory parts.
    Filename,
    /// `*`, `*.*` or `*.ext`
    FileFilterPattern,
    /// Identifiers, spaces, `*`, `(`, `)` and `,`.
    Combination,
    /// `[A-Za-z_][A-Za-z0-9_-]*`: a value of a host attribute, once resolved.
    AttributeValue,
}

#[derive(Clone, Copy, Debug)]
pub struct StrRule {
    pub min: usize,
    pub max: Option<Limit>,
    pub pattern: Pattern,
}

impl StrRule {
    pub const fn new(min: usize, max: Option<Limit>, pattern: Pattern) -> StrRule {
        StrRule { min, max, pattern }
    }
}

/// Which variables a format-string field may use, before the surrounding
/// context (step, environment, hook) is taken into account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScopeClass {
    /// The job's own `name`: template parameters only.
    JobName,
    /// Resolved when the job is created: template parameters, `Job.Name`,
    /// and in a step `Step.Name` and the step's `let` names.
    Template,
    /// Resolved on the worker: command, args and embedded file data.
    Host,
    /// Environment `variables` values.
    EnvVariables,
    /// An action's `timeout` and `cancelation` fields.
    Timing,
}

impl ScopeClass {
    /// Resolved on the worker host, in the session: session variables are
    /// visible and the expression library has its host functions (path
    /// mapping). Everything else is resolved when the job is created.
    pub(crate) fn runs_on_host(self) -> bool {
        matches!(self, ScopeClass::Host | ScopeClass::EnvVariables)
    }
}

/// What a numeric field accepts.
#[derive(Clone, Copy, Debug)]
pub struct NumRule {
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Must the value be positive (strictly greater than zero)?
    pub positive: bool,
    pub integer: bool,
    /// Are numbers written as strings (`"5"`) accepted?
    pub string_ok: bool,
    /// A format string is accepted when FEATURE_BUNDLE_1 is listed.
    pub fmt_fb1: Option<ScopeClass>,
    /// A format string is always accepted (task ranges, chunk counts).
    pub fmt_always: Option<ScopeClass>,
}

impl NumRule {
    pub(crate) const INT64: NumRule = NumRule {
        min: None,
        max: None,
        positive: false,
        integer: true,
        string_ok: true,
        fmt_fb1: None,
        fmt_always: None,
    };
    pub const FLOAT: NumRule = NumRule {
        integer: false,
        ..NumRule::INT64
    };
}

#[derive(Clone, Copy, Debug)]
pub enum Ty {
    Object(&'static Object),
    /// An object whose shape depends on the value of one of its keys.
    Tagged(&'static Tagged),
    List(&'static ListTy),
    Str(StrRule),
    Fmt(StrRule, ScopeClass),
    Enum(&'static [&'static str]),
    /// A cancelation mode: an enum, or (FEATURE_BUNDLE_1) a format string.
    Mode,
    Bool,
    /// A boolean as job parameters accept it: true/false, 1/0, yes/no, on/off.
    LooseBool,
    Num(NumRule),
    /// A `let` binding, `name = expression`.
    Let,
    /// The `variables` mapping of an environment.
    EnvVars,
    /// A string that must be one of the spec versions.
    SpecVersion,
    /// Task-parameter `range`: a list of values, or a single string.
    Range(&'static ListTy),
    Any,
}

#[derive(Clone, Copy, Debug)]
pub struct ListTy {
    pub item: Ty,
    pub min: usize,
    pub max: Option<Limit>,
    /// Names within the list must be unique (by this key of each item).
    pub unique_by: Option<&'static str>,
    /// Names are compared without regard to case (capability names).
    pub unique_ignore_case: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Req {
    Required,
    Optional,
}

#[derive(Clone, Copy, Debug)]
pub struct Field {
    pub key: &'static str,
    pub ty: Ty,
    pub req: Req,
    pub gate: Option<Extension>,
    pub doc: &'static str,
}

#[derive(Clone, Copy, Debug)]
pub enum ObjRule {
    /// Exactly one of these keys.
    ExactlyOne(&'static [&'static str]),
    /// At least one of these keys.
    AtLeastOne(&'static [&'static str]),
    /// `key` is only allowed when `tag_key` has one of `values` (or is a
    /// format string, which cannot be known before run time).
    OnlyWhen {
        key: &'static str,
        tag_key: &'static str,
        values: &'static [&'static str],
    },
}

#[derive(Debug)]
pub struct Object {
    pub name: &'static str,
    pub doc: &'static str,
    pub fields: &'static [Field],
    pub rules: &'static [ObjRule],
}

impl Object {
    pub fn field(&'static self, key: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.key == key)
    }
}

#[derive(Debug)]
pub struct Variant {
    pub tags: &'static [&'static str],
    pub object: &'static Object,
    pub gate: Option<Extension>,
}

#[derive(Debug)]
pub struct Tagged {
    pub name: &'static str,
    pub tag: &'static str,
    pub doc: &'static str,
    pub variants: &'static [Variant],
    /// With EXPR the tag is matched case-insensitively.
    pub case_insensitive_with_expr: bool,
}

impl Tagged {
    pub fn variant(&'static self, tag: &str, expr: bool) -> Option<&'static Variant> {
        self.variants.iter().find(|v| {
            v.tags.iter().any(|t| {
                *t == tag
                    || (expr && self.case_insensitive_with_expr && t.eq_ignore_ascii_case(tag))
            })
        })
    }

    pub(crate) fn all_tags(&'static self) -> impl Iterator<Item = &'static str> {
        self.variants.iter().flat_map(|v| v.tags.iter().copied())
    }
}
