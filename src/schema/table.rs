//! The 2023-09 template schema, job and environment templates, with every
//! extension. One entry per key: type, requiredness, gate, limits and the
//! documentation shown on hover and in completion.

use super::types::*;
use Extension::*;
use Pattern as P;
use Req::{Optional as O, Required as R};

const fn f(key: &'static str, ty: Ty, req: Req, doc: &'static str) -> Field {
    Field {
        key,
        ty,
        req,
        gate: None,
        doc,
    }
}

const fn gated(key: &'static str, ty: Ty, req: Req, gate: Extension, doc: &'static str) -> Field {
    Field {
        key,
        ty,
        req,
        gate: Some(gate),
        doc,
    }
}

/// The length of names and identifiers (parameters, steps, environments,
/// embedded files): 64 characters, 512 with FEATURE_BUNDLE_1.
pub(crate) const NAME_LENGTH: Limit = Limit::grows(64, 512);
const NAME64: StrRule = StrRule::new(1, Some(NAME_LENGTH), P::NoControl);
const IDENT: StrRule = StrRule::new(1, Some(NAME_LENGTH), P::Identifier);
const DESCRIPTION: StrRule = StrRule::new(1, Some(Limit::fixed(2048)), P::NoControlButWhitespace);
const LABEL: StrRule = StrRule::new(1, Some(Limit::fixed(64)), P::NoControl);
const PARAM_STRING: StrRule = StrRule::new(0, Some(Limit::fixed(1024)), P::Any);
const COMMAND: StrRule = StrRule::new(1, None, P::NoControl);
const ARG: StrRule = StrRule::new(0, None, P::NoControlButWhitespace);
const DATA: StrRule = StrRule::new(1, None, P::Any);
const TASK_VALUE: StrRule = StrRule::new(1, Some(Limit::fixed(1024)), P::Any);
const ATTR_VALUE: StrRule = StrRule::new(1, Some(Limit::fixed(100)), P::AttributeValue);

const fn list(item: Ty, min: usize, max: Option<Limit>) -> ListTy {
    ListTy {
        item,
        min,
        max,
        unique_by: None,
        unique_ignore_case: false,
    }
}

const fn named_list(item: Ty, min: usize, max: Option<Limit>) -> ListTy {
    ListTy {
        item,
        min,
        max,
        unique_by: Some("name"),
        unique_ignore_case: false,
    }
}

/// A list of host requirements: capability names are case-insensitive
/// (§3.1), so `amount.worker.vcpu` and `AMOUNT.WORKER.VCPU` are the same.
const fn capability_list(item: Ty, min: usize, max: Option<Limit>) -> ListTy {
    ListTy {
        unique_ignore_case: true,
        ..named_list(item, min, max)
    }
}

const NAME_DOC: &str = "Name of the parameter, referenced as `Param.<name>` and `RawParam.<name>`.";
const PARAM_DESCRIPTION_DOC: &str = "Text shown to the person submitting the job.";

// ---------------------------------------------------------------- extensions

static EXTENSION_LIST: ListTy = list(
    Ty::Str(StrRule::new(3, Some(Limit::fixed(128)), P::ExtensionName)),
    1,
    None,
);

const EXTENSIONS_FIELD: Field = f(
    "extensions",
    Ty::List(&EXTENSION_LIST),
    O,
    "Optional features of the specification this template uses: TASK_CHUNKING, REDACTED_ENV_VARS, FEATURE_BUNDLE_1, EXPR, WRAP_ACTIONS. Each may be listed once.",
);

// ---------------------------------------------------------------- user interface

static FILE_FILTER_PATTERNS: ListTy = list(
    Ty::Str(StrRule::new(
        1,
        Some(Limit::fixed(20)),
        P::FileFilterPattern,
    )),
    1,
    None,
);

static FILE_FILTER: Object = Object {
    name: "FileFilter",
    doc: "A filter offered in a file dialog.",
    fields: &[
        f(
            "label",
            Ty::Str(LABEL),
            R,
            "Text of the filter in the dialog.",
        ),
        f(
            "patterns",
            Ty::List(&FILE_FILTER_PATTERNS),
            R,
            "Glob patterns: `*`, `*.*` or `*.<extension>`.",
        ),
    ],
    rules: &[],
};

static FILE_FILTERS: ListTy = list(Ty::Object(&FILE_FILTER), 1, Some(Limit::fixed(20)));

const UI_LABEL: Field = f(
    "label",
    Ty::Str(LABEL),
    O,
    "Label of the control (at most 64 characters).",
);
const UI_GROUP: Field = f(
    "groupLabel",
    Ty::Str(LABEL),
    O,
    "Controls with the same group label are shown together.",
);
const UI_FILE_FILTERS: Field = f(
    "fileFilters",
    Ty::List(&FILE_FILTERS),
    O,
    "Filters offered in the file dialog (only with a file chooser control).",
);
const UI_FILE_FILTER_DEFAULT: Field = f(
    "fileFilterDefault",
    Ty::Object(&FILE_FILTER),
    O,
    "The filter selected when the dialog opens.",
);
const UI_STEP_INT: Field = f(
    "singleStepDelta",
    Ty::Num(NumRule {
        positive: true,
        ..NumRule::INT64
    }),
    O,
    "How much one click of the spin box changes the value.",
);
const UI_STEP_FLOAT: Field = f(
    "singleStepDelta",
    Ty::Num(NumRule {
        positive: true,
        ..NumRule::FLOAT
    }),
    O,
    "How much one click of the spin box changes the value.",
);
const UI_DECIMALS: Field = f(
    "decimals",
    Ty::Num(NumRule {
        min: Some(0.0),
        ..NumRule::INT64
    }),
    O,
    "Number of decimals shown; absent means adaptive.",
);

macro_rules! ui {
    ($static:ident, $name:literal, $controls:expr, [$($extra:expr),*]) => {
        static $static: Object = Object {
            name: $name,
            doc: "Hints for how a submitter shows this parameter. They never change validation.",
            fields: &[
                f("control", Ty::Enum($controls), O, "The kind of input control."),
                UI_LABEL,
                UI_GROUP,
                $($extra,)*
            ],
            rules: &[],
        };
    };
}

