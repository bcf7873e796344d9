/**
 * @module cli/progress
 * Progress output on stderr: a spinner with the current step and elapsed time on a TTY, plain
 * lines otherwise (CI logs).
 */

/** A progress indicator for one long operation. */
export type Progress = { step: (label: string) => void; done: (label?: string) => void; fail: () => void }

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

/** Start a progress indicator titled `title`. */
export function progress(title: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const t0 = Date.now()
  let label = 'starting'
  const elapsed = (): string => `${((Date.now() - t0) / 1000).toFixed(1)}s`
  if (!stream.isTTY) {
    stream.write(`${title}: ${label}\n`)
    return {
      step: (l) => void stream.write(`${title}: ${(label = l)} (${elapsed()})\n`),
      done: (l) => void stream.write(`${title}: ${l ?? 'done'} (${elapsed()})\n`),
      fail: () => void stream.write(`${title}: failed (${elapsed()})\n`),
    }
  }
  let i = 0
  const draw = (): void => void stream.write(`\r\x1b[2K${frames[i++ % frames.length]} ${title}: ${label} ${elapsed()}`)
  const timer = setInterval(draw, 100)
  draw()
  const stop = (mark: string, l: string): void => {
    clearInterval(timer)
    stream.write(`\r\x1b[2K${mark} ${title}: ${l} ${elapsed()}\n`)
  }
  return { step: (l) => ((label = l), draw()), done: (l) => stop('✔', l ?? 'done'), fail: () => stop('✖', label) }
}
