//! What the editor shows, as snapshots: hover markdown and completion
//! lists (outlines: `src/ide/outline/tests.rs`) for fixtures where `$0` marks the cursor. When a change is
//! meant, `UPDATE_EXPECT=1 cargo test --test ide_snapshots` rewrites the
//! snapshots; review the diff.

use expect_test::{Expect, expect};
use openjd_lsp::ide::completion::{ItemKind, complete};
use openjd_lsp::ide::fixture::fixture;
use openjd_lsp::ide::hover::hover;

const JOB: &str = "specificationVersion: jobtemplate-2023-09
extensions: [EXPR]
name: Render
parameterDefinitions:
  - name: Frames
    type: INT
    description: How many frames
    default: 10
  - name: Scene
    type: PATH
steps:
  - name: Render
    parameterSpace:
      taskParameterDefinitions:
        - name: Frame
          type: INT
          range: \"1-{{Param.Frames}}\"
    script:
      actions:
        onRun:
          command: render
          args: [\"{{ARGS}}\"]
";

/// The job with `args` replaced (put `$0` in it).
fn job_with_args(args: &str) -> String {
    JOB.replace("{{ARGS}}", args)
}

#[track_caller]
fn check_hover(text: &str, want: Expect) {
    let (a, offset) = fixture(text);
    let shown = match hover(&a, offset) {
        Some(h) => format!("[{}]\n{}\n", &a.text[h.range.clone()], h.contents),
        None => "no hover\n".to_string(),
    };
    want.assert_eq(&shown);
}

/// The list as the editor orders it; functions, which are the whole
/// expression library, are counted rather than listed.
#[track_caller]
fn check_completion(text: &str, want: Expect) {
    let (a, offset) = fixture(text);
    let mut items = complete(&a, offset);
    items.sort_by(|x, y| (&x.sort, &x.label).cmp(&(&y.sort, &y.label)));
    let mut out = String::new();
    let functions = items
        .iter()
        .filter(|i| i.kind == ItemKind::Function)
        .count();
    for i in items.iter().filter(|i| i.kind != ItemKind::Function) {
        out.push_str(&format!("{:?} {}", i.kind, i.label));
        if let Some(d) = &i.detail {
            out.push_str(&format!(" : {d}"));
        }
        if i.insert != i.label {
            out.push_str(&format!(" => {:?}", i.insert));
        }
        out.push('\n');
    }
    if functions > 0 {
        out.push_str(&format!("and {functions} functions\n"));
    }
    want.assert_eq(&out);
}

#[test]
fn hover_on_a_key_shows_its_schema_documentation() {
    check_hover(
        &JOB.replace("parameterSpace:", "parameter$0Space:"),
        expect![[r#"
            [parameterSpace]
            **parameterSpace**: StepParameterSpaceDefinition

            Task parameters; without it the step has one task.
        "#]],
    );
}

#[test]
fn hover_on_a_variable_shows_its_type_and_origin() {
    check_hover(
        &job_with_args("{{ Param.Fr$0ames }}"),
        expect![[r#"
        [Param.Frames]
        ```
        Param.Frames: int
        ```
        The parameter's value.

        Job parameter `Frames` (INT)

        How many frames

        Default: `10`
    "#]],
    );
}

#[test]
fn hover_on_a_path_parameter_on_the_worker() {
    check_hover(
        &job_with_args("{{ Param.Sc$0ene }}"),
        expect![[r#"
        [Param.Scene]
        ```
        Param.Scene: path
        ```
        The parameter's value, path-mapped for the worker.

        Job parameter `Scene` (PATH)
    "#]],
    );
}

#[test]
fn hover_on_a_function_shows_its_signatures() {
    check_hover(
        &job_with_args("{{ repr_s$0h(Param.Frames) }}"),
        expect![[r#"
        [repr_sh]
        ```
        repr_sh(string) -> string
        repr_sh(path) -> string
        repr_sh(list[string]) -> string
        repr_sh(list[path]) -> string
        repr_sh(list[nulltype]) -> string
        ```
    "#]],
    );
}

#[test]
fn hover_on_a_namespace_lists_its_members() {
    check_hover(
        &job_with_args("{{ Task.Pa$0ram.Frame }}"),
        expect![[r#"
        [Task.Param]
        **Task.Param**

        - `Task.Param.Frame`: int
    "#]],
    );
}

#[test]
fn hover_on_an_extension() {
    check_hover(
        &JOB.replace("[EXPR]", "[EX$0PR]"),
        expect![[r#"
        [EXPR]
        **EXPR**

        Expression language (RFC 0005–0007): full expressions and functions inside `{{ }}`, `let` bindings, `Job.Name` and `Step.Name`, and the parameter types BOOL, RANGE_EXPR and LIST[…] (type names become case-insensitive).
    "#]],
    );
}

#[test]
fn completion_of_variables_in_a_task_command() {
    check_completion(
        &job_with_args("{{ $0 }}"),
        expect![[r#"
        Variable RawParam.Frames : int
        Variable Param.Frames : int
        Variable RawParam.Scene : string
        Variable Param.Scene : path
        Variable Session.WorkingDirectory : path
        Variable Session.HasPathMappingRules : bool
        Variable Session.PathMappingRulesFile : path
        Variable Job.Name : string
        Variable Task.Param.Frame : int
        Variable Task.RawParam.Frame : int
        Variable Step.Name : string
        and 74 functions
    "#]],
    );
}

#[test]
fn completion_after_a_namespace() {
    check_completion(
        &job_with_args("{{ Task.Param.$0 }}"),
        expect![[r#"
        Variable Task.Param.Frame : int
    "#]],
    );
}

#[test]
fn completion_in_a_template_field_sees_no_task_variables() {
    check_completion(
        &JOB.replacen("name: Render\n", "name: \"{{ $0 }}\"\n", 1),
        expect![[r#"
        Variable RawParam.Frames : int
        Variable Param.Frames : int
        Variable RawParam.Scene : string
        and 73 functions
    "#]],
    );
}

#[test]
fn completion_of_keys_in_a_step() {
    check_completion(
        &JOB.replace("    parameterSpace:", "    $0\n    parameterSpace:"),
        expect![[r#"
            Key description : string => "description: $1"
            Key let : list of let binding (EXPR) => "let: [$1]"
            Key dependencies : list of StepDependency => "dependencies:\n      - dependsOn: $1"
            Key stepEnvironments : list of Environment => "stepEnvironments:\n      - name: $1"
            Key hostRequirements : HostRequirements => "hostRequirements:\n      $1"
            Key bash : requires FEATURE_BUNDLE_1 => "bash:\n      script: $1"
            Key python : requires FEATURE_BUNDLE_1 => "python:\n      script: $1"
            Key cmd : requires FEATURE_BUNDLE_1 => "cmd:\n      script: $1"
            Key powershell : requires FEATURE_BUNDLE_1 => "powershell:\n      script: $1"
            Key node : requires FEATURE_BUNDLE_1 => "node:\n      script: $1"
        "#]],
    );
}

#[test]
fn completion_of_a_parameter_type() {
    check_completion(
        &JOB.replace("type: PATH", "type: $0"),
        expect![[r#"
            Value STRING
            Value PATH
            Value INT
            Value FLOAT
            Value BOOL
            Value RANGE_EXPR
            Value LIST[STRING]
            Value LIST[PATH]
            Value LIST[INT]
            Value LIST[FLOAT]
            Value LIST[BOOL]
            Value LIST[LIST[INT]]
        "#]],
    );
}

#[test]
fn completion_of_wrapped_action_variables_in_a_wrap_hook() {
    let env = "specificationVersion: environment-2023-09
extensions: [WRAP_ACTIONS, EXPR]
environment:
  name: Docker
  script:
    actions:
      onWrapEnvEnter: {command: wrap}
      onWrapTaskRun: {command: docker, args: [\"{{ WrappedAction.$0 }}\"]}
      onWrapEnvExit: {command: wrap}
";
    check_completion(
        env,
        expect![[r#"
        Variable WrappedAction.Command : string
        Variable WrappedAction.Args : list[string]
        Variable WrappedAction.Environment : list[string]
        Variable WrappedAction.Timeout : int?
        Variable WrappedAction.Cancelation.Mode : string?
        Variable WrappedAction.Cancelation.NotifyPeriodInSeconds : int?
    "#]],
    );
}