ui!(
    UI_STRING,
    "StringUserInterface",
    &[
        "LINE_EDIT",
        "MULTILINE_EDIT",
        "DROPDOWN_LIST",
        "CHECK_BOX",
        "HIDDEN"
    ],
    []
);
ui!(
    UI_PATH,
    "PathUserInterface",
    &[
        "CHOOSE_INPUT_FILE",
        "CHOOSE_OUTPUT_FILE",
        "CHOOSE_DIRECTORY",
        "DROPDOWN_LIST",
        "HIDDEN"
    ],
    [UI_FILE_FILTERS, UI_FILE_FILTER_DEFAULT]
);
ui!(
    UI_INT,
    "IntUserInterface",
    &["SPIN_BOX", "DROPDOWN_LIST", "HIDDEN"],
    [UI_STEP_INT]
);
ui!(
    UI_FLOAT,
    "FloatUserInterface",
    &["SPIN_BOX", "DROPDOWN_LIST", "HIDDEN"],
    [UI_DECIMALS, UI_STEP_FLOAT]
);
ui!(UI_BOOL, "BoolUserInterface", &["CHECK_BOX", "HIDDEN"], []);
ui!(
    UI_RANGE_EXPR,
    "RangeExprUserInterface",
    &["LINE_EDIT", "HIDDEN"],
    []
);
ui!(
    UI_LIST_STRING,
    "ListStringUserInterface",
    &["LINE_EDIT_LIST", "HIDDEN"],
    []
);
ui!(
    UI_LIST_PATH,
    "ListPathUserInterface",
    &[
        "CHOOSE_INPUT_FILE_LIST",
        "CHOOSE_OUTPUT_FILE_LIST",
        "CHOOSE_DIRECTORY_LIST",
        "HIDDEN"
    ],
    [UI_FILE_FILTERS, UI_FILE_FILTER_DEFAULT]
);
ui!(
    UI_LIST_INT,
    "ListIntUserInterface",
    &["SPIN_BOX_LIST", "HIDDEN"],
    [UI_STEP_INT]
);
ui!(
    UI_LIST_FLOAT,
    "ListFloatUserInterface",
    &["SPIN_BOX_LIST", "HIDDEN"],
    [UI_DECIMALS, UI_STEP_FLOAT]
);
ui!(
    UI_LIST_BOOL,
    "ListBoolUserInterface",
    &["CHECK_BOX_LIST", "HIDDEN"],
    []
);
ui!(UI_HIDDEN, "HiddenUserInterface", &["HIDDEN"], []);

// ---------------------------------------------------------------- job parameters

const INT_VALUE: Ty = Ty::Num(NumRule::INT64);
const FLOAT_VALUE: Ty = Ty::Num(NumRule::FLOAT);
static STRING_VALUES: ListTy = list(Ty::Str(PARAM_STRING), 1, None);
static INT_VALUES: ListTy = list(INT_VALUE, 1, None);
static FLOAT_VALUES: ListTy = list(FLOAT_VALUE, 1, None);
const LENGTH: Ty = Ty::Num(NumRule {
    min: Some(0.0),
    string_ok: false,
    ..NumRule::INT64
});

const P_NAME: Field = f("name", Ty::Str(IDENT), R, NAME_DOC);
const P_TYPE: Field = f(
    "type",
    Ty::Any,
    R,
    "The parameter's type: STRING, PATH, INT, FLOAT; with EXPR also BOOL, RANGE_EXPR and LIST[STRING|PATH|INT|FLOAT|BOOL|LIST[INT]].",
);
const P_DESC: Field = f(
    "description",
    Ty::Str(DESCRIPTION),
    O,
    PARAM_DESCRIPTION_DOC,
);
const P_MIN_LEN: Field = f(
    "minLength",
    LENGTH,
    O,
    "Shortest allowed value, in characters.",
);
const P_MAX_LEN: Field = f(
    "maxLength",
    LENGTH,
    O,
    "Longest allowed value, in characters.",
);
const OBJECT_TYPE: Field = f(
    "objectType",
    Ty::Enum(&["FILE", "DIRECTORY"]),
    O,
    "Whether the path names a FILE or a DIRECTORY (the default).",
);
const DATA_FLOW: Field = f(
    "dataFlow",
    Ty::Enum(&["NONE", "IN", "OUT", "INOUT"]),
    O,
    "Whether the job reads (IN), writes (OUT) or both (INOUT) at this path; tools use it to move data. Default NONE.",
);

static STRING_PARAM: Object = Object {
    name: "JobStringParameterDefinition",
    doc: "A text parameter.",
    fields: &[
        P_NAME,
        P_TYPE,
        P_DESC,
        f(
            "default",
            Ty::Str(PARAM_STRING),
            O,
            "Value used when the submitter gives none.",
        ),
        f(
            "allowedValues",
            Ty::List(&STRING_VALUES),
            O,
            "The only values accepted.",
        ),
        P_MIN_LEN,
        P_MAX_LEN,
        f(
            "userInterface",
            Ty::Object(&UI_STRING),
            O,
            "How a submitter shows the parameter.",
        ),
    ],
    rules: &[],
};

static PATH_PARAM: Object = Object {
    name: "JobPathParameterDefinition",
    doc: "A file or directory path. `Param.<name>` is path-mapped on the worker; `RawParam.<name>` is the value as submitted.",
    fields: &[
        P_NAME,
        P_TYPE,
        P_DESC,
        f(
            "default",
            Ty::Str(PARAM_STRING),
            O,
            "Value used when the submitter gives none.",
        ),
        f(
            "allowedValues",
            Ty::List(&STRING_VALUES),
            O,
            "The only values accepted.",
        ),
        P_MIN_LEN,
        P_MAX_LEN,
        OBJECT_TYPE,
        DATA_FLOW,
        f(
            "userInterface",
            Ty::Object(&UI_PATH),
            O,
            "How a submitter shows the parameter.",
        ),
    ],
    rules: &[],
};

