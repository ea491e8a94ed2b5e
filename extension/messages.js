// Calls into the background (background.js): {service, call, args} -> its value, or a
// rejection with the core's {code, message} failure.
export async function askBackground(service, call, args) {
  const answer = await chrome.runtime.sendMessage({ service, call, args });
  if (answer && 'ok' in answer) return answer.ok;
  throw answer?.failure ?? null;
}
