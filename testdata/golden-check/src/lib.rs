//! Every golden generated file, compiled with rustc's warnings denied: generated code must build
//! warning-free in a user crate that sets `-D warnings`. Lints that prost's own output trips
//! (missing docs, clippy) are allowed, as a user including generated code would.
#![deny(warnings)]

/// `testdata/golden/http/library`: every HttpRule form.
#[allow(missing_docs, unreachable_pub, clippy::all, clippy::pedantic)]
pub mod library {
    include!(concat!(env!("OUT_DIR"), "/library/library.v1.rs"));
}

/// `testdata/golden/http/library-grpc`: the same with the gRPC glue.
#[allow(missing_docs, unreachable_pub, clippy::all, clippy::pedantic)]
pub mod library_grpc {
    include!(concat!(env!("OUT_DIR"), "/library_grpc/library.v1.rs"));
}

/// `testdata/golden/{http,errors}/helloworld`.
#[allow(missing_docs, unreachable_pub, clippy::all, clippy::pedantic)]
pub mod helloworld {
    include!(concat!(env!("OUT_DIR"), "/helloworld/helloworld.v1.rs"));
}

/// `testdata/golden/errors/cases`.
#[allow(missing_docs, unreachable_pub, clippy::all, clippy::pedantic)]
pub mod errcases {
    include!(concat!(env!("OUT_DIR"), "/errcases/errcases.v1.rs"));
}
