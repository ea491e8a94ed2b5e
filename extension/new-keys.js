// Newly issued Databrain keys waiting for the user to save them. They live in
// storage.session (memory only, cleared when the browser closes, never written to disk)
// until the user says they are saved, so closing the popup can never lose one.
const AREA = chrome.storage.session;
/** The storage.session item; a page may read it along with others and pass them to newKeysIn. */
export const NEW_KEYS_ITEM = 'newKeys';

/** The waiting keys among storage.session items read. */
export const newKeysIn = (items) => items[NEW_KEYS_ITEM] ?? [];

export async function newKeys() {
  return newKeysIn(await AREA.get(NEW_KEYS_ITEM));
}

/** Keeps a new key: {key, origin, source: 'rotation' | 'creation' | 'recovery', oldKeyExpiresAt?, label?}. */
export async function keepNewKey(entry) {
  const keys = await newKeys();
  const kept = { ...entry, id: crypto.randomUUID(), issuedAt: Date.now() };
  await AREA.set({ [NEW_KEYS_ITEM]: [...keys, kept] });
  return kept;
}

export async function acknowledgeNewKey(id) {
  const keys = await newKeys();
  await AREA.set({ [NEW_KEYS_ITEM]: keys.filter((entry) => entry.id !== id) });
}

export function onNewKeysChanged(listener) {
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === 'session' && NEW_KEYS_ITEM in changes) listener(changes[NEW_KEYS_ITEM].newValue ?? []);
  });
}
