"""A WebSocket client that reads slowly, for the backpressure test.

Node cannot shrink a TCP socket's receive buffer, and on loopback the kernel would otherwise
absorb megabytes before the server ever sees backpressure. This peer sets SO_RCVBUF small,
says hello and joins, prints READY, and reads nothing more until it gets a line on stdin. Then
it reads everything, printing one JSON line per message seq received and the close code.
"""
import base64, json, os, socket, struct, sys

host, port, key, token, room = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect((host, port))
wskey = base64.b64encode(os.urandom(16)).decode()
s.sendall((f"GET /v1/ws?key={key} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
           f"Connection: Upgrade\r\nSec-WebSocket-Key: {wskey}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
buf = b""
while b"\r\n\r\n" not in buf:
    buf += s.recv(4096)
head, buf = buf.split(b"\r\n\r\n", 1)
assert b" 101 " in head.split(b"\r\n")[0], head


def send(obj):
    data = json.dumps(obj).encode()
    mask = os.urandom(4)
    hdr = bytes([0x81])
    n = len(data)
    hdr += bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n)
    s.sendall(hdr + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))


def frames():
    # One growing bytearray read from an offset: re-slicing bytes per frame would be quadratic
    # and too slow to drain megabytes before the server gives up on us.
    global buf
    data = bytearray(buf)
    pos = 0
    while True:
        while True:
            n = need(data, pos)
            if n is not None and len(data) - pos >= n:
                break
            chunk = s.recv(1 << 20)
            if not chunk:
                return
            data += chunk
        op, payload, used = parse(data, pos)
        pos += used
        if pos > (8 << 20):
            del data[:pos]
            pos = 0
        yield op, payload


def need(b, pos):
    if len(b) - pos < 2:
        return None
    n = b[pos + 1] & 0x7F
    if n == 126:
        return 4 + struct.unpack_from(">H", b, pos + 2)[0] if len(b) - pos >= 4 else None
    if n == 127:
        return 10 + struct.unpack_from(">Q", b, pos + 2)[0] if len(b) - pos >= 10 else None
    return 2 + n


def parse(b, pos):
    n, at = b[pos + 1] & 0x7F, 2
    if n == 126:
        n, at = struct.unpack_from(">H", b, pos + 2)[0], 4
    elif n == 127:
        n, at = struct.unpack_from(">Q", b, pos + 2)[0], 10
    return b[pos] & 0x0F, bytes(b[pos + at:pos + at + n]), at + n


send({"type": "hello", "token": token})
send({"type": "join", "room": room})
it = frames()
for op, payload in it:
    if op == 1 and json.loads(payload.split(b"\n")[0]).get("type") == "joined":
        break
print("READY", flush=True)
sys.stdin.readline()
for op, payload in it:
    if op == 1:
        for line in payload.split(b"\n"):
            f = json.loads(line)
            if f.get("type") == "message":
                print(json.dumps({"seq": f["seq"]}), flush=True)
    elif op == 8:
        code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else 1005
        print(json.dumps({"close": code}), flush=True)
        break
print("END", flush=True)
