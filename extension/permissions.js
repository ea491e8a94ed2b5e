// The origins granted for self-hosted Databrain APIs: the browser's granted origin patterns
// less every one the manifest itself grants (the Treasure API and console hosts, the
// Databrain cloud). Those are held for their own service and are never a self-hosted
// Databrain, though permissions.getAll() lists them as granted (the core refuses them too).
export async function grantedSelfHosted() {
  const held = new Set(chrome.runtime.getManifest().host_permissions ?? []);
  return ((await chrome.permissions.getAll()).origins ?? []).filter((pattern) => !held.has(pattern));
}
