"""Connections that attack the server by being slow or many: a real `vigil serve`, raw sockets on loopback.

A slowloris client (a request head trickled byte by byte), a body shorter than its Content-Length, a declared
1 GB body, and 2,000 idle connections: each is cut off or refused, and the server keeps answering /healthz
and ingest throughout.
"""

import json
import socket
import subprocess
import time
import urllib.request

import pytest

from support import VIGIL, free_port  # noqa: E402


@pytest.fixture
def server(tmp_path):
    port = free_port()
    proc = subprocess.Popen(
        [str(VIGIL), "serve", "--data", str(tmp_path / "data"), "--port", str(port), "--idle-timeout", "3s",
         "--read-timeout", "1s", "--log-level", "warning"])
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + "/readyz", timeout=1)
            break
        except OSError:
            time.sleep(0.05)
    yield port, url
    proc.terminate()
    proc.wait(30)


def healthy(url):
    with urllib.request.urlopen(url + "/healthz", timeout=5) as response:
        return response.status == 200


def ingest(url, rid):
    row = {"id": rid, "ts": "2026-01-01T00:00:00Z", "model": "m", "score": 0.5, "prediction": 1}
    request = urllib.request.Request(url + "/v1/predictions", data=json.dumps(row).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)["accepted"]


def read_until_closed(sock, limit):
    """What the server sends until it closes the connection, or None if it is still open after `limit` s."""
    sock.settimeout(0.2)
    received = b""
    deadline = time.time() + limit
    while time.time() < deadline:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk
    return None


def test_slowloris_heads_are_cut_off_and_the_server_keeps_answering(server):
    port, url = server
    socks = []
    for _ in range(50):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        socks.append(s)
    closed = 0
    started = time.time()
    while time.time() - started < 8 and closed < len(socks):
        for s in socks:
            try:
                s.send(b"a")  # one byte at a time: the head never completes
            except OSError:
                pass
        assert healthy(url)
        time.sleep(0.3)
        closed = sum(1 for s in socks if read_until_closed(s, 0.01) is not None)
    assert closed == len(socks), f"only {closed} of {len(socks)} slow connections were closed"
    assert ingest(url, "after-slowloris") == 1


def test_a_body_shorter_than_its_length_gets_408_and_the_connection_closes(server):
    port, url = server
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /v1/predictions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"id\":")
    answer = read_until_closed(s, 10)
    assert answer is not None, "the connection was held open"
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"request_timeout" in answer
    assert healthy(url)


def test_a_declared_huge_body_is_refused_before_it_is_read(server):
    port, url = server
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /v1/predictions HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n")
    started = time.time()
    s.settimeout(5)
    answer = s.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"body_too_large" in answer
    assert time.time() - started < 1.5, "the 413 must not wait for the body"


def test_two_thousand_idle_connections_do_not_stop_the_server(server):
    port, url = server
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(2000)]
    try:
        assert healthy(url)
        assert ingest(url, "among-2000") == 1
    finally:
        for s in socks:
            s.close()
    assert healthy(url)
