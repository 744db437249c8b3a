use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use openjd_lsp::cli::{self, CheckArgs, Format, PreviewArgs};

// Analysis allocates many small short-lived values; mimalloc makes that
// markedly cheaper than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Hand the memory this thread and mimalloc's shared arenas hold free back
/// to the system now, not after mimalloc's purge delay and on later
/// allocations (which a quiet server may never make).
fn release_memory() {
    // SAFETY: `mi_collect` only walks the calling thread's heap and the
    // arenas; it may be called at any time, from any thread.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

/// Language server and checker for Open Job Description templates.
///
/// Without a command it serves the Language Server Protocol on stdin/stdout.
#[derive(Parser)]
#[command(name = "openjd-lsp", version = env!("OPENJD_LSP_VERSION"), about, long_about = None)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
}

/// The exit statuses of `check`, shown by `check --help`.
const CHECK_EXIT_CODES: &str = "\
Exit status:
  0  no errors (warnings and hints do not count)
  1  errors found in a template or the queue configuration
  2  usage or I/O problem: a bad option, a missing path, a file that is not
     UTF-8, a file named explicitly that is not an OpenJD template, a directory
     without templates, an --environment that is not an environment template

Files that are not OpenJD templates are skipped silently inside directories.";

#[derive(Subcommand)]
enum Command {
    /// Check templates and report every problem, like the editor does.
    #[command(after_long_help = CHECK_EXIT_CODES, after_help = CHECK_EXIT_CODES)]
    Check {
        /// Files or directories (searched recursively, honouring .gitignore).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// An environment template applied outside every job (a queue
        /// environment); repeat in order, outermost first.
        #[arg(short, long = "environment", value_name = "ENV_TEMPLATE")]
        environment: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Show the session a job runs, in the runtime's order, with the exact
    /// command of every action and what wraps it.
    Preview {
        /// The job template.
        job: PathBuf,
        /// An environment template applied outside the job (a queue
        /// environment); repeat in order, outermost first. Without it, the
        /// job's queues from `openjd-lsp.yaml` are used.
        #[arg(short, long = "environment", value_name = "ENV_TEMPLATE")]
        environment: Vec<PathBuf>,
        /// A job parameter value; repeat for more.
        #[arg(short = 'p', long = "param", value_name = "NAME=VALUE")]
        param: Vec<String>,
        /// A parameter values file (`parameterValues: [{name, value}]`);
        /// by default the job bundle's `parameter_values.yaml|json`.
        #[arg(long = "parameters", value_name = "FILE")]
        parameters: Option<PathBuf>,
        /// Only this step (repeat for more); by default every step.
        #[arg(long = "step", value_name = "NAME")]
        step: Vec<String>,
        /// At most this many tasks per step (up to 10,000; a session lists
        /// at most 100,000 in all).
        #[arg(long, value_name = "N", default_value_t = openjd_lsp::analysis::preview::DEFAULT_TASKS)]
        tasks: usize,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Serve the Language Server Protocol over stdin/stdout (the default).
    Serve,
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                cli::EXIT_USAGE as u8
            } else {
                0
            });
        }
    };
    match args.command {
        Some(Command::Check {
            paths,
            environment,
            format,
        }) => {
            let code = cli::run(
                CheckArgs {
                    paths,
                    environments: environment,
                    format,
                },
                &mut std::io::stdout().lock(),
            );
            ExitCode::from(code as u8)
        }
        Some(Command::Preview {
            job,
            environment,
            param,
            parameters,
            step,
            tasks,
            format,
        }) => {
            let code = cli::run_preview(
                PreviewArgs {
                    job,
                    environments: environment,
                    params: param,
                    params_file: parameters,
                    steps: step,
                    tasks,
                    format,
                },
                &mut std::io::stdout().lock(),
            );
            ExitCode::from(code as u8)
        }
        Some(Command::Serve) | None => openjd_lsp::server::run(Some(release_memory)),
    }
}
