"""Installing `vigil` on the PATH: `scripts/install` puts the binary and its resources under a prefix and says
where (and how to put it on the PATH); the installed binary serves the dashboard and API document from its
own copy of the resources. The container image is built and smoke-tested when a container engine runs."""

from __future__ import annotations

import shutil
import subprocess
import urllib.request

import pytest
from support import ROOT, VIGIL, free_port, wait_until_ready


@pytest.mark.skipif(not VIGIL.exists(), reason=f"build vigil first ({VIGIL})")
def test_install_puts_vigil_under_the_prefix_and_says_where(tmp_path):
    prefix = tmp_path / "prefix"
    run = subprocess.run([str(ROOT / "scripts" / "install"), "--prefix", str(prefix), "--debug"],
                         capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stderr
    assert f"installed {prefix}/bin/vigil" in run.stdout
    assert f'export PATH="{prefix}/bin:$PATH"' in run.stdout
    installed = prefix / "bin" / "vigil"
    port = free_port()
    server = subprocess.Popen([str(installed), "serve", "--data", str(tmp_path / "data"), "--port", str(port)],
                              stderr=subprocess.DEVNULL)
    try:
        wait_until_ready(f"http://127.0.0.1:{port}/readyz", server, "the installed vigil")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.yaml", timeout=10) as r:
            assert r.read().startswith(b"openapi: 3.1.0")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as r:
            assert b"<title>Overview" in r.read()
    finally:
        server.terminate()
        server.wait(30)
    assert (prefix / "lib" / "vigil" / "vigil_VigilServer.resources").is_dir()


def container_engine():
    for tool in ("podman", "docker"):
        path = shutil.which(tool)
        if path and subprocess.run([path, "info"], capture_output=True, timeout=30).returncode == 0:
            return path
    return None


@pytest.mark.skipif(container_engine() is None, reason="no running container engine (podman or docker)")
def test_the_container_image_builds_and_serves():
    engine = container_engine()
    subprocess.run([engine, "build", "-f", "Containerfile", "-t", "vigil-test", "."], cwd=ROOT, check=True,
                   timeout=3600)
    port = free_port()
    container = subprocess.run([engine, "run", "-d", "--rm", "-p", f"127.0.0.1:{port}:8080", "vigil-test"],
                               capture_output=True, text=True, check=True).stdout.strip()
    try:
        wait_until_ready(f"http://127.0.0.1:{port}/readyz", subprocess.Popen(["sleep", "120"]), "the container")
    finally:
        subprocess.run([engine, "stop", container], capture_output=True)
