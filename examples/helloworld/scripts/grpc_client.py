"""An independent gRPC client for the helloworld example: Python grpcio, not tonic.

Usage: grpc_client.py HOST:PORT (the generated stubs must be on PYTHONPATH). Calls
helloworld.v1.Greeter/SayHello, then checks that the error replies (the handler's
USER_NOT_FOUND, the validate middleware's VALIDATOR for an empty name) carry the status code,
the google.rpc.ErrorInfo reason and the metadata Kratos puts on the wire. Exits non-zero on any
mismatch.
"""

import sys

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from helloworld.v1 import greeter_pb2, greeter_pb2_grpc


def fail(message):
    print(f"grpc_client.py: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    target = sys.argv[1]
    with grpc.insecure_channel(target) as channel:
        grpc.channel_ready_future(channel).result(timeout=30)
        stub = greeter_pb2_grpc.GreeterStub(channel)

        reply = stub.SayHello(greeter_pb2.HelloRequest(name="python"), timeout=5)
        if reply.message != "Hello python":
            fail(f"reply {reply.message!r}")
        print(f"ok: SayHello(python) -> {reply.message!r}")

        expect_error(
            stub,
            "error",
            grpc.StatusCode.NOT_FOUND,
            "USER_NOT_FOUND",
            {"name": "error"},
            "user not found: error",
        )
        expect_error(
            stub,
            "",
            grpc.StatusCode.INVALID_ARGUMENT,
            "VALIDATOR",
            {"name": "string.min_len"},
            "invalid request: name: value length must be at least 1 characters [string.min_len]",
        )


def expect_error(stub, name, code, reason, metadata, message):
    """SayHello(name) must fail with this status code, ErrorInfo and message."""
    try:
        stub.SayHello(greeter_pb2.HelloRequest(name=name), timeout=5)
        fail(f"SayHello({name!r}) succeeded")
    except grpc.RpcError as call:
        if call.code() != code:
            fail(f"SayHello({name!r}): status {call.code()}, expected {code}")
        status = rpc_status.from_call(call)
        if status is None:
            fail("no grpc-status-details-bin on the error")
        infos = []
        for detail in status.details:
            info = error_details_pb2.ErrorInfo()
            if detail.Unpack(info):
                infos.append(info)
        if len(infos) != 1:
            fail(f"expected one ErrorInfo, got {status.details}")
        info = infos[0]
        if info.reason != reason:
            fail(f"ErrorInfo reason {info.reason!r}, expected {reason!r}")
        if dict(info.metadata) != metadata:
            fail(f"ErrorInfo metadata {dict(info.metadata)!r}, expected {metadata!r}")
        if status.message != message:
            fail(f"status message {status.message!r}, expected {message!r}")
        print(
            f"ok: SayHello({name!r}) -> {call.code().name}, reason {info.reason}, "
            f"metadata {dict(info.metadata)}"
        )

if __name__ == "__main__":
    main()
