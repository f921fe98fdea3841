"""An independent gRPC client for the helloworld example: Python grpcio, not tonic.

Usage: grpc_client.py HOST:PORT (the generated stubs must be on PYTHONPATH). Calls
helloworld.v1.Greeter/SayHello, then checks that the error replies (the handler's
USER_NOT_FOUND, the validate middleware's VALIDATOR for an empty name) carry the status code,
the google.rpc.ErrorInfo reason and the metadata Kratos puts on the wire. Then the streams:
SayHelloStream's replies (and a count out of range), and a Chat whose each reply comes back
before the next message goes out, ended by a message breaking its rules. Exits non-zero on any
mismatch.
"""

import queue

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
        streams(stub)


def streams(stub):
    """SayHelloStream and Chat."""
    replies = stub.SayHelloStream(greeter_pb2.HelloStreamRequest(name="python", count=3), timeout=5)
    messages = [reply.message for reply in replies]
    expected = [f"Hello python ({n}/3)" for n in range(1, 4)]
    if messages != expected:
        fail(f"SayHelloStream replies {messages!r}, expected {expected!r}")
    print(f"ok: SayHelloStream(python, 3) -> {messages!r}")
    try:
        list(stub.SayHelloStream(greeter_pb2.HelloStreamRequest(name="python", count=1001), timeout=5))
        fail("SayHelloStream(count=1001) succeeded")
    except grpc.RpcError as call:
        if call.code() != grpc.StatusCode.INVALID_ARGUMENT:
            fail(f"SayHelloStream(count=1001): status {call.code()}")
        print(f"ok: SayHelloStream(count=1001) -> {call.code().name}")

    # Chat: one message out, its reply back, then the next; the queue feeds the request stream.
    outgoing = queue.Queue()
    chat = stub.Chat(iter(outgoing.get, None), timeout=10)
    for number, text in enumerate(["hi", "bye"], start=1):
        outgoing.put(greeter_pb2.ChatMessage(name="py", text=text))
        reply = next(chat)
        if (reply.name, reply.text) != ("greeter", f"Hello py, #{number}: {text}"):
            fail(f"Chat reply {reply.name!r}: {reply.text!r}")
        print(f"ok: Chat({text!r}) -> {reply.text!r}")
    outgoing.put(greeter_pb2.ChatMessage(name="", text="nobody"))
    try:
        next(chat)
        fail("Chat with an empty name went on")
    except grpc.RpcError as call:
        if call.code() != grpc.StatusCode.INVALID_ARGUMENT:
            fail(f"Chat with an empty name: status {call.code()}")
        print(f"ok: Chat with an empty name -> {call.code().name}")
    outgoing.put(None)


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
