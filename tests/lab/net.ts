// The lab's networks: Linux network namespaces joined by veth pairs, with NAT routers
// (iptables MASQUERADE; `--random-fully` makes the mapping symmetric). Every interface is
// created inside a namespace this lab made (never in the host's own), every address is a
// documentation range (203.0.113.0/24, 2001:db8::/32) or a private LAN, and everything is
// removed again: on success, on failure, on Ctrl-C and on a crash (process 'exit').
//
//   phone A ─ lan ─ router A ─ wan ┐
//                                  ├─ br0 "internet": 203.0.113.10 / 2001:db8:ff::10
//   phone B ─ lan ─ router B ─ wan ┘     (signalling service, /signal/ice, coturn :3478)
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const PUBLIC_V4 = '203.0.113.10'
export const PUBLIC_V6 = '2001:db8:ff::10'

export interface SideSpec {
  /** 'port-restricted': plain MASQUERADE; 'symmetric': MASQUERADE --random-fully. */
  nat: 'port-restricted' | 'symmetric'
  blockUdp?: boolean
}

export interface Topology {
  /** One router with both phones on its LAN, or one router per phone. */
  sameLan: boolean
  sides: [SideSpec, SideSpec?]
  /** Phones get only IPv6 addresses (routed, no NAT). */
  ipv6Only?: boolean
  /** Phone B's access link delays each packet this long each way and drops `lossPct` of them (userspace shaper). */
  shapeB?: { delayMs: number, lossPct: number }
}

const here = dirname(fileURLToPath(import.meta.url))
const live = new Set<Lab>()
let trapped = false
function trap (): void {
  if (trapped) return
  trapped = true
  process.on('exit', () => { for (const l of live) l.destroySync() })
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => { for (const l of live) l.destroySync(); process.exit(130) })
  }
}

export function labPrerequisites (): string | undefined {
  if (process.platform !== 'linux') return 'the network lab needs Linux network namespaces'
  if (process.getuid?.() !== 0) return 'the network lab needs root (ip netns, iptables)'
  for (const [bin, pkg] of [['ip', 'iproute2'], ['iptables', 'iptables'], ['turnserver', 'coturn'], ['chromium', 'chromium']] as const) {
    try { execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }) } catch { return `the network lab needs ${bin} (apt-get install ${pkg})` }
  }
  // Root in a container without CAP_NET_ADMIN, or a kernel without nf_tables: find out now.
  const probe = 'hovprobe' + randomBytes(3).toString('hex')
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'ignore', timeout: 5000 })
    try {
      execFileSync('ip', ['netns', 'exec', probe, 'iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', 'lo', '-j', 'MASQUERADE', '--random-fully'], { stdio: 'ignore', timeout: 5000 })
    } catch { return 'iptables NAT (MASQUERADE --random-fully) does not work in a network namespace here' } finally {
      execFileSync('ip', ['netns', 'del', probe], { stdio: 'ignore', timeout: 5000 })
    }
  } catch { return 'cannot create network namespaces here (ip netns add failed)' }
  return undefined
}

export class Lab {
  readonly tag = 'hov' + randomBytes(3).toString('hex')
  readonly ns = { pub: `${this.tag}-pub`, ra: `${this.tag}-ra`, rb: `${this.tag}-rb`, pa: `${this.tag}-pa`, pb: `${this.tag}-pb` }
  private readonly made: string[] = []
  private readonly children: ChildProcess[] = []
  /** Conditions built so far: part of each bridge port's name (see router()). */
  private builds = 0

  constructor () { trap(); live.add(this) }

