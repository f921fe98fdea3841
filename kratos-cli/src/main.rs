//! The `kratos` command: see `kratos help`.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Err(error) = kratos_cli::run(&args) {
        eprintln!("kratos: {error}");
        std::process::exit(error.exit_code());
    }
}
