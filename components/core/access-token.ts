/**
 * Reads the `publish` claim of an access token without verifying it (the server verifies): a
 * receive-only token (`publish: false`) means the camera and microphone are never opened.
 * Anything that is not a readable JWT counts as "may publish"; the server then has the last word.
 */
export function tokenAllowsPublishing(token: string | undefined): boolean {
  const payload = token?.split('.')[1];
  if (!payload) return true;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    return (JSON.parse(json) as { publish?: unknown }).publish !== false;
  } catch {
    return true;
  }
}
