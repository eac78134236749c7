"""A TCP stream whose bytes are checked end to end, for the overlay integrity test.

  tcp_sha256.py recv ADDR PORT          accepts one connection, reads to EOF, prints
                                        "BYTES SHA256" of what arrived
  tcp_sha256.py send ADDR PORT BYTES    connects (retrying for 10 s while the receiver
                                        starts), sends BYTES random bytes, prints
                                        "BYTES SHA256" of what was sent
Standard library only.
"""
import hashlib
import os
import socket
import sys
import time


def recv(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(1)
    s.settimeout(30)
    c, _ = s.accept()
    c.settimeout(30)
    h = hashlib.sha256()
    n = 0
    while True:
        d = c.recv(1 << 20)
        if not d:
            break
        h.update(d)
        n += len(d)
    print(n, h.hexdigest(), flush=True)


def send(addr, port, size):
    data = os.urandom(size)
    end = time.time() + 10
    while True:
        try:
            c = socket.create_connection((addr, port), timeout=5)
            break
        except OSError:
            if time.time() > end:
                raise
            time.sleep(0.1)
    c.sendall(data)
    c.shutdown(socket.SHUT_WR)
    c.recv(1)  # waits for the receiver to close: everything was read
    print(size, hashlib.sha256(data).hexdigest(), flush=True)


if __name__ == '__main__':
    if sys.argv[1] == 'recv':
        recv(sys.argv[2], int(sys.argv[3]))
    else:
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
