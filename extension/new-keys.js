// Newly issued Databrain keys waiting for the user to save them. They live in
// storage.session (memory only, cleared when the browser closes, never written to disk)
// until the user says they are saved, so closing the popup can never lose one.
//
// Keeping one can fail (storage.session holds 10 MB; a quota error, or any other). The key
// exists at Databrain by then, so it is never dropped: keepNewKey hands it back marked
// `kept: false` for the page to show at once, and holds it in this module's memory (the
// background's), where a popup opened later still finds it until the background stops.
const AREA = chrome.storage.session;
/** The storage.session item; a page may read it along with others and pass them to newKeysIn. */
export const NEW_KEYS_ITEM = 'newKeys';

/** The waiting keys among storage.session items read. */
export const newKeysIn = (items) => items[NEW_KEYS_ITEM] ?? [];

export async function newKeys() {
  return newKeysIn(await AREA.get(NEW_KEYS_ITEM));
}

/** Keys that could not be kept in storage.session, in the background's memory only. */
const unkept = /** @type {NewKeyEntry[]} */ ([]);

/**
 * Keeps a new key: {key, origin, source: 'rotation' | 'creation' | 'recovery', oldKeyExpiresAt?, label?}.
 * Never throws: when storage.session refuses it, resolves to the entry with `kept: false`.
 * @returns {Promise<NewKeyEntry>}
 */
export async function keepNewKey(entry) {
  const made = { ...entry, id: crypto.randomUUID(), issuedAt: Date.now() };
  try {
    await AREA.set({ [NEW_KEYS_ITEM]: [...await newKeys(), made] });
    return made;
  } catch {
    const notKept = { ...made, kept: /** @type {false} */ (false) };
    unkept.push(notKept);
    return notKept;
  }
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

/** The background's calls for keys it could not keep (background.js `services.newKeys`). */
export const unkeptKeys = {
  /** The keys still held in memory only; each is tried in storage.session again first (space may have been freed). */
  async unkept() {
    for (const entry of [...unkept]) {
      const { kept, ...stored } = entry;
      try {
        await AREA.set({ [NEW_KEYS_ITEM]: [...await newKeys(), stored] });
        unkept.splice(unkept.indexOf(entry), 1);
      } catch { /* still full: it stays in memory */ }
    }
    return unkept;
  },
  /** The user saved it: forgotten. */
  async forget({ id }) {
    const index = unkept.findIndex((entry) => entry.id === id);
    if (index >= 0) unkept.splice(index, 1);
    return true;
  },
};
