//! A typed, tolerant view of a template. Every piece carries its source
//! range; anything missing or malformed is `None` or skipped, never a panic.

use crate::syntax::{Node, ScalarStyle, ScalarText, Span};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TemplateKind {
    #[default]
    Job,
    Environment,
}

/// A string value with where it is written.
#[derive(Clone, Debug)]
pub struct Text {
    pub value: ScalarText,
    pub span: Span,
    pub style: ScalarStyle,
}

impl Text {
    fn of(node: &Node) -> Option<Text> {
        let s = node.scalar()?;
        Some(Text {
            value: s.value.clone(),
            span: node.span.clone(),
            style: s.style,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    String,
    Path,
    Int,
    Float,
    Bool,
    RangeExpr,
    ListString,
    ListPath,
    ListInt,
    ListFloat,
    ListBool,
    ListListInt,
    Unknown,
}

impl ParamKind {
    pub(crate) fn from_type_name(t: &str) -> ParamKind {
        match t.to_ascii_uppercase().as_str() {
            "STRING" => ParamKind::String,
            "PATH" => ParamKind::Path,
            "INT" => ParamKind::Int,
            "FLOAT" => ParamKind::Float,
            "BOOL" => ParamKind::Bool,
            "RANGE_EXPR" => ParamKind::RangeExpr,
            "LIST[STRING]" => ParamKind::ListString,
            "LIST[PATH]" => ParamKind::ListPath,
            "LIST[INT]" => ParamKind::ListInt,
            "LIST[FLOAT]" => ParamKind::ListFloat,
            "LIST[BOOL]" => ParamKind::ListBool,
            "LIST[LIST[INT]]" => ParamKind::ListListInt,
            _ => ParamKind::Unknown,
        }
    }

    /// The expression type of `Param.<name>` (`mapped`) or `RawParam.<name>`.
    pub(crate) fn expr_type(self, mapped: bool) -> &'static str {
        match self {
            ParamKind::String => "string",
            ParamKind::Path if mapped => "path",
            ParamKind::Path => "string",
            ParamKind::Int => "int",
            ParamKind::Float => "float",
            ParamKind::Bool => "bool",
            ParamKind::RangeExpr => "range_expr",
            ParamKind::ListString => "list[string]",
            ParamKind::ListPath if mapped => "list[path]",
            ParamKind::ListPath => "list[string]",
            ParamKind::ListInt => "list[int]",
            ParamKind::ListFloat => "list[float]",
            ParamKind::ListBool => "list[bool]",
            ParamKind::ListListInt => "list[list[int]]",
            ParamKind::Unknown => "any",
        }
    }

    pub(crate) fn is_path(self) -> bool {
        matches!(self, ParamKind::Path | ParamKind::ListPath)
    }
}

#[derive(Clone, Debug)]
pub struct Parameter {
    pub name: Text,
    pub span: Span,
    pub type_name: Option<Text>,
    pub kind: ParamKind,
    pub description: Option<String>,
    /// The default as written, for hover.
    pub default: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskParamKind {
    Int,
    Float,
    String,
    Path,
    ChunkInt,
    Unknown,
}

impl TaskParamKind {
    pub(crate) fn expr_type(self, mapped: bool) -> &'static str {
        match self {
            TaskParamKind::Int => "int",
            TaskParamKind::Float => "float",
            TaskParamKind::String => "string",
            TaskParamKind::Path if mapped => "path",
            TaskParamKind::Path => "string",
            TaskParamKind::ChunkInt => "range_expr",
            TaskParamKind::Unknown => "any",
        }
    }
}

#[derive(Clone, Debug)]
pub struct TaskParameter {
    pub name: Text,
    pub span: Span,
    pub kind: TaskParamKind,
}

#[derive(Clone, Debug)]
pub struct Let {
    /// Where the binding stands in its `let` list (broken bindings are
    /// left out of the model, so this is not its index in the `Vec`).
    pub index: usize,
    pub name: String,
    /// The binding's name in the document.
    pub name_span: Span,
    /// Byte range of the expression inside the scalar's value.
    pub expr_range: std::ops::Range<usize>,
    /// The whole binding string.
    pub text: Text,
}

impl Let {
    pub fn expr(&self) -> &str {
        self.text.value.get(self.expr_range.clone()).unwrap_or("")
    }
}

/// Splits `name = expression`; `None` when it is not of that form.
pub(crate) fn split_let(value: &str) -> Option<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    let start = value.len() - value.trim_start().len();
    let rest = &value[start..];
    let name_len = rest
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map_or(rest.len(), |(i, _)| i);
    if name_len == 0 {
        return None;
    }
    let after = &rest[name_len..];
    let ws = after.len() - after.trim_start().len();
    let eq = start + name_len + ws;
    if value.as_bytes().get(eq) != Some(&b'=') || value.as_bytes().get(eq + 1) == Some(&b'=') {
        return None;
    }
    let expr_text = &value[eq + 1..];
    let lead = expr_text.len() - expr_text.trim_start().len();
    let expr_start = eq + 1 + lead;
    let expr_end = value.trim_end().len().max(expr_start);
    Some((start..start + name_len, expr_start..expr_end))
}

#[derive(Clone, Debug)]
pub struct EmbeddedFile {
    pub name: Text,
    pub span: Span,
    /// Where the file's `data` is written.
    pub data: Option<Span>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ActionKind {
    OnRun,
    OnEnter,
    OnExit,
    OnWrapEnvEnter,
    OnWrapTaskRun,
    OnWrapEnvExit,
    /// A step shorthand (`bash`, `python`, …) standing for `onRun`.
    Simple,
}

impl ActionKind {
    pub fn key(self) -> &'static str {
        match self {
            ActionKind::OnRun => "onRun",
            ActionKind::OnEnter => "onEnter",
            ActionKind::OnExit => "onExit",
            ActionKind::OnWrapEnvEnter => "onWrapEnvEnter",
            ActionKind::OnWrapTaskRun => "onWrapTaskRun",
            ActionKind::OnWrapEnvExit => "onWrapEnvExit",
            ActionKind::Simple => "onRun",
        }
    }

