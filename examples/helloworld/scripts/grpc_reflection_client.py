"""What the example's printed grpcurl line does, by an independent reflection client.

    grpcurl -plaintext -d '{"name":"kratos"}' HOST:PORT helloworld.v1.Greeter/SayHello

Usage: grpc_reflection_client.py HOST:PORT. No stubs and no protos: Python grpcio-reflection asks
the server's reflection service for the service list and the descriptors of
helloworld.v1.Greeter (and what they import), builds the request from that JSON and calls
SayHello, as grpcurl does. Exits non-zero if reflection is not served or the reply is wrong.
"""

import sys

import grpc
from google.protobuf import descriptor_pool, json_format, message_factory
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

SERVICE = "helloworld.v1.Greeter"


def fail(message):
    print(f"grpc_reflection_client.py: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    target = sys.argv[1]
    with grpc.insecure_channel(target) as channel:
        grpc.channel_ready_future(channel).result(timeout=30)
        database = ProtoReflectionDescriptorDatabase(channel)
        try:
            services = database.get_services()
        except grpc.RpcError as call:
            fail(f"listing services by reflection: {call.code()} {call.details()}")
        if SERVICE not in services:
            fail(f"{SERVICE} is not listed by reflection: {services}")
        print(f"ok: reflection lists {', '.join(sorted(services))}")

        pool = descriptor_pool.DescriptorPool(database)
        method = pool.FindServiceByName(SERVICE).FindMethodByName("SayHello")
        request_type = message_factory.GetMessageClass(method.input_type)
        reply_type = message_factory.GetMessageClass(method.output_type)
        request = json_format.Parse('{"name":"kratos"}', request_type())
        say_hello = channel.unary_unary(
            f"/{SERVICE}/SayHello",
            request_serializer=request_type.SerializeToString,
            response_deserializer=reply_type.FromString,
        )
        reply = json_format.MessageToDict(say_hello(request, timeout=5))
        if reply != {"message": "Hello kratos"}:
            fail(f"SayHello replied {reply}")
        print(f"ok: {SERVICE}/SayHello {{\"name\":\"kratos\"}} -> {reply}")


if __name__ == "__main__":
    main()