static INT_PARAM: Object = Object {
    name: "JobIntParameterDefinition",
    doc: "A 64-bit integer parameter. Values may be written as numbers or as strings of digits.",
    fields: &[
        P_NAME,
        P_TYPE,
        P_DESC,
        f(
            "default",
            INT_VALUE,
            O,
            "Value used when the submitter gives none.",
        ),
        f(
            "allowedValues",
            Ty::List(&INT_VALUES),
            O,
            "The only values accepted.",
        ),
        f("minValue", INT_VALUE, O, "Smallest allowed value."),
        f("maxValue", INT_VALUE, O, "Largest allowed value."),
        f(
            "userInterface",
            Ty::Object(&UI_INT),
            O,
            "How a submitter shows the parameter.",
        ),
    ],
    rules: &[],
};

static FLOAT_PARAM: Object = Object {
    name: "JobFloatParameterDefinition",
    doc: "A floating-point parameter. Values may be written as numbers or as numeric strings.",
    fields: &[
        P_NAME,
        P_TYPE,
        P_DESC,
        f(
            "default",
            FLOAT_VALUE,
            O,
            "Value used when the submitter gives none.",
        ),
        f(
            "allowedValues",
            Ty::List(&FLOAT_VALUES),
            O,
            "The only values accepted.",
        ),
        f("minValue", FLOAT_VALUE, O, "Smallest allowed value."),
        f("maxValue", FLOAT_VALUE, O, "Largest allowed value."),
        f(
            "userInterface",
            Ty::Object(&UI_FLOAT),
            O,
            "How a submitter shows the parameter.",
        ),
    ],
    rules: &[],
};

static BOOL_PARAM: Object = Object {
    name: "JobBoolParameterDefinition",
    doc: "A boolean parameter (EXPR). Accepts true/false, yes/no, on/off and 1/0.",
    fields: &[
        P_NAME,
        P_TYPE,
        P_DESC,
        f(
            "default",
            Ty::LooseBool,
            O,
            "Value used when the submitter gives none.",
        ),
        f(
            "userInterface",
            Ty::Object(&UI_BOOL),
            O,
            "How a submitter shows the parameter.",
        ),
    ],
    rules: &[],
};

static RANGE_EXPR_PARAM: Object = Object {
    name: "JobRangeExprParameterDefinition",
    doc: "An integer range expression such as `1-100:2,200` (EXPR). `Param.<name>` is a `range_expr`.",
    fields: &[
        P_NAME,
        P_TYPE,
        P_DESC,
        f(
            "default",
            Ty::Str(PARAM_STRING),
            O,
            "Value used when the submitter gives none; must be a valid range expression.",
        ),
        f(
            "minLength",
            LENGTH,
            O,
            "Fewest values the range must contain.",
        ),
        f("maxLength", LENGTH, O, "Most values the range may contain."),
        f(
            "userInterface",
            Ty::Object(&UI_RANGE_EXPR),
            O,
            "How a submitter shows the parameter.",
        ),
    ],
    rules: &[],
};

static STRING_ITEM: Object = Object {
    name: "ListStringItemConstraints",
    doc: "Constraints each item of the list must meet.",
    fields: &[
        f(
            "allowedValues",
            Ty::List(&STRING_VALUES),
            O,
            "The only values an item may take.",
        ),
        f(
            "minLength",
            LENGTH,
            O,
            "Shortest allowed item, in characters.",
        ),
        f(
            "maxLength",
            LENGTH,
            O,
            "Longest allowed item, in characters.",
        ),
    ],
    rules: &[],
};

static INT_ITEM: Object = Object {
    name: "ListIntItemConstraints",
    doc: "Constraints each item of the list must meet.",
    fields: &[
        f(
            "allowedValues",
            Ty::List(&INT_VALUES),
            O,
            "The only values an item may take.",
        ),
        f("minValue", INT_VALUE, O, "Smallest allowed item."),
        f("maxValue", INT_VALUE, O, "Largest allowed item."),
    ],
    rules: &[],
};

static FLOAT_ITEM: Object = Object {
    name: "ListFloatItemConstraints",
    doc: "Constraints each item of the list must meet.",
    fields: &[
        f(
            "allowedValues",
            Ty::List(&FLOAT_VALUES),
            O,
            "The only values an item may take.",
        ),
        f("minValue", FLOAT_VALUE, O, "Smallest allowed item."),
        f("maxValue", FLOAT_VALUE, O, "Largest allowed item."),
    ],
    rules: &[],
};

static LIST_LIST_INT_ITEM: Object = Object {
    name: "ListListIntItemConstraints",
    doc: "Constraints on each inner list.",
    fields: &[
        f(
            "minLength",
            LENGTH,
            O,
            "Fewest items an inner list may have.",
        ),
        f("maxLength", LENGTH, O, "Most items an inner list may have."),
        f(
            "item",
            Ty::Object(&INT_ITEM),
            O,
            "Constraints on each integer of the inner lists.",
        ),
    ],
    rules: &[],
};

static STRING_LIST: ListTy = list(Ty::Str(PARAM_STRING), 0, None);
static INT_LIST: ListTy = list(INT_VALUE, 0, None);
static FLOAT_LIST: ListTy = list(FLOAT_VALUE, 0, None);
static BOOL_LIST: ListTy = list(Ty::LooseBool, 0, None);
static INT_LIST_LIST: ListTy = list(Ty::List(&INT_LIST), 0, None);

const LIST_MIN: Field = f("minLength", LENGTH, O, "Fewest items the list may have.");
const LIST_MAX: Field = f("maxLength", LENGTH, O, "Most items the list may have.");

static LIST_STRING_PARAM: Object = Object {
    name: "JobListStringParameterDefinition",
    doc: "A list of strings (EXPR). `Param.<name>` is a `list[string]`.",
    fields: &[
        P_NAME,
        P_TYPE,
        P_DESC,
        f(
            "default",
            Ty::List(&STRING_LIST),
            O,
            "Value used when the submitter gives none.",
        ),
        LIST_MIN,
        LIST_MAX,
        f(
            "item",
            Ty::Object(&STRING_ITEM),
            O,
            "Constraints on each item.",
        ),
        f(
            "userInterface",
            Ty::Object(&UI_LIST_STRING),
            O,
            "How a submitter shows the parameter.",
        ),
    ],
    rules: &[],
};

