#![doc = include_str!("../README.md")]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use std::io;
use std::path::{Path, PathBuf};

use kratos_codegen::protoc::Protoc;
use kratos_codegen::{GeneratedFile, PluginRequest};
use prost::Message;

/// Compiles `protos` (found under `includes`) into `OUT_DIR` with the default
/// settings: prost messages, Kratos error helpers and HTTP routes, all included from
/// `OUT_DIR/<package>.rs`.
pub fn compile_protos(
    protos: &[impl AsRef<Path>],
    includes: &[impl AsRef<Path>],
) -> io::Result<()> {
    configure().compile(protos, includes)
}

/// A builder with the default settings.
pub fn configure() -> Builder {
    Builder::default()
}

/// Settings for one code generation run.
#[derive(Debug, Default)]
pub struct Builder {
    out_dir: Option<PathBuf>,
    runtime_crate: Option<String>,
    skip_errors: bool,
    skip_http: bool,
    grpc: bool,
    openapi: Option<String>,
    prost: Option<prost_build::Config>,
}

impl Builder {
    /// Writes output here instead of `OUT_DIR`.
    #[must_use]
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Path of the runtime crate in generated code (default `::kratos`).
    #[must_use]
    pub fn runtime_crate(mut self, path: impl Into<String>) -> Self {
        self.runtime_crate = Some(path.into());
        self
    }

    /// Whether to generate error helpers (default true).
    #[must_use]
    pub fn errors(mut self, enabled: bool) -> Self {
        self.skip_errors = !enabled;
        self
    }

    /// Whether to generate HTTP routes and reflection for the messages (default true).
    #[must_use]
    pub fn http(mut self, enabled: bool) -> Self {
        self.skip_http = !enabled;
        self
    }

    /// Whether to generate gRPC too (default false): tonic's server and client stubs
    /// (tonic-prost-build) and the kratos glue that serves the HTTP service trait over gRPC
    /// (`register_xxx_grpc_server`, `XxxGrpcClient`). The crate using the output then
    /// needs `tonic` as a dependency (tonic's generated code names it).
    #[must_use]
    pub fn grpc(mut self, enabled: bool) -> Self {
        self.grpc = enabled;
        self
    }

    /// Whether to write an OpenAPI 3.0.3 document of the HTTP routes (default false):
    /// `openapi.json` in the output directory, for every proto compiled, with
    /// protoc-gen-kratos-openapi's default options. Serve it with
    /// `kratos::transport::http::Server::openapi(include_str!(concat!(env!("OUT_DIR"), "/openapi.json")))`.
    #[must_use]
    pub fn openapi(mut self, enabled: bool) -> Self {
        self.openapi = enabled.then(String::new);
        self
    }

    /// Writes the OpenAPI document with these protoc-gen-kratos-openapi options (its plugin
    /// parameter, such as `title=Shop,version=1.0.0,naming=proto`); implies `openapi(true)`.
    #[must_use]
    pub fn openapi_options(mut self, parameter: impl Into<String>) -> Self {
        self.openapi = Some(parameter.into());
        self
    }

    /// Uses this prost-build configuration for the messages (its `out_dir` is
    /// overridden).
    #[must_use]
    pub fn prost_config(mut self, config: prost_build::Config) -> Self {
        self.prost = Some(config);
        self
    }

    /// Runs protoc, prost and the kratos generators.
    pub fn compile(
        self,
        protos: &[impl AsRef<Path>],
        includes: &[impl AsRef<Path>],
    ) -> io::Result<()> {
        let out_dir = match self.out_dir {
            Some(dir) => dir,
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or_else(|| {
                    io::Error::other("OUT_DIR is not set: call this from build.rs or set out_dir")
                })?,
        };
        std::fs::create_dir_all(&out_dir)?;

        let protoc = includes.iter().fold(Protoc::new(&out_dir), |protoc, dir| {
            protoc.include(dir.as_ref())
        });
        let files: Vec<PathBuf> = protos.iter().map(|p| p.as_ref().to_path_buf()).collect();
        // Cargo's instructions, only when running in a build script (which always has
        // OUT_DIR); a tool calling this (`kratos proto client`) must not print them.
        if std::env::var_os("OUT_DIR").is_some() {
            for path in files
                .iter()
                .map(|p| p.as_path())
                .chain(includes.iter().map(AsRef::as_ref))
            {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
        let set = protoc.descriptor_set(&files).map_err(io::Error::other)?;

        let descriptors =
            prost_types::FileDescriptorSet::decode(set.bytes.as_slice()).map_err(|err| {
                io::Error::other(format!("protoc wrote an unreadable descriptor set: {err}"))
            })?;
        let runtime = self.runtime_crate.as_deref().unwrap_or("::kratos");
        let mut prost = self.prost.unwrap_or_default();
        prost.out_dir(&out_dir);
        if self.grpc {
            prost.service_generator(
                tonic_prost_build::configure()
                    .build_transport(false)
                    .codec_path(format!("{runtime}::__codegen::ProstCodec"))
                    .service_generator(),
            );
        }
        prost.compile_fds(descriptors)?;

        let mut parameter = String::from("flat_output_dir");
        if let Some(runtime) = &self.runtime_crate {
            parameter.push_str(",runtime_crate=");
            parameter.push_str(runtime);
        }
        let request = |parameter: &str| {
            PluginRequest::from_descriptor_set(&set.bytes, set.files.iter().cloned(), parameter)
                .map_err(io::Error::other)
        };
        if !self.skip_errors {
            let files = protoc_gen_kratos_errors::generate_files(&request(&parameter)?)
                .map_err(|errors| generation_failed(&errors))?;
            write_generated(&out_dir, &files)?;
        }
        if !self.skip_http {
            if self.grpc {
                parameter.push_str(",grpc=true");
            }
            let files = protoc_gen_kratos_http::generate_files(&request(&parameter)?)
                .map_err(|errors| generation_failed(&errors))?;
            write_generated(&out_dir, &files)?;
        }
        if let Some(openapi) = &self.openapi {
            let files = protoc_gen_kratos_openapi::generate_files(&request(openapi)?)
                .map_err(|errors| generation_failed(&errors))?;
            write_generated(&out_dir, &files)?;
        }
        Ok(())
    }
}

fn generation_failed(errors: &[kratos_codegen::GenerationError]) -> io::Error {
    io::Error::other(
        errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// Writes generated files; insertions are appended to the file they target,
/// since prost-build's files carry no insertion markers.
fn write_generated(out_dir: &Path, files: &[GeneratedFile]) -> io::Result<()> {
    for file in files {
        let path = out_dir.join(&file.name);
        if file.insertion_point.is_some() {
            let mut text = std::fs::read_to_string(&path).unwrap_or_default();
            if !text.contains(&file.content) {
                text.push_str(&file.content);
                std::fs::write(&path, text)?;
            }
        } else {
            std::fs::write(&path, &file.content)?;
        }
    }
    Ok(())
}
