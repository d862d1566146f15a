#!/usr/bin/env python3
"""A stand-in journald socket for benchmarks: receives the agent's native-protocol datagrams and writes one line per
entry that has OPSAGENT_EVENT: "<receive time> <event> <probe>". Usage: journal_listener.py SOCKET OUTPUT"""
import os, socket, struct, sys, time

path, output = sys.argv[1], sys.argv[2]
if os.path.exists(path):
    os.unlink(path)
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
with open(output, "a", buffering=1) as out:
    while True:
        data, _ = sock.recvfrom(1 << 20)
        now = time.time()
        fields, i = {}, 0
        while i < len(data):
            nl = data.find(b"\n", i)
            if nl < 0:
                break
            line = data[i:nl]
            if b"=" in line:
                key, value = line.split(b"=", 1)
                fields[key] = value
                i = nl + 1
            else:  # KEY\n<le64 length><value>\n
                size = struct.unpack("<Q", data[nl + 1:nl + 9])[0]
                fields[line] = data[nl + 9:nl + 9 + size]
                i = nl + 9 + size + 1
        event = fields.get(b"OPSAGENT_EVENT")
        if event:
            out.write("%.3f %s %s\n" % (now, event.decode(), fields.get(b"OPSAGENT_PROBE", b"-").decode()))