static LIST_PATH_PARAM: Object = Object {
    name: "JobListPathParameterDefinition",
    doc: "A list of paths (EXPR). `Param.<name>` is a path-mapped `list[path]`, `RawParam.<name>` a `list[string]`.",
    fields: &[
        P_NAME,
        P_TYPE,
        P_DESC,
        OBJECT_TYPE,
        DATA_FLOW,
        f(
            "default",
            Ty::List(&STRING_LIST),
            O,
            "Value used when the submitter gives none.",
        ),
        LIST_MIN,
        LIST_MAX,
        f(
            "item",
            Ty::Object(&STRING_ITEM),
            O,
            "Constraints on each item.",
        ),
        f(
            "userInterface",
            Ty::Object(&UI_LIST_PATH),
            O,
            "How a submitter shows the parameter.",
        ),
    ],
    rules: &[],
};

static LIST_INT_PARAM: Object = Object {
    name: "JobListIntParameterDefinition",
    doc: "A list of integers (EXPR). `Param.<name>` is a `list[int]`.",
    fields: &[
        P_NAME,
        P_TYPE,
        P_DESC,
        f(
            "default",
            Ty::List(&INT_LIST),
            O,
            "Value used when the submitter gives none.",
        ),
        LIST_MIN,
        LIST_MAX,
        f(
            "item",
            Ty::Object(&INT_ITEM),
            O,
            "Constraints on each item.",
        ),
        f(
            "userInterface",
            Ty::Object(&UI_LIST_INT),
            O,
            "How a submitter shows the parameter.",
        ),
    ],
    rules: &[],
};

static LIST_FLOAT_PARAM: Object = Object {
    name: "JobListFloatParameterDefinition",
    doc: "A list of floats (EXPR). `Param.<name>` is a `list[float]`.",
    fields: &[
        P_NAME,
        P_TYPE,
        P_DESC,
        f(
            "default",
            Ty::List(&FLOAT_LIST),
            O,
            "Value used when the submitter gives none.",
        ),
        LIST_MIN,
        LIST_MAX,
        f(
            "item",
            Ty::Object(&FLOAT_ITEM),
            O,
            "Constraints on each item.",
        ),
        f(
            "userInterface",
            Ty::Object(&UI_LIST_FLOAT),
            O,
            "How a submitter shows the parameter.",
        ),
    ],
    rules: &[],
};

static LIST_BOOL_PARAM: Object = Object {
    name: "JobListBoolParameterDefinition",
    doc: "A list of booleans (EXPR). `Param.<name>` is a `list[bool]`.",
    fields: &[
        P_NAME,
        P_TYPE,
        P_DESC,
        f(
            "default",
            Ty::List(&BOOL_LIST),
            O,
            "Value used when the submitter gives none.",
        ),
        LIST_MIN,
        LIST_MAX,
        f(
            "userInterface",
            Ty::Object(&UI_LIST_BOOL),
            O,
            "How a submitter shows the parameter.",
        ),
    ],
    rules: &[],
};

static LIST_LIST_INT_PARAM: Object = Object {
    name: "JobListListIntParameterDefinition",
    doc: "A list of lists of integers (EXPR). `Param.<name>` is a `list[list[int]]`.",
    fields: &[
        P_NAME,
        P_TYPE,
        P_DESC,
        f(
            "default",
            Ty::List(&INT_LIST_LIST),
            O,
            "Value used when the submitter gives none.",
        ),
        LIST_MIN,
        LIST_MAX,
        f(
            "item",
            Ty::Object(&LIST_LIST_INT_ITEM),
            O,
            "Constraints on each inner list.",
        ),
        f(
            "userInterface",
            Ty::Object(&UI_HIDDEN),
            O,
            "How a submitter shows the parameter.",
        ),
    ],
    rules: &[],
};

pub(crate) static JOB_PARAMETER: Tagged = Tagged {
    name: "JobParameterDefinition",
    tag: "type",
    doc: "A value the submitter provides when creating a job.",
    case_insensitive_with_expr: true,
    variants: &[
        Variant {
            tags: &["STRING"],
            object: &STRING_PARAM,
            gate: None,
        },
        Variant {
            tags: &["PATH"],
            object: &PATH_PARAM,
            gate: None,
        },
        Variant {
            tags: &["INT"],
            object: &INT_PARAM,
            gate: None,
        },
        Variant {
            tags: &["FLOAT"],
            object: &FLOAT_PARAM,
            gate: None,
        },
        Variant {
            tags: &["BOOL"],
            object: &BOOL_PARAM,
            gate: Some(Expr),
        },
        Variant {
            tags: &["RANGE_EXPR"],
            object: &RANGE_EXPR_PARAM,
            gate: Some(Expr),
        },
        Variant {
            tags: &["LIST[STRING]"],
            object: &LIST_STRING_PARAM,
            gate: Some(Expr),
        },
        Variant {
            tags: &["LIST[PATH]"],
            object: &LIST_PATH_PARAM,
            gate: Some(Expr),
        },
        Variant {
            tags: &["LIST[INT]"],
            object: &LIST_INT_PARAM,
            gate: Some(Expr),
        },
        Variant {
            tags: &["LIST[FLOAT]"],
            object: &LIST_FLOAT_PARAM,
            gate: Some(Expr),
        },
        Variant {
            tags: &["LIST[BOOL]"],
            object: &LIST_BOOL_PARAM,
            gate: Some(Expr),
        },
        Variant {
            tags: &["LIST[LIST[INT]]"],
            object: &LIST_LIST_INT_PARAM,
            gate: Some(Expr),
        },
    ],
};

static JOB_PARAMETERS: ListTy =
    named_list(Ty::Tagged(&JOB_PARAMETER), 1, Some(Limit::grows(50, 200)));
static ENV_PARAMETERS: ListTy = named_list(Ty::Tagged(&JOB_PARAMETER), 1, Some(Limit::fixed(50)));

// ---------------------------------------------------------------- actions

const TIMEOUT: Ty = Ty::Num(NumRule {
    min: None,
    max: None,
    positive: true,
    integer: true,
    string_ok: false,
    fmt_fb1: Some(ScopeClass::Timing),
    fmt_always: None,
});

const NOTIFY_PERIOD: Ty = Ty::Num(NumRule {
    min: Some(1.0),
    max: Some(600.0),
    positive: true,
    integer: true,
    string_ok: false,
    fmt_fb1: Some(ScopeClass::Timing),
    fmt_always: None,
});

