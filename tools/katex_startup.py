"""A patient start for sphinxcontrib-katex's build-time renderer (a Node process).

sphinxcontrib-katex 0.9.11 connects to the renderer's Unix socket as soon as the socket
file exists, but Node creates the file when it binds, before it listens: on a busy machine
the connection is refused and the whole build fails (ConnectionRefusedError in
``start_server_process``), or a slow Node start passes the library's 5 s limit. This module
replaces that one method with the same start that retries the connection until Node
listens, for up to a minute.
"""

from __future__ import annotations

import socket
import time
from subprocess import PIPE, Popen

STARTUP_LIMIT_S = 60.0


def start_server_process(cls, rundir, timeout):
    socket_path = rundir / "katex.sock"
    process = Popen(cls.build_command(socket=socket_path), stdin=PIPE, stdout=PIPE, cwd=rundir)
    limit = max(timeout, STARTUP_LIMIT_S)
    deadline = time.monotonic() + limit
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(str(socket_path))
            return process, sock
        except (FileNotFoundError, ConnectionRefusedError):
            sock.close()
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise cls.timeout_error(limit) from None
            time.sleep(0.01)


def setup(app) -> dict:
    from sphinxcontrib.katex import KaTeXServer

    KaTeXServer.start_server_process = classmethod(start_server_process)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
