// The V8 flags the operator's process runs with (ADR 0024). NODE_OPTIONS does not take V8
// flags, so the image's ENTRYPOINT passes them and the test harness starts the operator with
// the same list; image/entrypoint.test.ts holds the Containerfile and the Dockerfile to it.
// The heap grows 20 % past what the last full GC kept (V8 lets it grow up to 4× by default, so
// an operator with 120 MiB live sat at 240 MiB of heap), and the young generation is capped
// at 2 MiB semi-spaces: the heap follows the live objects, at no measurable cost in CPU.
export const OPERATOR_V8_FLAGS = ['--max-semi-space-size=2', '--heap-growing-percent=20'] as const;
