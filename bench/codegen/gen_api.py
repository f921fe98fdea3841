#!/usr/bin/env python3
"""Writes the 2,000-method API of issue 18 as one proto file.

200 services x 10 RPCs in package `bigapi.v1`: every HTTP verb (get, post, put, patch, delete and a
custom one), path variables (plain, dotted-free int64, `{name=shelves/*}`, `{name=shelves/*/books/*}`,
a `:verb` suffix), `body: "*"` and a body field; 30 messages, each with int64, repeated, map and
Timestamp fields. Usage: gen_api.py OUT_DIR (writes OUT_DIR/bigapi/v1/bigapi.proto).
"""

import os
import sys

SERVICES = 200
RPCS_PER_SERVICE = 10
MESSAGES = 30


def message(index: int) -> str:
    if index == 0:
        # The body-field target: a nested message with scalars, int64 and a Timestamp.
        return """message Msg00 {
  string title = 1;
  int64 size = 2;
  repeated int64 sizes = 3;
  google.protobuf.Timestamp at = 4;
}
"""
    return f"""// Message {index} of the benchmark API.
message Msg{index:02d} {{
  string name = 1;
  int64 id = 2;
  repeated string tags = 3;
  map<string, string> labels = 4;
  google.protobuf.Timestamp create_time = 5;
  int32 count = 6;
  bool enabled = 7;
  double score = 8;
  Msg00 payload = 9;
  repeated int64 ids = 10;
}}
"""


def rule(service: int, rpc: int) -> str:
    base = f"/v1/s{service}/m{rpc}"
    rules = [
        f'get: "{base}/{{name}}"',
        f'get: "/v1/s{service}/{{name=shelves/*}}"',
        f'post: "{base}" body: "*"',
        f'post: "{base}/{{name}}" body: "payload"',
        f'put: "{base}/{{name}}" body: "*"',
        f'patch: "{base}/{{id}}" body: "payload"',
        f'delete: "{base}/{{name}}"',
        f'custom: {{ kind: "SEARCH" path: "{base}" }} body: "*"',
        f'get: "{base}/{{name}}:verb"',
        f'get: "{base}/{{id}}/{{name=shelves/*/books/*}}"',
    ]
    return rules[rpc % len(rules)]


def service(index: int) -> str:
    lines = [f"// Service {index} of the benchmark API.", f"service Svc{index:03d} {{"]
    for rpc in range(RPCS_PER_SERVICE):
        n = index * RPCS_PER_SERVICE + rpc
        request = n % (MESSAGES - 1) + 1
        reply = (n + 1) % (MESSAGES - 1) + 1
        lines.append(f"  // Method {rpc} of service {index}.")
        lines.append(f"  rpc Call{rpc}(Msg{request:02d}) returns (Msg{reply:02d}) {{")
        lines.append(f"    option (google.api.http) = {{ {rule(index, rpc)} }};")
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: gen_api.py OUT_DIR")
    out = os.path.join(sys.argv[1], "bigapi", "v1")
    os.makedirs(out, exist_ok=True)
    parts = [
        'syntax = "proto3";',
        "",
        "package bigapi.v1;",
        "",
        'import "google/api/annotations.proto";',
        'import "google/protobuf/timestamp.proto";',
        "",
    ]
    parts += [message(i) for i in range(MESSAGES)]
    parts += [service(i) for i in range(SERVICES)]
    with open(os.path.join(out, "bigapi.proto"), "w", encoding="utf-8") as f:
        f.write("\n".join(parts))


if __name__ == "__main__":
    main()
