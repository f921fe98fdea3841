//! Test messages: a descriptor pool built in code (no protoc at test time), dynamic messages of
//! it, and hand-written prost structs with `ReflectMessage` impls shaped like generated code.

use std::sync::LazyLock;

use prost_reflect::{DescriptorPool, DynamicMessage, MessageDescriptor, ReflectMessage};
use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{
    DescriptorProto, EnumDescriptorProto, EnumValueDescriptorProto, FieldDescriptorProto,
    FileDescriptorProto, MessageOptions, OneofDescriptorProto,
};

/// `test.v1`: one message with a field of every kind the JSON mapping treats differently.
///
/// ```proto
/// enum Color { COLOR_UNSPECIFIED = 0; RED = 1; GREEN = 2; }
/// message Inner { string display_name = 1; int32 count = 2; }
/// message Node { Node child = 1; int32 value = 2; }
/// message Everything {
///   string name = 1; int32 age = 2; int64 big = 3; uint64 ubig = 4; uint32 small = 5;
///   bool active = 6; double ratio = 7; float score = 8; bytes data = 9; Color color = 10;
///   repeated string tags = 11; map<string, int32> counts = 12; Inner inner = 13;
///   repeated Inner inners = 14; map<string, Inner> inner_map = 15; optional string nickname = 16;
///   oneof contact { string email = 17; string phone = 18; }
///   google.protobuf.Timestamp created_at = 19; google.protobuf.Duration ttl = 20;
///   google.protobuf.FieldMask update_mask = 21; google.protobuf.Struct attrs = 22;
///   google.protobuf.Value dyn = 23; google.protobuf.ListValue list = 24;
///   google.protobuf.Int64Value wrapped_big = 25; google.protobuf.StringValue wrapped_name = 26;
///   google.protobuf.BoolValue wrapped_flag = 27; google.protobuf.Any payload = 28;
///   google.protobuf.Empty nothing = 29; Node node = 30; google.protobuf.NullValue null_value = 31;
///   google.protobuf.Int32Value wrapped_int = 32; google.protobuf.DoubleValue wrapped_double = 33;
///   google.protobuf.BytesValue wrapped_bytes = 34; google.protobuf.UInt32Value wrapped_small = 35;
///   google.protobuf.UInt64Value wrapped_ubig = 36; google.protobuf.FloatValue wrapped_float = 37;
///   repeated Color colors = 38; sint32 zigzag = 39; fixed64 fixed = 40;
/// }
/// ```
pub(super) static POOL: LazyLock<DescriptorPool> = LazyLock::new(|| {
    let mut pool = DescriptorPool::global();
    pool.add_file_descriptor_proto(test_file())
        .unwrap_or_else(|error| panic!("test descriptors: {error}"));
    pool
});

pub(super) fn message(name: &str) -> MessageDescriptor {
    POOL.get_message_by_name(&format!("test.v1.{name}"))
        .unwrap_or_else(|| panic!("no test.v1.{name}"))
}

pub(super) fn everything() -> DynamicMessage {
    DynamicMessage::new(message("Everything"))
}

/// Like a generated `Inner`.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct Inner {
    #[prost(string, tag = "1")]
    pub(super) display_name: String,
    #[prost(int32, tag = "2")]
    pub(super) count: i32,
}

impl ReflectMessage for Inner {
    fn descriptor(&self) -> MessageDescriptor {
        message("Inner")
    }
}

/// A typed subset of `Everything` (prost skips the fields it does not know).
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct Person {
    #[prost(string, tag = "1")]
    pub(super) name: String,
    #[prost(int32, tag = "2")]
    pub(super) age: i32,
    #[prost(string, repeated, tag = "11")]
    pub(super) tags: Vec<String>,
    #[prost(message, optional, tag = "13")]
    pub(super) inner: Option<Inner>,
    #[prost(message, repeated, tag = "14")]
    pub(super) inners: Vec<Inner>,
    #[prost(message, optional, tag = "19")]
    pub(super) created_at: Option<prost_types::Timestamp>,
}

impl ReflectMessage for Person {
    fn descriptor(&self) -> MessageDescriptor {
        message("Everything")
    }
}

