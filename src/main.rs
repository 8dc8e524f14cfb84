//! The `conform` binary.

fn main() -> std::process::ExitCode {
    conform::cli::run()
}
