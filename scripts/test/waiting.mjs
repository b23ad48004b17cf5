// Waiting on servers the test scripts start: used by the browser test and the adopter test.

export const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/** Whether a URL answers 2xx within three seconds. */
export async function reachable(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
    return response.ok;
  } catch {
    return false;
  }
}

/** Polls `check` every two seconds until it holds; throws naming `what` after `timeoutMs`. */
export async function waitFor(what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(2000);
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
}

/** Stops a detached child and everything it started, waiting for the group to go (SIGKILL after 15 s). */
export async function stopGroup(child) {
  if (!child) return;
  const alive = () => {
    try {
      process.kill(-child.pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let waited = 0; waited < 15_000 && alive(); waited += 500)
    await sleep(500);
  if (alive()) process.kill(-child.pid, 'SIGKILL');
  await sleep(500);
}