pub(crate) static CANCELATION: Object = Object {
    name: "CancelationMethod",
    doc: "How a running action is canceled. TERMINATE stops it at once; NOTIFY_THEN_TERMINATE sends a termination signal, waits `notifyPeriodInSeconds`, then kills it.",
    fields: &[
        f(
            "mode",
            Ty::Mode,
            R,
            "TERMINATE or NOTIFY_THEN_TERMINATE. With FEATURE_BUNDLE_1 a format string that resolves to one of them (or to null, which drops the whole `cancelation`).",
        ),
        f(
            "notifyPeriodInSeconds",
            NOTIFY_PERIOD,
            O,
            "Seconds between the notice and the kill, 1 to 600 (only with NOTIFY_THEN_TERMINATE). Default 120 for a task's onRun, 30 for environment actions.",
        ),
    ],
    rules: &[ObjRule::OnlyWhen {
        key: "notifyPeriodInSeconds",
        tag_key: "mode",
        values: &["NOTIFY_THEN_TERMINATE"],
    }],
};

static ARGS: ListTy = list(Ty::Fmt(ARG, ScopeClass::Host), 1, None);

pub static ACTION: Object = Object {
    name: "Action",
    doc: "A command to run, with its arguments, timeout and cancelation method.",
    fields: &[
        f(
            "command",
            Ty::Fmt(COMMAND, ScopeClass::Host),
            R,
            "The program to run: a name found on PATH or a path (often `{{Task.File.X}}`/`{{Env.File.X}}`). Resolved on the worker.",
        ),
        f(
            "args",
            Ty::List(&ARGS),
            O,
            "Arguments passed to the command, one list item per argument, so no shell quoting is needed. With EXPR an item that is a whole-field expression may expand to several arguments (a list) or none (null).",
        ),
        f(
            "timeout",
            TIMEOUT,
            O,
            "Seconds the action may run before it is canceled. A positive integer; with FEATURE_BUNDLE_1 also a format string. No default for onRun/onEnter; 300 for onExit.",
        ),
        f(
            "cancelation",
            Ty::Object(&CANCELATION),
            O,
            "How the action is canceled.",
        ),
    ],
    rules: &[],
};

// ---------------------------------------------------------------- embedded files

pub(crate) static EMBEDDED_FILE: Object = Object {
    name: "EmbeddedFile",
    doc: "A file written to the session's working directory before each action of its script runs.",
    fields: &[
        f(
            "name",
            Ty::Str(IDENT),
            R,
            "Name of the file, referenced as `Task.File.<name>` (step script) or `Env.File.<name>` (environment).",
        ),
        f(
            "type",
            Ty::Enum(&["TEXT"]),
            R,
            "The kind of content; TEXT is the only kind.",
        ),
        f(
            "filename",
            Ty::Str(StrRule::new(1, Some(Limit::grows(64, 256)), P::Filename)),
            O,
            "File name to write to (no directories). A random name when absent.",
        ),
        f(
            "runnable",
            Ty::Bool,
            O,
            "Make the file executable. Default false.",
        ),
        f(
            "data",
            Ty::Fmt(DATA, ScopeClass::Host),
            R,
            "The file's content; a format string resolved on the worker.",
        ),
        gated(
            "endOfLine",
            Ty::Enum(&["AUTO", "LF", "CRLF"]),
            O,
            FeatureBundle1,
            "Line endings to write: AUTO (the worker's convention, default), LF or CRLF.",
        ),
    ],
    rules: &[],
};

static EMBEDDED_FILES: ListTy = named_list(Ty::Object(&EMBEDDED_FILE), 1, None);

static LET_BINDINGS: ListTy = list(Ty::Let, 1, Some(Limit::fixed(50)));

const LET_DOC: &str = "Named values computed with expressions (EXPR), written `name = expression`, usable as `{{name}}` in this block's format strings. Names start with a lowercase letter or `_`.";

// ---------------------------------------------------------------- steps

pub(crate) static STEP_ACTIONS: Object = Object {
    name: "StepActions",
    doc: "The actions of a step's tasks.",
    fields: &[f(
        "onRun",
        Ty::Object(&ACTION),
        R,
        "Runs once for each task of the step. Under a wrapping environment (WRAP_ACTIONS) its `onWrapTaskRun` runs instead and receives this action as `WrappedAction.*`.",
    )],
    rules: &[],
};

pub(crate) static STEP_SCRIPT: Object = Object {
    name: "StepScript",
    doc: "What each task of the step runs.",
    fields: &[
        gated("let", Ty::List(&LET_BINDINGS), O, Expr, LET_DOC),
        f(
            "actions",
            Ty::Object(&STEP_ACTIONS),
            R,
            "The task's actions.",
        ),
        f(
            "embeddedFiles",
            Ty::List(&EMBEDDED_FILES),
            O,
            "Files written before each task runs, referenced as `Task.File.<name>`.",
        ),
    ],
    rules: &[],
};

pub(crate) static SIMPLE_ACTION: Object = Object {
    name: "SimpleAction",
    doc: "A step shorthand (FEATURE_BUNDLE_1): the script is written to a file and run by the named interpreter.",
    fields: &[
        gated("let", Ty::List(&LET_BINDINGS), O, Expr, LET_DOC),
        f(
            "script",
            Ty::Fmt(DATA, ScopeClass::Host),
            R,
            "The script's text; a format string resolved on the worker.",
        ),
        f(
            "args",
            Ty::List(&ARGS),
            O,
            "Arguments passed after the script file.",
        ),
        f(
            "timeout",
            TIMEOUT,
            O,
            "Seconds each task may run before it is canceled.",
        ),
        f(
            "cancelation",
            Ty::Object(&CANCELATION),
            O,
            "How a task is canceled.",
        ),
    ],
    rules: &[],
};

static DEPENDENCY: Object = Object {
    name: "StepDependency",
    doc: "A step that must finish before this one starts.",
    fields: &[f(
        "dependsOn",
        Ty::Str(NAME64),
        R,
        "Name of the step this one waits for.",
    )],
    rules: &[],
};

static DEPENDENCIES: ListTy = list(Ty::Object(&DEPENDENCY), 1, None);

