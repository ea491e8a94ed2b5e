// The administrator's settings: the browser's managed storage (Chrome's 3rdparty extension
// policy, Firefox's policies.json), read as JSON for the core (`core.readPolicy`), which
// checks every value. No import of the core: the popup asks for it before its core has compiled.

/** The managed storage area as JSON; `{}` when no policy is set (Firefox then rejects the read). */
export async function managedJson() {
  const managed = await chrome.storage.managed.get(null).catch(() => ({}));
  return JSON.stringify(managed ?? {});
}

/**
 * Calls `listener` when the administrator's settings change (no restart needed in Chrome).
 * The managed area's own event, so a listener is not called for every other area's writes
 * (the bulk job's journal); Firefox loads managed settings only at its start and has no
 * such event.
 */
export function onPolicyChanged(listener) {
  chrome.storage.managed.onChanged?.addListener(() => listener());
}
