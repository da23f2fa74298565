#!/usr/bin/env python3
"""Captures real OTP traffic as DistributionFuzz seeds (Fuzz/seeds-distribution/otp-*.bin).

    python3 Fuzz/Tools/capture-otp-seeds.py Fuzz/seeds-distribution

Needs erl and epmd (OTP 25 or later). Everything listens on 127.0.0.1 on free ports; the real
epmd this starts is stopped by its PID, the erl node halts by itself (and is killed by PID if not).

1. A fake EPMD records the ALIVE2_REQ and PORT_PLEASE2_REQ of an erl node (`otp@127.0.0.1`).
2. The node sends to `peer@127.0.0.1`, which is this script: it records the node's send_name and
   challenge_reply (initiator messages) and, after completing the handshake, every distribution
   frame the node sends (reg_send, send_sender, link, unlink_id, monitor, demonitor, exit2,
   group_leader, spawn_request, alias_send ...), with OTP's own atom cache headers.
3. The script then dials the node as `peer2@127.0.0.1` and records OTP's status, challenge and
   challenge_ack (acceptor messages).
4. A real epmd, asked by the script, gives real ALIVE2_X_RESP, PORT2_RESP and NAMES_RESP replies.

Each seed starts with DistributionFuzz's selector byte (0 handshake message, 1 state machine,
2 distribution frames, 3 EPMD); frames are re-cut with 2-byte length prefixes.
"""

import hashlib
import os
import socket
import struct
import subprocess
import sys
import threading
import time

COOKIE = "fuzzcookie"
PEER = b"peer@127.0.0.1"
PEER2 = b"peer2@127.0.0.1"
PEER_CREATION = 0x66000002
OWN_CHALLENGE = 0x5EEDCAFE  # DistributionFuzz's fixed challenge
MAX_LEN = 4096

seeds = {}


def seed(name, selector, body):
    data = bytes([selector]) + body
    if len(data) <= MAX_LEN:
        seeds[name] = data


def frames2(frames):
    return b"".join(struct.pack(">H", len(f)) + f for f in frames)


def digest(challenge):
    return hashlib.md5((COOKIE + str(challenge)).encode()).digest()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def recv_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def recv_packet2(conn):
    (length,) = struct.unpack(">H", recv_exact(conn, 2))
    return recv_exact(conn, length)


def send_packet2(conn, body):
    conn.sendall(struct.pack(">H", len(body)) + body)


class FakeEPMD(threading.Thread):
    """Answers ALIVE2_REQ and PORT_PLEASE2_REQ; records the requests."""

    def __init__(self, peer_port):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.peer_port = peer_port
        self.node_port = None
        self.node_registered = threading.Event()
        self.keep = []

    def run(self):
        while True:
            conn, _ = self.sock.accept()
            try:
                body = recv_packet2(conn)
            except EOFError:
                conn.close()
                continue
            tag = body[0]
            if tag == 120:  # ALIVE2_REQ
                seed("otp-epmd-alive2-req", 3, struct.pack(">H", len(body)) + body)
                self.node_port = struct.unpack(">H", body[1:3])[0]
                conn.sendall(bytes([118, 0]) + struct.pack(">I", 0x66000003))
                self.keep.append(conn)  # closing it would unregister the node
                self.node_registered.set()
            elif tag == 122:  # PORT_PLEASE2_REQ
                seed("otp-epmd-port-please2-req", 3, struct.pack(">H", len(body)) + body)
                name = body[1:]
                reply = bytes([119, 0]) + struct.pack(">HBBHHH", self.peer_port, 77, 0, 6, 6, len(name))
                conn.sendall(reply + name + struct.pack(">H", 0))
                conn.close()
            else:
                conn.close()


def accept_handshake(listener, frames_out):
    """Plays peer@127.0.0.1 accepting the node's connection; records what the node sends."""
    conn, _ = listener.accept()
    name = recv_packet2(conn)
    assert name[:1] == b"N", name
    seed("otp-handshake-send-name", 0, name)
    flags, creation = struct.unpack(">QI", name[1:13])
    send_packet2(conn, b"sok")
    challenge = struct.pack(">QII", flags, 0x12345678, PEER_CREATION) + struct.pack(">H", len(PEER)) + PEER
    send_packet2(conn, b"N" + challenge)
    reply = recv_packet2(conn)
    assert reply[:1] == b"r", reply
    seed("otp-handshake-challenge-reply", 0, reply)
    (their_challenge,) = struct.unpack(">I", reply[1:5])
    send_packet2(conn, b"a" + digest(their_challenge))
    # Everything the node sends as the initiator, re-aimed at DistributionFuzz's acceptor: its
    # real send_name, then a challenge_reply made for DistributionFuzz's own challenge.
    fixed_reply = b"r" + struct.pack(">I", their_challenge) + digest(OWN_CHALLENGE)
    seed("otp-machine-acceptor", 1, frames2([name, fixed_reply]))
    conn.settimeout(3.0)
    try:
        while True:
            (length,) = struct.unpack(">I", recv_exact(conn, 4))
            frames_out.append(recv_exact(conn, length))
    except (EOFError, socket.timeout, ConnectionResetError):
        pass
    conn.close()
    return flags


