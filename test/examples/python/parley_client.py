"""A small Parley client in Python, written from api/protocol/README.md alone.

It signs a user token (HS256 with the tenant's secret key, stdlib only), connects, says hello,
joins a room, sends a message and waits for its ack, renews its token on the open socket with
`refresh`, then disconnects; while it is away the tenant's backend (the HTTP API) deletes that
message and posts another; it reconnects and resumes with the change cursor, and prints one
JSON line summing up what it saw. Needs Debian's python3-websockets.

    python3 parley_client.py <http base url> <publishable key> <secret key> <room>
"""
import asyncio
import base64
import hashlib
import hmac
import json
import sys
import time
import urllib.request
import uuid

import websockets


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def user_token(secret_key: str, sub: str, lifetime_s: int) -> str:
    """A JWT as the tenant's backend makes one: HS256, the whole sk_… string as the key, exp in seconds."""
    now = int(time.time())
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = b64url(json.dumps({"sub": sub, "name": sub.title(), "iat": now, "exp": now + lifetime_s}).encode())
    signing_input = f"{header}.{claims}".encode()
    signature = b64url(hmac.new(secret_key.encode(), signing_input, hashlib.sha256).digest())
    return f"{header}.{claims}.{signature}"


def backend(base: str, secret_key: str, method: str, path: str, body=None):
    """The HTTP API for tenant backends: Authorization: Bearer <secret key>."""
    req = urllib.request.Request(
        f"{base}/v1{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"authorization": f"Bearer {secret_key}", "content-type": "application/json"},
    )
    with urllib.request.urlopen(req) as res:
        return res.status


class Client:
    """One socket: frames in order, answers matched by rid."""

    def __init__(self, ws):
        self.ws = ws
        self.rid = 0
        self.events = []

    async def request(self, frame: dict) -> dict:
        self.rid += 1
        rid = str(self.rid)
        await self.ws.send(json.dumps({**frame, "rid": rid}))
        while True:
            # Without batch, one frame is one JSON object.
            f = json.loads(await asyncio.wait_for(self.ws.recv(), 10))
            if f.get("rid") == rid:
                if f["type"] == "error":
                    raise RuntimeError(f"{frame['type']} refused: {f['code']}: {f['message']}")
                return f
            self.events.append(f)


async def connect(base: str, key: str, token: str):
    ws = await websockets.connect(f"{base.replace('http', 'ws', 1)}/v1/ws?key={key}")
    c = Client(ws)
    welcome = await c.request({"type": "hello", "token": token})
    return c, welcome


async def main(base: str, key: str, secret: str, room: str) -> dict:
    c, welcome = await connect(base, key, user_token(secret, "pyuser", 300))
    joined = await c.request({"type": "join", "room": room})
    cursor = joined["cursor"]
    mine = str(uuid.uuid4())
    ack = await c.request({"type": "message", "room": room, "id": mine, "text": "hello from Python"})
    # The sender's own `message` event may come before its ack: it moves the cursor too.
    for f in c.events:
        if f.get("type") in ("message", "deleted") and f.get("room") == room:
            cursor = max(cursor, f["cursor"])
    refreshed = await c.request({"type": "refresh", "token": user_token(secret, "pyuser", 600)})
    await c.ws.close()

    # Away: the backend deletes our message and posts another.
    deleted_status = backend(base, secret, "DELETE", f"/rooms/{room}/messages/{mine}")
    posted_status = backend(base, secret, "POST", f"/rooms/{room}/messages", {"id": "from-backend", "user": "bot", "text": "while you were away"})

    c, _ = await connect(base, key, user_token(secret, "pyuser", 300))
    resumed = await c.request({"type": "join", "room": room, "cursor": cursor})
    changes = list(resumed["messages"])
    more = resumed
    while more["hasMore"]:
        more = await c.request({"type": "sync", "room": room, "cursor": more["cursor"]})
        changes += more["messages"]
    await c.ws.close()
    return {
        "user": welcome["user"],
        "expiresAt": welcome["expiresAt"],
        "ackSeq": ack["seq"],
        "refreshedExpiresAt": refreshed["expiresAt"],
        "http": [deleted_status, posted_status],
        "reset": resumed.get("reset", False),
        "changes": [{"id": m["id"], "deleted": m.get("deleted", False)} for m in changes],
        "mine": mine,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(*sys.argv[1:5]))))