fn test_file() -> FileDescriptorProto {
    let inner = DescriptorProto {
        name: Some("Inner".into()),
        field: vec![
            field("display_name", 1, Type::String),
            field("count", 2, Type::Int32),
        ],
        ..Default::default()
    };
    let node = DescriptorProto {
        name: Some("Node".into()),
        field: vec![
            message_field("child", 1, ".test.v1.Node"),
            field("value", 2, Type::Int32),
        ],
        ..Default::default()
    };
    let mut everything = DescriptorProto {
        name: Some("Everything".into()),
        field: vec![
            field("name", 1, Type::String),
            field("age", 2, Type::Int32),
            field("big", 3, Type::Int64),
            field("ubig", 4, Type::Uint64),
            field("small", 5, Type::Uint32),
            field("active", 6, Type::Bool),
            field("ratio", 7, Type::Double),
            field("score", 8, Type::Float),
            field("data", 9, Type::Bytes),
            enum_field("color", 10, ".test.v1.Color"),
            repeated(field("tags", 11, Type::String)),
            repeated(message_field(
                "counts",
                12,
                ".test.v1.Everything.CountsEntry",
            )),
            message_field("inner", 13, ".test.v1.Inner"),
            repeated(message_field("inners", 14, ".test.v1.Inner")),
            repeated(message_field(
                "inner_map",
                15,
                ".test.v1.Everything.InnerMapEntry",
            )),
            in_oneof(field("nickname", 16, Type::String), 1, true),
            in_oneof(field("email", 17, Type::String), 0, false),
            in_oneof(field("phone", 18, Type::String), 0, false),
            message_field("created_at", 19, ".google.protobuf.Timestamp"),
            message_field("ttl", 20, ".google.protobuf.Duration"),
            message_field("update_mask", 21, ".google.protobuf.FieldMask"),
            message_field("attrs", 22, ".google.protobuf.Struct"),
            message_field("dyn", 23, ".google.protobuf.Value"),
            message_field("list", 24, ".google.protobuf.ListValue"),
            message_field("wrapped_big", 25, ".google.protobuf.Int64Value"),
            message_field("wrapped_name", 26, ".google.protobuf.StringValue"),
            message_field("wrapped_flag", 27, ".google.protobuf.BoolValue"),
            message_field("payload", 28, ".google.protobuf.Any"),
            message_field("nothing", 29, ".google.protobuf.Empty"),
            message_field("node", 30, ".test.v1.Node"),
            enum_field("null_value", 31, ".google.protobuf.NullValue"),
            message_field("wrapped_int", 32, ".google.protobuf.Int32Value"),
            message_field("wrapped_double", 33, ".google.protobuf.DoubleValue"),
            message_field("wrapped_bytes", 34, ".google.protobuf.BytesValue"),
            message_field("wrapped_small", 35, ".google.protobuf.UInt32Value"),
            message_field("wrapped_ubig", 36, ".google.protobuf.UInt64Value"),
            message_field("wrapped_float", 37, ".google.protobuf.FloatValue"),
            repeated(enum_field("colors", 38, ".test.v1.Color")),
            field("zigzag", 39, Type::Sint32),
            field("fixed", 40, Type::Fixed64),
        ],
        oneof_decl: vec![oneof("contact"), oneof("_nickname")],
        ..Default::default()
    };
    everything.nested_type = vec![
        map_entry("CountsEntry", field("value", 2, Type::Int32)),
        map_entry("InnerMapEntry", message_field("value", 2, ".test.v1.Inner")),
    ];
    FileDescriptorProto {
        name: Some("test/v1/everything.proto".into()),
        package: Some("test.v1".into()),
        syntax: Some("proto3".into()),
        dependency: [
            "any",
            "duration",
            "empty",
            "field_mask",
            "struct",
            "timestamp",
            "wrappers",
        ]
        .iter()
        .map(|name| format!("google/protobuf/{name}.proto"))
        .collect(),
        message_type: vec![inner, node, everything],
        enum_type: vec![EnumDescriptorProto {
            name: Some("Color".into()),
            value: [("COLOR_UNSPECIFIED", 0), ("RED", 1), ("GREEN", 2)]
                .into_iter()
                .map(|(name, number)| EnumValueDescriptorProto {
                    name: Some(name.into()),
                    number: Some(number),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn field(name: &str, number: i32, kind: Type) -> FieldDescriptorProto {
    FieldDescriptorProto {
        name: Some(name.into()),
        number: Some(number),
        label: Some(Label::Optional.into()),
        r#type: Some(kind.into()),
        ..Default::default()
    }
}

fn message_field(name: &str, number: i32, type_name: &str) -> FieldDescriptorProto {
    FieldDescriptorProto {
        type_name: Some(type_name.into()),
        ..field(name, number, Type::Message)
    }
}

fn enum_field(name: &str, number: i32, type_name: &str) -> FieldDescriptorProto {
    FieldDescriptorProto {
        type_name: Some(type_name.into()),
        ..field(name, number, Type::Enum)
    }
}

fn repeated(field: FieldDescriptorProto) -> FieldDescriptorProto {
    FieldDescriptorProto {
        label: Some(Label::Repeated.into()),
        ..field
    }
}

fn in_oneof(
    field: FieldDescriptorProto,
    index: i32,
    proto3_optional: bool,
) -> FieldDescriptorProto {
    FieldDescriptorProto {
        oneof_index: Some(index),
        proto3_optional: proto3_optional.then_some(true),
        ..field
    }
}

fn oneof(name: &str) -> OneofDescriptorProto {
    OneofDescriptorProto {
        name: Some(name.into()),
        ..Default::default()
    }
}

fn map_entry(name: &str, value: FieldDescriptorProto) -> DescriptorProto {
    DescriptorProto {
        name: Some(name.into()),
        field: vec![field("key", 1, Type::String), value],
        options: Some(MessageOptions {
            map_entry: Some(true),
            ..Default::default()
        }),
        ..Default::default()
    }
}
