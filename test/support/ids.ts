/** A short unique upper-case id, for codes and names that must not collide across test files and runs. */
export const uid = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`.toUpperCase();

/** A Redis key prefix of its own, for an app or a worker that must not meet other tests' queues. */
export const testPrefix = () => `test-${uid()}`;
