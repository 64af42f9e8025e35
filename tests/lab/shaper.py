#!/usr/bin/env python3
# Userspace link shaper for the network lab (the kernel here has no sch_netem): two TUN
# devices joined by this process, which delays every packet by DELAY ms and drops LOSS
# of them, in each direction. The lab moves one end into a phone's namespace and the
# other into its router's. Usage: shaper.py NAME_A NAME_B DELAY_MS LOSS(0..1)
# Prints "ready" once both devices exist; exits when stdin closes (the lab ended).
import fcntl, heapq, os, random, select, struct, sys, time

TUNSETIFF = 0x400454ca
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000

def tun(name):
    fd = os.open('/dev/net/tun', os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', name.encode(), IFF_TUN | IFF_NO_PI))
    os.set_blocking(fd, False)
    return fd

a, b = tun(sys.argv[1]), tun(sys.argv[2])
delay = float(sys.argv[3]) / 1000
loss = float(sys.argv[4])
other = {a: b, b: a}
queue = []  # (due, seq, fd, packet)
seq = 0
print('ready', flush=True)
stdin = sys.stdin.fileno()
while True:
    timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else 1.0
    ready, _, _ = select.select([a, b, stdin], [], [], timeout)
    now = time.monotonic()
    for fd in ready:
        if fd == stdin:
            if os.read(stdin, 4096) == b'':
                sys.exit(0)
            continue
        while True:
            try:
                pkt = os.read(fd, 65535)
            except BlockingIOError:
                break
            except OSError:
                sys.exit(0)  # the device went with its namespace
            if random.random() >= loss:
                seq += 1
                heapq.heappush(queue, (now + delay, seq, other[fd], pkt))
    while queue and queue[0][0] <= time.monotonic():
        _, _, fd, pkt = heapq.heappop(queue)
        try:
            os.write(fd, pkt)
        except OSError:
            pass
