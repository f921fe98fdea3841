//! The code `buf generate` wrote to `src/gen`, compiled as users would include it.
#![allow(missing_docs, clippy::all)]

pub mod helloworld {
    pub mod v1 {
        include!("gen/helloworld/v1/helloworld.v1.rs");
    }
}

pub mod errcases {
    pub mod v1 {
        include!("gen/errcases/v1/errcases.v1.rs");
    }
}

pub mod library {
    pub mod v1 {
        include!("gen/library/v1/library.v1.rs");
    }
}

pub mod validation {
    pub mod v1 {
        include!("gen/validation/v1/validation.v1.rs");
    }
}
