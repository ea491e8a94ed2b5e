// Newly issued Databrain keys waiting for the user to save them. They live in
// storage.session (memory only, cleared when the browser closes, never written to disk)
// until the user says they are saved, so closing the popup can never lose one.
const AREA = chrome.storage.session;
const ITEM = 'newKeys';

export async function newKeys() {
  const { [ITEM]: keys = [] } = await AREA.get(ITEM);
  return keys;
}

/** Keeps a new key: {key, origin, source: 'rotation' | 'creation', oldKeyExpiresAt?, label?}. */
export async function keepNewKey(entry) {
  const keys = await newKeys();
  const kept = { ...entry, id: crypto.randomUUID(), issuedAt: Date.now() };
  await AREA.set({ [ITEM]: [...keys, kept] });
  return kept;
}

export async function acknowledgeNewKey(id) {
  const keys = await newKeys();
  await AREA.set({ [ITEM]: keys.filter((entry) => entry.id !== id) });
}

export function onNewKeysChanged(listener) {
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === 'session' && ITEM in changes) listener(changes[ITEM].newValue ?? []);
  });
}
