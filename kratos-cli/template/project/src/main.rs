//! Runs projectname through `kratos::App` until SIGINT, SIGTERM or SIGQUIT: HTTP and gRPC, one
//! implementation of each service behind both.
//!
//! ```text
//! projectname [--conf PATH]
//! ```
//!
//! `--conf PATH` reads a configuration file or directory (default `configs/` when it exists);
//! `PROJECTNAME_*` environment variables override it. Once serving it prints
//! `projectname: serving ID at ENDPOINTS` on stdout.

use std::path::PathBuf;

use kratos::app::App;

const USAGE: &str = "usage: projectname [--conf PATH]";

/// The `--conf` flag, if given.
fn parse_flags() -> Result<Option<PathBuf>, String> {
    let mut conf = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--conf" => {
                let path = args
                    .next()
                    .ok_or_else(|| format!("--conf needs a path; {USAGE}"))?;
                conf = Some(PathBuf::from(path));
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            _ => return Err(format!("unknown argument {flag:?}; {USAGE}")),
        }
    }
    Ok(conf)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let conf_path = parse_flags()?;
    // A bad configuration stops the service here, before anything binds.
    let (_config, conf) = match projectname::conf::load(conf_path.as_deref()).await {
        Ok(loaded) => loaded,
        Err(error) => {
            eprintln!("projectname: {error}");
            std::process::exit(2);
        }
    };
    // The access log: failed calls (WARN and above) on stderr.
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::WARN)
        .with_writer(std::io::stderr)
        .try_init();
    let servers = projectname::server::new_servers(&conf.server)?;
    App::new(env!("CARGO_PKG_NAME"))
        .version(env!("CARGO_PKG_VERSION"))
        .http_server(servers.http)
        .grpc_server(servers.grpc)
        .after_start(|instance| async move {
            println!(
                "projectname: serving {} at {}",
                instance.id,
                instance.endpoints.join(" ")
            );
            if let Some(http) = instance.endpoint_for("http") {
                println!("try:   curl http://{http}/helloworld/kratos");
            }
            if let Some(grpc) = instance.endpoint_for("grpc") {
                println!(
                    "try:   grpcurl -plaintext -d '{{\"name\":\"kratos\"}}' {grpc} projectname.v1.Greeter/SayHello"
                );
            }
            Ok(())
        })
        .run()
        .await?;
    Ok(())
}
