//! Generates the prost (and tonic) code each golden file needs, then puts the
//! golden file itself where the generated package file includes it, so the
//! crate compiles exactly the text under testdata/golden.

use std::io;
use std::path::Path;

/// (output directory, gRPC glue, protos, golden files)
const CASES: &[(&str, bool, &[&str], &[&str])] = &[
    (
        "library",
        false,
        &["library/v1/library.proto"],
        &["http/library/library.v1.kratos_http.rs"],
    ),
    (
        "library_grpc",
        true,
        &["library/v1/library.proto"],
        &["http/library-grpc/library.v1.kratos_http.rs"],
    ),
    (
        "helloworld",
        false,
        &[
            "helloworld/v1/greeter.proto",
            "helloworld/v1/error_reason.proto",
        ],
        &[
            "http/helloworld/helloworld/v1/helloworld.v1.kratos_http.rs",
            "errors/helloworld/helloworld/v1/helloworld.v1.kratos_errors.rs",
        ],
    ),
    (
        "errcases",
        false,
        &["errcases/v1/cases.proto", "errcases/v1/more.proto"],
        &["errors/cases/errcases.v1.kratos_errors.rs"],
    ),
];

fn main() -> io::Result<()> {
    let out = std::env::var_os("OUT_DIR").ok_or_else(|| io::Error::other("OUT_DIR is not set"))?;
    for (dir, grpc, protos, goldens) in CASES {
        let dir = Path::new(&out).join(dir);
        let protos: Vec<String> = protos.iter().map(|p| format!("../proto/{p}")).collect();
        kratos_build::configure()
            .out_dir(&dir)
            .grpc(*grpc)
            .compile(&protos, &["../proto"])?;
        for golden in *goldens {
            let golden = Path::new("../golden").join(golden);
            println!("cargo:rerun-if-changed={}", golden.display());
            let name = golden
                .file_name()
                .ok_or_else(|| io::Error::other("a golden path names no file"))?;
            let target = dir.join(name);
            // The generator must have written the same file: the golden replaces it.
            if !target.exists() {
                return Err(io::Error::other(format!(
                    "kratos-build wrote no {}; the golden file has nothing to replace",
                    target.display()
                )));
            }
            std::fs::copy(&golden, &target)?;
        }
    }
    Ok(())
}
