/** Shared vitest settings: resolve workspace packages to their TypeScript sources. */
export const sharedTest = {
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
}
