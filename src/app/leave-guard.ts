// Closing or reloading the page in the middle of a face-to-face payment leaves the other
// phone guessing (was it signed? handed over?). While one is in flight the browser asks
// "Leave site?" first; at any other time the page closes without a question.

/** Listens for beforeunload on `target`; returns the function that stops listening. */
export function guardLeaving (target: EventTarget, inFlight: () => boolean): () => void {
  const onBeforeUnload = (e: Event): void => {
    if (!inFlight()) return
    e.preventDefault()
    // Older browsers (Chrome before 119) look only at returnValue, settable on BeforeUnloadEvent alone.
    if (typeof BeforeUnloadEvent !== 'undefined' && e instanceof BeforeUnloadEvent) e.returnValue = ''
  }
  target.addEventListener('beforeunload', onBeforeUnload)
  return () => { target.removeEventListener('beforeunload', onBeforeUnload) }
}
