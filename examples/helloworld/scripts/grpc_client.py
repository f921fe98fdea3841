"""An independent gRPC client for the helloworld example: Python grpcio, not tonic.

Usage: grpc_client.py HOST:PORT (the generated stubs must be on PYTHONPATH). Calls
helloworld.v1.Greeter/SayHello, then checks that the error reply carries the status code, the
google.rpc.ErrorInfo reason and the metadata Kratos puts on the wire. Exits non-zero on any
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

        try:
            stub.SayHello(greeter_pb2.HelloRequest(name="error"), timeout=5)
            fail("SayHello(error) succeeded")
        except grpc.RpcError as call:
            if call.code() != grpc.StatusCode.NOT_FOUND:
                fail(f"status {call.code()}, expected NOT_FOUND")
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
            if info.reason != "USER_NOT_FOUND":
                fail(f"ErrorInfo reason {info.reason!r}")
            if dict(info.metadata) != {"name": "error"}:
                fail(f"ErrorInfo metadata {dict(info.metadata)!r}")
            if status.message != "user not found: error":
                fail(f"status message {status.message!r}")
            print(
                f"ok: SayHello(error) -> {call.code().name}, reason {info.reason}, "
                f"metadata {dict(info.metadata)}"
            )


if __name__ == "__main__":
    main()
