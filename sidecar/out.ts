// Where a command writes what people read: stdout and stderr, or a test's buffers.
export type Out = { out: (s: string) => void; err: (s: string) => void };
