"""Fixtures for the interop suite: Python stubs generated from proto/ with grpcio-tools, and a gateway
started from gateway/target/quarkus-app on a free port with its own data directory."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import grpc
import pytest

REPO = Path(__file__).resolve().parent.parent
PROTO = REPO / "proto" / "src" / "main" / "proto"
GATEWAY = REPO / "gateway" / "target" / "quarkus-app" / "quarkus-run.jar"


@pytest.fixture(scope="session")
def stubs(tmp_path_factory):
    out = tmp_path_factory.mktemp("stubs")
    from grpc_tools import protoc
    import grpc_tools

    includes = Path(grpc_tools.__file__).parent / "_proto"
    protos = [str(p.relative_to(PROTO)) for p in PROTO.rglob("*.proto")]
    code = protoc.main(["protoc", f"-I{PROTO}", f"-I{includes}", f"--python_out={out}", f"--grpc_python_out={out}", *protos])
    assert code == 0, "protoc failed"
    sys.path.insert(0, str(out))
    from anneal.v1 import train_pb2, train_pb2_grpc

    return train_pb2, train_pb2_grpc


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def gateway(tmp_path_factory):
    if not GATEWAY.exists():
        pytest.fail(f"{GATEWAY} is missing: build the project first (mvn -B verify)")
    data = tmp_path_factory.mktemp("anneal-data")
    grpc_port, http_port = free_port(), free_port()
    log = open(data / "gateway.log", "w")
    process = subprocess.Popen(
        ["java", "-Dai.djl.offline=true", f"-Dquarkus.grpc.server.port={grpc_port}",
         f"-Dquarkus.http.port={http_port}", f"-Danneal.data-dir={data}", "-Danneal.event-log.fsync=false",
         "-jar", str(GATEWAY)],
        stdout=log, stderr=subprocess.STDOUT)
    target = f"127.0.0.1:{grpc_port}"
    try:
        channel = grpc.insecure_channel(target)
        grpc.channel_ready_future(channel).result(timeout=120)
        channel.close()
        yield {"target": target, "data": data}
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
