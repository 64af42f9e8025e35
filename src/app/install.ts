// Installing to the home screen: Android/Chromium offers a prompt we can trigger;
// iOS Safari has none, so the app explains the two taps instead.

interface BeforeInstallPromptEvent extends Event {
  prompt: () => Promise<void>
  userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>
}

export type InstallOption = { kind: 'prompt', install: () => Promise<boolean> } | { kind: 'ios-instructions' } | { kind: 'none' }

export function isStandalone (): boolean {
  return matchMedia('(display-mode: standalone)').matches || (navigator as Navigator & { standalone?: boolean }).standalone === true
}

export function watchInstall (onChange: (o: InstallOption) => void): void {
  if (isStandalone()) { onChange({ kind: 'none' }); return }
  if (/iPhone|iPad|iPod/.test(navigator.userAgent)) onChange({ kind: 'ios-instructions' })
  addEventListener('beforeinstallprompt', e => {
    e.preventDefault()
    const ev = e as BeforeInstallPromptEvent
    onChange({
      kind: 'prompt',
      install: async () => {
        await ev.prompt()
        const choice = await ev.userChoice
        if (choice.outcome === 'accepted') onChange({ kind: 'none' })
        return choice.outcome === 'accepted'
      }
    })
  })
  addEventListener('appinstalled', () => onChange({ kind: 'none' }))
}
