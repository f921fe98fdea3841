"""Every streaming kind of the test Streamer from Python grpcio: replies, errors mid-stream with
google.rpc.ErrorInfo, the client's deadline, and a cancelled call. Usage: grpc_streams.py HOST:PORT"""

import sys

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from streaming.v1 import streaming_pb2, streaming_pb2_grpc


def error_info(error):
    """The ErrorInfo in a failed call's status details."""
    status = rpc_status.from_call(error)
    assert status is not None, f"no status details in {error}"
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info
    raise AssertionError(f"no ErrorInfo in {status}")


def numbers(values):
    for value in values:
        yield streaming_pb2.Number(value=value)


def expect_failure(call, code, reason, before):
    """Reads `call` to its end: `before` values, then an error with `code` and `reason`."""
    got = []
    try:
        for reply in call:
            got.append(reply.index if hasattr(reply, "index") else reply.value)
    except grpc.RpcError as error:
        assert got == before, f"{got} before the error, expected {before}"
        assert error.code() == code, f"{error.code()} instead of {code}"
        info = error_info(error)
        assert info.reason == reason, f"reason {info.reason!r} instead of {reason!r}"
        return
    raise AssertionError(f"no error after {got}")


def main(address):
    with grpc.insecure_channel(address) as channel:
        stub = streaming_pb2_grpc.StreamerStub(channel)

        replies = [r.index for r in stub.Count(streaming_pb2.CountRequest(name="py", count=3))]
        assert replies == [0, 1, 2], replies
        print("server streaming: ok")
        expect_failure(
            stub.Count(streaming_pb2.CountRequest(name="py", count=5, fail_after=2)),
            grpc.StatusCode.NOT_FOUND, "USER_NOT_FOUND", [0, 1])
        print("server streaming, error mid-stream with ErrorInfo: ok")

        total = stub.Sum(numbers([1, 2, 3]))
        assert (total.sum, total.count) == (6, 3), total
        try:
            stub.Sum(numbers([1, -1]))
            raise AssertionError("a negative number was summed")
        except grpc.RpcError as error:
            assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error.code()
            assert error_info(error).reason == "VALIDATOR"
        print("client streaming, and a bad message with ErrorInfo: ok")

        replies = [n.value for n in stub.Echo(numbers([1, 2, 3]))]
        assert replies == [2, 4, 6], replies
        expect_failure(stub.Echo(numbers([1, -1, 3])), grpc.StatusCode.INVALID_ARGUMENT,
                       "VALIDATOR", [2])
        print("bidirectional streaming, and a bad message mid-stream: ok")

        call = stub.Count(streaming_pb2.CountRequest(name="py", count=20, interval_ms=100),
                          timeout=0.35)
        received = 0
        try:
            for _ in call:
                received += 1
            raise AssertionError("the stream outlived its deadline")
        except grpc.RpcError as error:
            assert error.code() == grpc.StatusCode.DEADLINE_EXCEEDED, error.code()
        assert 0 < received < 20, received
        print(f"deadline: ok ({received} replies in 350 ms)")

        call = stub.Count(streaming_pb2.CountRequest(name="py", count=1000000, interval_ms=10))
        first = next(call)
        assert first.index == 0
        call.cancel()
        assert call.code() == grpc.StatusCode.CANCELLED, call.code()
        replies = [r.index for r in stub.Count(streaming_pb2.CountRequest(name="py", count=2))]
        assert replies == [0, 1], replies
        print("cancelled by the client, and the server serves on: ok")


if __name__ == "__main__":
    main(sys.argv[1])
