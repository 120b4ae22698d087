//! The `herald` command line; everything it does lives in the library's [`herald::cli`].

use std::process::ExitCode;

fn main() -> ExitCode {
    herald::cli::main()
}
