"""Colony beside OTP for scripts/bench's distribution sections: reads colony-bench's REMOTE and
LOCAL lines and run.sh's summary, and prints one row per measurement with the ratio.

    python3 scripts/lib/dist_ratios.py SECTION COLONY_FILE OTP_FILE     (SECTION: dist or tls)
"""
import re
import sys

section, colony_file, otp_file = sys.argv[1], sys.argv[2], sys.argv[3]
colony = {}
for line in open(colony_file):
    parts = line.split()
    if len(parts) >= 3:
        colony[parts[1]] = float(parts[2])
otp = {}
for line in open(otp_file):
    if line.startswith(("-", "benchmark", "#", "=")):
        continue
    fields = re.split(r"\s{2,}", line.strip())
    if len(fields) >= 2 and len(fields[0]) > 32:
        # A 32-character name leaves one space before the metric.
        fields = [fields[0][:32].strip(), fields[0][32:].strip()] + fields[1:]
    if len(fields) >= 3:
        try:
            otp[(fields[0], fields[1])] = float(fields[2])
        except ValueError:
            pass
ROWS = {}
ROWS['dist'] = [
    ("local send 1->1 (msgs/s)", "send_1to1", ("1 local send 1->1", "msgs"), True),
    ("local send 4->1 (msgs/s)", "send_4to1", ("1 local send 4->1", "msgs"), True),
    ("remote {msg,Int} (msgs/s)", "send_msg_int", ("3a remote send {msg,Int}", "msgs"), True),
    ("remote 1 KiB (msgs/s)", "send_1kib", ("3b remote send 1KiB binary", "msgs"), True),
    ("remote 64 KiB (msgs/s)", "send_64kib", ("3b remote send 64KiB binary", "msgs"), True),
    ("local GenServer call (calls/s)", "gs_call_local_rate", ("2 local gen_server:call", "calls"), True),
    ("local GenServer call p50 (us)", "gs_call_local_p50_us", ("2 local gen_server:call", "p50"), False),
    ("local GenServer call p99 (us)", "gs_call_local_p99_us", ("2 local gen_server:call", "p99"), False),
    ("remote call x1 (calls/s)", "gs_call_x1_rate", ("3c remote gen_server:call x1", "calls"), True),
    ("remote call x1 p50 (us)", "gs_call_x1_p50_us", ("3c remote gen_server:call x1", "p50"), False),
    ("remote call x1 p99 (us)", "gs_call_x1_p99_us", ("3c remote gen_server:call x1", "p99"), False),
    ("remote call x16 (calls/s)", "gs_call_x16_rate", ("3c remote gen_server:call x16", "calls (aggregate)"), True),
    ("remote call x16 p50 (us)", "gs_call_x16_p50_us", ("3c remote gen_server:call x16", "p50"), False),
    ("remote call x16 p99 (us)", "gs_call_x16_p99_us", ("3c remote gen_server:call x16", "p99"), False),
    ("rpc call (calls/s)", "rpc_call_rate", ("3d rpc:call(B,erlang,node,[])", "calls"), True),
    ("rpc call p50 (us)", "rpc_call_p50_us", ("3d rpc:call(B,erlang,node,[])", "p50"), False),
    ("rpc call p99 (us)", "rpc_call_p99_us", ("3d rpc:call(B,erlang,node,[])", "p99"), False),
    ("multicall 3 nodes (calls/s)", "multicall3_rate", ("3e erpc:multicall 3 nodes", "multicalls"), True),
    ("multicall 3 nodes p50 (us)", "multicall3_p50_us", ("3e erpc:multicall 3 nodes", "p50"), False),
    ("multicall 3 nodes p99 (us)", "multicall3_p99_us", ("3e erpc:multicall 3 nodes", "p99"), False),
    ("actor call x1 (calls/s) vs gs", "actor_x1_rate", ("3c remote gen_server:call x1", "calls"), True),
    ("actor call x1 p50 (us) vs gs", "actor_x1_p50_us", ("3c remote gen_server:call x1", "p50"), False),
    ("actor call x1 p99 (us) vs gs", "actor_x1_p99_us", ("3c remote gen_server:call x1", "p99"), False),
    ("actor call x16 (calls/s) vs gs", "actor_x16_rate", ("3c remote gen_server:call x16", "calls (aggregate)"), True),
    ("actor call x16 p50 (us) vs gs", "actor_x16_p50_us", ("3c remote gen_server:call x16", "p50"), False),
    ("actor call x16 p99 (us) vs gs", "actor_x16_p99_us", ("3c remote gen_server:call x16", "p99"), False),
    ("el: remote call x1 (calls/s)", "el_gs_call_x1_rate", ("3c remote gen_server:call x1", "calls"), True),
    ("el: remote call x1 p50 (us)", "el_gs_call_x1_p50_us", ("3c remote gen_server:call x1", "p50"), False),
    ("el: remote call x16 (calls/s)", "el_gs_call_x16_rate", ("3c remote gen_server:call x16", "calls (aggregate)"), True),
    ("el: rpc call p50 (us)", "el_rpc_call_p50_us", ("3d rpc:call(B,erlang,node,[])", "p50"), False),
    ("el: multicall 3 nodes p50 (us)", "el_multicall3_p50_us", ("3e erpc:multicall 3 nodes", "p50"), False),
    ("el: actor call x1 p50 (us) vs gs", "el_actor_x1_p50_us", ("3c remote gen_server:call x1", "p50"), False),
    ("el: actor call x16 (calls/s) vs gs", "el_actor_x16_rate", ("3c remote gen_server:call x16", "calls (aggregate)"), True),
    ("connect -> nodeup (ms)", "connect_to_nodeup_ms", ("4 connect_node -> nodeup", "nodeup received"), False),
    ("nodedown after kill -9 (ms)", "nodedown_after_kill9_ms", ("4 nodedown after kill -9", "nodedown after kill issued"), False),
    ("idle node RSS (MiB)", "idle_node_rss_mib", ("8 idle node RSS (-name, dist on)", "rss"), False),
    ("memory per idle process (B)", "bytes_per_idle_process", ("8 idle process memory", "process_info memory"), False),
    ("memory per idle reactor (B)", "bytes_per_idle_reactor", ("8 idle process memory", "process_info memory"), False),
]
ROWS["tls"] = [
    ("TLS remote {msg,Int} (msgs/s)", "send_msg_int", ("3a remote send {msg,Int}", "msgs"), True),
    ("TLS remote 1 KiB (msgs/s)", "send_1kib", ("3b remote send 1KiB binary", "msgs"), True),
    ("TLS remote 64 KiB (msgs/s)", "send_64kib", ("3b remote send 64KiB binary", "msgs"), True),
    ("TLS remote call x1 (calls/s)", "gs_call_x1_rate", ("3c remote gen_server:call x1", "calls"), True),
    ("TLS remote call x1 p50 (us)", "gs_call_x1_p50_us", ("3c remote gen_server:call x1", "p50"), False),
    ("TLS remote call x1 p99 (us)", "gs_call_x1_p99_us", ("3c remote gen_server:call x1", "p99"), False),
    ("TLS remote call x16 (calls/s)", "gs_call_x16_rate", ("3c remote gen_server:call x16", "calls (aggregate)"), True),
]
rows = ROWS[section]
print(f"{'measurement':32} {'colony':>14} {'otp':>14} {'colony/otp':>11}  better")
for label, key, okey, higher in rows:
    c, o = colony.get(key), otp.get(okey)
    if c is None or o is None or o == 0:
        print(f"{label:32} {c if c is not None else '-':>14} {o if o is not None else '-':>14} {'-':>11}")
        continue
    ratio = c / o
    print(f"{label:32} {c:14.1f} {o:14.1f} {ratio:10.2f}x  {'higher' if higher else 'lower'}")
