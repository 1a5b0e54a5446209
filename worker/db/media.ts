// Where media live in R2 (every key under the alert's prefix: the purge removes the prefix).
export const photoKey = (alertId: string, hash: string) => `alerts/${alertId}/photos/${hash}.jpg`;