  private run (cmd: string, ...args: string[]): void {
    try {
      execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 })
    } catch (e) {
      throw new Error(`${cmd} ${args.join(' ')}: ${String((e as { stderr?: Buffer }).stderr ?? e)}`)
    }
  }

  private ip (ns: string, ...args: string[]): void { this.run('ip', '-n', ns, ...args) }
  private exec (ns: string, ...args: string[]): void { this.run('ip', 'netns', 'exec', ns, ...args) }

  private addNs (name: string): void {
    if (this.made.includes(name)) {
      // A phone namespace kept across conditions (its browser keeps running, like a phone
      // moving between networks): drop its old interfaces, then wire it anew.
      const links = execFileSync('ip', ['-n', name, '-o', 'link', 'show'], { encoding: 'utf8' })
        .split('\n').map(l => /^\d+: ([^:@]+)/.exec(l)?.[1]).filter((n): n is string => n !== undefined && n !== 'lo')
      for (const l of links) { try { this.ip(name, 'link', 'del', l) } catch {} }
      return
    }
    this.run('ip', 'netns', 'add', name)
    this.made.push(name)
    this.ip(name, 'link', 'set', 'lo', 'up')
  }

  /** The "internet": one bridge with the server's addresses on it. Built once per lab. */
  buildInternet (): void {
    const p = this.ns.pub
    this.addNs(p)
    this.ip(p, 'link', 'add', 'br0', 'type', 'bridge')
    this.ip(p, 'link', 'set', 'br0', 'up')
    this.ip(p, 'addr', 'add', `${PUBLIC_V4}/24`, 'dev', 'br0')
    this.ip(p, 'addr', 'add', `${PUBLIC_V6}/64`, 'dev', 'br0', 'nodad')
  }

  /** Routers and phones for one condition (call teardownSides before the next). */
  async buildSides (t: Topology): Promise<void> {
    const routers: Array<[string, number, SideSpec]> = [[this.ns.ra, 1, t.sides[0]]]
    if (!t.sameLan) routers.push([this.ns.rb, 2, t.sides[1] ?? t.sides[0]])
    this.builds++
    for (const [r, idx, spec] of routers) this.router(r, idx, spec, t)
    this.phone(this.ns.pa, this.ns.ra, 1, 10, t)
    if (t.shapeB !== undefined && !t.sameLan) await this.shapedPhone(this.ns.pb, this.ns.rb, t.shapeB)
    else this.phone(this.ns.pb, t.sameLan ? this.ns.ra : this.ns.rb, t.sameLan ? 1 : 2, 11, t)
  }

  private router (r: string, idx: number, spec: SideSpec, t: Topology): void {
    const p = this.ns.pub
    this.addNs(r)
    // Unique per condition: the kernel destroys a deleted namespace's veths a little later,
    // so the last condition's port may still sit on the bridge under its old name.
    const port = `r${idx}${this.tag.slice(-4)}${this.builds}`
    this.ip(r, 'link', 'add', 'wan', 'type', 'veth', 'peer', 'name', port, 'netns', p)
    this.ip(p, 'link', 'set', port, 'master', 'br0', 'up')
    this.ip(r, 'addr', 'add', `203.0.113.${1 + idx}/24`, 'dev', 'wan')
    this.ip(r, 'addr', 'add', `2001:db8:ff::${1 + idx}/64`, 'dev', 'wan', 'nodad')
    this.ip(r, 'link', 'set', 'wan', 'up')
    this.exec(r, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1')
    this.exec(r, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.forwarding=1')
    if (t.shapeB === undefined || idx === 1) {
      this.ip(r, 'link', 'add', 'lan', 'type', 'bridge')
      this.ip(r, 'link', 'set', 'lan', 'up')
      if (t.ipv6Only !== true) this.ip(r, 'addr', 'add', '192.168.1.1/24', 'dev', 'lan')
      if (t.ipv6Only === true) this.ip(r, 'addr', 'add', `2001:db8:${idx}::1/64`, 'dev', 'lan', 'nodad')
    }
    if (t.ipv6Only === true) this.ip(p, '-6', 'route', 'replace', `2001:db8:${idx}::/64`, 'via', `2001:db8:ff::${1 + idx}`)
    this.exec(r, 'iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', 'wan', '-j', 'MASQUERADE', ...(spec.nat === 'symmetric' ? ['--random-fully'] : []))
    // A home router's firewall: nothing unsolicited from the internet reaches the router
    // itself (OpenWrt's wan zone rejects input). Without it the other phone's first
    // hole-punching check, arriving before this side has sent, was delivered to the router
    // and conntrack kept an entry for it; this phone's own packet to that address then
    // clashed with it and MASQUERADE gave it a new port. The NAT turned symmetric for
    // exactly the flow hole punching needs, and two_nats only ever connected through TURN.
    // A dropped packet's conntrack entry is never confirmed, so no clash.
    this.exec(r, 'iptables', '-A', 'INPUT', '-i', 'wan', '-m', 'conntrack', '--ctstate', 'NEW,INVALID', '-j', 'DROP')
    if (spec.blockUdp === true) {
      this.exec(r, 'iptables', '-A', 'FORWARD', '-p', 'udp', '-j', 'DROP')
      this.exec(r, 'ip6tables', '-A', 'FORWARD', '-p', 'udp', '-j', 'DROP')
    }
  }

  private phone (f: string, r: string, lanIdx: number, host: number, t: Topology): void {
    this.addNs(f)
    const port = `p${host}${this.tag.slice(-4)}`
    this.ip(f, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', port, 'netns', r)
    this.ip(r, 'link', 'set', port, 'master', 'lan', 'up')
    if (t.ipv6Only === true) {
      this.ip(f, 'addr', 'add', `2001:db8:${lanIdx}::${host}/64`, 'dev', 'eth0', 'nodad')
      this.ip(f, 'link', 'set', 'eth0', 'up')
      this.ip(f, '-6', 'route', 'add', 'default', 'via', `2001:db8:${lanIdx}::1`)
    } else {
      this.ip(f, 'addr', 'add', `192.168.1.${host}/24`, 'dev', 'eth0')
      this.ip(f, 'link', 'set', 'eth0', 'up')
      this.ip(f, 'route', 'add', 'default', 'via', '192.168.1.1')
    }
  }

  /** Phone B behind a userspace shaper: a TUN pair joined by tests/lab/shaper.py. */
  private async shapedPhone (f: string, r: string, shape: { delayMs: number, lossPct: number }): Promise<void> {
    this.addNs(f)
    const a = `${this.tag}s0`; const b = `${this.tag}s1`
    const child = spawn('python3', [join(here, 'shaper.py'), a, b, String(shape.delayMs), String(shape.lossPct / 100)], { stdio: ['pipe', 'pipe', 'inherit'] })
    this.children.push(child)
    const line = await new Promise<string>((resolve, reject) => {
      const rl = createInterface({ input: child.stdout! })
      rl.once('line', l => resolve(l))
      child.once('exit', c => reject(new Error(`shaper exited (${c})`)))
    })
    if (line !== 'ready') throw new Error(`shaper: ${line}`)
    this.run('ip', 'link', 'set', a, 'netns', f)
    this.run('ip', 'link', 'set', b, 'netns', r)
    this.ip(f, 'addr', 'add', '192.168.1.11', 'peer', '192.168.1.1', 'dev', a)
    this.ip(f, 'link', 'set', a, 'up')
    this.ip(f, 'route', 'add', 'default', 'via', '192.168.1.1')
    this.ip(r, 'addr', 'add', '192.168.1.1', 'peer', '192.168.1.11', 'dev', b)
    this.ip(r, 'link', 'set', b, 'up')
  }

  /** The router loses its uplink: a Wi-Fi with no internet. */
  cutUplink (router: string): void { this.ip(router, 'link', 'set', 'wan', 'down') }

  restoreUplink (router: string): void { this.ip(router, 'link', 'set', 'wan', 'up') }

  /** The phone has no data at all: no route anywhere. */
  takeOffline (phone: string): void {
    try { this.ip(phone, 'route', 'del', 'default') } catch {}
    try { this.ip(phone, '-6', 'route', 'del', 'default') } catch {}
  }

  /** Back online (IPv4 phones; the offline conditions are IPv4). */
  restoreOnline (phone: string): void { this.ip(phone, 'route', 'replace', 'default', 'via', '192.168.1.1') }

  /** Starts a process inside a namespace. */
  spawnIn (ns: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env }, ...(cwd !== undefined ? { cwd } : {}) })
    this.children.push(child)
    return child
  }

  /** Removes the per-condition routers (their veths to the phones go with them) and shapers. */
  async teardownSides (): Promise<void> {
    for (const n of [this.ns.ra, this.ns.rb]) {
      // Deleting the veth itself is synchronous (both ends go now); a namespace's are not.
      if (this.made.includes(n)) { try { this.ip(n, 'link', 'del', 'wan') } catch {} }
      this.removeNs(n)
    }
    const shapers = this.children.filter(c => c.spawnfile === 'python3' && c.exitCode === null && c.signalCode === null)
    for (const c of shapers) this.stop(c)
    await Promise.all(shapers.map(async c => await new Promise(resolve => { if (c.exitCode !== null || c.signalCode !== null) resolve(null); else c.once('exit', resolve) })))
  }

  private stop (c: ChildProcess): void {
    try { c.stdin?.end() } catch {}
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM')
  }

  private removeNs (n: string): void {
    const i = this.made.indexOf(n)
    if (i < 0) return
    // Processes we started in it (chromium, servers) go first, so the namespace really goes.
    try {
      const pids = execFileSync('ip', ['netns', 'pids', n], { encoding: 'utf8', timeout: 5000 }).split(/\s+/).filter(Boolean)
      for (const pid of pids) { try { process.kill(Number(pid), 'SIGKILL') } catch {} }
    } catch {}
    try { execFileSync('ip', ['netns', 'del', n], { stdio: 'ignore', timeout: 5000 }) } catch {}
    this.made.splice(i, 1)
  }

  destroySync (): void {
    for (const c of this.children) this.stop(c)
    for (const n of [...this.made].reverse()) this.removeNs(n)
    live.delete(this)
  }

  /** Namespaces of this lab still present (for the cleanup test). */
  leftovers (): string[] {
    const all = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    return all.split('\n').map(l => l.split(' ')[0]!).filter(n => n.startsWith(this.tag))
  }
}
