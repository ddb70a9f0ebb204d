"""The build's KaTeX renderer start survives a socket that exists before it is listened on."""

import sys

import pytest

from tools import katex_startup

# A stand-in for the Node renderer: binds the socket (creating the file), waits, then listens.
LATE_LISTENER = """
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
time.sleep(0.5)
s.listen(1)
conn, _ = s.accept()
conn.sendall(b"ok")
time.sleep(1)
"""


class FakeServer:
    @classmethod
    def build_command(cls, socket=None, port=None):
        return [sys.executable, "-c", LATE_LISTENER, str(socket)]

    @classmethod
    def timeout_error(cls, timeout):
        return RuntimeError(f"no renderer after {timeout} s")


def test_a_socket_that_is_not_yet_listening_is_retried(tmp_path):
    process, sock = katex_startup.start_server_process(FakeServer, tmp_path, 5.0)
    try:
        assert sock.recv(2) == b"ok"
    finally:
        sock.close()
        process.kill()


def test_a_renderer_that_dies_is_reported(tmp_path):
    class Dying(FakeServer):
        @classmethod
        def build_command(cls, socket=None, port=None):
            return [sys.executable, "-c", "raise SystemExit(1)"]

    with pytest.raises(RuntimeError, match="no renderer"):
        katex_startup.start_server_process(Dying, tmp_path, 5.0)


def test_the_extension_replaces_the_librarys_start():
    from sphinxcontrib.katex import KaTeXServer

    katex_startup.setup(None)
    assert KaTeXServer.start_server_process.__func__ is katex_startup.start_server_process
