//! The `nasviz` command line (see `cli/`).

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // before any thread: the GPU drivers read it
    nasviz::fsutil::ensure_runtime_dir();
    let cli = cli::Cli::parse();
    match cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            // a closed pipe (`nasviz ... | head`) is not an error
            let broken_pipe = e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
