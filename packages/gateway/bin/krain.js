#!/usr/bin/env node
// The `krain` CLI. A built package runs dist/cli/main.js. From a source checkout, the TypeScript
// entry runs from an esbuild bundle of the CLI and the @krain/* sources it uses (code-split: heavy
// modules load only in the commands that need them; npm packages stay external), made once and
// remade when a source file changes (well under a second), so `krain --help` and `krain keys show`
// start in a fraction of what tsx takes. `serve`, `zk`, `worker` and `cluster` (worker threads on .ts files) and any
// failure to bundle run the TypeScript entry with tsx in a child process, as before.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const pkg = fileURLToPath(new URL('..', import.meta.url))
const built = join(pkg, 'dist/cli/main.js')
const entry = join(pkg, 'src/cli/main.ts')
const args = process.argv.slice(2)

/** The first command word (global options and their values skipped). */
function commandOf(argv) {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--url' || a === '--key' || a === '--key-file') i++
    else if (!a.startsWith('-')) return a
  }
  return undefined
}

function viaTsx() {
  const tsx = import.meta.resolve('tsx')
  const child = spawn(process.execPath, ['--conditions=source', '--import', tsx, entry, ...args], { stdio: 'inherit' })
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
}

/** The bundle's path, (re)made if missing or older than any of its inputs. */
async function bundle() {
  const cache = join(pkg, 'node_modules/.cache/krain-cli') // inside the package: npm packages resolve from here
  const pointer = join(cache, 'current-2.json') // (2: `#` imports are bundled, and this file is an input)
  try {
    const cur = JSON.parse(readFileSync(pointer, 'utf8'))
    if (existsSync(cur.main) && cur.inputs.every((f) => statSync(f).mtimeMs <= cur.builtAt)) return cur.main
  } catch {
    // no bundle yet, or an input is gone: make it
  }
  const { build } = await import('esbuild')
  const builtAt = Date.now()
  const dir = join(cache, `b-${builtAt}-${process.pid}`)
  mkdirSync(dir, { recursive: true })
  // import.meta.url of each bundled source stays its own file's URL (assets are found next to the sources)
  const metaUrl = {
    name: 'source-import-meta-url',
    setup(b) {
      b.onResolve({ filter: /^[^./#]/ }, (a) => (a.path.startsWith('@krain/') ? undefined : { path: a.path, external: true }))
      b.onLoad({ filter: /\.(ts|js|mjs)$/ }, (a) => {
        if (a.path.includes('/node_modules/')) return undefined
        const text = readFileSync(a.path, 'utf8')
        return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(a.path).href)), loader: a.path.endsWith('.ts') ? 'ts' : 'js', resolveDir: dirname(a.path) }
      })
    },
  }
  const r = await build({ entryPoints: { main: entry }, outdir: dir, bundle: true, splitting: true, format: 'esm', platform: 'node', target: 'node20', conditions: ['source'], plugins: [metaUrl], metafile: true, logLevel: 'silent', absWorkingDir: pkg, banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } })
  const inputs = [fileURLToPath(import.meta.url), ...Object.keys(r.metafile.inputs).map((f) => resolve(pkg, f))]
  const main = join(dir, 'main.js')
  const tmp = `${pointer}.${process.pid}`
  writeFileSync(tmp, JSON.stringify({ main, builtAt, inputs }))
  renameSync(tmp, pointer)
  // earlier bundles go after an hour (a long-running CLI started earlier may still load its lazy chunks)
  for (const d of readdirSync(cache)) {
    const m = /^b-(\d+)-/.exec(d)
    if (m && Number(m[1]) < builtAt - 3_600_000) rmSync(join(cache, d), { recursive: true, force: true })
  }
  return main
}

if (existsSync(built)) {
  await import(built)
} else if (['serve', 'zk', 'worker', 'cluster'].includes(commandOf(args)) || process.env.KRAIN_CLI_TSX === '1') {
  viaTsx()
} else {
  let main
  try {
    main = await bundle()
  } catch {
    main = undefined
  }
  if (main) await import(pathToFileURL(main).href)
  else viaTsx()
}