    pub(crate) fn from_key(key: &str) -> Option<ActionKind> {
        Some(match key {
            "onRun" => ActionKind::OnRun,
            "onEnter" => ActionKind::OnEnter,
            "onExit" => ActionKind::OnExit,
            "onWrapEnvEnter" => ActionKind::OnWrapEnvEnter,
            "onWrapTaskRun" => ActionKind::OnWrapTaskRun,
            "onWrapEnvExit" => ActionKind::OnWrapEnvExit,
            _ => return None,
        })
    }

    pub(crate) fn is_hook(self) -> bool {
        matches!(
            self,
            ActionKind::OnWrapEnvEnter | ActionKind::OnWrapTaskRun | ActionKind::OnWrapEnvExit
        )
    }

    pub(crate) const HOOKS: [ActionKind; 3] = [
        ActionKind::OnWrapEnvEnter,
        ActionKind::OnWrapTaskRun,
        ActionKind::OnWrapEnvExit,
    ];
}

#[derive(Clone, Debug)]
pub struct Action {
    pub kind: ActionKind,
    /// The key (`onRun`, `bash`, …) naming the action.
    pub key_span: Span,
    pub span: Span,
    pub command: Option<Text>,
    pub args: Box<[Text]>,
    /// Boxed, as the cancelation: most actions have neither.
    pub timeout: Option<Box<Text>>,
    pub cancelation: Option<Box<Cancelation>>,
}

/// An action's `cancelation`, as written.
#[derive(Clone, Debug)]
pub struct Cancelation {
    pub mode: Option<Text>,
    pub notify_period: Option<Text>,
}

#[derive(Clone, Debug, Default)]
pub struct Script {
    pub span: Span,
    pub lets: Box<[Let]>,
    pub files: Box<[EmbeddedFile]>,
    pub actions: Box<[Action]>,
    /// The span of the `actions` key.
    pub actions_key: Option<Span>,
}

impl Script {
    pub fn action(&self, kind: ActionKind) -> Option<&Action> {
        self.actions.iter().find(|a| a.kind == kind)
    }
    pub fn hooks(&self) -> impl Iterator<Item = &Action> {
        self.actions.iter().filter(|a| a.kind.is_hook())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EnvLoc {
    /// `jobEnvironments[i]`
    Job(usize),
    /// `steps[s].stepEnvironments[i]`
    Step(usize, usize),
    /// The `environment` of an environment template.
    Template,
}

#[derive(Clone, Debug)]
pub struct Environment {
    pub loc: EnvLoc,
    pub name: Option<Text>,
    pub span: Span,
    pub script: Option<Script>,
    pub variables: Box<[(Text, Text)]>,
}

/// Where a named item is pointed at: its name, or the whole item when it
/// has none.
fn name_span(name: Option<&Text>, item: &Span) -> Span {
    name.map_or(item.clone(), |n| n.span.clone())
}

impl Environment {
    pub fn display_name(&self) -> &str {
        self.name.as_ref().map_or("(unnamed)", |n| n.value.as_str())
    }
    /// Its name, or the whole environment when it has none.
    pub(crate) fn name_span(&self) -> Span {
        name_span(self.name.as_ref(), &self.span)
    }
    pub(crate) fn is_wrapper(&self) -> bool {
        self.script
            .as_ref()
            .is_some_and(|s| s.hooks().next().is_some())
    }
    pub fn action(&self, kind: ActionKind) -> Option<&Action> {
        self.script.as_ref().and_then(|s| s.action(kind))
    }
}

#[derive(Clone, Debug)]
pub struct SimpleAction {
    /// `bash`, `python`, `cmd`, `powershell` or `node`.
    pub interpreter: &'static str,
    pub action: Action,
    pub lets: Box<[Let]>,
    pub script: Option<Text>,
}

#[derive(Clone, Debug)]
pub struct Step {
    pub index: usize,
    pub name: Option<Text>,
    pub span: Span,
    pub lets: Box<[Let]>,
    pub dependencies: Box<[Text]>,
    pub environments: Box<[Environment]>,
    pub task_parameters: Box<[TaskParameter]>,
    pub script: Option<Script>,
    /// Boxed: rare, and large next to the rest of a step.
    pub simple: Option<Box<SimpleAction>>,
}

impl Step {
    pub fn display_name(&self) -> &str {
        self.name.as_ref().map_or("(unnamed)", |n| n.value.as_str())
    }
    /// Its name, or the whole step when it has none.
    pub(crate) fn name_span(&self) -> Span {
        name_span(self.name.as_ref(), &self.span)
    }
    /// The action each task runs, whichever way it is written.
    pub fn task_action(&self) -> Option<&Action> {
        self.script
            .as_ref()
            .and_then(|s| s.action(ActionKind::OnRun))
            .or(self.simple.as_ref().map(|s| &s.action))
    }
}

/// `Template::default()` is the empty job template: what an expression
/// outside any template (a half-typed document) is judged against.
#[derive(Clone, Debug, Default)]
pub struct Template {
    pub kind: TemplateKind,
    pub name: Option<Text>,
    pub parameters: Vec<Parameter>,
    pub job_environments: Vec<Environment>,
    pub steps: Vec<Step>,
    pub environment: Option<Environment>,
}

impl Template {
    pub(crate) fn environment_at(&self, loc: EnvLoc) -> Option<&Environment> {
        match loc {
            EnvLoc::Job(i) => self.job_environments.get(i),
            EnvLoc::Step(s, i) => self.steps.get(s)?.environments.get(i),
            EnvLoc::Template => self.environment.as_ref(),
        }
    }

    /// Every environment of the template, job environments first.
    pub fn environments(&self) -> impl Iterator<Item = &Environment> {
        self.job_environments
            .iter()
            .chain(self.steps.iter().flat_map(|s| s.environments.iter()))
            .chain(self.environment.iter())
    }
}

/// A list of exactly what `iter` gives: the model of an open document is
/// kept for as long as it is open, so no room to grow.
fn exact<T>(iter: impl Iterator<Item = T>) -> Box<[T]> {
    crate::syntax::tree::exact(iter.collect()).into_boxed_slice()
}

fn items(node: Option<&Node>) -> &[Node] {
    node.and_then(Node::items).unwrap_or(&[])
}

fn text(node: &Node, key: &str) -> Option<Text> {
    node.get(key).and_then(Text::of)
}

pub fn build(src: &str, root: &Node, kind: TemplateKind) -> Template {
    let parameters = exact(
        items(root.get("parameterDefinitions"))
            .iter()
            .filter_map(parameter),
    )
    .into_vec();
    match kind {
        TemplateKind::Job => Template {
            kind,
            name: text(root, "name"),
            parameters,
            job_environments: items(root.get("jobEnvironments"))
                .iter()
                .enumerate()
                .map(|(i, n)| environment(src, n, EnvLoc::Job(i)))
                .collect(),
            steps: items(root.get("steps"))
                .iter()
                .enumerate()
                .map(|(i, n)| step(src, n, i))
                .collect(),
            environment: None,
        },
        TemplateKind::Environment => Template {
            kind,
            name: None,
            parameters,
            job_environments: Vec::new(),
            steps: Vec::new(),
            environment: root
                .get("environment")
                .map(|n| environment(src, n, EnvLoc::Template)),
        },
    }
}

fn parameter(node: &Node) -> Option<Parameter> {
    let name = text(node, "name")?;
    let type_name = text(node, "type");
    let kind = type_name
        .as_ref()
        .map_or(ParamKind::Unknown, |t| ParamKind::from_type_name(&t.value));
    let default = node.get("default").map(|d| match d.as_str() {
        Some(s) => s.to_string(),
        None => "[…]".to_string(),
    });
    Some(Parameter {
        name,
        span: node.span.clone(),
        type_name,
        kind,
        description: node
            .get("description")
            .and_then(Node::as_str)
            .map(str::to_string),
        default,
    })
}

pub(crate) fn lets(src: &str, node: Option<&Node>) -> Box<[Let]> {
    exact(items(node).iter().enumerate().filter_map(|(index, n)| {
        let t = Text::of(n)?;
        let (name, expr) = split_let(&t.value)?;
        let map = crate::syntax::ScalarMap::of_node(src, n)?;
        let name_span = map.range_to_source(name.clone());
        Some(Let {
            index,
            name: t.value[name].to_string(),
            name_span,
            expr_range: expr,
            text: t,
        })
    }))
}

fn action(node: &Node, kind: ActionKind, key_span: Span) -> Action {
    Action {
        kind,
        key_span,
        span: node.span.clone(),
        command: text(node, "command"),
        args: exact(items(node.get("args")).iter().filter_map(Text::of)),
        timeout: text(node, "timeout").map(Box::new),
        cancelation: node.get("cancelation").map(|c| {
            Box::new(Cancelation {
                mode: text(c, "mode"),
                notify_period: text(c, "notifyPeriodInSeconds"),
            })
        }),
    }
}

fn script(src: &str, node: &Node) -> Script {
    let actions_entry = node.entry("actions");
    let actions = exact(
        actions_entry
            .and_then(|e| e.value.entries())
            .unwrap_or(&[])
            .iter()
            .filter_map(|e| {
                let kind = ActionKind::from_key(e.key.as_str()?)?;
                e.value.entries()?;
                Some(action(&e.value, kind, e.key.span.clone()))
            }),
    );
    Script {
        span: node.span.clone(),
        lets: lets(src, node.get("let")),
        files: exact(items(node.get("embeddedFiles")).iter().filter_map(|f| {
            Some(EmbeddedFile {
                name: text(f, "name")?,
                span: f.span.clone(),
                data: f.get("data").map(|d| d.span.clone()),
            })
        })),
        actions,
        actions_key: actions_entry.map(|e| e.key.span.clone()),
    }
}

fn environment(src: &str, node: &Node, loc: EnvLoc) -> Environment {
    Environment {
        loc,
        name: text(node, "name"),
        span: node.span.clone(),
        script: node
            .get("script")
            .filter(|s| s.entries().is_some())
            .map(|s| script(src, s)),
        variables: exact(
            node.get("variables")
                .and_then(Node::entries)
                .unwrap_or(&[])
                .iter()
                .filter_map(|e| Some((Text::of(&e.key)?, Text::of(&e.value)?))),
        ),
    }
}

pub(crate) const SIMPLE_ACTION_KEYS: [&str; 5] = ["bash", "python", "cmd", "powershell", "node"];

fn step(src: &str, node: &Node, index: usize) -> Step {
    let simple = SIMPLE_ACTION_KEYS.iter().find_map(|k| {
        let e = node.entry(k)?;
        e.value.entries()?;
        Some(Box::new(SimpleAction {
            interpreter: k,
            action: action(&e.value, ActionKind::Simple, e.key.span.clone()),
            lets: lets(src, e.value.get("let")),
            script: text(&e.value, "script"),
        }))
    });
    let task_parameters = exact(
        items(
            node.get("parameterSpace")
                .and_then(|p| p.get("taskParameterDefinitions")),
        )
        .iter()
        .filter_map(|p| {
            let kind = match p
                .get("type")
                .and_then(Node::as_str)
                .map(str::to_ascii_uppercase)
                .as_deref()
            {
                Some("INT") => TaskParamKind::Int,
                Some("FLOAT") => TaskParamKind::Float,
                Some("STRING") => TaskParamKind::String,
                Some("PATH") => TaskParamKind::Path,
                Some("CHUNK[INT]") => TaskParamKind::ChunkInt,
                _ => TaskParamKind::Unknown,
            };
            Some(TaskParameter {
                name: text(p, "name")?,
                span: p.span.clone(),
                kind,
            })
        }),
    );
    Step {
        index,
        name: text(node, "name"),
        span: node.span.clone(),
        lets: lets(src, node.get("let")),
        dependencies: exact(
            items(node.get("dependencies"))
                .iter()
                .filter_map(|d| text(d, "dependsOn")),
        ),
        environments: items(node.get("stepEnvironments"))
            .iter()
            .enumerate()
            .map(|(i, n)| environment(src, n, EnvLoc::Step(index, i)))
            .collect(),
        task_parameters,
        script: node
            .get("script")
            .filter(|s| s.entries().is_some())
            .map(|s| script(src, s)),
        simple,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_let_bindings() {
        let (n, e) = split_let("  frames = range(1, 5) ").unwrap();
        assert_eq!(n, 2..8);
        assert_eq!(e, 11..22);
        assert!(split_let("x == 1").is_none());
        assert!(split_let("= 1").is_none());
    }
}
