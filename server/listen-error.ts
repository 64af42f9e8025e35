// `npm start` on a port that cannot be used: one line saying which and what to do,
// instead of Node's raw EADDRINUSE stack.

/** A plain message for an error from listen(), or undefined when it is not one we can explain. */
export function listenErrorMessage (err: unknown, host: string, port: number): string | undefined {
  const code = (err as { code?: unknown } | null)?.code
  if (code === 'EADDRINUSE') return `Port ${port} on ${host} is already in use (another Handover or another program). Stop that program, or choose another port: PORT=${port + 1} npm start`
  if (code === 'EACCES') return `Port ${port} on ${host} needs administrator rights. Choose a port above 1023: PORT=8787 npm start`
  if (code === 'EADDRNOTAVAIL') return `The address ${host} does not belong to this computer. Choose one of its addresses, or leave HOST unset: HOST=127.0.0.1 npm start`
  return undefined
}