const CAPABILITY_NAME_AMOUNT: StrRule = StrRule::new(1, Some(Limit::fixed(100)), P::AmountName);
const CAPABILITY_NAME_ATTR: StrRule = StrRule::new(1, Some(Limit::fixed(100)), P::AttributeName);

const AMOUNT_VALUE_MIN: Ty = Ty::Num(NumRule {
    min: Some(0.0),
    max: None,
    positive: false,
    integer: false,
    string_ok: false,
    fmt_fb1: Some(ScopeClass::Template),
    fmt_always: None,
});
const AMOUNT_VALUE_MAX: Ty = Ty::Num(NumRule {
    min: None,
    max: None,
    positive: true,
    integer: false,
    string_ok: false,
    fmt_fb1: Some(ScopeClass::Template),
    fmt_always: None,
});

static AMOUNT: Object = Object {
    name: "AmountRequirement",
    doc: "A quantity the worker must have, such as `amount.worker.vcpu` or `amount.worker.memory` (MiB).",
    fields: &[
        f(
            "name",
            Ty::Fmt(CAPABILITY_NAME_AMOUNT, ScopeClass::Template),
            R,
            "Capability name: `amount.worker.vcpu`, `amount.worker.memory`, `amount.worker.gpu`, `amount.worker.gpu.memory`, `amount.worker.disk.scratch`, or a custom `[vendor:]amount.<name>`.",
        ),
        f(
            "min",
            AMOUNT_VALUE_MIN,
            O,
            "Least amount needed (non-negative).",
        ),
        f("max", AMOUNT_VALUE_MAX, O, "Most amount usable (positive)."),
    ],
    rules: &[ObjRule::AtLeastOne(&["min", "max"])],
};

static ATTR_VALUES: ListTy = list(
    Ty::Fmt(ATTR_VALUE, ScopeClass::Template),
    1,
    Some(Limit::fixed(50)),
);

static ATTRIBUTE: Object = Object {
    name: "AttributeRequirement",
    doc: "A property the worker must have, such as `attr.worker.os.family` (linux, windows, macos) or `attr.worker.cpu.arch` (x86_64, arm64).",
    fields: &[
        f(
            "name",
            Ty::Fmt(CAPABILITY_NAME_ATTR, ScopeClass::Template),
            R,
            "Capability name: `attr.worker.os.family`, `attr.worker.cpu.arch`, or a custom `[vendor:]attr.<name>`.",
        ),
        f(
            "anyOf",
            Ty::List(&ATTR_VALUES),
            O,
            "The worker must have at least one of these values.",
        ),
        f(
            "allOf",
            Ty::List(&ATTR_VALUES),
            O,
            "The worker must have all of these values.",
        ),
    ],
    rules: &[ObjRule::AtLeastOne(&["anyOf", "allOf"])],
};

static AMOUNTS: ListTy = capability_list(Ty::Object(&AMOUNT), 1, Some(Limit::fixed(50)));
static ATTRIBUTES: ListTy = capability_list(Ty::Object(&ATTRIBUTE), 1, Some(Limit::fixed(50)));

static HOST_REQUIREMENTS: Object = Object {
    name: "HostRequirements",
    doc: "What a worker must have to run this step's tasks.",
    fields: &[
        f(
            "amounts",
            Ty::List(&AMOUNTS),
            O,
            "Quantities the worker must have.",
        ),
        f(
            "attributes",
            Ty::List(&ATTRIBUTES),
            O,
            "Properties the worker must have.",
        ),
    ],
    rules: &[ObjRule::AtLeastOne(&["amounts", "attributes"])],
};

const RANGE_ITEM_INT: Ty = Ty::Num(NumRule {
    min: None,
    max: None,
    positive: false,
    integer: true,
    string_ok: true,
    fmt_fb1: None,
    fmt_always: Some(ScopeClass::Template),
});
const RANGE_ITEM_FLOAT: Ty = Ty::Num(NumRule {
    integer: false,
    ..match RANGE_ITEM_INT {
        Ty::Num(n) => n,
        _ => NumRule::FLOAT,
    }
});

static INT_RANGE: ListTy = list(RANGE_ITEM_INT, 1, Some(Limit::fixed(1024)));
/// The range of a CHUNK[INT] task parameter, whose values have a bound of
/// their own (`analysis::range_expr::CHUNK_INT_BOUND`).
pub(crate) static CHUNK_INT_RANGE: ListTy = list(RANGE_ITEM_INT, 1, Some(Limit::fixed(1024)));
static FLOAT_RANGE: ListTy = list(RANGE_ITEM_FLOAT, 1, Some(Limit::fixed(1024)));
static STRING_RANGE: ListTy = list(
    Ty::Fmt(TASK_VALUE, ScopeClass::Template),
    1,
    Some(Limit::fixed(1024)),
);

const TP_NAME: Field = f(
    "name",
    Ty::Str(IDENT),
    R,
    "Name of the task parameter, referenced as `Task.Param.<name>` and `Task.RawParam.<name>`.",
);
const TP_TYPE: Field = f(
    "type",
    Ty::Any,
    R,
    "INT, FLOAT, STRING, PATH, or (TASK_CHUNKING) CHUNK[INT].",
);
const INT_RANGE_DOC: &str = "The values, one task each: a list of integers, or a range expression string such as `\"1-100\"` or `\"{{Param.Frames}}\"`.";

static INT_TASK_PARAM: Object = Object {
    name: "IntTaskParameterDefinition",
    doc: "An integer task parameter.",
    fields: &[
        TP_NAME,
        TP_TYPE,
        f("range", Ty::Range(&INT_RANGE), R, INT_RANGE_DOC),
    ],
    rules: &[],
};

static FLOAT_TASK_PARAM: Object = Object {
    name: "FloatTaskParameterDefinition",
    doc: "A floating-point task parameter.",
    fields: &[
        TP_NAME,
        TP_TYPE,
        f(
            "range",
            Ty::Range(&FLOAT_RANGE),
            R,
            "The values, one task each: a list of numbers (EXPR: or a list expression).",
        ),
    ],
    rules: &[],
};

static STRING_TASK_PARAM: Object = Object {
    name: "StringTaskParameterDefinition",
    doc: "A string task parameter.",
    fields: &[
        TP_NAME,
        TP_TYPE,
        f(
            "range",
            Ty::Range(&STRING_RANGE),
            R,
            "The values, one task each: a list of strings (EXPR: or a list expression).",
        ),
    ],
    rules: &[],
};

