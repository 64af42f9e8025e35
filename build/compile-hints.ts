// Marks the entry chunk with V8's explicit compile hint `//# allFunctionsCalledOnLoad`
// (Chromium ≥ 136; other engines read a comment). Without it V8 compiles each function lazily,
// on the main thread, the first time it runs: on a cold start that is most of the entry's cost
// (Svelte's runtime and the first screen all run at once), measured at ~2/3 of the entry's
// main-thread script time at 4× CPU. With it the whole file is compiled eagerly on a background
// thread while it streams in. Only the entry: the lazy chunks are compiled when needed, and
// there most functions are not called at once.
import type { Plugin } from 'vite'

export const COMPILE_HINT = '//# allFunctionsCalledOnLoad\n'

export function compileHints (): Plugin {
  return {
    name: 'handover:compile-hints',
    apply: 'build',
    enforce: 'post',
    // After minification (which drops comments) and after Vite adds its preload helper line:
    // the hint must be the file's first line.
    generateBundle: {
      order: 'post',
      handler (_options, bundle) {
        for (const chunk of Object.values(bundle)) {
          if (chunk.type === 'chunk' && chunk.isEntry && !chunk.code.startsWith(COMPILE_HINT)) chunk.code = COMPILE_HINT + chunk.code
        }
      }
    }
  }
}
