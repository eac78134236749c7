"""Sends IPv4/UDP frames of SIZE bytes to DST_MAC on IFACE at RATE frames/s for SECONDS,
through an AF_PACKET socket (run it inside the sender's namespace). Prints the count sent.
usage: flood.py IFACE DST_MAC SIZE RATE SECONDS"""
import socket
import sys
import time

iface, dst, size, rate, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
src = bytes.fromhex(open(f'/sys/class/net/{iface}/address').read().strip().replace(':', ''))
payload = size - 14 - 20 - 8
ip = bytearray(bytes.fromhex('4500') + (20 + 8 + payload).to_bytes(2, 'big') + bytes.fromhex('00004000401100000a4f00010a4f0063'))
csum = sum(int.from_bytes(ip[i:i + 2], 'big') for i in range(0, 20, 2))
csum = (csum & 0xffff) + (csum >> 16)
ip[10:12] = (~csum & 0xffff).to_bytes(2, 'big')
udp = (40000).to_bytes(2, 'big') + (9).to_bytes(2, 'big') + (8 + payload).to_bytes(2, 'big') + b'\0\0'
frame = bytes.fromhex(dst.replace(':', '')) + src + b'\x08\x00' + bytes(ip) + udp + bytes(payload)
sent = 0
start = time.monotonic()
end = start + seconds
while True:
    now = time.monotonic()
    if now >= end:
        break
    # keep to the rate: send what is due, then sleep a little
    due = int((now - start) * rate) - sent
    for _ in range(min(due, 256)):
        s.send(frame)
        sent += 1
    if due <= 0:
        time.sleep(0.001)
print(sent)
