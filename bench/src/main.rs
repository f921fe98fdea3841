//! `bench-server --impl kratos|axum --addr 127.0.0.1:PORT`: serves the
//! benchmark endpoints until Ctrl-C (or SIGTERM, which ends the process).

use std::process::ExitCode;

use kratos_bench::{Args, serve};

fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("bench-server: {message}\n{}", Args::USAGE);
            return ExitCode::from(2);
        }
    };
    // Access logs at WARN and above, as the helloworld example: successful calls are filtered.
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_writer(std::io::stderr)
        .try_init();
    // The same runtime for both implementations: multi-threaded, one worker
    // per core this process may run on.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("bench-server: cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.address).await?;
        println!(
            "bench-server: {} on http://{}",
            args.implementation,
            listener.local_addr()?
        );
        serve(args.implementation, listener, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bench-server: {err}");
            ExitCode::FAILURE
        }
    }
}
