// Calls into the background (background.js): {service, call, args} -> its value, or a
// rejection with the core's {code, message} failure.
/**
 * @template {keyof BackgroundCalls} S
 * @template {keyof BackgroundCalls[S]} C
 * @param {S} service
 * @param {C} call
 * @param {object} args
 * @returns {Promise<BackgroundCalls[S][C]>}
 */
export async function askBackground(service, call, args) {
  const answer = await chrome.runtime.sendMessage({ service, call, args });
  if (answer && 'ok' in answer) return answer.ok;
  throw answer?.failure ?? null;
}