def dial_node(port, flags):
    """Plays peer2@127.0.0.1 dialling the node; records what the node answers as the acceptor."""
    conn = socket.create_connection(("127.0.0.1", port), timeout=5)
    flags &= ~0x2_0000_0000  # the node's own flags, without NAME_ME
    body = b"N" + struct.pack(">QIH", flags, 0x66000004, len(PEER2)) + PEER2
    send_packet2(conn, body)
    status = recv_packet2(conn)
    seed("otp-handshake-status", 0, status)
    challenge = recv_packet2(conn)
    seed("otp-handshake-challenge", 0, challenge)
    (their_challenge,) = struct.unpack(">I", challenge[9:13])
    send_packet2(conn, b"r" + struct.pack(">I", 0x0BADF00D) + digest(their_challenge))
    ack = recv_packet2(conn)
    seed("otp-handshake-challenge-ack", 0, ack)
    # The node's answers, re-aimed at DistributionFuzz's initiator (which dials peer@127.0.0.1):
    # OTP's real status, its challenge with the peer's name, an ack for the fixed challenge.
    name_at = 19  # 'N', flags (8), challenge (4), creation (4), name length (2)
    (name_length,) = struct.unpack(">H", challenge[name_at - 2 : name_at])
    renamed = challenge[: name_at - 2] + struct.pack(">H", len(PEER)) + PEER + challenge[name_at + name_length :]
    seed("otp-machine-initiator", 1, frames2([status, renamed, b"a" + digest(OWN_CHALLENGE)]))
    conn.close()


ERL_SCRIPT = r"""
Peer = 'peer@127.0.0.1',
N = atom_to_binary(Peer, utf8),
P = binary_to_term(<<131, 88, 119, (byte_size(N)), N/binary, 0,0,0,85, 0,0,0,0, 16#66000002:32>>),
R = binary_to_term(<<131, 90, 0, 3, 119, (byte_size(N)), N/binary, 16#66000002:32, 0,0,0,1, 0,0,0,2, 0,0,0,3>>),
{net_kernel, Peer} ! {'$gen_call', {self(), make_ref()}, {is_auth, node()}},
{colony, Peer} ! {hello, [1, 2, 3], <<"bin">>, 3.14, -42, 1 bsl 70, self(), make_ref(), #{a => 1}, "str"},
{colony, Peer} ! {hello, again, self()},
P ! {to_pid, self(), [{k, v}]},
catch link(P),
catch unlink(P),
M1 = erlang:monitor(process, P),
erlang:demonitor(M1),
M2 = erlang:monitor(process, {logger, Peer}),
erlang:demonitor(M2),
catch exit(P, {shutdown, why}),
catch exit(P, kill),
catch group_leader(self(), P),
catch spawn_request(Peer, erlang, apply, [fun io:format/2, ["hi~n", []]], [link, monitor]),
catch erlang:send(R, {via_alias, self()}),
{colony, Peer} ! lists:seq(1, 300),
{colony, Peer} ! fun(X) -> {X, P} end,
timer:sleep(1000),
erlang:disconnect_node(Peer),
timer:sleep(4000),
halt().
"""


def capture_otp():
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    epmd = FakeEPMD(listener.getsockname()[1])
    epmd.start()
    env = dict(os.environ, ERL_EPMD_PORT=str(epmd.port), ERL_FLAGS="", ERL_AFLAGS="", ERL_ZFLAGS="")
    erl = subprocess.Popen(
        ["erl", "-noshell", "-noinput", "-start_epmd", "false", "-name", "otp@127.0.0.1", "-setcookie", COOKIE,
         "-kernel", "inet_dist_use_interface", "{127,0,0,1}", "-eval", ERL_SCRIPT],
        env=env,
    )
    try:
        frames = []
        flags = accept_handshake(listener, frames)
        if frames:
            seed("otp-dist-session", 2, frames2(frames))
            for i, frame in enumerate(frames):
                seed("otp-dist-frame-%02d" % i, 2, frames2([frame]))
        epmd.node_registered.wait(5)
        if epmd.node_port:
            dial_node(epmd.node_port, flags)
        erl.wait(timeout=20)
    finally:
        if erl.poll() is None:
            erl.kill()
            erl.wait()


def capture_epmd():
    port = free_port()
    epmd = subprocess.Popen(["epmd", "-address", "127.0.0.1", "-port", str(port)])
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)

        def ask(request, keep=False):
            conn = socket.create_connection(("127.0.0.1", port), timeout=5)
            conn.sendall(struct.pack(">H", len(request)) + request)
            data = b""
            conn.settimeout(1.0)
            try:
                while True:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                    if keep:
                        break
            except socket.timeout:
                pass
            return conn, data

        name = b"peer"
        alive = bytes([120]) + struct.pack(">HBBHHH", 45678, 77, 0, 6, 6, len(name)) + name + struct.pack(">H", 0)
        registration, reply = ask(alive, keep=True)
        seed("otp-epmd-alive2-x-resp", 3, reply)
        other = bytes([120]) + struct.pack(">HBBHHH", 45679, 72, 0, 5, 5, 2) + b"c1" + struct.pack(">H", 2) + b"\x01\x02"
        registration2, reply = ask(other, keep=True)
        seed("otp-epmd-alive2-resp", 3, reply)
        _, reply = ask(alive, keep=True)
        seed("otp-epmd-alive2-x-resp-taken", 3, reply)
        _, reply = ask(bytes([122]) + name)
        seed("otp-epmd-port2-resp", 3, reply)
        _, reply = ask(bytes([122]) + b"c1")
        seed("otp-epmd-port2-resp-v5", 3, reply)
        _, reply = ask(bytes([122]) + b"nobody")
        seed("otp-epmd-port2-resp-not-found", 3, reply)
        _, reply = ask(bytes([110]))
        seed("otp-epmd-names-resp", 3, reply)
        registration.close()
        registration2.close()
    finally:
        epmd.kill()
        epmd.wait()


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "Fuzz/seeds-distribution"
    os.makedirs(directory, exist_ok=True)
    capture_otp()
    capture_epmd()
    for name, data in sorted(seeds.items()):
        with open(os.path.join(directory, name + ".bin"), "wb") as f:
            f.write(data)
    print("%d seeds written to %s" % (len(seeds), directory))


if __name__ == "__main__":
    main()
