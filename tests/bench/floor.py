#!/usr/bin/env python3
"""The floor of an install (tests/bench/bench_install.sh): in ROOT where dockdrop installed
the engine, its daemons started by hand as dockdrop starts them (--init none: containerd,
then, once its socket is there, dockerd --containerd=SOCKET; the same binaries, the same
daemon.json, the same environment) and timed until /var/run/docker.sock answers /_ping.
The sockets are polled every millisecond, 60 s at most.

    floor.py ROOT PIDDIR     prints the milliseconds; PIDDIR/containerd.pid, dockerd.pid
"""
import os
import socket
import subprocess
import sys
import time

root, piddir = sys.argv[1], sys.argv[2]
env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:"
               "/opt/dockdrop/engine/current/iptables", "LC_ALL": "C"}
csock = "/run/containerd/containerd.sock"


def fail(name, why):
    try:
        with open(os.path.join(root, "tmp", name + ".floor.log"), "rb") as f:
            tail = f.read()[-600:].decode(errors="replace")
    except OSError:
        tail = ""
    sys.exit("floor: %s %s; its log ends: %s" % (name, why, tail))


def start(name, *args):
    log = open(os.path.join(root, "tmp", name + ".floor.log"), "ab")
    p = subprocess.Popen(["chroot", root, "/usr/local/bin/" + name, *args], env=env,
                         stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd="/",
                         start_new_session=True)
    with open(os.path.join(piddir, name + ".pid"), "w") as f:
        f.write("%d\n" % p.pid)
    return p


def ping():
    s = socket.socket(socket.AF_UNIX)
    try:
        s.settimeout(5)
        s.connect(os.path.join(root, "run/docker.sock"))  # /var/run: a link to /run
        s.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
        return b" 200 " in s.recv(64).split(b"\r\n")[0]
    except OSError:
        return False
    finally:
        s.close()


t0 = time.monotonic()
end = t0 + 60
containerd = start("containerd")
while not os.path.exists(os.path.join(root, csock.lstrip("/"))):
    if time.monotonic() > end or containerd.poll() is not None:
        fail("containerd", "did not come up")
    time.sleep(0.001)
dockerd = start("dockerd", "--containerd=" + csock)
while not ping():
    if time.monotonic() > end or dockerd.poll() is not None:
        fail("dockerd", "did not answer")
    time.sleep(0.001)
print("%.0f" % ((time.monotonic() - t0) * 1000))
