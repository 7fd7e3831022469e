//! The `credence` command-line tool: see `credence --help` and the README.

fn main() -> std::process::ExitCode {
    credence::cli::run()
}
