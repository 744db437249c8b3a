//! The templates the benchmarks measure (without an allocator of their
//! own, for the benchmark that counts allocations).
#![allow(dead_code)]

use std::fmt::Write as _;

/// A realistic 150-line render job (parameters with UI hints, a job
/// environment, three steps, embedded scripts).
pub const TYPICAL_JOB: &str = include_str!("../fixtures/typical_job.yaml");

/// A generated job template of at least `lines` lines: many steps, each
/// with a task parameter, `let` bindings, format strings in arguments and
/// in an embedded script, and a dependency on the previous step.
pub fn large_job(lines: usize) -> String {
    let mut text = String::from(
        "specificationVersion: jobtemplate-2023-09
extensions: [EXPR]
name: \"Large job {{RawParam.Scene}}\"
parameterDefinitions:
  - name: Scene
    type: PATH
    objectType: FILE
    dataFlow: IN
  - name: Frames
    type: STRING
    default: \"1-100\"
  - name: Quality
    type: INT
    default: 50
    minValue: 1
    maxValue: 100
jobEnvironments:
  - name: Tools
    variables:
      TOOLS_ROOT: /opt/tools
    script:
      actions:
        onEnter:
          command: bash
          args: [\"-c\", \"echo entering {{Session.WorkingDirectory}}\"]
steps:
",
    );
    let mut step = 0;
    while text.lines().count() < lines {
        let depends = if step == 0 {
            String::new()
        } else {
            format!("    dependencies:\n      - dependsOn: Step{}\n", step - 1)
        };
        let _ = write!(
            text,
            "  - name: Step{step}
{depends}    parameterSpace:
      taskParameterDefinitions:
        - name: Frame
          type: INT
          range: \"{{{{Param.Frames}}}}\"
    script:
      let:
        - out = Session.WorkingDirectory / 'step{step}'
        - quality = Param.Quality * 2
      actions:
        onRun:
          command: bash
          args:
            - \"{{{{Task.File.Run}}}}\"
            - \"{{{{Param.Scene}}}}\"
            - \"{{{{out}}}}/frame_{{{{Task.Param.Frame}}}}.exr\"
            - \"--quality={{{{quality}}}}\"
          timeout: 3600
      embeddedFiles:
        - name: Run
          type: TEXT
          data: |
            set -eu
            echo \"step {step} frame {{{{Task.Param.Frame}}}} in {{{{Session.WorkingDirectory}}}}\"
            render --scene \"$2\" --frame {{{{Task.Param.Frame}}}} --out \"$3\"
"
        );
        step += 1;
    }
    text
}

/// The 20 MB valid template of the bad-input tests: steps with a long
/// argument and an embedded script each.
pub fn twenty_megabytes() -> String {
    megabytes(20)
}

/// A valid template of about `mib` MiB, built like [`twenty_megabytes`].
pub fn megabytes(mib: usize) -> String {
    let mut text = String::from("specificationVersion: jobtemplate-2023-09\nname: Big\nsteps:\n");
    let mut i = 0;
    while text.len() < mib << 20 {
        let _ = write!(
            text,
            "  - name: Step{i}\n    script:\n      actions:\n        onRun:\n          command: echo\n          args: [\"{{{{Task.File.Run}}}}\", \"{}\"]\n      embeddedFiles:\n        - name: Run\n          type: TEXT\n          data: |\n            echo step {i} {{{{Session.WorkingDirectory}}}}\n",
            "x".repeat(200)
        );
        i += 1;
    }
    text
}
