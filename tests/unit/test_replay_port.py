"""Whether replay's port is taken: a listener is, a connection lingering in TIME_WAIT is not."""

from __future__ import annotations

import socket

import pytest

from archive.replay import port_in_use


def _listener() -> socket.socket:
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as pywb's gevent server binds
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server


def test_a_listening_port_is_in_use():
    with _listener() as server:
        assert port_in_use(server.getsockname()[1])


def test_a_port_left_in_time_wait_by_a_stopped_server_is_free():
    # A replay served a page and was stopped: the server side closed first, so once the
    # client closes too, the server's end of the connection sits in TIME_WAIT on the port,
    # which a restart must be able to take.
    server = _listener()
    port = server.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    conn, _ = server.accept()
    conn.close()
    server.close()
    client.recv(1)  # the server's FIN
    client.close()
    assert port_in_use(port) is False
    # The test did leave the port lingering: without SO_REUSEADDR it still looks taken.
    with socket.socket() as strict, pytest.raises(OSError):
        strict.bind(("127.0.0.1", port))
