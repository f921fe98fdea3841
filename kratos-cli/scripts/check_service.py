"""An independent client for a project written by `kratos new`, used by .ci/cli.

    check_service.py greeter HTTP_ADDR GRPC_ADDR PACKAGE
        GET /helloworld/kratos answers {"message":"Hello kratos"}, GET /helloworld/error a 404
        USER_NOT_FOUND Kratos error, and PACKAGE.Greeter/SayHello over gRPC (by reflection, as
        grpcurl does: no stubs, no protos) answers "Hello kratos".
    check_service.py stub HTTP_ADDR GRPC_ADDR PACKAGE SERVICE
        Every route `kratos proto add` gave SERVICE (and the `WatchX` server stream .ci/cli adds)
        answers 501 UNIMPLEMENTED naming its method,
        and SERVICE/GetX over gRPC fails with status UNIMPLEMENTED.

HTTP with urllib, gRPC with grpcio and grpcio-reflection. Exits non-zero on the first mismatch.
"""

import json
import sys
import urllib.error
import urllib.request

import grpc
from google.protobuf import descriptor_pool, json_format, message_factory
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)


def fail(message):
    print(f"check_service.py: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def http(method, url, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, json.loads(reply.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def grpc_call(channel, service, method_name, request_json):
    """Calls service/method_name with a request built from JSON, by reflection."""
    database = ProtoReflectionDescriptorDatabase(channel)
    services = database.get_services()
    if service not in services:
        fail(f"{service} is not listed by reflection: {services}")
    pool = descriptor_pool.DescriptorPool(database)
    method = pool.FindServiceByName(service).FindMethodByName(method_name)
    request_type = message_factory.GetMessageClass(method.input_type)
    reply_type = message_factory.GetMessageClass(method.output_type)
    call = channel.unary_unary(
        f"/{service}/{method_name}",
        request_serializer=request_type.SerializeToString,
        response_deserializer=reply_type.FromString,
    )
    reply = call(json_format.Parse(request_json, request_type()), timeout=10)
    return json_format.MessageToDict(reply)


def check_greeter(http_addr, grpc_addr, package):
    status, body = http("GET", f"http://{http_addr}/helloworld/kratos")
    if (status, body) != (200, {"message": "Hello kratos"}):
        fail(f"GET /helloworld/kratos -> {status} {body}")
    print(f"ok: GET /helloworld/kratos -> {status} {body}")
    status, body = http("GET", f"http://{http_addr}/helloworld/error")
    if status != 404 or body.get("reason") != "USER_NOT_FOUND":
        fail(f"GET /helloworld/error -> {status} {body}")
    print(f"ok: GET /helloworld/error -> {status} {body}")
    with grpc.insecure_channel(grpc_addr) as channel:
        grpc.channel_ready_future(channel).result(timeout=30)
        reply = grpc_call(channel, f"{package}.Greeter", "SayHello", '{"name":"kratos"}')
        if reply != {"message": "Hello kratos"}:
            fail(f"gRPC SayHello replied {reply}")
        print(f"ok: gRPC {package}.Greeter/SayHello -> {reply}")


def check_stub(http_addr, grpc_addr, package, service):
    plural = service.lower() + "s"
    routes = [
        ("POST", f"/v1/{plural}", {"name": "a"}, f"Create{service}"),
        ("PUT", f"/v1/{plural}/7", {"name": "b"}, f"Update{service}"),
        ("DELETE", f"/v1/{plural}/7", None, f"Delete{service}"),
        ("GET", f"/v1/{plural}/7", None, f"Get{service}"),
        ("GET", f"/v1/{plural}?pageSize=10", None, f"List{service}"),
        # Added by .ci/cli to the proto: a server stream refused before it opens.
        ("GET", f"/v1/{plural}:watch", None, f"Watch{service}"),
    ]
    for verb, path, body, method in routes:
        status, reply = http(verb, f"http://{http_addr}{path}", body)
        expected = {
            "code": 501,
            "reason": "UNIMPLEMENTED",
            "message": f"method {method} not implemented",
            "metadata": {},
        }
        if (status, reply) != (501, expected):
            fail(f"{verb} {path} -> {status} {reply}, expected 501 {expected}")
        print(f"ok: {verb} {path} -> {status} {reply['reason']} ({reply['message']})")
    with grpc.insecure_channel(grpc_addr) as channel:
        grpc.channel_ready_future(channel).result(timeout=30)
        try:
            reply = grpc_call(channel, f"{package}.{service}", f"Get{service}", '{"id":"7"}')
            fail(f"gRPC Get{service} replied {reply}, expected UNIMPLEMENTED")
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.UNIMPLEMENTED:
                fail(f"gRPC Get{service} -> {error.code()} {error.details()}")
            print(f"ok: gRPC {package}.{service}/Get{service} -> {error.code()} ({error.details()})")


def main():
    if len(sys.argv) >= 5 and sys.argv[1] == "greeter":
        check_greeter(*sys.argv[2:5])
    elif len(sys.argv) >= 6 and sys.argv[1] == "stub":
        check_stub(*sys.argv[2:6])
    else:
        fail(__doc__)


if __name__ == "__main__":
    main()
