"""Sends COUNT Ethernet frames, each from a new random unicast source MAC (seeded), to
DST_MAC on IFACE at RATE frames/s, through an AF_PACKET socket (run it inside the
sender's namespace). Prints the count sent.
usage: mac-flood.py IFACE DST_MAC COUNT RATE SEED"""
import random
import socket
import sys
import time

iface, dst, count, rate, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rnd = random.Random(seed)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
dst_b = bytes.fromhex(dst.replace(':', ''))
# an IPv4/UDP frame of 64 bytes whose payload does not matter (nobody answers it)
body = b'\x08\x00' + bytes.fromhex('4500002e00004000401100000a4f00010a4f0063') + bytes(26)
sent = 0
start = time.monotonic()
while sent < count:
    due = min(int((time.monotonic() - start) * rate), count) - sent
    for _ in range(min(due, 256)):
        # locally administered (0x02), unicast (I/G bit clear)
        src = ((rnd.getrandbits(48) & ~(0x03 << 40)) | (0x02 << 40)).to_bytes(6, 'big')
        s.send(dst_b + src + body)
        sent += 1
    if due <= 0:
        time.sleep(0.001)
print(sent)