static PATH_TASK_PARAM: Object = Object {
    name: "PathTaskParameterDefinition",
    doc: "A path task parameter; `Task.Param.<name>` is path-mapped on the worker.",
    fields: &[
        TP_NAME,
        TP_TYPE,
        f(
            "range",
            Ty::Range(&STRING_RANGE),
            R,
            "The values, one task each: a list of paths (EXPR: or a list expression).",
        ),
    ],
    rules: &[],
};

const CHUNK_COUNT: Ty = Ty::Num(NumRule {
    min: Some(1.0),
    max: None,
    positive: true,
    integer: true,
    string_ok: true,
    fmt_fb1: None,
    fmt_always: Some(ScopeClass::Template),
});
const CHUNK_RUNTIME: Ty = Ty::Num(NumRule {
    min: Some(0.0),
    max: None,
    positive: false,
    integer: true,
    string_ok: true,
    fmt_fb1: None,
    fmt_always: Some(ScopeClass::Template),
});

static CHUNKS: Object = Object {
    name: "TaskChunks",
    doc: "How the values are grouped into chunks, one task per chunk.",
    fields: &[
        f(
            "defaultTaskCount",
            CHUNK_COUNT,
            R,
            "Values per chunk when no target runtime guides the choice (at least 1).",
        ),
        f(
            "targetRuntimeSeconds",
            CHUNK_RUNTIME,
            O,
            "Aim for chunks that take about this long; 0 ignores it.",
        ),
        f(
            "rangeConstraint",
            Ty::Enum(&["CONTIGUOUS", "NONCONTIGUOUS"]),
            R,
            "CONTIGUOUS chunks are unbroken ranges (`1-10`); NONCONTIGUOUS may skip values.",
        ),
    ],
    rules: &[],
};

static CHUNK_INT_TASK_PARAM: Object = Object {
    name: "ChunkIntTaskParameterDefinition",
    doc: "Integer values grouped into chunks (TASK_CHUNKING); `Task.Param.<name>` is a range expression.",
    fields: &[
        TP_NAME,
        TP_TYPE,
        f("range", Ty::Range(&CHUNK_INT_RANGE), R, INT_RANGE_DOC),
        f("chunks", Ty::Object(&CHUNKS), R, "How values are grouped."),
    ],
    rules: &[],
};

pub(crate) static TASK_PARAMETER: Tagged = Tagged {
    name: "TaskParameterDefinition",
    tag: "type",
    doc: "A parameter whose values define the step's tasks.",
    case_insensitive_with_expr: true,
    variants: &[
        Variant {
            tags: &["INT"],
            object: &INT_TASK_PARAM,
            gate: None,
        },
        Variant {
            tags: &["FLOAT"],
            object: &FLOAT_TASK_PARAM,
            gate: None,
        },
        Variant {
            tags: &["STRING"],
            object: &STRING_TASK_PARAM,
            gate: None,
        },
        Variant {
            tags: &["PATH"],
            object: &PATH_TASK_PARAM,
            gate: None,
        },
        Variant {
            tags: &["CHUNK[INT]"],
            object: &CHUNK_INT_TASK_PARAM,
            gate: Some(TaskChunking),
        },
    ],
};

static TASK_PARAMETERS: ListTy = named_list(Ty::Tagged(&TASK_PARAMETER), 1, Some(Limit::fixed(16)));

static PARAMETER_SPACE: Object = Object {
    name: "StepParameterSpaceDefinition",
    doc: "The task parameters; each combination of their values is one task.",
    fields: &[
        f(
            "taskParameterDefinitions",
            Ty::List(&TASK_PARAMETERS),
            R,
            "The task parameters (1 to 16).",
        ),
        f(
            "combination",
            Ty::Str(StrRule::new(1, Some(Limit::fixed(1280)), P::Combination)),
            O,
            "How parameter values combine: `A * B` is every pair, `(A, B)` pairs values in order. Default: the product of all.",
        ),
    ],
    rules: &[],
};

const SIMPLE_DOC: &str =
    "Shorthand (FEATURE_BUNDLE_1) for a script run by this interpreter; replaces `script`.";

pub static STEP: Object = Object {
    name: "StepTemplate",
    doc: "A unit of work: one or more tasks that run the same script with different parameter values.",
    fields: &[
        f(
            "name",
            Ty::Str(NAME64),
            R,
            "Name of the step, unique in the job; other steps depend on it by this name.",
        ),
        f(
            "description",
            Ty::Str(DESCRIPTION),
            O,
            "What the step does.",
        ),
        gated("let", Ty::List(&LET_BINDINGS), O, Expr, LET_DOC),
        f(
            "dependencies",
            Ty::List(&DEPENDENCIES),
            O,
            "Steps that must finish before this one starts.",
        ),
        f(
            "stepEnvironments",
            Ty::List(&ENVIRONMENTS),
            O,
            "Environments entered, in order, after the job environments and before this step's tasks run.",
        ),
        f(
            "hostRequirements",
            Ty::Object(&HOST_REQUIREMENTS),
            O,
            "What a worker must have to run this step.",
        ),
        f(
            "parameterSpace",
            Ty::Object(&PARAMETER_SPACE),
            O,
            "Task parameters; without it the step has one task.",
        ),
        f(
            "script",
            Ty::Object(&STEP_SCRIPT),
            O,
            "What each task runs.",
        ),
        gated(
            "bash",
            Ty::Object(&SIMPLE_ACTION),
            O,
            FeatureBundle1,
            SIMPLE_DOC,
        ),
        gated(
            "python",
            Ty::Object(&SIMPLE_ACTION),
            O,
            FeatureBundle1,
            SIMPLE_DOC,
        ),
        gated(
            "cmd",
            Ty::Object(&SIMPLE_ACTION),
            O,
            FeatureBundle1,
            SIMPLE_DOC,
        ),
        gated(
            "powershell",
            Ty::Object(&SIMPLE_ACTION),
            O,
            FeatureBundle1,
            SIMPLE_DOC,
        ),
        gated(
            "node",
            Ty::Object(&SIMPLE_ACTION),
            O,
            FeatureBundle1,
            SIMPLE_DOC,
        ),
    ],
    rules: &[ObjRule::ExactlyOne(&[
        "script",
        "bash",
        "python",
        "cmd",
        "powershell",
        "node",
    ])],
};

