//! kratos-layout's `internal/conf/conf.proto`, as prost would generate it, with descriptors
//! built in code (no protoc at test time):
//!
//! ```proto
//! message Bootstrap { Server server = 1; Data data = 2; }
//! message Server {
//!   message HTTP { string network = 1; string addr = 2; google.protobuf.Duration timeout = 3; }
//!   message GRPC { string network = 1; string addr = 2; google.protobuf.Duration timeout = 3; }
//!   HTTP http = 1; GRPC grpc = 2;
//! }
//! message Data {
//!   message Database { string driver = 1; string source = 2; }
//!   Database database = 1;
//! }
//! ```

use std::sync::LazyLock;

use kratos::encoding::prost_reflect::{DescriptorPool, MessageDescriptor, ReflectMessage};
use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{DescriptorProto, FieldDescriptorProto, FileDescriptorProto};

static POOL: LazyLock<DescriptorPool> = LazyLock::new(|| {
    let mut pool = DescriptorPool::global();
    pool.add_file_descriptor_proto(conf_proto())
        .unwrap_or_else(|error| panic!("conf.proto descriptors: {error}"));
    pool
});

fn descriptor(name: &str) -> MessageDescriptor {
    POOL.get_message_by_name(&format!("kratos.api.{name}"))
        .unwrap_or_else(|| panic!("no kratos.api.{name}"))
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Bootstrap {
    #[prost(message, optional, tag = "1")]
    pub(crate) server: Option<Server>,
    #[prost(message, optional, tag = "2")]
    pub(crate) data: Option<Data>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Server {
    #[prost(message, optional, tag = "1")]
    pub(crate) http: Option<Endpoint>,
    #[prost(message, optional, tag = "2")]
    pub(crate) grpc: Option<Endpoint>,
}

/// `Server.HTTP` and `Server.GRPC` have the same fields.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Endpoint {
    #[prost(string, tag = "1")]
    pub(crate) network: String,
    #[prost(string, tag = "2")]
    pub(crate) addr: String,
    #[prost(message, optional, tag = "3")]
    pub(crate) timeout: Option<prost_types::Duration>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Data {
    #[prost(message, optional, tag = "1")]
    pub(crate) database: Option<Database>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Database {
    #[prost(string, tag = "1")]
    pub(crate) driver: String,
    #[prost(string, tag = "2")]
    pub(crate) source: String,
}

impl ReflectMessage for Bootstrap {
    fn descriptor(&self) -> MessageDescriptor {
        descriptor("Bootstrap")
    }
}

impl ReflectMessage for Server {
    fn descriptor(&self) -> MessageDescriptor {
        descriptor("Server")
    }
}

fn field(name: &str, number: i32, kind: Type, type_name: Option<&str>) -> FieldDescriptorProto {
    FieldDescriptorProto {
        name: Some(name.into()),
        json_name: Some(heck_lower_camel(name)),
        number: Some(number),
        label: Some(Label::Optional.into()),
        r#type: Some(kind.into()),
        type_name: type_name.map(Into::into),
        ..Default::default()
    }
}

fn heck_lower_camel(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn message(
    name: &str,
    field: Vec<FieldDescriptorProto>,
    nested: Vec<DescriptorProto>,
) -> DescriptorProto {
    DescriptorProto {
        name: Some(name.into()),
        field,
        nested_type: nested,
        ..Default::default()
    }
}

fn endpoint(name: &str) -> DescriptorProto {
    message(
        name,
        vec![
            field("network", 1, Type::String, None),
            field("addr", 2, Type::String, None),
            field(
                "timeout",
                3,
                Type::Message,
                Some(".google.protobuf.Duration"),
            ),
        ],
        vec![],
    )
}

fn conf_proto() -> FileDescriptorProto {
    FileDescriptorProto {
        name: Some("conf/conf.proto".into()),
        package: Some("kratos.api".into()),
        dependency: vec!["google/protobuf/duration.proto".into()],
        syntax: Some("proto3".into()),
        message_type: vec![
            message(
                "Bootstrap",
                vec![
                    field("server", 1, Type::Message, Some(".kratos.api.Server")),
                    field("data", 2, Type::Message, Some(".kratos.api.Data")),
                ],
                vec![],
            ),
            message(
                "Server",
                vec![
                    field("http", 1, Type::Message, Some(".kratos.api.Server.HTTP")),
                    field("grpc", 2, Type::Message, Some(".kratos.api.Server.GRPC")),
                ],
                vec![endpoint("HTTP"), endpoint("GRPC")],
            ),
            message(
                "Data",
                vec![field(
                    "database",
                    1,
                    Type::Message,
                    Some(".kratos.api.Data.Database"),
                )],
                vec![message(
                    "Database",
                    vec![
                        field("driver", 1, Type::String, None),
                        field("source", 2, Type::String, None),
                    ],
                    vec![],
                )],
            ),
        ],
        ..Default::default()
    }
}