static STEPS: ListTy = named_list(Ty::Object(&STEP), 1, None);

// ---------------------------------------------------------------- environments

const ENTER_DOC: &str = "Runs when the environment is entered, before anything inside it. Under a wrapping environment earlier in the session its `onWrapEnvEnter` runs instead.";
const EXIT_DOC: &str = "Runs when the environment is exited, after everything inside it. Under a wrapping environment earlier in the session its `onWrapEnvExit` runs instead. Default timeout 300 s.";

pub(crate) static ENVIRONMENT_ACTIONS: Object = Object {
    name: "EnvironmentActions",
    doc: "Actions run when the environment is entered and exited; with WRAP_ACTIONS, hooks that wrap everything inside it.",
    fields: &[
        f("onEnter", Ty::Object(&ACTION), O, ENTER_DOC),
        gated(
            "onWrapEnvEnter",
            Ty::Object(&ACTION),
            O,
            WrapActions,
            "Runs instead of the `onEnter` of every environment entered after this one in the session. Receives the replaced action as `WrappedAction.*` and its environment's name as `WrappedEnv.Name`.",
        ),
        gated(
            "onWrapTaskRun",
            Ty::Object(&ACTION),
            O,
            WrapActions,
            "Runs instead of every task's `onRun` while this environment is active. Receives the replaced action as `WrappedAction.*` and the step's name as `WrappedStep.Name`.",
        ),
        gated(
            "onWrapEnvExit",
            Ty::Object(&ACTION),
            O,
            WrapActions,
            "Runs instead of the `onExit` of every environment entered after this one. Receives the replaced action as `WrappedAction.*` and its environment's name as `WrappedEnv.Name`.",
        ),
        f("onExit", Ty::Object(&ACTION), O, EXIT_DOC),
    ],
    rules: &[],
};

pub(crate) static ENVIRONMENT_SCRIPT: Object = Object {
    name: "EnvironmentScript",
    doc: "The actions and files of an environment.",
    fields: &[
        gated("let", Ty::List(&LET_BINDINGS), O, Expr, LET_DOC),
        f(
            "actions",
            Ty::Object(&ENVIRONMENT_ACTIONS),
            R,
            "What runs on enter and exit.",
        ),
        f(
            "embeddedFiles",
            Ty::List(&EMBEDDED_FILES),
            O,
            "Files written before each action of this environment, referenced as `Env.File.<name>`.",
        ),
    ],
    rules: &[],
};

pub(crate) static ENVIRONMENT: Object = Object {
    name: "Environment",
    doc: "Setup and teardown shared by everything run inside it, and environment variables set for it.",
    fields: &[
        f(
            "name",
            Ty::Str(NAME64),
            R,
            "Name of the environment, unique among the job's and each step's environments.",
        ),
        f(
            "description",
            Ty::Str(DESCRIPTION),
            O,
            "What the environment provides.",
        ),
        f(
            "script",
            Ty::Object(&ENVIRONMENT_SCRIPT),
            O,
            "Actions run on enter and exit.",
        ),
        f(
            "variables",
            Ty::EnvVars,
            O,
            "Environment variables set while the environment is active, for every action inside it.",
        ),
    ],
    rules: &[ObjRule::AtLeastOne(&["script", "variables"])],
};

static ENVIRONMENTS: ListTy = named_list(Ty::Object(&ENVIRONMENT), 1, None);

/// Values of environment `variables` entries.
pub(crate) const ENV_VAR_VALUE: StrRule = StrRule::new(0, Some(Limit::fixed(2048)), P::Any);
pub(crate) const ENV_VAR_NAME: StrRule = StrRule::new(1, Some(Limit::fixed(256)), P::EnvVarName);

// ---------------------------------------------------------------- roots

pub(crate) const JOB_TEMPLATE_VERSION: &str = "jobtemplate-2023-09";
pub(crate) const ENVIRONMENT_TEMPLATE_VERSION: &str = "environment-2023-09";

const SPEC_VERSION_DOC: &str = "The version of the specification: `jobtemplate-2023-09` for a job template, `environment-2023-09` for an environment template.";

pub static JOB_TEMPLATE: Object = Object {
    name: "JobTemplate",
    doc: "An Open Job Description job template.",
    fields: &[
        f("specificationVersion", Ty::SpecVersion, R, SPEC_VERSION_DOC),
        f(
            "$schema",
            Ty::Str(StrRule::new(0, None, P::Any)),
            O,
            "Location of a JSON schema for editors; ignored.",
        ),
        EXTENSIONS_FIELD,
        f(
            "name",
            Ty::Fmt(
                StrRule::new(1, Some(Limit::grows(128, 512)), P::NoControl),
                ScopeClass::JobName,
            ),
            R,
            "Name of the job; a format string that may use job parameters.",
        ),
        f("description", Ty::Str(DESCRIPTION), O, "What the job does."),
        f(
            "parameterDefinitions",
            Ty::List(&JOB_PARAMETERS),
            O,
            "Values the submitter provides (at most 50; 200 with FEATURE_BUNDLE_1).",
        ),
        f(
            "jobEnvironments",
            Ty::List(&ENVIRONMENTS),
            O,
            "Environments entered, in order, at the start of every session of the job, and exited in reverse.",
        ),
        f("steps", Ty::List(&STEPS), R, "The job's steps."),
    ],
    rules: &[],
};

pub static ENVIRONMENT_TEMPLATE: Object = Object {
    name: "EnvironmentTemplate",
    doc: "An Open Job Description environment template: one environment applied outside jobs, such as a queue environment.",
    fields: &[
        f("specificationVersion", Ty::SpecVersion, R, SPEC_VERSION_DOC),
        EXTENSIONS_FIELD,
        f(
            "parameterDefinitions",
            Ty::List(&ENV_PARAMETERS),
            O,
            "Parameters of the environment, referenced as `Param.<name>` inside it.",
        ),
        f(
            "environment",
            Ty::Object(&ENVIRONMENT),
            R,
            "The environment.",
        ),
    ],
    rules: &[],
};
